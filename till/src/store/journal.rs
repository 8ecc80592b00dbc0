//! The recording's own rows: the provisional journal entry and its lines, the outbox event with
//! its gap-free `device_seq`, and the open shift they belong to (DESIGN §6).

use rusqlite::{OptionalExtension, params};
use tillbook_core::JournalEntry;
use tillbook_core::documents::{Document, document_id};
use tillbook_core::ids::{BusinessId, EventId, ShiftId};
use tillbook_core::protocol::Event;

use crate::error::{Result, TillError};
use crate::record::Work;
use crate::sql::{cached_execute, cached_row, parsed};

/// The open shift of this till, if any, with its business.
pub(crate) fn open_shift(connection: &rusqlite::Connection) -> Result<Option<(ShiftId, BusinessId)>> {
    Ok(cached_row(connection, "SELECT id, business_id FROM shift WHERE closed_at IS NULL", [], |row| {
        Ok((parsed(row, "id")?, parsed(row, "business_id")?))
    })
    .optional()?)
}

/// `device_seq` must follow the outbox's last event: gap-free, but for the one jump a restore
/// makes past what head office already holds.
pub(crate) fn check_follows(connection: &rusqlite::Connection, device_seq: u64) -> Result<()> {
    let last_seq: i64 =
        cached_row(connection, "SELECT COALESCE(MAX(device_seq), 0) FROM outbox", [], |row| row.get(0))?;
    // Gap-free, but for the one jump a restore makes past what head office already holds.
    let follows = u64::try_from(last_seq).ok() == device_seq.checked_sub(1)
        || cached_row(
            connection,
            "SELECT EXISTS (SELECT 1 FROM restore_log WHERE resumed_at_seq = ?1 AND backup_last_seq = ?2)",
            params![device_seq as i64, last_seq],
            |row| row.get::<_, bool>(0),
        )?;
    if !follows {
        return Err(TillError::Invariant(format!("device_seq {device_seq} does not follow {last_seq}")));
    }
    Ok(())
}

/// Appends the event to the outbox, as it will be pushed.
pub(crate) fn append_event(work: &Work<'_>, event: &Event, document: &Document) -> Result<()> {
    let payload = serde_json::to_string(event).expect("events serialise");
    cached_execute(
        &work.tx,
        "INSERT INTO outbox (device_seq, event_id, event_type, business_id, business_day, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            i64::try_from(event.device_seq).map_err(|_| TillError::Invariant("device_seq overflow".into()))?,
            event.event_id.to_string(),
            document.event_type(),
            work.business.id.to_string(),
            work.day_text(),
            payload
        ],
    )?;
    Ok(())
}

/// The provisional journal entry of `document` and its lines, checked again in SQL.
pub(crate) fn write_entry(work: &Work<'_>, entry: &JournalEntry, event_id: EventId, document: &Document) -> Result<()> {
    cached_execute(&work.tx,
            "INSERT INTO journal_entry (id, business_id, event_id, event_type, document_id, occurred_at, business_day, shift_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                entry.entry_id().to_string(),
                work.business.id.to_string(),
                event_id.to_string(),
                document.event_type(),
                document_id(document).map(|id| id.to_string()),
                work.occurred_at_text(),
                work.day_text(),
                work.shift_id.map(|id| id.to_string()),
            ],
        )?;
    let mut insert = work.tx.prepare_cached(
        "INSERT INTO journal_line (entry_id, line_no, account, debit_cents, credit_cents) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (line_no, line) in (0_i64..).zip(entry.lines()) {
        insert.execute(params![
            entry.entry_id().to_string(),
            line_no,
            line.account.number(),
            line.debit().cents(),
            line.credit().cents()
        ])?;
    }
    // The second line of defence behind JournalEntry::new: what was written balances.
    let net: i64 = cached_row(
        &work.tx,
        "SELECT COALESCE(SUM(debit_cents) - SUM(credit_cents), 0) FROM journal_line WHERE entry_id = ?1",
        [entry.entry_id().to_string()],
        |row| row.get(0),
    )?;
    if net != 0 {
        return Err(TillError::Invariant(format!("entry {} is off by {net} cents", entry.entry_id())));
    }
    Ok(())
}
