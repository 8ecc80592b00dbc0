//! The store's side of sync: the batches to push, the server's acks, the pulled changes and
//! what the sync badge shows. Each write is one short transaction on the sync task's own
//! connection, so the counter's recording never waits for it for long (WAL, busy timeout).

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::value::RawValue;
use tillbook_core::ids::DeviceId;
use tillbook_core::protocol::{AckStatus, Change, Entity, EventStatus, PROTOCOL_VERSION, PushRequest, PushResponse};

use crate::error::{Result, TillError};
use crate::master;
use crate::sync::shared_jobs;

/// Where this till syncs to and what it last heard, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncState {
    pub server_url: Option<String>,
    /// Head office's own certificate authority (PEM), when it uses a private one.
    #[serde(skip)]
    pub server_ca: Option<String>,
    pub device_status: DeviceStatus,
    pub pull_cursor: u64,
    pub last_push_at: Option<String>,
    pub last_pull_at: Option<String>,
    pub last_error: Option<String>,
    pub last_nightly_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    NotEnrolled,
    Enrolled,
    /// The server refused the token: the owner revoked the till, or enrolled it again elsewhere.
    Revoked,
    /// The keyring no longer holds the token (a restart cleared keyutils): the server still
    /// trusts the till, and a re-enrolment code brings it back with everything it recorded.
    TokenMissing,
}

impl DeviceStatus {
    fn as_str(self) -> &'static str {
        match self {
            DeviceStatus::NotEnrolled => "not_enrolled",
            DeviceStatus::Enrolled => "enrolled",
            DeviceStatus::Revoked => "revoked",
            DeviceStatus::TokenMissing => "token_missing",
        }
    }
}

/// The outbox's side of the badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxState {
    pub pending: u64,
    /// When the oldest event still waiting for the server happened.
    pub oldest_pending_at: Option<DateTime<FixedOffset>>,
    pub quarantined: u64,
}

pub fn state(connection: &Connection) -> Result<SyncState> {
    let row = connection.query_row(
        "SELECT server_url, device_status, pull_cursor, last_push_at, last_pull_at, last_error, last_nightly_on,
                server_ca
           FROM sync_state WHERE id = 1",
        [],
        |row| {
            Ok((
                row.get::<_, Option<String>>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, Option<String>>(6)?,
                row.get::<_, Option<String>>(7)?,
            ))
        },
    )?;
    let (server_url, status, cursor, last_push_at, last_pull_at, last_error, nightly, server_ca) = row;
    let device_status = match status.as_str() {
        "enrolled" => DeviceStatus::Enrolled,
        "revoked" => DeviceStatus::Revoked,
        "token_missing" => DeviceStatus::TokenMissing,
        "not_enrolled" => DeviceStatus::NotEnrolled,
        other => return Err(TillError::Invariant(format!("unknown device status {other}"))),
    };
    let last_nightly_on = nightly
        .map(|day| day.parse().map_err(|_| TillError::Invariant(format!("bad nightly date {day}"))))
        .transpose()?;
    Ok(SyncState {
        server_url,
        server_ca,
        device_status,
        pull_cursor: u64::try_from(cursor).map_err(|_| TillError::Invariant("negative pull cursor".into()))?,
        last_push_at,
        last_pull_at,
        last_error,
        last_nightly_on,
    })
}

