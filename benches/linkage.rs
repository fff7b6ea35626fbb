//! Linkage throughput on a synthetic district's census and hukou extracts, as `censuslink run`
//! sees them (written, read and standardized by the product's own readers): the link's
//! feature columns (every value interned, dates, IDs and codes packed), blocking (keys,
//! blocks and every candidate pair of the person defaults' rules, unioned), and compare + score
//! (every comparison's level and the match weight with term frequencies) of every candidate
//! pair by a trained model.
//!
//! `cargo bench --bench linkage` uses a district of 1,300,000 persons (about 1.3 million census
//! records and 1.0 million hukou entries); under `cargo test --benches` the same code runs
//! once on 2,000 persons.

use std::hint::black_box;

use censuslink_linkage::{Blocking, RecordIdx, train};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;

/// The allocator the `censuslink` binary uses, so that the bench measures what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_linkage(c: &mut Criterion) {
    let is_bench = std::env::args().any(|arg| arg == "--bench");
    let persons = if is_bench { 1_300_000 } else { 2_000 };
    let folder = tempfile::tempdir().expect("a temporary folder");
    let district = censuslink_synth::generate(&censuslink_synth::SynthConfig::new(persons, 11));
    district.write(folder.path()).expect("writable");
    drop(district);
    let job = censuslink_io::Job::load(&folder.path().join("job.toml")).expect("the job");
    let load = |name: &str| {
        let source = job.sources.iter().find(|s| s.name == name).expect("the source");
        censuslink_io::load(source, &job.path).expect("readable").table
    };
    let (census, hukou) = (load("census"), load("hukou"));
    let settings = censuslink_reconcile::person_defaults();
    let records = censuslink_reconcile::person_records(&census, Some(&hukou));
    let cap = settings.training.block_cap;

    let mut group = c.benchmark_group("linkage");
    group.sample_size(10);
    group.throughput(Throughput::Elements((census.len() + hukou.len()) as u64));
    let name = format!("features_{}_census_x_{}_hukou", census.len(), hukou.len());
    group.bench_function(name, |b| {
        b.iter(|| black_box(censuslink_reconcile::person_records(&census, Some(&hukou))));
    });
    let blocking = Blocking::new(&records, &settings.blocking).expect("valid rules");
    let (chunks, _) = blocking.for_each_chunk(cap, |pairs| pairs.len() as u64);
    let n_pairs: u64 = chunks.iter().sum();
    group.throughput(Throughput::Elements((census.len() + hukou.len()) as u64));
    let name = format!("block_{}_census_x_{}_hukou", census.len(), hukou.len());
    group.bench_function(name, |b| {
        b.iter(|| {
            let blocking = Blocking::new(&records, &settings.blocking).expect("valid rules");
            let (chunks, _) = blocking.for_each_chunk(cap, |pairs| pairs.len() as u64);
            assert_eq!(chunks.iter().sum::<u64>(), n_pairs);
            black_box(chunks)
        });
    });

    let (model, _) =
        train(&records, &settings.comparisons, &blocking, &settings.training).expect("trainable");
    let scorer = model.scorer(&records).expect("the model fits");
    // The candidate pairs, generated once: the bench below times comparing and scoring them.
    let (chunks, _) = blocking.for_each_chunk(cap, |pairs| pairs.to_vec());
    let pairs: Vec<(RecordIdx, RecordIdx)> = chunks.into_iter().flatten().collect();
    group.throughput(Throughput::Elements(n_pairs));
    for n_threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n_threads).build().expect("a pool");
        group.bench_function(format!("compare_score_{n_pairs}_pairs_{n_threads}_threads"), |b| {
            b.iter(|| {
                let total: f64 = pool.install(|| {
                    pairs
                        .par_chunks(1 << 14)
                        .map(|chunk| {
                            let mut weights = Vec::with_capacity(chunk.len());
                            scorer.weights(chunk, &mut weights);
                            weights.iter().sum::<f64>()
                        })
                        .sum()
                });
                black_box(total)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_linkage);
criterion_main!(benches);
