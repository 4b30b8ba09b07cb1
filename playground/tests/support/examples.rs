//! The example scenarios (examples/scenarios/*.txt), in name order, for the tests that go over
//! every one of them.
use std::path::PathBuf;

/// Every example scenario's path, sorted.
pub fn example_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}
