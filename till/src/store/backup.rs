//! The till's data survives the machine (DESIGN §6 "Backups and recovery").
//!
//! - Every night the store is copied with SQLite's online backup API (the counter keeps
//!   recording meanwhile) into a folder the owner chooses — a USB drive, say. Each copy is
//!   checked with `PRAGMA integrity_check` before it counts, and the newest [`KEEP`] are kept.
//! - At open the counter checks the store with `PRAGMA quick_check` when it was not closed
//!   cleanly, or when the nightly backup found it damaged ([`check_if_needed`]); a damaged store
//!   is refused ([`TillError::Damaged`]) and the app offers the last good backup ([`last_good`]).
//!   A store closed cleanly opens without reading every page: at year seven the check took 8 s
//!   (docs/till-store.md), and the nightly backup reads every page anyway.
//! - After a good nightly backup, the sales head office acknowledged more than 90 days ago are
//!   let go of (`store::prune`).
//! - A restore moves the damaged store aside (never deletes it), puts the backup in its place and
//!   continues numbering after what head office already holds ([`Continuation`]): events that
//!   reached the server after the backup was taken are still in the ledger, and the next
//!   `device_seq` and receipt number follow them, so nothing recorded afterwards collides. What
//!   was recorded after the backup and never reached the server is gone; the restore says how
//!   much, when the damaged file still tells.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Result, TillError};
use crate::store;

/// How many nightly copies are kept: a week.
pub const KEEP: usize = 7;
const PREFIX: &str = "till-";
const SUFFIX: &str = ".sqlite";

/// One backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupFile {
    pub path: PathBuf,
    pub bytes: u64,
    /// The last event the copy holds.
    pub last_device_seq: u64,
}

/// Copies the store at `store` into `folder` as `till-YYYYMMDD-HHMMSS.sqlite`, checks the copy,
/// and keeps the newest [`KEEP`]. A copy that fails its check is removed and the error returned;
/// the older copies stay.
pub fn back_up(store: &Path, folder: &Path, at: DateTime<FixedOffset>) -> Result<BackupFile> {
    let folder_error = |error: std::io::Error| TillError::BackupFailed(format!("{}: {error}", folder.display()));
    std::fs::create_dir_all(folder).map_err(folder_error)?;
    let source = Connection::open_with_flags(store, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let name = format!("{PREFIX}{}{SUFFIX}", at.format("%Y%m%d-%H%M%S"));
    let partial = folder.join(format!("{name}.partial"));
    copy(&source, &partial)?;
    if let Err(error) = check_integrity(&partial) {
        let _ = std::fs::remove_file(&partial);
        check_after_a_bad_copy(store);
        return Err(error);
    }
    let path = folder.join(name);
    std::fs::rename(&partial, &path).map_err(folder_error)?;
    prune(folder)?;
    describe(&path)
}

/// [`back_up`] stamped with the local time now.
pub fn back_up_now(store: &Path, folder: &Path) -> Result<BackupFile> {
    back_up(store, folder, chrono::Local::now().fixed_offset())
}

/// The online backup API: a consistent copy of what `source` sees, written `pages` at a time so
/// the counter's writes are never held up for long.
fn copy(source: &Connection, target: &Path) -> Result<()> {
    let mut destination = Connection::open(target)?;
    let backup = Backup::new(source, &mut destination)?;
    backup.run_to_completion(256, Duration::from_millis(2), None)?;
    Ok(())
}

/// The backups in `folder`, newest first.
pub fn backups(folder: &Path) -> Result<Vec<BackupFile>> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Ok(Vec::new()) };
    let mut paths: Vec<PathBuf> =
        entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).filter(|path| is_backup(path)).collect();
    paths.sort();
    paths.reverse();
    Ok(paths.iter().filter_map(|path| describe(path).ok()).collect())
}

/// The newest backup in `folder` that passes `PRAGMA integrity_check`: what the recovery screen
/// offers.
pub fn last_good(folder: &Path) -> Result<Option<BackupFile>> {
    Ok(backups(folder)?.into_iter().find(|backup| check_integrity(&backup.path).is_ok()))
}

fn is_backup(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with(PREFIX) && name.ends_with(SUFFIX))
}

/// Keeps the newest [`KEEP`] backups (their names sort by time).
fn prune(folder: &Path) -> Result<()> {
    let mut all: Vec<PathBuf> = backups(folder)?.into_iter().map(|backup| backup.path).collect();
    all.sort();
    let surplus = all.len().saturating_sub(KEEP);
    for old in &all[..surplus] {
        std::fs::remove_file(old).map_err(|error| TillError::BackupFailed(format!("{}: {error}", old.display())))?;
    }
    Ok(())
}

