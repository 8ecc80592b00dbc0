//! What the counter looks up while it records: a receipt's document, a job by its ticket, a
//! sold line with what has come back of it, whether a document was reversed, a shift's float,
//! whether the day is closed. Reads inside the recording's transaction; only the store writes
//! SQL.

use rusqlite::{OptionalExtension, params};
use tillbook_core::documents::JobStatus;
use tillbook_core::ids::{CustomerId, DocumentId};
use tillbook_core::{Money, Quantity};

use crate::error::{Result, TillError};
use crate::record::Work;
use crate::sql::{cached_row, money, parsed, parsed_opt, quantity, vat_rate};

/// A job as the counter finds it by its ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Job {
    pub id: DocumentId,
    pub ticket_number: String,
    pub customer_id: CustomerId,
    pub status: JobStatus,
}

pub(crate) fn find_job(work: &Work<'_>, ticket_number: &str) -> Result<Job> {
    let ticket = ticket_number.trim().to_ascii_uppercase();
    let job = work
        .tx
        .query_row(
            "SELECT id, ticket_number, customer_id, status FROM laundry_job WHERE ticket_number = ?1 AND business_id = ?2",
            params![ticket, work.business.id.to_string()],
            |row| {
                let status: String = row.get("status")?;
                Ok((parsed(row, "id")?, row.get("ticket_number")?, parsed(row, "customer_id")?, status))
            },
        )
        .optional()?;
    let (id, ticket_number, customer_id, status) =
        job.ok_or(TillError::NotFound { what: "laundry ticket", number: ticket })?;
    let status = JobStatus::parse(&status).ok_or_else(|| TillError::Invariant(format!("job status {status}")))?;
    Ok(Job { id, ticket_number, customer_id, status })
}

/// The active products `business_id` sells, by name.
pub(crate) fn active_products(
    connection: &rusqlite::Connection,
    business_id: tillbook_core::ids::BusinessId,
) -> Result<Vec<tillbook_core::catalog::Product>> {
    let mut statement =
        connection.prepare_cached("SELECT * FROM product WHERE business_id = ?1 AND active = 1 ORDER BY name")?;
    let products = statement.query_map([business_id.to_string()], crate::master::product_row)?;
    Ok(products.collect::<rusqlite::Result<_>>()?)
}

/// What a laundry job was invoiced for.
pub(crate) fn invoice_total(connection: &rusqlite::Connection, invoice: DocumentId) -> Result<Money> {
    let cents: i64 =
        connection
            .query_row("SELECT total_cents FROM invoice WHERE id = ?1", [invoice.to_string()], |row| row.get(0))?;
    Ok(Money::from_cents(cents))
}

/// The sale or payment a receipt number names.
pub(crate) fn document_of_receipt(connection: &rusqlite::Connection, receipt: &str) -> Result<DocumentId> {
    let found: Option<String> = connection
        .query_row(
            "SELECT id FROM sale WHERE receipt_number = ?1 UNION ALL SELECT id FROM payment WHERE receipt_number = ?1",
            [receipt],
            |row| row.get(0),
        )
        .optional()?;
    let id = found.ok_or_else(|| crate::store::prune::missing_sale(connection, "receipt", receipt))?;
    let id: DocumentId = id.parse().map_err(|_| TillError::Invariant(format!("document id {id}")))?;
    Ok(id)
}

