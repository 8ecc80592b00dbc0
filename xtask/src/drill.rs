//! `cargo xtask restore-drill`: head office set up the way `deploy/README.md` says, backed up by
//! `deploy/backup.sh`, restored into a fresh database, and both checked by `verify`; the
//! figures go into `docs/restore-drill.md`. It needs root (as CI has), since the set-up script
//! runs `psql` as the `postgres` user, as it would on a real head office.
//!
//! 1. A private cluster; `deploy/postgres-setup.sh` makes the owner and runtime roles and the
//!    schema; `seed` and a year of synthetic history (`xtask/history.sql`) fill it.
//! 2. The server as the service runs it: as the runtime role it answers `/api/v1/health` and
//!    stops cleanly on SIGTERM; given the owner's credentials it refuses to start.
//! 3. `deploy/backup.sh` dumps it; `pg_restore` loads the dump into a new database as the owner;
//!    `verify` runs on both, and the two reports must agree, audit chain head included.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use crate::postgres::{self, Durability, path_str};

const OWNER_PASSWORD: &str = "drill-owner";
const RUNTIME_PASSWORD: &str = "drill-runtime";

pub fn restore_drill(root: &Path) -> Result<()> {
    ensure!(postgres::is_root(), "the restore drill runs deploy/postgres-setup.sh, which needs root");
    crate::step("cargo", &["build", "--package", "tillbook-server"])?;
    let cluster = postgres::ensure(root, "pg-drill", Durability::Full)?;
    let place = cluster.url.split_once('@').map(|(_, place)| place).context("a cluster URL")?;
    let (address, _) = place.split_once('/').context("a cluster URL with a database")?;
    let (host, port) = address.split_once(':').context("host:port")?;
    let server_binary = root.join("target/debug/tillbook-server");
    let server = path_str(&server_binary)?;
    let url = |user: &str, database: &str| format!("postgres://{user}@{address}/{database}");
    let owner_url = url(&format!("tillbook_owner:{OWNER_PASSWORD}"), "tillbook");
    let runtime_url = url(&format!("tillbook_server:{RUNTIME_PASSWORD}"), "tillbook");

    // 1. Head office as deploy/README.md sets it up.
    let setup = root.join("deploy/postgres-setup.sh");
    crate::step_with_env(
        "bash",
        &[path_str(&setup)?, "tillbook"],
        &[
            ("PGHOST", host),
            ("PGPORT", port),
            ("TILLBOOK_OWNER_DB_PASSWORD", OWNER_PASSWORD),
            ("TILLBOOK_RUNTIME_PASSWORD", RUNTIME_PASSWORD),
            ("TILLBOOK_SERVER_BINARY", server),
        ],
    )?;
    crate::step_with_env(server, &["seed"], &[("DATABASE_URL", owner_url.as_str())])?;
    let psql = postgres::server_binaries().map_or_else(|| "psql".into(), |bin| bin.join("psql"));
    let history = root.join("xtask/history.sql");
    let started = Instant::now();
    // The generator writes past the triggers, which takes a superuser.
    crate::step_with_env(
        path_str(&psql)?,
        &[&url("postgres", "tillbook"), "-v", "ON_ERROR_STOP=1", "-q", "-f", path_str(&history)?],
        &[("PGOPTIONS", "-c history.years=1")],
    )?;
    let generated = started.elapsed();

    // 2. The service: runs as the runtime role, stops on SIGTERM, refuses the owner.
    let (healthy, stopped) = serve_and_stop(server, &runtime_url)?;
    let as_owner =
        Command::new(server).args(["serve", "--listen", "127.0.0.1:0"]).env("DATABASE_URL", &owner_url).output()?;
    let refusal = String::from_utf8_lossy(&as_owner.stderr);
    ensure!(!as_owner.status.success() && refusal.contains("runtime role"), "serve ran as the owner: {refusal}");

    // 3. Backup, restore, verify both.
    let before = verify(server, &owner_url)?;
    let folder = root.join("target/pg-drill/backups");
    let started = Instant::now();
    let output = Command::new("bash")
        .arg(root.join("deploy/backup.sh"))
        .env("DATABASE_URL", &owner_url)
        .env("TILLBOOK_BACKUP_DIR", &folder)
        .stderr(Stdio::inherit())
        .output()
        .context("running deploy/backup.sh")?;
    ensure!(output.status.success(), "deploy/backup.sh failed");
    let dumped = started.elapsed();
    let dump = String::from_utf8(output.stdout)?.lines().next().context("backup.sh names its dump")?.to_string();
    let dump_bytes = std::fs::metadata(&dump)?.len();

    crate::step_with_env(
        path_str(&psql)?,
        &[
            &url("postgres", "postgres"),
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            "CREATE DATABASE tillbook_restored OWNER tillbook_owner",
        ],
        &[],
    )?;
    let restored_url = url(&format!("tillbook_owner:{OWNER_PASSWORD}"), "tillbook_restored");
    let pg_restore = postgres::server_binaries().map_or_else(|| "pg_restore".into(), |bin| bin.join("pg_restore"));
    let started = Instant::now();
    crate::step(path_str(&pg_restore)?, &["--no-owner", "--exit-on-error", "--dbname", &restored_url, &dump])?;
    let restored = started.elapsed();
    let started = Instant::now();
    let after = verify(server, &restored_url)?;
    let verified = started.elapsed();

    let figures = ["entries", "lines", "total_debits", "total_credits", "orphaned_rows", "audit_rows", "audit_head"];
    for figure in figures {
        ensure!(before[figure] == after[figure], "{figure}: {} before, {} restored", before[figure], after[figure]);
    }
    let mut table = String::from("| figure | backed up | restored |\n| --- | --- | --- |\n");
    for figure in figures {
        table.push_str(&format!("| `{figure}` | {} | {} |\n", before[figure], after[figure]));
    }
    let report = format!(
        "Command: `cargo xtask restore-drill` (2 cores, 24 GB; the private cluster under `target/pg-drill`, \
         durable settings). One year of synthetic history for the three demo businesses.\n\n\
         - set-up by `deploy/postgres-setup.sh`, seed, and the history generated in {generated:.1?};\n\
         - the server as the runtime role answered `/api/v1/health` {healthy}, and stopped on SIGTERM in {stopped:.1?}, \
         exit 0; given the owner's credentials it refused to start;\n\
         - `deploy/backup.sh`: {dumped:.1?}, a dump of {:.1} MB;\n\
         - `pg_restore` into a fresh database as the owner: {restored:.1?};\n\
         - `verify` on the restored database: {verified:.1?}, clean, and the same as on the original:\n\n{table}",
        dump_bytes as f64 / 1_000_000.0,
    );
    print!("{report}");
    crate::replace_section(&root.join("docs/restore-drill.md"), "restore-drill", &report)?;
    eprintln!("==> wrote docs/restore-drill.md");
    Ok(())
}

