//! `cargo xtask <task>`: the project's own commands, so that a fresh Debian machine and CI need
//! nothing but cargo to build, test, run and measure Tillbook.
//!
//! - `test`  — formatting, lints, and every test in the workspace (what `.ci/run` calls).
//! - `run`   — the counter app against a local sync server with the demo seeded, enrolled.
//! - `app`   — the counter app alone (first run: enrol with a server, or a demo till).
//! - `demo`  — the till's command line on a seeded demo till after a day of work.
//! - `bench [name]` — the benchmarks (or one of them), written into `docs/benchmarks.md`.
//! - `codes` — writes `ui/src/lib/generated/error-codes.json`, every error code the UI must
//!   have words for (`test` fails when it is stale).
//! - `bindings` — writes `ui/src/lib/generated/types.ts`, the UI's types generated from the
//!   Rust types (ts-rs, src-tauri/src/bindings.rs); `test` fails when it is stale.
//! - `census` — lines, files with SQL and the longest function per crate (docs/DESIGN.md).
//! - `package` — the till's `.deb` (Tauri's bundler, release build), unpacked and started under
//!   Xvfb to its set-up screen; slow, so not part of `test`.
//! - `restore-drill` — head office set up by `deploy/`, backed up, restored into a fresh
//!   database and verified (needs root); the figures go into `docs/restore-drill.md`.
//! - `history [years]` — seven (or `years`) years of synthetic history for the three demo
//!   businesses, written by `xtask/history.sql` into the migrated, seeded database
//!   `DATABASE_URL` names; the reports benchmark measures the owner's reports on the same.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod census;
mod drill;
mod files;
mod package;
mod postgres;
mod words;

fn main() -> Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    let root = workspace_root();
    std::env::set_current_dir(&root).context("entering the workspace root")?;
    match task.as_str() {
        "test" => test(&root),
        "run" => run(&root),
        "app" => app(&root),
        "demo" => demo(&root),
        "bench" => bench(&root, std::env::args().nth(2).as_deref()),
        "history" => history(&root, std::env::args().nth(2).as_deref()),
        "codes" => words::codes(&root, true),
        "bindings" => bindings(),
        "census" => census::census(&root),
        "restore-drill" => drill::restore_drill(&root),
        "package" => package::package(&root),
        _ => {
            eprintln!(
                "usage: cargo xtask <test|run|app|demo|bench [name]|history [years]|codes|bindings|census|restore-drill|package>"
            );
            bail!("unknown task '{task}'")
        }
    }
}

