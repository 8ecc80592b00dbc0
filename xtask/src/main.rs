//! `cargo xtask <task>`: the project's own commands, so that a fresh Debian machine and CI need
//! nothing but cargo to build, test, run and measure Tillbook.
//!
//! - `test`  — formatting, lints, and every test in the workspace (what `.ci/run` calls).
//! - `run`   — builds the till and shows a seeded demo till's figures.
//! - `app`   — builds the UI and the counter app and opens it (under Xvfb without a display).
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
        "app" => app(&root),
        "bench" => bench(&root),
        _ => {
            eprintln!("usage: cargo xtask <test|run|app|bench>");
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
    install_missing()?;
    // The app crate embeds `ui/dist`, so the UI is tested and built before any cargo build.
    ui(root, true)?;
    step("cargo", &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"])?;
    let database = postgres::ensure(root, postgres::Durability::FastForTests)?;
    let tests = step_with_env("cargo", &["test", "--workspace", "--no-fail-fast"], &[("DATABASE_URL", &database.url)]);
    drop(database);
    tests
}

/// The Debian packages the Tauri app builds and is tested against (PLATFORM.md).
const APP_PACKAGES: [&str; 12] = [
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libsoup-3.0-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "keyutils",
];

/// What the tests need from Debian besides cargo: the app's build and test packages, `hledger`
/// (the export is checked by it) and PostgreSQL's server binaries (installed by
/// `postgres::ensure` when missing). Only what is missing is installed.
fn install_missing() -> Result<()> {
    let succeeds =
        |program: &str, args: &[&str]| Command::new(program).args(args).output().is_ok_and(|out| out.status.success());
    let mut missing: Vec<&str> = Vec::new();
    if !succeeds("hledger", &["--version"]) {
        missing.push("hledger");
    }
    let app_ready = succeeds("pkg-config", &["--exists", "webkit2gtk-4.1", "gtk+-3.0", "libsoup-3.0"])
        && succeeds("sh", &["-c", "command -v xvfb-run && command -v xauth && command -v WebKitWebDriver"]);
    if !app_ready {
        missing.extend(APP_PACKAGES);
    }
    if !missing.is_empty() {
        apt_install(&missing)?;
    }
    // The WebDriver server in front of WebKitWebDriver for the app's end-to-end tests.
    if !succeeds("tauri-driver", &["--help"]) {
        step("cargo", &["install", "tauri-driver", "--version", "^2", "--locked"])?;
    }
    Ok(())
}

/// Installs the UI's packages from `package-lock.json`, runs its unit tests (Vitest) when
/// `with_tests`, and builds it into `ui/dist` for the app to embed.
fn ui(root: &Path, with_tests: bool) -> Result<()> {
    let ui = root.join("ui");
    let npm = |args: &[&str]| -> Result<()> {
        eprintln!("==> (ui) npm {}", args.join(" "));
        let status = Command::new("npm")
            .args(args)
            .current_dir(&ui)
            .status()
            .context("starting npm: the UI needs Node 20.19+ and npm (PLATFORM.md)")?;
        if !status.success() {
            bail!("`npm {}` failed in ui/ ({status})", args.join(" "));
        }
        Ok(())
    };
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|meta| meta.modified()).ok();
    let installed = modified(ui.join("node_modules/.package-lock.json"));
    if installed.is_none() || installed < modified(ui.join("package-lock.json")) {
        npm(&["ci", "--no-audit", "--no-fund"])?;
    }
    if with_tests {
        npm(&["test"])?;
    }
    npm(&["run", "build"])
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

/// Opens the counter app on a store of its own under `target/`. The first run offers to enrol
/// with a server or to run as a demo till.
fn app(root: &Path) -> Result<()> {
    install_missing()?;
    ui(root, false)?;
    step("cargo", &["build", "--package", "tillbook-app"])?;
    let binary = root.join("target/debug/tillbook-app");
    let binary = binary.to_str().context("binary path")?;
    let data_dir = root.join("target/app-till");
    let data_dir = data_dir.to_str().context("the data directory path is not UTF-8")?;
    let envs = [("TILLBOOK_DATA_DIR", data_dir)];
    if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() {
        step_with_env(binary, &[], &envs)
    } else {
        step_with_env("xvfb-run", &["-a", "-s", "-screen 0 1280x1024x24", binary], &envs)
    }
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
