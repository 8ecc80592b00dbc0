//! One pushed batch into the ledger (DESIGN §7 "Merge"), in one transaction:
//!
//! 1. lock the device's row, so a retry racing its own first attempt waits for it and then
//!    finds its events already merged (`duplicate`);
//! 2. answer the events already received from what was stored, and refuse a reused `event_id`;
//! 3. lock what the new events refer to ([`changes::lock_for_merge`]: master data shared; the
//!    merged documents they judge, suppliers, customers' accounts and M-Pesa codes exclusively),
//!    so that nothing the judgement reads can change under it, load it, and judge each event:
//!    posted, posted and flagged, or quarantined;
//! 4. write the inbox, the quarantine and the new documents no other merge touches (sales and
//!    their lines, tenders, invoices, VAT lines, stock movements, …) — side by side with every
//!    other merge, of this business or not;
//! 5. take the business's turn with its next entry numbers (gap-free per business, under its
//!    counter's row, held until commit, which only merges of the same business wait for),
//!    number and write the journal with its balances and day totals, then the rest of the
//!    documents (stock levels, voids, allocations, …), each table in one statement, and queue
//!    the VAT sales for eTIMS (`etims::enqueue`, numbered per business) — all at the same time
//!    as merges for other businesses;
//! 6. lock the change feed's counter, publish what the tills should pull, and commit. Merges of
//!    different businesses wait for each other only here.

pub mod incoming;
pub mod rows;
pub mod snapshot;
pub mod validate;

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use tillbook_core::ids::{BusinessId, DeviceId, EventId};
use tillbook_core::protocol::{Ack, AckStatus, EventStatus, PushResponse, QuarantinedEvent, Reason};
use tillbook_core::time::business_day;
use uuid::Uuid;

use crate::changes::{self, Entity};
use crate::error::ApiError;
use incoming::Incoming;
use rows::{InboxRow, Posting, QuarantineRow, Rows};
use snapshot::References;
use validate::{Verdict, judge};

pub use crate::devices::Device;

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("the batch starts at device_seq {first}, but the next expected is {expected}")]
    SequenceGap { expected: u64, first: u64 },
    #[error("event {event_id} was already received with different content")]
    EventIdReused { event_id: EventId },
    #[error("this till has been revoked")]
    Revoked,
    /// Head office's own document that could not be true in the ledger: refused, not kept.
    #[error("document {index}: {}", reason.message)]
    Refused { index: usize, reason: Reason },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<MergeError> for ApiError {
    fn from(error: MergeError) -> ApiError {
        match error {
            MergeError::SequenceGap { expected, first } => ApiError::sequence_gap(expected, first),
            MergeError::EventIdReused { .. } => ApiError::conflict("event_id_reused", error.to_string()),
            MergeError::Revoked => ApiError::unauthorized("device_revoked", error.to_string()),
            MergeError::Refused { index, reason } => {
                ApiError::bad_request(&reason.code, format!("documents[{index}].document"), reason.message)
            }
            MergeError::Database(error) => error.into(),
        }
    }
}

/// How the merge went, for the answer and the metrics.
#[derive(Debug, Default)]
pub struct Outcome {
    pub response: PushResponse,
    pub posted: u64,
    pub duplicates: u64,
    pub quarantined: u64,
}

#[derive(sqlx::FromRow)]
struct StoredEvent {
    event_id: Uuid,
    device_id: Uuid,
    device_seq: i64,
    raw: serde_json::Value,
    entry_number: Option<i64>,
    reason_code: Option<String>,
    reason_message: Option<String>,
}

impl StoredEvent {
    fn ack(&self) -> Ack {
        Ack {
            event_id: EventId(self.event_id),
            device_seq: self.device_seq as u64,
            status: AckStatus::Duplicate,
            entry_number: self.entry_number.map(|number| number as u64),
            reason: self
                .reason_code
                .clone()
                .map(|code| Reason { code, message: self.reason_message.clone().unwrap_or_default() }),
        }
    }
}

pub async fn merge(pool: &PgPool, device: &Device, events: Vec<Incoming>, zone: Tz) -> Result<Outcome, MergeError> {
    merge_with(pool, device, events, zone, false).await
}

