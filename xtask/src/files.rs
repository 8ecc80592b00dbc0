//! The Rust files of the tree that `codes` and `census` read.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Every `.rs` file at or below `path`, sorted; none when `path` does not exist.
pub fn rust_files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    if !path.exists() {
        return Ok(files);
    }
    for entry in std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
