//! Every error code the UI can be shown, gathered from the Rust sources into
//! `ui/src/lib/generated/error-codes.json`, so that a UI test can check each has English and
//! Swahili words (`ui/src/lib/errors.ts`). The codes are the contract between Rust and the
//! words: a refusal at the till (`TillError::code`, `DocumentError::code`, …), an answer of the
//! server (`ApiError`), and a quarantine reason or posting flag the server gives an event.
//!
//! `cargo xtask codes` writes the file; `cargo xtask test` fails when it is stale, so a new code
//! cannot land without words.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, bail};

const GENERATED: &str = "ui/src/lib/generated/error-codes.json";

/// Where each group's codes are written in the sources, and by what they are introduced.
struct Source {
    files: &'static [&'static str],
    /// Text directly before the code's opening quote (white space between is allowed).
    after: &'static [&'static str],
}

/// A refusal shown at the counter or the owner's desk.
const TILL: Source = Source {
    files: &[
        "core/src/error.rs",
        "core/src/journal.rs",
        "core/src/money.rs",
        "till/src/error.rs",
        "till/src/owner/mod.rs",
        "till/src/sync",
        "src-tauri/src",
    ],
    after: &["=> \"", "UiError::new(\"", "code: \""],
};

/// The server's answers to a request.
const SERVER: Source = Source {
    files: &["sync-server/src"],
    after: &[
        "ApiError::bad_request(\"",
        "parse_json_as(\"",
        "ApiError::unauthorized(\"",
        "ApiError::forbidden(\"",
        "ApiError::conflict(\"",
        "ApiError::bad_gateway(\"",
        "StatusCode::PAYLOAD_TOO_LARGE, \"",
        "StatusCode::NOT_FOUND, \"",
        "StatusCode::INTERNAL_SERVER_ERROR, \"",
        "StatusCode::TOO_MANY_REQUESTS,",
        "StatusCode::SERVICE_UNAVAILABLE,",
    ],
};

/// Why the server quarantined or flagged an event: its own reasons and core's refusals of a
/// document or a journal (which the server passes on by their codes).
const QUARANTINE: Source = Source {
    files: &["sync-server/src/merge", "core/src/error.rs", "core/src/journal.rs", "core/src/money.rs"],
    after: &["reason(\"", "code: \"", "=> \""],
};

/// Runs `cargo xtask codes` (`write`) or the check of `cargo xtask test`.
pub fn codes(root: &Path, write: bool) -> Result<()> {
    let text = render(root)?;
    let path = root.join(GENERATED);
    if write {
        std::fs::create_dir_all(path.parent().expect("a folder"))?;
        std::fs::write(&path, text).with_context(|| format!("writing {GENERATED}"))?;
        eprintln!("==> wrote {GENERATED}");
        return Ok(());
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != text {
        bail!(
            "{GENERATED} is stale: run `cargo xtask codes` and give every new code its words in ui/src/lib/errors.ts"
        );
    }
    Ok(())
}

fn render(root: &Path) -> Result<String> {
    let group = |source: &Source| -> Result<String> {
        let codes = gather(root, source)?;
        Ok(codes.iter().map(|code| format!("\"{code}\"")).collect::<Vec<_>>().join(", "))
    };
    Ok(format!(
        "{{\n  \"till\": [{}],\n  \"server\": [{}],\n  \"quarantine\": [{}]\n}}\n",
        group(&TILL)?,
        group(&SERVER)?,
        group(&QUARANTINE)?
    ))
}

fn gather(root: &Path, source: &Source) -> Result<BTreeSet<String>> {
    let mut codes = BTreeSet::new();
    for file in source.files {
        for path in crate::files::rust_files(&root.join(file))? {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            // Tests are not what users see.
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            let arms = if source.after.contains(&"=> \"") { code_functions(text) } else { String::new() };
            for after in source.after {
                let searched = if *after == "=> \"" { arms.as_str() } else { text };
                codes.extend(codes_after(searched, after));
            }
        }
    }
    Ok(codes)
}

/// The bodies of every `fn code(&self)`: where an error's match arms name its codes.
fn code_functions(text: &str) -> String {
    let mut bodies = String::new();
    for (start, _) in text.match_indices("fn code(&self)") {
        let rest = &text[start..];
        let Some(open) = rest.find('{') else { continue };
        let mut depth = 0;
        for (index, character) in rest[open..].char_indices() {
            match character {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                bodies.push_str(&rest[open..open + index]);
                break;
            }
        }
    }
    bodies
}

/// Codes (`lower_snake`) quoted right after `after`.
fn codes_after<'a>(text: &'a str, after: &'a str) -> impl Iterator<Item = String> + 'a {
    let opening = after.trim_end_matches('"');
    text.match_indices(opening).filter_map(move |(start, _)| {
        let rest = text[start + opening.len()..].trim_start();
        let rest = rest.strip_prefix('"')?;
        let code: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
        let closed = rest[code.len()..].starts_with('"');
        (closed && code.len() > 1).then_some(code)
    })
}
