//! The CSV reader on the bundled sample's census (`sample-data/census.csv`: 21,031 rows of the
//! 7th census's short form, GBK, 2.2 MB), in MB/s and rows/s of the file, at 1 and 2 threads:
//! read alone (parsed and decoded from GBK into raw text batches) and read and standardized
//! (mapped, and every value standardized: what `censuslink run` does with each source).
//!
//! `cargo bench --bench csv_reader`; under `cargo test --benches` each case runs once.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The allocator the `censuslink` binary uses, so that the bench measures what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_csv_reader(c: &mut Criterion) {
    let job_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/job.toml");
    let job = censuslink_io::Job::load(&job_path).expect("the sample's job is valid");
    let census = job.sources.iter().find(|s| s.name == "census").expect("the sample's census");
    let n_bytes = std::fs::metadata(census.path()).expect("the sample's census").len();
    let n_rows = censuslink_io::load(census, &job.path).expect("readable").n_rows();

    let read = || {
        let reader = censuslink_io::open(census).expect("the sample's census opens");
        let n: usize = reader.batches.map(|batch| batch.expect("readable").batch.num_rows()).sum();
        assert_eq!(n, n_rows);
        black_box(n);
    };
    let standardize = || {
        let loaded = censuslink_io::load(census, &job.path).expect("readable");
        assert_eq!(loaded.n_rows(), n_rows);
        black_box(loaded);
    };
    let cases: [(&str, &(dyn Fn() + Sync)); 2] =
        [("read", &read), ("read_standardize", &standardize)];
    for (unit, throughput) in [
        ("MB_s", Throughput::BytesDecimal(n_bytes)),
        ("rows_s", Throughput::Elements(n_rows as u64)),
    ] {
        let mut group = c.benchmark_group(format!("census_csv_{unit}"));
        group.sample_size(20);
        group.throughput(throughput);
        for n_threads in [1, 2] {
            let pool =
                rayon::ThreadPoolBuilder::new().num_threads(n_threads).build().expect("a pool");
            for (name, case) in cases {
                group.bench_function(format!("{name}_{n_threads}_threads"), |b| {
                    b.iter(|| pool.install(case));
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, bench_csv_reader);
criterion_main!(benches);