fn describe(path: &Path) -> Result<BackupFile> {
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let last: i64 = connection.query_row("SELECT COALESCE(MAX(device_seq), 0) FROM outbox", [], |row| row.get(0))?;
    let bytes = std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0);
    Ok(BackupFile { path: path.to_path_buf(), bytes, last_device_seq: u64::try_from(last).unwrap_or(0) })
}

/// Damages the till store at `path` as a failing disk would: an index page of the journal
/// overwritten, which `PRAGMA quick_check` finds and the tables around it survive. Close every
/// connection to the store first.
#[cfg(feature = "test-support")]
pub fn damage_an_index_page(path: &Path) {
    use std::io::{Seek, SeekFrom, Write};
    let connection = Connection::open(path).expect("the store opens");
    connection.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").expect("the WAL folded in");
    let (page, size): (i64, i64) = connection
        .query_row(
            "SELECT rootpage, (SELECT page_size FROM pragma_page_size()) FROM sqlite_master
              WHERE type = 'index' AND tbl_name = 'journal_line' ORDER BY rootpage DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("an index of the journal");
    drop(connection);
    let mut file = std::fs::OpenOptions::new().write(true).open(path).expect("the store file");
    // Past the page header, so SQLite still takes it for a page and finds its cells wrong.
    file.seek(SeekFrom::Start(((page - 1) * size + 8) as u64)).expect("seek to the page");
    file.write_all(&vec![0xA5; (size - 8) as usize]).expect("the page overwritten");
}

/// `PRAGMA integrity_check`: every page, index and constraint. For a backup before it counts.
pub fn check_integrity(path: &Path) -> Result<()> {
    pragma_check(path, "integrity_check")
        .map_err(|detail| TillError::BadBackup(format!("{}: {detail}", path.display())))
}

/// `PRAGMA quick_check`: the store's pages and structure, without cross-checking indexes. A
/// damaged store is [`TillError::Damaged`].
pub fn check_store(path: &Path) -> Result<()> {
    pragma_check(path, "quick_check").map_err(TillError::Damaged)
}

/// Beside the store: written when the last `Till` on it in this process closes, removed when one
/// opens. Missing at open means a power cut or a crash (or a store from before the marker).
fn closed_marker(store: &Path) -> PathBuf {
    store.with_extension("sqlite-closed")
}

/// Beside the store: the nightly backup found the store itself damaged. Cleared by a check that
/// passes (after a restore).
fn suspect_marker(store: &Path) -> PathBuf {
    store.with_extension("sqlite-suspect")
}

/// How many `Till`s of this process have each store open: only the last one's close is clean.
static OPEN: std::sync::Mutex<Vec<(PathBuf, usize)>> = std::sync::Mutex::new(Vec::new());

fn open_count(store: &Path, change: isize) -> usize {
    let Ok(mut open) = OPEN.lock() else { return 1 };
    let index = match open.iter().position(|(path, _)| path == store) {
        Some(index) => index,
        None => {
            open.push((store.to_path_buf(), 0));
            open.len() - 1
        }
    };
    let count = &mut open[index].1;
    *count = count.saturating_add_signed(change);
    let now = *count;
    if now == 0 {
        open.swap_remove(index);
    }
    now
}

/// Checks the store at open when it was not closed cleanly or was found damaged; answers whether
/// it checked. A passing check clears the damage mark.
pub fn check_if_needed(store: &Path) -> Result<bool> {
    let suspect = suspect_marker(store);
    let needed = !closed_marker(store).exists() || suspect.exists();
    if needed {
        check_store(store)?;
        let _ = std::fs::remove_file(&suspect);
    }
    Ok(needed)
}

/// A `Till` opened the store: until it closes, the store is not closed cleanly.
pub(crate) fn opened(store: &Path) {
    open_count(store, 1);
    if let Err(error) = std::fs::remove_file(closed_marker(store))
        && error.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(%error, "the store's clean-close mark cannot be removed; a crash would not be noticed");
    }
}

/// A `Till` closed the store: the last one of this process marks it closed cleanly, unless the
/// nightly backup found it damaged.
pub(crate) fn closed(store: &Path) {
    if open_count(store, -1) == 0
        && !suspect_marker(store).exists()
        && let Err(error) = std::fs::write(closed_marker(store), b"closed cleanly\n")
    {
        tracing::warn!(%error, "the store's clean-close mark cannot be written; the next start checks the store");
    }
}

