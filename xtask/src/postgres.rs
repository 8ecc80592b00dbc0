//! A private PostgreSQL cluster under `target/pg` from the system's binaries, for tests, the
//! benchmarks and `cargo xtask run` (PLATFORM.md). `initdb` refuses to run as root, so as root
//! the cluster belongs to the `postgres` user. `DATABASE_URL`, when set, is used instead.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// A running cluster; stopped when dropped, so it never outlives the command that started it.
pub struct Cluster {
    data: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
}

/// Where tests should connect, and the cluster to stop afterwards (none for `DATABASE_URL`).
pub struct Database {
    pub url: String,
    /// Held so that the cluster stops when the database goes out of use.
    cluster: Option<Cluster>,
}

/// Settings for a run: tests may trade durability for speed; benchmarks and `run` may not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    FastForTests,
}

/// A fresh cluster under `target/<folder>` (or `DATABASE_URL` when set), stopped on drop.
pub fn ensure(root: &Path, folder: &str, durability: Durability) -> Result<Database> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        eprintln!("==> using DATABASE_URL");
        return Ok(Database { url, cluster: None });
    }
    let bin = match server_binaries() {
        Some(bin) => bin,
        None => {
            crate::apt_install(&["postgresql"])?;
            server_binaries().context("PostgreSQL was installed but no initdb was found under /usr/lib/postgresql")?
        }
    };
    let as_postgres = is_root();
    let pg_root = root.join("target").join(folder);
    let data = pg_root.join("data");
    let cluster = Cluster { data: data.clone(), bin: bin.clone(), as_postgres };
    // A cluster left by an interrupted run: stop it, then start from nothing.
    if data.join("postmaster.pid").exists() {
        cluster.stop();
    }
    if pg_root.exists() {
        std::fs::remove_dir_all(&pg_root).with_context(|| format!("removing {}", pg_root.display()))?;
    }
    std::fs::create_dir_all(&pg_root)?;
    if as_postgres {
        crate::step("chown", &["-R", "postgres:postgres", path_str(&pg_root)?])?;
    }
    let port = free_port()?;
    cluster.run(
        "initdb",
        &["-D", path_str(&data)?, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N"],
    )?;
    let mut options =
        format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200", path_str(&pg_root)?);
    if durability == Durability::FastForTests {
        // Minimal WAL, recycled early: each test creates a database, and a WAL-logged copy of
        // every one would otherwise pile up a gigabyte of WAL on a machine short of disk.
        options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        options.push_str(" -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=64MB -c min_wal_size=32MB");
    }
    let log = pg_root.join("server.log");
    cluster.run("pg_ctl", &["-D", path_str(&data)?, "-l", path_str(&log)?, "-w", "-o", &options, "start"])?;
    Ok(Database { url: format!("postgres://postgres@127.0.0.1:{port}/postgres"), cluster: Some(cluster) })
}

impl Database {
    /// After a failed run: the end of the cluster's log and the disk's free space, so that a
    /// failure CI shows only in part (a server that stopped, a full disk) can be told apart.
    pub fn print_diagnosis(&self) {
        let Some(cluster) = &self.cluster else { return };
        let log = cluster.data.with_file_name("server.log");
        if let Ok(text) = std::fs::read_to_string(&log) {
            let lines: Vec<&str> = text.lines().collect();
            eprintln!("==> the last lines of {}", log.display());
            for line in &lines[lines.len().saturating_sub(40)..] {
                eprintln!("{line}");
            }
        }
        let _ = Command::new("df").args(["-h", "."]).status();
    }
}

impl Cluster {
    fn run(&self, tool: &str, args: &[&str]) -> Result<()> {
        let program = self.bin.join(tool);
        let program = path_str(&program)?;
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", program]);
            command
        } else {
            Command::new(program)
        };
        // initdb and pg_ctl must be able to read their working directory as `postgres`.
        let status = command.args(args).current_dir("/").status().with_context(|| format!("starting {tool}"))?;
        if !status.success() {
            bail!("{tool} failed ({status})");
        }
        Ok(())
    }

    fn stop(&self) {
        if let Ok(data) = path_str(&self.data) {
            let _ = self.run("pg_ctl", &["-D", data, "-m", "fast", "-w", "stop"]);
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` that has `initdb`.
pub(crate) fn server_binaries() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

pub(crate) fn path_str(path: &Path) -> Result<&str> {
    path.to_str().with_context(|| format!("{} is not UTF-8", path.display()))
}
