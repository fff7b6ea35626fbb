//! Checks on the source tree itself: every Rust file says what it is for.

use std::path::{Path, PathBuf};

fn rust_files(folder: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("a readable source folder") {
        let path = entry.expect("a readable folder entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for folder in ["crates", "tests", "benches"] {
        rust_files(&root.join(folder), &mut files);
    }
    assert!(files.len() > 20, "the walk found the sources: {}", files.len());
    let undocumented: Vec<_> = files
        .iter()
        .filter(|path| !std::fs::read_to_string(path).expect("UTF-8 source").starts_with("//!"))
        .collect();
    assert!(undocumented.is_empty(), "files without a `//!` first line: {undocumented:?}");
}