/// The copy failed its check: is the store itself damaged? If so, the next start checks it (and
/// refuses it) however it is closed.
fn check_after_a_bad_copy(store: &Path) {
    if let Err(detail) = pragma_check(store, "integrity_check") {
        tracing::error!(%detail, "the store itself is damaged; the next start offers the last good backup");
        if let Err(error) = std::fs::write(suspect_marker(store), detail.as_bytes()) {
            tracing::error!(%error, "the store's damage mark cannot be written");
        }
    }
}

fn pragma_check(path: &Path, pragma: &str) -> std::result::Result<(), String> {
    let connection =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|error| error.to_string())?;
    let mut statement = connection.prepare(&format!("PRAGMA {pragma}")).map_err(|error| error.to_string())?;
    let findings: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|error| error.to_string())?;
    match findings.as_slice() {
        [ok] if ok == "ok" => Ok(()),
        [] => Err(format!("{pragma} found nothing to check")),
        // SQLite lists every damaged cell; the first words say enough for a screen or a log.
        problems => {
            let all = problems.join("; ");
            let short: String = all.chars().take(160).collect();
            Err(if short.len() < all.len() { format!("{short}…") } else { short })
        }
    }
}

/// The folder the owner chose for backups, from the store's settings, if set and readable (a
/// damaged store may still tell).
pub fn folder_setting(store: &Path) -> Option<PathBuf> {
    let connection = Connection::open_with_flags(store, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    connection
        .query_row("SELECT value FROM till_setting WHERE name = 'backup_folder'", [], |row| row.get::<_, String>(0))
        .ok()
        .map(PathBuf::from)
}

/// Points the nightly backup at `folder` (a USB drive, say).
pub fn set_folder(connection: &Connection, folder: &Path) -> Result<()> {
    connection.execute(
        "INSERT INTO till_setting (name, value) VALUES ('backup_folder', ?1)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [folder.display().to_string()],
    )?;
    Ok(())
}

/// When the nightly backup runs, in the till's local time: after the nightly sync (23:30).
pub const NIGHTLY_AT: (u32, u32) = (23, 45);

/// Backs the store up every night at [`NIGHTLY_AT`], for as long as the task runs, into the
/// folder the owner set ([`set_folder`]) or else `default_folder`, read each night so a change
/// takes effect without a restart. A failure is logged and tried again the next night; the
/// counter never waits for it.
pub async fn nightly(store: PathBuf, default_folder: PathBuf) {
    loop {
        let now = chrono::Local::now();
        let at = chrono::NaiveTime::from_hms_opt(NIGHTLY_AT.0, NIGHTLY_AT.1, 0).unwrap_or_default();
        let today = now.date_naive().and_time(at);
        let next = if now.naive_local() < today { today } else { today + chrono::Duration::days(1) };
        let wait = (next - now.naive_local()).to_std().unwrap_or(Duration::from_secs(60));
        tokio::time::sleep(wait).await;
        if !store.exists() {
            continue;
        }
        let folder = folder_setting(&store).unwrap_or_else(|| default_folder.clone());
        let source = store.clone();
        let taken =
            tokio::task::spawn_blocking(move || back_up(&source, &folder, chrono::Local::now().fixed_offset())).await;
        match taken {
            Ok(Ok(backup)) => {
                tracing::info!(file = %backup.path.display(), "nightly backup taken");
                prune_after_backup(store.clone()).await;
            }
            Ok(Err(error)) => tracing::error!(%error, "the nightly backup failed"),
            Err(error) => tracing::error!(%error, "the nightly backup task failed"),
        }
    }
}

/// After a good backup: lets go of the sales head office acknowledged more than
/// [`store::prune::KEEP_DAYS`] ago, on a connection of its own (the counter may be recording).
async fn prune_after_backup(store: PathBuf) {
    let pruned = tokio::task::spawn_blocking(move || {
        let mut connection = store::open_connection(&store)?;
        let today = chrono::Local::now().date_naive();
        store::prune::prune_acknowledged(&mut connection, store::prune::cut_off(today), today)
    })
    .await;
    match pruned {
        Ok(Ok(pruned)) => tracing::info!(sales = pruned.sales, "acknowledged sales pruned"),
        Ok(Err(error)) => tracing::error!(%error, "pruning the store failed; nothing was lost"),
        Err(error) => tracing::error!(%error, "the pruning task failed"),
    }
}

/// Where numbering goes on after a restore: what head office says it has merged of this till.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Continuation {
    /// The server's `acked_through` for this device (0 for a till that never synced or is not
    /// enrolled).
    pub acked_through: u64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Restored {
    /// The last event the backup held.
    pub backup_last_seq: u64,
    /// What head office has of this till: events after the backup up to here are in the
    /// ledger (not in this till's own figures).
    pub acked_through: u64,
    /// The next event will carry this `device_seq`.
    pub next_device_seq: u64,
    /// Events recorded after the backup that never reached head office: gone. `None` when the
    /// damaged store could not tell.
    pub lost_events: Option<u64>,
    /// Where the damaged store was moved (kept, never deleted).
    pub damaged_store: Option<PathBuf>,
}

/// Restores `backup` into `store`: checks the backup, moves the old store aside, copies the
/// backup in and continues numbering after `continuation`. Refuses a backup of another till.
pub fn restore(backup: &Path, store: &Path, continuation: Continuation, at: DateTime<FixedOffset>) -> Result<Restored> {
    check_integrity(backup)?;
    let backup_device = device_of(backup).ok_or_else(|| TillError::BadBackup("it is not a till's store".into()))?;
    let old = store.exists().then(|| (device_of(store), last_seq_of(store)));
    if let Some((Some(device), _)) = &old
        && *device != backup_device
    {
        return Err(TillError::BadBackup(format!("it is the backup of another till ({backup_device})")));
    }
    let damaged_store = match old {
        Some(_) => Some(move_aside(store, at)?),
        None => None,
    };
    let source = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    copy(&source, store)?;
    drop(source);
    let mut connection = store::open_connection(store)?;
    let backup_last_seq = last_seq(&connection)?;
    let transaction = connection.transaction()?;
    let counter = |name: &str| -> Result<u64> {
        let value: Option<i64> = transaction
            .query_row("SELECT last_value FROM counter WHERE name = ?1", [name], |row| row.get(0))
            .optional()?;
        Ok(u64::try_from(value.unwrap_or(0)).unwrap_or(0))
    };
    let device_seq = counter("device_seq")?.max(backup_last_seq).max(continuation.acked_through);
    // Each event the server holds past the backup took at most one receipt number.
    let receipts = counter("receipt")? + continuation.acked_through.saturating_sub(backup_last_seq);
    let set = |name: &str, value: u64| {
        transaction.execute(
            "INSERT INTO counter (name, last_value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET last_value = excluded.last_value",
            params![name, value as i64],
        )
    };
    set("device_seq", device_seq)?;
    set("receipt", receipts)?;
    transaction.execute(
        "INSERT INTO restore_log (restored_at, backup_file, backup_last_seq, acked_through, resumed_at_seq)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            at.to_rfc3339(),
            backup.display().to_string(),
            backup_last_seq as i64,
            continuation.acked_through as i64,
            (device_seq + 1) as i64
        ],
    )?;
    transaction.commit()?;
    let lost_events = old
        .and_then(|(_, last)| last)
        .map(|damaged_last| damaged_last.saturating_sub(backup_last_seq.max(continuation.acked_through)));
    Ok(Restored {
        backup_last_seq,
        acked_through: continuation.acked_through,
        next_device_seq: device_seq + 1,
        lost_events,
        damaged_store,
    })
}

