//! The till's SQLite store, and the only place in this crate that speaks SQL: recording, the
//! till's own figures, lookups and sync call the modules below. This module opens the store
//! with the durability settings of DESIGN §6 and applies the migrations of
//! `migrations-local/`, in order at open, forward only, each in its own transaction.
//!
//! - `journal`, `documents`, `effects`, `counter`: what a recording writes and looks up;
//! - `reports`, `lookups`: the till's own figures and the counter's lists, read offline;
//! - `master`, `staff`, `till_row`: head office's master data, the staff, the till itself;
//! - `sync`, `shared_jobs`: the outbox's state and what the pull brings;
//! - `backup`: copies, checks and restores of the file; `prune`: what head office acknowledged
//!   long ago, let go of; `owner_copies`: the owner's saved reports
//!   (their own file); `sql`: conversions between core's types and SQLite's columns.

pub mod backup;
pub(crate) mod counter;
pub(crate) mod documents;
pub(crate) mod effects;
pub(crate) mod journal;
pub mod lookups;
pub mod master;
pub(crate) mod owner_copies;
pub mod prune;
pub mod reports;
pub mod shared_jobs;
pub mod sql;
pub mod staff;
pub mod sync;
pub(crate) mod till_row;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Result, TillError};

/// Every migration, in order. A test checks that each file in `migrations-local/` is listed.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_store", include_str!("../../../migrations-local/0001_store.sql")),
    ("0002_stock_levels", include_str!("../../../migrations-local/0002_stock_levels.sql")),
    ("0003_sync", include_str!("../../../migrations-local/0003_sync.sql")),
    ("0004_shared_jobs", include_str!("../../../migrations-local/0004_shared_jobs.sql")),
    ("0005_payment_day", include_str!("../../../migrations-local/0005_payment_day.sql")),
    ("0006_quarantine_resolution", include_str!("../../../migrations-local/0006_quarantine_resolution.sql")),
    ("0007_token_missing", include_str!("../../../migrations-local/0007_token_missing.sql")),
    ("0008_restore_log", include_str!("../../../migrations-local/0008_restore_log.sql")),
    ("0009_pin_lock", include_str!("../../../migrations-local/0009_pin_lock.sql")),
    ("0010_server_ca", include_str!("../../../migrations-local/0010_server_ca.sql")),
    ("0011_business_profile", include_str!("../../../migrations-local/0011_business_profile.sql")),
    ("0012_suppliers", include_str!("../../../migrations-local/0012_suppliers.sql")),
    ("0013_credit_use", include_str!("../../../migrations-local/0013_credit_use.sql")),
    ("0014_prune", include_str!("../../../migrations-local/0014_prune.sql")),
];

/// Opens (creating if needed) the store at `path` and brings its schema up to date.
pub fn open_connection(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut connection = Connection::open_with_flags(path, flags)?;
    configure(&connection)?;
    migrate(&mut connection)?;
    Ok(connection)
}

/// WAL so readers never block the counter; `synchronous=FULL` so a sale the cashier saw saved
/// survives a power cut (NORMAL may lose the last commits); foreign keys on.
fn configure(connection: &Connection) -> Result<()> {
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(TillError::Invariant(format!("the store would not switch to WAL (got {mode})")));
    }
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.busy_timeout(Duration::from_secs(5))?;
    // Room for every statement of a recording (the default 16 would evict them mid-sale).
    connection.set_prepared_statement_cache_capacity(128);
    Ok(())
}

fn migrate(connection: &mut Connection) -> Result<()> {
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migration (
             version    TEXT PRIMARY KEY,
             applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         )",
    )?;
    for (version, sql) in MIGRATIONS {
        let transaction = connection.transaction()?;
        let applied: bool = transaction.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migration WHERE version = ?1)",
            [version],
            |row| row.get(0),
        )?;
        if applied {
            continue;
        }
        transaction.execute_batch(sql).map_err(|error| TillError::Migration(version.to_string(), error.to_string()))?;
        transaction.execute("INSERT INTO schema_migration (version) VALUES (?1)", [version])?;
        transaction.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_listed_in_order() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations-local");
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".sql"))
            .map(|name| name.trim_end_matches(".sql").to_string())
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS.iter().map(|(version, _)| version.to_string()).collect();
        assert_eq!(files, listed);
    }

    #[test]
    fn the_store_runs_in_wal_with_full_sync_and_foreign_keys() {
        let folder = std::env::temp_dir().join(format!("tillbook-store-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        let connection = open_connection(&folder.join("till.sqlite")).unwrap();
        let mode: String = connection.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        let synchronous: i64 = connection.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        let foreign_keys: i64 = connection.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!((mode.as_str(), synchronous, foreign_keys), ("wal", 2, 1));
        drop(connection);
        // Opening again applies nothing twice.
        let connection = open_connection(&folder.join("till.sqlite")).unwrap();
        let count: i64 = connection.query_row("SELECT COUNT(*) FROM schema_migration", [], |r| r.get(0)).unwrap();
        assert_eq!(count, i64::try_from(MIGRATIONS.len()).unwrap());
        std::fs::remove_dir_all(folder).unwrap();
    }
}
