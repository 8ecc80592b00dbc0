//! Pruning what head office has acknowledged (docs/till-store.md "At year seven"): a till that
//! keeps every sale forever grows to about 5 GB in seven years and slows down as its indexes
//! outgrow memory. Head office and the nightly backups hold every event, so after [`KEEP_DAYS`]
//! the till lets go of a plain sale:
//!
//! - which sales: goods sold before the cut-off day, whose every event head office has posted
//!   (never one pending or quarantined), not on account (an invoice stays open), not refunded
//!   and not voided (what refers to them stays whole);
//! - what goes: the sale, its lines, tenders, stock movements and provisional journal entry,
//!   and its event's JSON; the outbox row stays, with its `device_seq`, event id, status and
//!   head office's entry number, and `pruned_sale` keeps its receipt number and day, so that
//!   asking for it says why it is not here ([`missing_sale`]);
//! - what carries them: `journal_carried` and `stock_carried` add up what the lines and
//!   movements did, in the same transaction, so the trial balance and the stock stay the same.
//!
//! The store's triggers allow the deletes only while `pruning` holds its row, which only this
//! transaction writes; and even then an event's JSON may only be dropped once it is posted.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Result, TillError};

/// Days of sales the till keeps whole: reprints, refunds and voids within them work offline.
pub const KEEP_DAYS: i64 = 90;

/// Sales pruned in one transaction: the counter waits at most for one batch.
const BATCH: i64 = 2_000;

/// What a prune let go of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    pub sales: u64,
    pub events: u64,
}

/// Prunes the acknowledged sales of business days before `before`, in batches of [`BATCH`],
/// each in its own transaction. Stamps the events `pruned_on` = `today`.
pub fn prune_acknowledged(connection: &mut Connection, before: NaiveDate, today: NaiveDate) -> Result<Pruned> {
    let mut total = Pruned::default();
    loop {
        let batch = prune_batch(connection, before, today)?;
        total.sales += batch.sales;
        total.events += batch.events;
        if batch.sales < BATCH as u64 {
            return Ok(total);
        }
    }
}

fn prune_batch(connection: &mut Connection, before: NaiveDate, today: NaiveDate) -> Result<Pruned> {
    let tx = connection.transaction()?;
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS prunable (sale_id TEXT PRIMARY KEY, entry_id TEXT NOT NULL, event_id TEXT NOT NULL);
         DELETE FROM temp.prunable;
         INSERT INTO pruning (active) VALUES (1);",
    )?;
    let before = before.to_string();
    let sales = tx.execute(
        "INSERT INTO temp.prunable (sale_id, entry_id, event_id)
         SELECT s.id, e.id, e.event_id
           FROM business b
           JOIN sale s ON s.business_id = b.id AND s.business_day < ?1
           JOIN journal_entry e ON e.document_id = s.id
           JOIN outbox o ON o.event_id = e.event_id
          WHERE s.kind = 'goods' AND o.status = 'posted' AND e.status = 'posted'
            AND (SELECT count(*) FROM journal_entry other WHERE other.document_id = s.id) = 1
            AND NOT EXISTS (SELECT 1 FROM tender t WHERE t.document_id = s.id AND t.method = 'credit')
            AND NOT EXISTS (SELECT 1 FROM refund r WHERE r.sale_id = s.id)
            AND NOT EXISTS (SELECT 1 FROM reversed_document d WHERE d.document_id = s.id)
          LIMIT ?2",
        params![before, BATCH],
    )?;
    tx.execute_batch(
        "INSERT INTO journal_carried (account, debit_cents, credit_cents)
         SELECT l.account, sum(l.debit_cents), sum(l.credit_cents)
           FROM journal_line l WHERE l.entry_id IN (SELECT entry_id FROM temp.prunable) GROUP BY l.account
         ON CONFLICT (account) DO UPDATE SET debit_cents = debit_cents + excluded.debit_cents,
                                             credit_cents = credit_cents + excluded.credit_cents;
         INSERT INTO stock_carried (product_id, quantity_milli)
         SELECT m.product_id, sum(m.quantity_milli)
           FROM stock_movement m WHERE m.document_id IN (SELECT sale_id FROM temp.prunable) GROUP BY m.product_id
         ON CONFLICT (product_id) DO UPDATE SET quantity_milli = quantity_milli + excluded.quantity_milli;
         DELETE FROM journal_line WHERE entry_id IN (SELECT entry_id FROM temp.prunable);
         DELETE FROM journal_entry WHERE id IN (SELECT entry_id FROM temp.prunable);
         DELETE FROM stock_movement WHERE document_id IN (SELECT sale_id FROM temp.prunable);
         DELETE FROM tender WHERE document_id IN (SELECT sale_id FROM temp.prunable);
         DELETE FROM sale_line WHERE sale_id IN (SELECT sale_id FROM temp.prunable);
         INSERT INTO pruned_sale (receipt_number, business_day)
         SELECT receipt_number, business_day FROM sale WHERE id IN (SELECT sale_id FROM temp.prunable);
         DELETE FROM sale WHERE id IN (SELECT sale_id FROM temp.prunable);",
    )?;
    let events = tx.execute(
        "UPDATE outbox SET payload = '', pruned_on = ?1 WHERE event_id IN (SELECT event_id FROM temp.prunable)",
        [today.to_string()],
    )?;
    tx.execute_batch("DELETE FROM pruning; DELETE FROM temp.prunable;")?;
    tx.commit()?;
    Ok(Pruned { sales: sales as u64, events: events as u64 })
}

/// Why the sale `receipt` is not in the store: pruned (with its day), or never sold here.
pub(crate) fn missing_sale(connection: &Connection, what: &'static str, receipt: &str) -> TillError {
    let day: rusqlite::Result<Option<String>> = connection
        .query_row("SELECT business_day FROM pruned_sale WHERE receipt_number = ?1", [receipt], |row| row.get(0))
        .optional();
    match day {
        Ok(Some(day)) => TillError::SalePruned { receipt: receipt.to_string(), day },
        Ok(None) => TillError::NotFound { what, number: receipt.to_string() },
        Err(error) => error.into(),
    }
}

/// The first business day kept whole on `today`.
pub fn cut_off(today: NaiveDate) -> NaiveDate {
    today - chrono::Duration::days(KEEP_DAYS)
}