pub fn outbox_state(connection: &Connection) -> Result<OutboxState> {
    let (pending, oldest, quarantined): (i64, Option<String>, i64) = connection.query_row(
        "SELECT COUNT(*) FILTER (WHERE status = 'pending'),
                (SELECT json_extract(payload, '$.occurred_at') FROM outbox WHERE status = 'pending'
                  ORDER BY device_seq LIMIT 1),
                COUNT(*) FILTER (WHERE status = 'quarantined' AND resolution IS NULL)
           FROM outbox",
        [],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let oldest_pending_at = oldest
        .map(|text| {
            DateTime::parse_from_rfc3339(&text).map_err(|_| TillError::Invariant(format!("bad occurred_at {text}")))
        })
        .transpose()?;
    Ok(OutboxState { pending: pending as u64, oldest_pending_at, quarantined: quarantined as u64 })
}

pub fn set_enrolled(connection: &Connection, server: &crate::sync::client::Server) -> Result<()> {
    connection.execute(
        "UPDATE sync_state SET server_url = ?1, server_ca = ?2, device_status = 'enrolled', last_error = NULL
          WHERE id = 1",
        rusqlite::params![server.url, server.ca_pem],
    )?;
    Ok(())
}

pub fn set_device_status(connection: &Connection, status: DeviceStatus) -> Result<()> {
    connection.execute("UPDATE sync_state SET device_status = ?1 WHERE id = 1", [status.as_str()])?;
    Ok(())
}

/// Remembers the last failure in words, for the badge; `None` clears it.
pub fn set_error(connection: &Connection, error: Option<&str>, now: &str) -> Result<()> {
    connection.execute(
        "UPDATE sync_state SET last_error = ?1, last_error_at = CASE WHEN ?1 IS NULL THEN last_error_at ELSE ?2 END
          WHERE id = 1",
        params![error, now],
    )?;
    Ok(())
}

pub fn set_pushed(connection: &Connection, now: &str) -> Result<()> {
    connection.execute("UPDATE sync_state SET last_push_at = ?1 WHERE id = 1", [now])?;
    Ok(())
}

pub fn set_nightly_done(connection: &Connection, day: NaiveDate) -> Result<()> {
    connection.execute("UPDATE sync_state SET last_nightly_on = ?1 WHERE id = 1", [day.to_string()])?;
    Ok(())
}

/// What the push body holds besides the events: `{"protocol":1,"device_id":"…","events":[]}`.
const ENVELOPE_BYTES: usize = 96;

/// A batch ready to push: its body, assembled from the events exactly as stored, and how many.
pub struct Batch {
    pub body: String,
    pub events: usize,
    pub first_seq: u64,
}

/// The next batch: the oldest pending events, or — after a `sequence_gap` — every event from
/// `from_seq` on, whatever its status, because the server says it never received them. At most
/// `limit` events, and no more than `max_bytes` of body unless one event alone is larger (it
/// goes alone, and the server judges it).
pub fn next_batch(
    connection: &Connection,
    device: DeviceId,
    from_seq: Option<u64>,
    limit: usize,
    max_bytes: usize,
) -> Result<Option<Batch>> {
    let mut statement = match from_seq {
        Some(_) => connection.prepare_cached(
            "SELECT device_seq, payload FROM outbox WHERE device_seq >= ?1 ORDER BY device_seq LIMIT ?2",
        )?,
        None => connection.prepare_cached(
            "SELECT device_seq, payload FROM outbox WHERE status = 'pending' AND ?1 = ?1 ORDER BY device_seq LIMIT ?2",
        )?,
    };
    let mut rows: Vec<(i64, String)> = Vec::new();
    let mut bytes = ENVELOPE_BYTES;
    for row in statement.query_map(params![from_seq.unwrap_or(0) as i64, limit as i64], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
    })? {
        let row = row?;
        bytes += row.1.len() + 1;
        if bytes > max_bytes && !rows.is_empty() {
            break;
        }
        // A batch is one unbroken run; the outbox skips numbers only after a restore, where
        // the skipped events are already at the server.
        if rows.last().is_some_and(|(last, _)| row.0 != last + 1) {
            break;
        }
        rows.push(row);
    }
    let Some(&(first, _)) = rows.first() else { return Ok(None) };
    // The stored payloads are the events as recorded; they travel as raw JSON inside the
    // protocol's push request, so what the server keeps is byte for byte what the till made.
    let count = rows.len();
    let events = rows
        .into_iter()
        .map(|(seq, payload)| {
            RawValue::from_string(payload)
                .map_err(|error| TillError::Invariant(format!("event {seq} in the outbox: {error}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let request = PushRequest { protocol: PROTOCOL_VERSION, device_id: device, events };
    let body = serde_json::to_string(&request).map_err(|error| TillError::Invariant(error.to_string()))?;
    Ok(Some(Batch { body, events: count, first_seq: first as u64 }))
}

/// Applies the server's answer: posted (and duplicate) events take their entry number, and
/// quarantined ones their reason; their local journal entries follow. Only pending events
/// change, so an answer applied twice (a resend after a cut connection) changes nothing.
pub fn apply_acks(connection: &mut Connection, response: &PushResponse, now: &str) -> Result<u64> {
    let transaction = connection.transaction()?;
    let mut changed = 0;
    for ack in &response.acks {
        let (status, reason) = match (&ack.status, &ack.reason) {
            (AckStatus::Quarantined, reason) | (AckStatus::Duplicate, reason @ Some(_)) => {
                ("quarantined", reason.as_ref())
            }
            (AckStatus::Posted | AckStatus::Duplicate, _) => ("posted", None),
        };
        let updated = transaction.execute(
            "UPDATE outbox SET status = ?2, entry_number = ?3, reason_code = ?4, reason_message = ?5, acknowledged_at = ?6
              WHERE event_id = ?1 AND status = 'pending'",
            params![
                ack.event_id.to_string(),
                status,
                ack.entry_number.map(|number| number as i64),
                reason.map(|reason| reason.code.as_str()),
                reason.map(|reason| reason.message.as_str()),
                now,
            ],
        )?;
        if updated == 1 {
            transaction.execute(
                "UPDATE journal_entry SET status = ?2 WHERE event_id = ?1 AND status = 'provisional'",
                params![ack.event_id.to_string(), status],
            )?;
            changed += 1;
        }
    }
    transaction.commit()?;
    Ok(changed)
}

/// Applies one page of pulled changes and moves the cursor past it, all or nothing.
pub fn apply_changes(connection: &mut Connection, changes: &[Change], next_cursor: u64, now: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    for change in changes {
        apply_change(&transaction, change)?;
    }
    transaction.execute(
        "UPDATE sync_state SET pull_cursor = max(pull_cursor, ?1), last_pull_at = ?2 WHERE id = 1",
        params![next_cursor as i64, now],
    )?;
    transaction.commit()?;
    Ok(())
}

fn apply_change(connection: &Connection, change: &Change) -> Result<()> {
    let bad =
        |error: serde_json::Error| TillError::Invariant(format!("pulled {} is unreadable: {error}", change.entity));
    let data = || change.data.clone();
    match change.entity {
        Entity::Business => master::upsert_business(connection, &serde_json::from_value(data()).map_err(bad)?),
        Entity::Account => master::upsert_account(connection, &serde_json::from_value(data()).map_err(bad)?),
        Entity::Product => master::upsert_product(connection, &serde_json::from_value(data()).map_err(bad)?),
        Entity::LaundryService => {
            master::upsert_laundry_service(connection, &serde_json::from_value(data()).map_err(bad)?)
        }
        Entity::CylinderType => master::upsert_cylinder(connection, &serde_json::from_value(data()).map_err(bad)?),
        Entity::Customer => master::upsert_customer(connection, &serde_json::from_value(data()).map_err(bad)?),
        Entity::Supplier => master::upsert_supplier(connection, &serde_json::from_value(data()).map_err(bad)?),
        Entity::Staff => master::upsert_pulled_staff(connection, &serde_json::from_value(data()).map_err(bad)?),
        Entity::EventStatus => apply_event_status(connection, &serde_json::from_value(data()).map_err(bad)?),
        // A laundry job of the business: taken into the till's own jobs, so that it can be
        // paid for and collected here; kept as published too.
        Entity::LaundryJob => {
            shared_jobs::apply(connection, &serde_json::from_value(data()).map_err(bad)?)?;
            keep_shared(connection, change, "job_id")
        }
        Entity::CustomerBalance => keep_shared(connection, change, "customer_id"),
        // KRA's answer for one of this till's sales: a reprint of it then carries the signature.
        Entity::EtimsReceipt => keep_shared(connection, change, "document_id"),
        // A newer server may publish what this version does not know: skip it, do not stall.
        Entity::Unknown => {
            tracing::debug!("skipping a pulled change this version does not know");
            Ok(())
        }
    }
}

/// Shared state of the business (laundry jobs, customer balances), kept as the server last
/// published it (server-wins), by the id in its `key` field.
fn keep_shared(connection: &Connection, change: &Change, key: &str) -> Result<()> {
    let id = change.data.get(key).and_then(|id| id.as_str()).unwrap_or_default();
    connection.execute(
        "INSERT INTO shared_state (entity, id, data, pulled_seq) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (entity, id) DO UPDATE SET data = excluded.data, pulled_seq = excluded.pulled_seq",
        params![change.entity.as_str(), id, change.data.to_string(), change.seq as i64],
    )?;
    Ok(())
}

/// The server's record of this till's events: a quarantine the till has not heard about (its
/// push answer was lost) is applied here too, and so is head office's decision on one.
fn apply_event_status(connection: &Connection, status: &EventStatus) -> Result<()> {
    for resolved in &status.resolved {
        connection.execute(
            "UPDATE outbox SET resolution = ?2, resolution_note = ?3 WHERE event_id = ?1 AND status = 'quarantined'",
            params![resolved.event_id.to_string(), resolved.status.as_str(), resolved.note],
        )?;
    }
    for quarantined in &status.quarantined {
        let event_id = quarantined.event_id.to_string();
        let updated = connection.execute(
            "UPDATE outbox SET status = 'quarantined', reason_code = ?2, reason_message = ?3
              WHERE event_id = ?1 AND status = 'pending'",
            params![event_id, quarantined.reason.code, quarantined.reason.message],
        )?;
        if updated == 1 {
            connection.execute(
                "UPDATE journal_entry SET status = 'quarantined' WHERE event_id = ?1 AND status = 'provisional'",
                [&event_id],
            )?;
        }
    }
    Ok(())
}

/// The device this store belongs to, if it has been set up.
pub fn device_id(connection: &Connection) -> Result<Option<DeviceId>> {
    let id: Option<String> =
        connection.query_row("SELECT device_id FROM till WHERE id = 1", [], |row| row.get(0)).optional()?;
    id.map(|id| id.parse().map_err(|_| TillError::Invariant(format!("bad device id {id}")))).transpose()
}