/// As [`merge`]; with `refuse_quarantine`, an event that would be quarantined refuses the whole
/// batch instead, writing nothing (head office's own documents: the person is there to fix it).
pub async fn merge_with(
    pool: &PgPool,
    device: &Device,
    events: Vec<Incoming>,
    zone: Tz,
    refuse_quarantine: bool,
) -> Result<Outcome, MergeError> {
    // Merges judge side by side, so two can both find a new id unused — the same document,
    // entry or event sent by two tills at once (a store copied onto a second machine) — and the
    // second then fails on the ledger's unique key, or the two wait for each other's new keys.
    // Its transaction wrote nothing; judged again, after the first's commit, the id is taken:
    // quarantined, or `event_id_reused`, never a failed push.
    let mut attempts = 0;
    loop {
        attempts += 1;
        match merge_once(pool, device, &events, zone, refuse_quarantine).await {
            Err(error) if attempts < MERGE_ATTEMPTS && lost_a_race(&error) => {
                tracing::info!(till = %device.till_code, %error, "merge judged again after a race with another merge");
            }
            outcome => return outcome,
        }
    }
}

/// A merge that lost a race with another is judged again, once: the second time its snapshot
/// holds what the winner committed.
const MERGE_ATTEMPTS: u32 = 2;

/// A unique key taken by a merge that committed first, or a deadlock between two merges'
/// new keys (Postgres ends one of them).
fn lost_a_race(error: &MergeError) -> bool {
    let MergeError::Database(error) = error else { return false };
    error.as_database_error().and_then(|error| error.code()).is_some_and(|code| code == "23505" || code == "40P01")
}

