//! `cargo xtask <task>`: the project's own commands, so that a fresh Debian machine and CI need
//! nothing but cargo to build, test, run and measure Tillbook.
//!
//! - `test`  — formatting, lints, and every test in the workspace (what `.ci/run` calls).
//! - `run`   — builds the till and shows a seeded demo till's figures.
//! - `bench` — the benchmarks, written into `docs/benchmarks.md`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod postgres;

fn main() -> Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    let root = workspace_root();
    std::env::set_current_dir(&root).context("entering the workspace root")?;
    match task.as_str() {
        "test" => test(&root),
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
pub(crate) fn step(program: &str, args: &[&str]) -> Result<()> {
    step_with_env(program, args, &[])
}

fn step_with_env(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result<()> {
    eprintln!("==> {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .status()
        .with_context(|| format!("starting {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn test(root: &Path) -> Result<()> {
    step("cargo", &["fmt", "--all", "--check"])?;
    step("cargo", &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"])?;
    install_missing()?;
    let database = postgres::ensure(root, postgres::Durability::FastForTests)?;
    let tests = step_with_env("cargo", &["test", "--workspace", "--no-fail-fast"], &[("DATABASE_URL", &database.url)]);
    drop(database);
    tests
}

/// What the tests need from Debian besides cargo: `hledger` (the export is checked by it) and
/// PostgreSQL's server binaries (installed by `postgres::ensure` when missing).
fn install_missing() -> Result<()> {
    let has = |program: &str| Command::new(program).arg("--version").output().is_ok_and(|out| out.status.success());
    if !has("hledger") {
        apt_install(&["hledger"])?;
    }
    Ok(())
}

/// Installs Debian packages (DESIGN §10: `cargo xtask` may call apt-get).
pub(crate) fn apt_install(packages: &[&str]) -> Result<()> {
    let sudo = !postgres::is_root();
    let run = |args: &[&str]| {
        if sudo {
            let mut all = vec!["apt-get"];
            all.extend_from_slice(args);
            step("sudo", &all)
        } else {
            step("apt-get", args)
        }
    };
    run(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend_from_slice(packages);
    run(&args)
}

fn run(root: &Path) -> Result<()> {
    let data_dir = root.join("target/demo-till");
    step("cargo", &["build", "--package", "tillbook-till", "--bin", "tillbook-till"])?;
    let binary = root.join("target/debug/tillbook-till");
    let data_dir = data_dir.to_str().context("the data directory path is not UTF-8")?;
    step(binary.to_str().context("binary path")?, &["demo", "--data-dir", data_dir])
}

/// Runs the benchmarks and replaces their sections of `docs/benchmarks.md` with the new figures.
/// The merge benchmark gets a Postgres cluster with default (durable) settings.
fn bench(root: &Path) -> Result<()> {
    let record_sale = run_bench("tillbook-till", "record_sale", &[])?;
    replace_section(&root.join("docs/benchmarks.md"), "record_sale", &record_sale)?;
    let database = postgres::ensure(root, postgres::Durability::Full)?;
    let merge = run_bench("tillbook-server", "merge", &[("DATABASE_URL", &database.url)])?;
    replace_section(&root.join("docs/benchmarks.md"), "merge", &merge)?;
    let catch_up = run_bench("tillbook-e2e", "catch_up", &[("DATABASE_URL", &database.url)])?;
    drop(database);
    replace_section(&root.join("docs/benchmarks.md"), "catch_up", &catch_up)
}

fn run_bench(package: &str, bench: &str, envs: &[(&str, &str)]) -> Result<String> {
    eprintln!("==> cargo bench --package {package} --bench {bench}");
    let output = Command::new("cargo")
        .args(["bench", "--quiet", "--package", package, "--bench", bench])
        .envs(envs.iter().copied())
        .output()
        .context("starting cargo bench")?;
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        bail!("the {bench} benchmark failed");
    }
    let report = String::from_utf8(output.stdout).context("benchmark output is not UTF-8")?;
    print!("{report}");
    Ok(report)
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