/// The event type and business of the entry that posted `document_id`, if one did.
pub(crate) fn posted_original(
    connection: &rusqlite::Connection,
    document_id: DocumentId,
) -> Result<Option<(String, String)>> {
    let original: Option<(String, String)> = connection
        .query_row(
            "SELECT event_type, business_id FROM journal_entry WHERE document_id = ?1 ORDER BY rowid LIMIT 1",
            [document_id.to_string()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    Ok(original)
}

/// The goods sale of `business` that a receipt number names.
pub(crate) fn goods_sale(
    connection: &rusqlite::Connection,
    receipt: &str,
    business: tillbook_core::ids::BusinessId,
) -> Result<Option<DocumentId>> {
    let sale_id: Option<DocumentId> = connection
        .query_row(
            "SELECT id FROM sale WHERE receipt_number = ?1 AND kind = 'goods' AND business_id = ?2",
            params![receipt, business.to_string()],
            |row| parsed(row, "id"),
        )
        .optional()?;
    Ok(sale_id)
}

/// A line of the original sale with what has been returned of it so far.
pub(crate) struct SoldLine {
    pub product_id: tillbook_core::ids::ProductId,
    pub quantity: Quantity,
    pub line_total: Money,
    pub vat_rate: tillbook_core::VatRate,
    pub unit_cost: Money,
    pub returned: Quantity,
    pub returned_amount: Money,
}

pub(crate) fn check_not_reversed(work: &Work<'_>, document_id: DocumentId) -> Result<()> {
    let reversed: bool = cached_row(
        &work.tx,
        "SELECT EXISTS (SELECT 1 FROM reversed_document WHERE document_id = ?1)",
        [document_id.to_string()],
        |row| row.get(0),
    )?;
    if reversed {
        return Err(TillError::AlreadyReversed(document_id.to_string()));
    }
    Ok(())
}

/// A sale partly refunded cannot be voided (its refund would be reversed twice), nor one whose
/// credit invoice has payments against it.
pub(crate) fn check_sale_voidable(work: &Work<'_>, sale_id: DocumentId) -> Result<()> {
    let (receipt, refunded, allocated): (String, bool, bool) = cached_row(
        &work.tx,
        "SELECT receipt_number,
                EXISTS (SELECT 1 FROM refund WHERE sale_id = sale.id),
                EXISTS (SELECT 1 FROM allocation a LEFT JOIN reversed_document r ON r.document_id = a.source_id
                        WHERE a.invoice_id = sale.id AND r.document_id IS NULL)
         FROM sale WHERE id = ?1",
        [sale_id.to_string()],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    if refunded {
        return Err(TillError::PartlyRefunded(receipt));
    }
    if allocated {
        return Err(TillError::HasPayments(receipt));
    }
    Ok(())
}

pub(crate) fn sold_line(work: &Work<'_>, sale_id: DocumentId, line_no: usize) -> Result<SoldLine> {
    let line = work
        .tx
        .query_row(
            "SELECT l.*,
                    COALESCE((SELECT SUM(rl.quantity_milli) FROM refund_line rl JOIN refund r ON r.id = rl.refund_id
                              WHERE r.sale_id = l.sale_id AND rl.sale_line_no = l.line_no), 0) AS returned_milli,
                    COALESCE((SELECT SUM(rl.amount_cents) FROM refund_line rl JOIN refund r ON r.id = rl.refund_id
                              WHERE r.sale_id = l.sale_id AND rl.sale_line_no = l.line_no), 0) AS returned_cents
             FROM sale_line l WHERE l.sale_id = ?1 AND l.line_no = ?2",
            params![sale_id.to_string(), i64::try_from(line_no).unwrap_or(i64::MAX)],
            |row| {
                Ok(SoldLine {
                    product_id: parsed(row, "product_id")?,
                    quantity: quantity(row, "quantity_milli")?,
                    line_total: money(row, "line_total_cents")?,
                    vat_rate: vat_rate(row, "vat_basis_points")?,
                    unit_cost: money(row, "unit_cost_cents")?,
                    returned: quantity(row, "returned_milli")?,
                    returned_amount: money(row, "returned_cents")?,
                })
            },
        )
        .optional()?;
    line.ok_or_else(|| TillError::NotFound { what: "line of the sale", number: line_no.to_string() })
}

/// The customer an invoice is to, if there is such an invoice.
pub(crate) fn invoice_customer(
    connection: &rusqlite::Connection,
    invoice: DocumentId,
) -> Result<Option<Option<CustomerId>>> {
    let customer: Option<Option<CustomerId>> = connection
        .query_row("SELECT customer_id FROM invoice WHERE id = ?1", [invoice.to_string()], |row| {
            parsed_opt(row, "customer_id")
        })
        .optional()?;
    Ok(customer)
}

/// The float a shift was opened with.
pub(crate) fn shift_float(connection: &rusqlite::Connection, shift: tillbook_core::ids::ShiftId) -> Result<Money> {
    let cents: i64 =
        cached_row(connection, "SELECT float_cents FROM shift WHERE id = ?1", [shift.to_string()], |row| row.get(0))?;
    Ok(Money::from_cents(cents))
}

/// When `business` closed `day` at this till, if it has.
pub(crate) fn day_closed_at(
    connection: &rusqlite::Connection,
    business: tillbook_core::ids::BusinessId,
    day: &str,
) -> Result<Option<String>> {
    Ok(connection
        .query_row(
            "SELECT closed_at FROM day_close WHERE business_id = ?1 AND business_day = ?2",
            params![business.to_string(), day],
            |row| row.get(0),
        )
        .optional()?)
}

/// How many of `business`'s events of `day` this till recorded, and how many the server has
/// acknowledged.
pub(crate) fn day_event_counts(
    connection: &rusqlite::Connection,
    business: tillbook_core::ids::BusinessId,
    day: &str,
) -> Result<(i64, i64)> {
    Ok(cached_row(
        connection,
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE status <> 'pending') FROM outbox WHERE business_id = ?1 AND business_day = ?2",
        params![business.to_string(), day],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?)
}