async fn merge_once(
    pool: &PgPool,
    device: &Device,
    events: &[Incoming],
    zone: Tz,
    refuse_quarantine: bool,
) -> Result<Outcome, MergeError> {
    let mut tx = pool.begin().await?;
    // The merge's statements have one shape whatever the batch (arrays unpacked with `unnest`,
    // look-ups by key), so one generic plan each serves every batch: planning them afresh for
    // each batch's parameters cost about a tenth of the merge (docs/benchmarks.md). And none
    // gains from parallel workers: on a large ledger the generic plan of the look-up of events
    // already received guessed thousands of rows and started a worker process for every batch,
    // a few milliseconds of `fork` to find nothing, which made the merge at year 7 a sixth
    // slower than on a fresh ledger.
    sqlx::query(
        "SELECT set_config('plan_cache_mode', 'force_generic_plan', true),
                set_config('max_parallel_workers_per_gather', '0', true)",
    )
    .execute(&mut *tx)
    .await?;
    let (last_seq, revoked_at): (i64, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT last_seq, revoked_at FROM device WHERE id = $1 FOR UPDATE")
            .bind(device.id.0)
            .fetch_one(&mut *tx)
            .await?;
    if revoked_at.is_some() {
        return Err(MergeError::Revoked);
    }
    let expected = last_seq as u64 + 1;
    let Some(first) = events.first().map(|incoming| incoming.event.device_seq) else {
        return Ok(Outcome {
            response: PushResponse { acks: Vec::new(), acked_through: last_seq as u64 },
            ..Outcome::default()
        });
    };
    if first > expected {
        return Err(MergeError::SequenceGap { expected, first });
    }

    // Events already received: by this device at these numbers, or anywhere under these ids.
    let last = first + events.len() as u64 - 1;
    let ids: Vec<Uuid> = events.iter().map(|incoming| incoming.event.event_id.0).collect();
    let stored: Vec<StoredEvent> = sqlx::query_as(
        "SELECT i.event_id, i.device_id, i.device_seq, i.raw, e.entry_number, q.reason_code, q.reason_message
           FROM inbox i LEFT JOIN journal_entry e USING (event_id) LEFT JOIN quarantine q USING (event_id)
          WHERE i.event_id = ANY($1) OR (i.device_id = $2 AND i.device_seq BETWEEN $3 AND $4)",
    )
    .bind(&ids)
    .bind(device.id.0)
    .bind(first as i64)
    .bind(last.min(expected.saturating_sub(1)) as i64)
    .fetch_all(&mut *tx)
    .await?;
    let by_id: HashMap<Uuid, &StoredEvent> = stored.iter().map(|row| (row.event_id, row)).collect();
    let mut outcome = Outcome::default();
    let mut new_events = Vec::new();
    for incoming in events {
        let event = &incoming.event;
        match by_id.get(&event.event_id.0) {
            Some(row)
                if row.device_id == device.id.0
                    && row.device_seq as u64 == event.device_seq
                    && row.raw == incoming.value() =>
            {
                outcome.response.acks.push(row.ack());
                outcome.duplicates += 1;
            }
            Some(_) => return Err(MergeError::EventIdReused { event_id: event.event_id }),
            None if event.device_seq < expected => {
                // This device's number was taken by another event.
                return Err(MergeError::EventIdReused { event_id: event.event_id });
            }
            None => new_events.push(incoming),
        }
    }
    outcome.response.acked_through = last.max(last_seq as u64);
    if new_events.is_empty() {
        touch_device(&mut tx, device.id, last_seq).await?;
        tx.commit().await?;
        return Ok(outcome);
    }

    let parsed: Vec<validate::Parsed> = new_events.iter().map(|incoming| validate::parse(&incoming.event)).collect();
    let mut references = References::default();
    for (incoming, parsed) in new_events.iter().zip(&parsed) {
        if let Ok(document) = &parsed.document {
            let entry_id = parsed.entry.as_ref().ok().and_then(|entry| entry.as_ref().map(|entry| entry.entry_id()));
            references.add(incoming.event.business_id, document, entry_id);
        }
    }
    changes::lock_for_merge(&mut tx, &references).await?;
    let mut snapshot = snapshot::load(&mut tx, &references).await?;
    // The till's event before the first new one, to notice a clock that went back.
    let mut previous_at: Option<DateTime<FixedOffset>> =
        sqlx::query_scalar("SELECT occurred_at FROM inbox WHERE device_id = $1 AND device_seq = $2")
            .bind(device.id.0)
            .bind(new_events[0].event.device_seq as i64 - 1)
            .fetch_optional(&mut *tx)
            .await?
            .map(|at: DateTime<Utc>| at.fixed_offset());
    let now = Utc::now();
    let mut verdicts: Vec<Verdict> = Vec::with_capacity(new_events.len());
    for (incoming, parsed) in new_events.iter().zip(parsed) {
        let context = validate::Context { allowed: &device.business_ids, now, previous_at };
        verdicts.push(judge(incoming, parsed, context, &mut snapshot));
        previous_at = Some(incoming.event.occurred_at);
    }
    if refuse_quarantine
        && let Some((index, reason)) = verdicts.iter().enumerate().find_map(|(index, verdict)| match verdict {
            Verdict::Quarantined(reason) => Some((index, reason.clone())),
            Verdict::Posted(_) => None,
        })
    {
        return Err(MergeError::Refused { index, reason });
    }
    let stored: Vec<std::borrow::Cow<'_, str>> = new_events.iter().map(|incoming| incoming.stored()).collect();

    // Entries are counted 1, 2, … per business within the batch until each business's counter
    // says where they start.
    let mut entries: HashMap<BusinessId, i64> = HashMap::new();
    let mut new_acks = Vec::with_capacity(new_events.len());

    let mut inbox = Vec::with_capacity(new_events.len());
    let mut quarantine = Vec::new();
    let mut rows = Rows::default();
    let mut quarantined_ids = Vec::new();
    let mut for_etims = Vec::new();
    for ((incoming, verdict), raw) in new_events.iter().zip(&verdicts).zip(&stored) {
        let event = &incoming.event;
        let (status, entry_number, reason) = match verdict {
            Verdict::Posted(accepted) => {
                // Every business posted to takes its turn, with or without entries: its stock,
                // statuses and day totals change only in turn.
                let count = entries.entry(event.business_id).or_default();
                let entry_number = accepted.entry.as_ref().map(|_| {
                    *count += 1;
                    *count
                });
                rows.add(
                    Posting {
                        event,
                        document: &accepted.document,
                        effects: &accepted.effects,
                        entry: accepted.entry.as_ref(),
                        entry_number,
                        flags: &accepted.flags,
                        business_day: business_day(event.occurred_at, zone),
                        device_id: device.id,
                    },
                    &snapshot,
                );
                outcome.posted += 1;
                for_etims.extend(crate::etims::Queued::of(event.business_id, event.event_id, &accepted.document));
                ("posted", entry_number, None)
            }
            Verdict::Quarantined(reason) => {
                tracing::warn!(event_id = %event.event_id, till = %device.till_code, code = %reason.code, "event quarantined");
                quarantine.push(QuarantineRow {
                    event_id: event.event_id,
                    reason_code: reason.code.clone(),
                    reason_message: reason.message.clone(),
                });
                quarantined_ids.push(QuarantinedEvent { event_id: event.event_id, reason: reason.clone() });
                outcome.quarantined += 1;
                ("quarantined", None, Some(reason.clone()))
            }
        };
        inbox.push(InboxRow {
            event_id: event.event_id,
            device_id: device.id,
            device_seq: event.device_seq as i64,
            event_type: event.event_type.clone(),
            business_id: event.business_id,
            occurred_at: event.occurred_at,
            recorded_by: event.recorded_by.map(|staff| staff.0),
            raw,
            status,
        });
        new_acks.push(Ack {
            event_id: event.event_id,
            device_seq: event.device_seq,
            status: if reason.is_some() { AckStatus::Quarantined } else { AckStatus::Posted },
            entry_number: entry_number.map(|number| number as u64),
            reason,
        });
    }
    rows::insert_inbox(&mut tx, &inbox).await?;
    rows::insert_quarantine(&mut tx, &quarantine).await?;
    rows.write_new_documents(&mut tx).await?;

    let counts: Vec<(BusinessId, i64)> = entries.into_iter().collect();
    let last_before = changes::take_entry_numbers(&mut tx, &counts).await?;
    rows.number_entries(&last_before);
    for (ack, incoming) in new_acks.iter_mut().zip(&new_events) {
        if let Some(number) = &mut ack.entry_number {
            *number += last_before[&incoming.event.business_id] as u64;
        }
    }
    outcome.response.acks.extend(new_acks);
    rows.write_journal(&mut tx).await?;
    rows.write_documents(&mut tx, &snapshot).await?;
    // Each VAT sale's place in its business's eTIMS queue, with the posting or not at all.
    crate::etims::enqueue(&mut tx, &for_etims).await?;

    changes::lock_feed(&mut tx).await?;
    let created: Vec<Uuid> = rows.created_customers();
    if !created.is_empty() {
        changes::publish(&mut tx, Entity::Customer, Some(&created)).await?;
    }
    for (customer, details) in rows.changed_customers() {
        crate::audit::audit(
            &mut tx,
            crate::audit::Actor::Device(device.id),
            "customer.changed",
            &customer.to_string(),
            details,
        )
        .await?;
    }
    let mut jobs: Vec<Uuid> = rows.touched_jobs.iter().map(|id| id.0).collect();
    let mut customers: Vec<Uuid> = rows.touched_customers.iter().map(|id| id.0).collect();
    // A voided payment changes what its invoices' jobs and customers show as paid.
    let voided: Vec<Uuid> = rows.voided_documents().map(|id| id.0).collect();
    if !voided.is_empty() {
        let paid_by_voided: Vec<(Uuid, Uuid, bool)> = sqlx::query_as(
            "SELECT i.invoice_id, i.customer_id, i.kind = 'laundry'
               FROM allocation a JOIN invoice i ON i.invoice_id = a.invoice_id
              WHERE a.document_id = ANY($1)",
        )
        .bind(&voided)
        .fetch_all(&mut *tx)
        .await?;
        for (invoice, customer, laundry) in paid_by_voided {
            customers.push(customer);
            if laundry {
                jobs.push(invoice);
            }
        }
    }
    jobs.sort_unstable();
    jobs.dedup();
    if !jobs.is_empty() {
        changes::publish(&mut tx, Entity::LaundryJob, Some(&jobs)).await?;
    }
    customers.sort_unstable();
    customers.dedup();
    if !customers.is_empty() {
        changes::publish(&mut tx, Entity::CustomerBalance, Some(&customers)).await?;
    }
    let status = EventStatus { acked_through: Some(last), quarantined: quarantined_ids, resolved: Vec::new() };
    changes::publish_event_status(&mut tx, device.id, &status).await?;
    touch_device(&mut tx, device.id, last as i64).await?;
    tx.commit().await?;
    Ok(outcome)
}

async fn touch_device(connection: &mut sqlx::PgConnection, device: DeviceId, last_seq: i64) -> Result<(), sqlx::Error> {
    // A batch merged: whatever refusal held the till up is behind it.
    sqlx::query(
        "UPDATE device SET last_seq = greatest(last_seq, $2), last_seen_at = now(),
                refused_code = NULL, refused_message = NULL, refused_at = NULL
          WHERE id = $1",
    )
    .bind(device.0)
    .bind(last_seq)
    .execute(connection)
    .await?;
    Ok(())
}
