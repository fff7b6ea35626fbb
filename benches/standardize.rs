//! Read + standardize throughput: a hukou-like CSV read, mapped and standardized end to end.
//!
//! `cargo bench --bench standardize` measures 1,000,000 rows; under `cargo test --benches`
//! the same code runs once on 10,000 rows.

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The allocator the `censuslink` binary uses, so that the bench measures what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_read_standardize(c: &mut Criterion) {
    let is_bench = std::env::args().any(|arg| arg == "--bench");
    let n_rows = if is_bench { 1_000_000 } else { 10_000 };
    let folder = tempfile::tempdir().expect("a temporary folder");
    let job_path = common::write_hukou_extract(folder.path(), n_rows, 7);
    let job = censuslink_io::Job::load(&job_path).expect("the generated job is valid");

    let mut group = c.benchmark_group("read_standardize");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n_rows as u64));
    for n_threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n_threads).build().expect("a pool");
        group.bench_function(format!("hukou_csv_{n_rows}_rows_{n_threads}_threads"), |b| {
            b.iter(|| {
                let loaded = pool
                    .install(|| censuslink_io::load(&job.sources[0], &job.path))
                    .expect("the generated extract is readable");
                assert_eq!(loaded.n_rows(), n_rows);
                black_box(loaded)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_read_standardize);
criterion_main!(benches);
