//! `cargo xtask census`: the figures of the structure table in docs/DESIGN.md, per crate — lines
//! of Rust in `src/`, the files among them that hold SQL, and the longest function. Repeated
//! blocks are counted by the `duplicates` tool, not here.

use std::path::Path;

use anyhow::Result;

const CRATES: [&str; 5] = ["core", "till", "sync-server", "src-tauri", "xtask"];

/// Words that only SQL statements in string literals begin with in this code base.
const SQL: [&str; 5] = ["SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "CREATE TABLE"];

/// This file names the words above; it is not a file with SQL.
const ITSELF: &str = "census.rs";

pub fn census(root: &Path) -> Result<()> {
    println!("| crate | lines in src/ | files | files with SQL | longest function |");
    println!("|---|---|---|---|---|");
    for name in CRATES {
        let files = crate::files::rust_files(&root.join(name).join("src"))?;
        let (mut lines, mut with_sql) = (0, 0);
        let mut longest = (0, String::new());
        for path in &files {
            let text = std::fs::read_to_string(path)?;
            // Unit tests (a trailing `#[cfg(test)] mod tests`) are not the crate's structure.
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
            lines += code.lines().count();
            let statement =
                |line: &&str| !line.trim_start().starts_with("//") && SQL.iter().any(|sql| line.contains(sql));
            if !path.ends_with(ITSELF) && code.lines().any(|line| statement(&line)) {
                with_sql += 1;
            }
            let relative = path.strip_prefix(root).unwrap_or(path).display().to_string();
            for (function, length) in functions(code) {
                if length > longest.0 {
                    longest = (length, format!("{relative}: `{function}`"));
                }
            }
        }
        println!("| {name} | {lines} | {} | {with_sql} | {} ({} lines) |", files.len(), longest.1, longest.0);
    }
    Ok(())
}

/// Each `fn`'s name and its length in lines, from its signature to its closing brace.
fn functions(code: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let Some(after) = ["fn ", "pub fn ", "pub(crate) fn ", "async fn ", "pub async fn ", "pub(crate) async fn "]
            .iter()
            .find_map(|prefix| trimmed.strip_prefix(prefix))
        else {
            continue;
        };
        let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let indent = line.len() - trimmed.len();
        // The body ends at the first `}` at the signature's own indentation.
        let end = lines[start..].iter().position(|candidate| {
            let candidate_trimmed = candidate.trim_start();
            candidate.len() - candidate_trimmed.len() == indent && candidate_trimmed.starts_with('}')
        });
        if let Some(end) = end {
            found.push((name, end + 1));
        }
    }
    found
}