/// The store and its WAL files renamed `…damaged-YYYYMMDD-HHMMSS`: evidence, and a last chance
/// to read what was recorded after the backup.
fn move_aside(store: &Path, at: DateTime<FixedOffset>) -> Result<PathBuf> {
    let stamp = at.format("%Y%m%d-%H%M%S");
    let aside = PathBuf::from(format!("{}.damaged-{stamp}", store.display()));
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", store.display()));
        if from.exists() {
            let to = PathBuf::from(format!("{}{suffix}", aside.display()));
            std::fs::rename(&from, &to)
                .map_err(|error| TillError::BackupFailed(format!("moving {} aside: {error}", from.display())))?;
        }
    }
    Ok(aside)
}

fn device_of(path: &Path) -> Option<String> {
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    connection.query_row("SELECT device_id FROM till WHERE id = 1", [], |row| row.get(0)).ok()
}

/// The damaged store's last `device_seq`, if it can still be read.
fn last_seq_of(path: &Path) -> Option<u64> {
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    let counter: Option<i64> =
        connection.query_row("SELECT last_value FROM counter WHERE name = 'device_seq'", [], |row| row.get(0)).ok();
    let outbox: Option<i64> =
        connection.query_row("SELECT MAX(device_seq) FROM outbox", [], |row| row.get(0)).ok().flatten();
    counter.into_iter().chain(outbox).max().and_then(|last| u64::try_from(last).ok())
}

fn last_seq(connection: &Connection) -> Result<u64> {
    let last: i64 = connection.query_row("SELECT COALESCE(MAX(device_seq), 0) FROM outbox", [], |row| row.get(0))?;
    Ok(u64::try_from(last).unwrap_or(0))
}
