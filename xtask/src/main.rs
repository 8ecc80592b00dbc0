//! `cargo xtask <task>`: the project's own commands, so that a fresh Debian machine and CI need
//! nothing but cargo to build, test, run and measure Tillbook.
//!
//! - `test`  — formatting, lints, and every test in the workspace (what `.ci/run` calls).
//! - `run`   — builds the till and shows a seeded demo till's figures.
//! - `bench` — the benchmarks, written into `docs/benchmarks.md`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

fn main() -> Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    let root = workspace_root();
    std::env::set_current_dir(&root).context("entering the workspace root")?;
    match task.as_str() {
        "test" => test(),
        "run" => run(&root),
        "bench" => bench(&root),
        _ => {
            eprintln!("usage: cargo xtask <test|run|bench>");
            bail!("unknown task '{task}'")
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Runs a command, echoing it first, and fails with its name when it fails.
fn step(program: &str, args: &[&str]) -> Result<()> {
    eprintln!("==> {program} {}", args.join(" "));
    let status = Command::new(program).args(args).status().with_context(|| format!("starting {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn test() -> Result<()> {
    step("cargo", &["fmt", "--all", "--check"])?;
    step("cargo", &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"])?;
    step("cargo", &["test", "--workspace", "--no-fail-fast"])?;
    Ok(())
}

fn run(root: &Path) -> Result<()> {
    let data_dir = root.join("target/demo-till");
    step("cargo", &["build", "--package", "tillbook-till", "--bin", "tillbook-till"])?;
    let binary = root.join("target/debug/tillbook-till");
    let data_dir = data_dir.to_str().context("the data directory path is not UTF-8")?;
    step(binary.to_str().context("binary path")?, &["demo", "--data-dir", data_dir])
}

/// Runs the benchmarks and replaces their sections of `docs/benchmarks.md` with the new figures.
fn bench(root: &Path) -> Result<()> {
    eprintln!("==> cargo bench --package tillbook-till --bench record_sale");
    let output = Command::new("cargo")
        .args(["bench", "--quiet", "--package", "tillbook-till", "--bench", "record_sale"])
        .output()
        .context("starting cargo bench")?;
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        bail!("the record_sale benchmark failed");
    }
    let report = String::from_utf8(output.stdout).context("benchmark output is not UTF-8")?;
    print!("{report}");
    replace_section(&root.join("docs/benchmarks.md"), "record_sale", &report)
}

/// Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`.
fn replace_section(path: &Path, name: &str, body: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let (open, close) = (format!("<!-- bench:{name} -->"), format!("<!-- /bench:{name} -->"));
    let start = text.find(&open).with_context(|| format!("{} has no {open} marker", path.display()))?;
    let end = text.find(&close).with_context(|| format!("{} has no {close} marker", path.display()))?;
    let updated = format!("{}{open}\n{}\n{}", &text[..start], body.trim_end(), &text[end..]);
    std::fs::write(path, updated).with_context(|| format!("writing {}", path.display()))
}
