//! Every input kept for a fuzz target, run through it: the corpus libFuzzer grew
//! (`fuzz/corpus/TARGET/`) and the inputs that once crashed it (`fuzz/regressions/TARGET/`).

use std::path::{Path, PathBuf};

fn inputs(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.expect("a folder entry").path()).collect();
    files.sort();
    files
}

#[test]
fn every_kept_input_runs_clean() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    for (target, body) in censuslink_fuzz::TARGETS {
        let corpus = inputs(&fuzz.join("corpus").join(target));
        let regressions = inputs(&fuzz.join("regressions").join(target));
        // The seeds at least: a missing corpus would make this test pass on nothing.
        assert!(corpus.len() >= 5, "{target}: fuzz/corpus/{target} holds its seeds");
        for file in corpus.iter().chain(&regressions) {
            let data = std::fs::read(file).expect("readable");
            body(&data);
        }
    }
    std::fs::remove_dir_all(censuslink_fuzz::scratch_folder()).expect("the scratch folder");
}