/// `url` (`postgres://user[:password]@host:port/database`) logged in as `role` instead.
fn runtime_url(url: &str, role: &str, password: &str) -> Result<String> {
    let rest = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://"));
    let (_, place) = rest.and_then(|rest| rest.split_once('@')).context("DATABASE_URL is postgres://user@host/db")?;
    Ok(format!("postgres://{role}:{password}@{place}"))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Regenerates the UI's TypeScript types from the Rust types (the app's `bindings` test writes
/// them when asked to).
fn bindings() -> Result<()> {
    step_with_env("cargo", &["test", "-p", "tillbook-app", "--lib", "bindings"], &[("TILLBOOK_WRITE_BINDINGS", "1")])
}

/// Runs a command, echoing it first, and fails with its name when it fails.
pub(crate) fn step(program: &str, args: &[&str]) -> Result<()> {
    step_with_env(program, args, &[])
}

/// Runs a command in `folder`, echoing it first.
pub(crate) fn step_in(program: &str, args: &[&str], folder: &Path) -> Result<()> {
    eprintln!("==> (in {}) {program} {}", folder.display(), args.join(" "));
    let status =
        Command::new(program).args(args).current_dir(folder).status().with_context(|| format!("starting {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

pub(crate) fn step_with_env(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result<()> {
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
    // The error codes the UI must have words for, as the sources say them today.
    words::codes(root, false)?;
    install_missing()?;
    // The app crate embeds `ui/dist`, so the UI is tested and built before any cargo build.
    ui(root, true)?;
    step("cargo", &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"])?;
    let database = postgres::ensure(root, "pg", postgres::Durability::FastForTests)?;
    let tests = step_with_env("cargo", &["test", "--workspace", "--no-fail-fast"], &[("DATABASE_URL", &database.url)]);
    if tests.is_err() {
        database.print_diagnosis();
    }
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
pub(crate) fn install_missing() -> Result<()> {
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
    // A real Secret Service for the till-restart tests: a GNOME keyring on a private session bus.
    if !succeeds("sh", &["-c", "command -v gnome-keyring-daemon && command -v dbus-run-session"]) {
        missing.extend(["gnome-keyring", "dbus"]);
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
pub(crate) fn ui(root: &Path, with_tests: bool) -> Result<()> {
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
        // The screens type-checked against the types generated from Rust (`bindings`).
        npm(&["run", "check"])?;
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

/// The till's command line on a seeded demo till after a day of work (no window, no server).
fn demo(root: &Path) -> Result<()> {
    let data_dir = root.join("target/demo-till");
    step("cargo", &["build", "--package", "tillbook-till", "--bin", "tillbook-till"])?;
    let binary = root.join("target/debug/tillbook-till");
    let data_dir = data_dir.to_str().context("the data directory path is not UTF-8")?;
    step(binary.to_str().context("binary path")?, &["demo", "--data-dir", data_dir])
}

/// DESIGN §10: everything a new user needs to see a working till, from one command — a fresh
/// Postgres cluster under `target/pg-run`, migrated and seeded with the demo businesses; the
/// sync server on a free loopback port; a one-time enrolment code for a water till; and the
/// app on a fresh store, which enrols itself with that code on first start (it reads
/// TILLBOOK_SERVER_URL and TILLBOOK_ENROL_CODE). Closing the app stops the server and cluster.
fn run(root: &Path) -> Result<()> {
    install_missing()?;
    ui(root, false)?;
    step("cargo", &["build", "--package", "tillbook-app", "--package", "tillbook-server"])?;
    let database = postgres::ensure(root, "pg-run", postgres::Durability::Full)?;
    let server_binary = root.join("target/debug/tillbook-server");
    let server_binary = server_binary.to_str().context("binary path")?;
    let with_database = [("DATABASE_URL", database.url.as_str())];
    step_with_env(server_binary, &["migrate"], &with_database)?;
    step_with_env(server_binary, &["seed"], &with_database)?;
    // The server logs in as its runtime role, never as the owner (DESIGN §8).
    let (role, password) = ("tillbook_server", "tillbook-run");
    step_with_env(
        server_binary,
        &["create-runtime-role", "--role", role],
        &[("DATABASE_URL", database.url.as_str()), ("TILLBOOK_RUNTIME_PASSWORD", password)],
    )?;
    let runtime_url = runtime_url(&database.url, role, password)?;
    let listen = format!("127.0.0.1:{}", postgres::free_port()?);
    eprintln!("==> {server_binary} serve --listen {listen}");
    let server = Server(
        Command::new(server_binary)
            .args(["serve", "--listen", &listen])
            .env("DATABASE_URL", &runtime_url)
            .spawn()
            .context("starting the sync server")?,
    );
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(&listen).is_err() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            bail!("the sync server did not start listening on {listen}");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let enrolment = Command::new(server_binary)
        .args(["enroll-device", "--business", "WATER", "--name", "Counter 1"])
        .envs(with_database)
        .output()
        .context("creating an enrolment code")?;
    if !enrolment.status.success() {
        bail!("enroll-device failed: {}", String::from_utf8_lossy(&enrolment.stderr));
    }
    let code = String::from_utf8(enrolment.stdout).context("the enrolment code is not UTF-8")?;
    let data_dir = root.join("target/run-till");
    if data_dir.exists() {
        // The store belongs to the cluster just replaced: start the till afresh too.
        std::fs::remove_dir_all(&data_dir).with_context(|| format!("removing {}", data_dir.display()))?;
    }
    let data_dir = data_dir.to_str().context("the data directory path is not UTF-8")?;
    let server_url = format!("http://{listen}");
    let envs =
        [("TILLBOOK_DATA_DIR", data_dir), ("TILLBOOK_SERVER_URL", &server_url), ("TILLBOOK_ENROL_CODE", code.trim())];
    eprintln!(
        "==> the till enrols with {server_url}; staff: Achieng (PIN 1357), Otieno (supervisor, PIN 258036), Wanjiru (owner, PIN 909090)"
    );
    let shown = open_app(root, &envs);
    drop(server);
    drop(database);
    shown
}

/// The sync server started by `run`, stopped with it.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Opens the counter app on a store of its own under `target/`. The first run offers to enrol
/// with a server or to run as a demo till.
fn app(root: &Path) -> Result<()> {
    install_missing()?;
    ui(root, false)?;
    step("cargo", &["build", "--package", "tillbook-app"])?;
    let data_dir = root.join("target/app-till");
    let data_dir = data_dir.to_str().context("the data directory path is not UTF-8")?;
    open_app(root, &[("TILLBOOK_DATA_DIR", data_dir)])
}

/// Runs the built app until it is closed, under Xvfb when there is no display.
fn open_app(root: &Path, envs: &[(&str, &str)]) -> Result<()> {
    let binary = root.join("target/debug/tillbook-app");
    let binary = binary.to_str().context("binary path")?;
    if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() {
        step_with_env(binary, &[], envs)
    } else {
        step_with_env("xvfb-run", &["-a", "-s", "-screen 0 1280x1024x24", binary], envs)
    }
}

/// Runs the benchmarks (or only the one named: record_sale, till_history, app, merge, catch_up,
/// reports, etims_drain) and replaces
/// their sections of `docs/benchmarks.md` with the new figures. The merge and catch-up
/// benchmarks get a Postgres cluster with default (durable) settings.
fn bench(root: &Path, only: Option<&str>) -> Result<()> {
    let wanted = |name: &str| only.is_none_or(|only| only == name);
    let doc = root.join("docs/benchmarks.md");
    if wanted("record_sale") {
        replace_section(&doc, "record_sale", &run_bench("tillbook-till", "record_sale", &[])?)?;
    }
    if wanted("till_history") {
        replace_section(&doc, "till_history", &run_bench("tillbook-till", "till_history", &[])?)?;
    }
    if wanted("app") {
        install_missing()?;
        ui(root, false)?;
        replace_section(&doc, "app", &run_bench("tillbook-app", "app", &[])?)?;
    }
    if wanted("merge") || wanted("catch_up") || wanted("reports") || wanted("etims_drain") {
        let database = postgres::ensure(root, "pg", postgres::Durability::Full)?;
        let envs = [("DATABASE_URL", database.url.as_str())];
        if wanted("merge") {
            replace_section(&doc, "merge", &run_bench("tillbook-server", "merge", &envs)?)?;
        }
        if wanted("catch_up") {
            replace_section(&doc, "catch_up", &run_bench("tillbook-e2e", "catch_up", &envs)?)?;
        }
        if wanted("reports") {
            replace_section(&doc, "reports", &run_bench("tillbook-server", "reports", &envs)?)?;
        }
        if wanted("etims_drain") {
            replace_section(&doc, "etims_drain", &run_bench("tillbook-e2e", "etims_drain", &envs)?)?;
        }
    }
    Ok(())
}

/// The synthetic history of the reports benchmark, for a database of one's own (to try the
/// owner's screens on years of data): `DATABASE_URL` must name a database that
/// `tillbook-server migrate` and `seed` have prepared, as a superuser (the generator switches
/// triggers off while it writes, then sums the running totals).
fn history(root: &Path, years: Option<&str>) -> Result<()> {
    let years: u32 = years.unwrap_or("7").parse().context("years is a whole number")?;
    let url = std::env::var("DATABASE_URL")
        .context("set DATABASE_URL to a database prepared by `tillbook-server migrate` and `seed`")?;
    let psql = postgres::server_binaries().map_or_else(|| PathBuf::from("psql"), |bin| bin.join("psql"));
    let script = root.join("xtask/history.sql");
    let options = format!("-c history.years={years}");
    step_with_env(
        postgres::path_str(&psql)?,
        &[url.as_str(), "-v", "ON_ERROR_STOP=1", "-q", "-f", postgres::path_str(&script)?],
        &[("PGOPTIONS", options.as_str())],
    )
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
pub(crate) fn replace_section(path: &Path, name: &str, body: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let (open, close) = (format!("<!-- bench:{name} -->"), format!("<!-- /bench:{name} -->"));
    let start = text.find(&open).with_context(|| format!("{} has no {open} marker", path.display()))?;
    let end = text.find(&close).with_context(|| format!("{} has no {close} marker", path.display()))?;
    let updated = format!("{}{open}\n{}\n{}", &text[..start], body.trim_end(), &text[end..]);
    std::fs::write(path, updated).with_context(|| format!("writing {}", path.display()))
}
