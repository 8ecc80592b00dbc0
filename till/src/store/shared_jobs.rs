//! Laundry jobs of the business as the server publishes them, applied to the till's own job
//! tables so that a job dropped off at one till can be paid for and collected at another
//! (DESIGN §6). A job this till has never seen is added with its items; a job it knows moves
//! forward to the server's status and learns what was paid at other tills.
//!
//! What was paid elsewhere is kept apart from this till's own allocations
//! (`invoice.paid_elsewhere_cents`): the server lists every standing payment of the job, and the
//! ones this till recorded itself (pending or posted) are already in `allocation`, so only the
//! others are counted — whatever the timing of pushes and pulls, nothing is counted twice.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use tillbook_core::documents::JobStatus;
use tillbook_core::ids::{BusinessId, CustomerId, DocumentId, EventId, LaundryServiceId};
use tillbook_core::{Money, Quantity};

use crate::error::{Result, TillError};
use crate::store::documents::{JobLine, write_job_line};

/// A `laundry_job` change, in the shape the server publishes (docs/protocol.md).
#[derive(Debug, Deserialize)]
pub struct PulledJob {
    pub job_id: DocumentId,
    pub business_id: BusinessId,
    pub ticket_number: String,
    pub customer_id: CustomerId,
    pub total: Money,
    pub promised_at: DateTime<FixedOffset>,
    pub dropped_off_at: DateTime<FixedOffset>,
    pub business_day: NaiveDate,
    #[serde(default)]
    pub notes: String,
    pub status: JobStatus,
    pub status_at: DateTime<FixedOffset>,
    pub cancel_event_id: Option<EventId>,
    #[serde(default)]
    pub items: Vec<PulledItem>,
    #[serde(default)]
    pub payments: Vec<PulledPayment>,
}

#[derive(Debug, Deserialize)]
pub struct PulledItem {
    pub service_id: LaundryServiceId,
    pub description: String,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub line_total: Money,
}

#[derive(Debug, Deserialize)]
pub struct PulledPayment {
    pub document_id: DocumentId,
    pub amount: Money,
}

/// Applies one pulled job. A job that refers to a business, customer or service this till
/// does not hold is left out (logged), never stalling the pull.
pub fn apply(connection: &Connection, job: &PulledJob) -> Result<()> {
    let id = job.job_id.to_string();
    let paid_elsewhere = paid_elsewhere(connection, job)?;
    let local: Option<String> =
        connection.query_row("SELECT status FROM laundry_job WHERE id = ?1", [&id], |row| row.get(0)).optional()?;
    match local {
        None => add(connection, job, paid_elsewhere),
        Some(status) => {
            let local =
                JobStatus::parse(&status).ok_or_else(|| TillError::Invariant(format!("job status {status}")))?;
            connection.execute(
                "UPDATE invoice SET paid_elsewhere_cents = ?2 WHERE id = ?1",
                params![id, paid_elsewhere.cents()],
            )?;
            // Statuses only move forward, so the further of the two is the truth; a change
            // made here and not yet pushed is never undone by an older published state.
            if local.may_become(job.status) {
                move_to(connection, job, local)?;
            }
            Ok(())
        }
    }
}

/// The job's standing payments that this till did not record.
fn paid_elsewhere(connection: &Connection, job: &PulledJob) -> Result<Money> {
    let mut mine = connection.prepare_cached("SELECT 1 FROM allocation WHERE source_id = ?1 AND invoice_id = ?2")?;
    let mut total = Money::ZERO;
    for payment in &job.payments {
        if !mine.exists(params![payment.document_id.to_string(), job.job_id.to_string()])? {
            total = total.checked_add(payment.amount)?;
        }
    }
    Ok(total)
}

fn add(connection: &Connection, job: &PulledJob, paid_elsewhere: Money) -> Result<()> {
    let known = |sql: &str, id: String| -> Result<bool> { Ok(connection.prepare_cached(sql)?.exists([id])?) };
    if !known("SELECT 1 FROM business WHERE id = ?1", job.business_id.to_string())?
        || !known("SELECT 1 FROM customer WHERE id = ?1", job.customer_id.to_string())?
    {
        tracing::warn!(ticket = %job.ticket_number, "a pulled laundry job refers to a business or customer this till lacks");
        return Ok(());
    }
    let id = job.job_id.to_string();
    connection.execute(
        "INSERT INTO invoice (id, business_id, customer_id, number, source, total_cents, issued_on, due_on, paid_elsewhere_cents)
         VALUES (?1, ?2, ?3, ?4, 'laundry', ?5, ?6, ?7, ?8)",
        params![
            id,
            job.business_id.to_string(),
            job.customer_id.to_string(),
            job.ticket_number,
            job.total.cents(),
            job.business_day.to_string(),
            job.promised_at.date_naive().to_string(),
            paid_elsewhere.cents(),
        ],
    )?;
    connection.execute(
        "INSERT INTO laundry_job (id, business_id, ticket_number, customer_id, promised_at, dropped_off_at, status, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'received', ?7)",
        params![
            id,
            job.business_id.to_string(),
            job.ticket_number,
            job.customer_id.to_string(),
            job.promised_at.to_rfc3339(),
            job.dropped_off_at.to_rfc3339(),
            job.notes,
        ],
    )?;
    for (line_no, item) in (0_i64..).zip(&job.items) {
        if !known("SELECT 1 FROM laundry_service WHERE id = ?1", item.service_id.to_string())? {
            continue;
        }
        let line = JobLine {
            service_id: item.service_id,
            description: &item.description,
            quantity: item.quantity,
            unit_price: item.unit_price,
            line_total: item.line_total,
        };
        write_job_line(connection, job.job_id, line_no, &line)?;
    }
    connection.execute(
        "INSERT INTO laundry_status_history (job_id, from_status, to_status, changed_at, staff_id, reason)
         VALUES (?1, NULL, 'received', ?2, NULL, 'at another till')",
        params![id, job.dropped_off_at.to_rfc3339()],
    )?;
    if job.status != JobStatus::Received {
        move_to(connection, job, JobStatus::Received)?;
    }
    Ok(())
}

/// Moves the local job to the published status, with its history; a cancellation elsewhere
/// reverses the invoice here as well.
fn move_to(connection: &Connection, job: &PulledJob, from: JobStatus) -> Result<()> {
    let id = job.job_id.to_string();
    connection.execute("UPDATE laundry_job SET status = ?2 WHERE id = ?1", params![id, job.status.as_str()])?;
    connection.execute(
        "INSERT INTO laundry_status_history (job_id, from_status, to_status, changed_at, staff_id, reason)
         VALUES (?1, ?2, ?3, ?4, NULL, 'at another till')",
        params![id, from.as_str(), job.status.as_str(), job.status_at.to_rfc3339()],
    )?;
    if job.status == JobStatus::Cancelled {
        let event = job.cancel_event_id.map(|event| event.to_string()).unwrap_or_default();
        connection.execute(
            "INSERT INTO reversed_document (document_id, reversal_event_id, kind) VALUES (?1, ?2, 'cancellation')
             ON CONFLICT (document_id) DO NOTHING",
            params![id, event],
        )?;
    }
    Ok(())
}