/// `verify`'s report as JSON; fails unless it is clean.
fn verify(server: &str, url: &str) -> Result<serde_json::Value> {
    let output = Command::new(server).arg("verify").env("DATABASE_URL", url).output()?;
    ensure!(output.status.success(), "verify failed: {}", String::from_utf8_lossy(&output.stdout));
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// Starts `serve` as the runtime role, asks `/api/v1/health`, then sends SIGTERM: answers the
/// health status line and how long the server took to stop.
fn serve_and_stop(server: &str, runtime_url: &str) -> Result<(String, Duration)> {
    let listen = format!("127.0.0.1:{}", postgres::free_port()?);
    let mut child = Command::new(server)
        .args(["serve", "--listen", &listen])
        .env("DATABASE_URL", runtime_url)
        .spawn()
        .context("starting the server")?;
    let started = Instant::now();
    let health = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(&listen) {
            stream.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: drill\r\nConnection: close\r\n\r\n")?;
            let mut answer = String::new();
            stream.read_to_string(&mut answer)?;
            break answer.lines().next().unwrap_or_default().to_string();
        }
        if started.elapsed() > Duration::from_secs(30) || child.try_wait()?.is_some() {
            let _ = child.kill();
            bail!("the server did not start as the runtime role");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    ensure!(health.contains("200"), "health answered {health}");
    let stopping = Instant::now();
    crate::step("kill", &["-TERM", &child.id().to_string()])?;
    let status = child.wait()?;
    ensure!(status.success(), "the server did not stop cleanly on SIGTERM ({status})");
    Ok((health, stopping.elapsed()))
}
