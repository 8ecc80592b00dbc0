//! The operational rows of a recorded document, written from what core says it does
//! ([`Document::effects`]): stock and cylinder movements, tenders, the invoice it raises, the
//! invoices it settles, a laundry job's status, and what it cancels or voids. The server's merge
//! writes its tables from the same `Effects`; nothing here decides an effect again.

use rusqlite::params;
use tillbook_core::documents::{Document, Effects, InvoiceKind};
use tillbook_core::ids::{DocumentId, EventId};
use tillbook_core::{DocumentError, Quantity};

use crate::error::{Result, TillError};
use crate::master::SqlLookup;
use crate::record::{Warning, Work};
use crate::sql::{cached_execute, cached_row};
use tillbook_core::catalog::Lookup;

/// The till's `invoice.source` (its schema's word for the kind since 0001).
fn invoice_source(kind: InvoiceKind) -> &'static str {
    match kind {
        InvoiceKind::CreditSale => "sale",
        InvoiceKind::Laundry => "laundry",
    }
}

/// The invoice the document raises: written before the document's own rows, which may refer
/// to it (a laundry job is its invoice).
pub(crate) fn write_invoice(work: &Work<'_>, effects: &Effects) -> Result<()> {
    if let Some(invoice) = &effects.invoice {
        let due_on =
            invoice.due_on(work.business_day).ok_or_else(|| TillError::Invariant("due date out of range".into()))?;
        cached_execute(
            &work.tx,
            "INSERT INTO invoice (id, business_id, customer_id, number, source, total_cents, issued_on, due_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                invoice.invoice_id.to_string(),
                work.business.id.to_string(),
                invoice.customer_id.to_string(),
                invoice.number,
                invoice_source(invoice.kind),
                invoice.amount.cents(),
                work.day_text(),
                due_on.to_string(),
            ],
        )?;
    }
    Ok(())
}

/// Writes the rest of the `effects` of `document` (recorded as `event_id`), after its own rows,
/// and returns what the cashier should be warned of: an M-Pesa code seen before, stock below
/// zero.
pub(crate) fn write(
    work: &Work<'_>,
    document: &Document,
    effects: &Effects,
    event_id: EventId,
) -> Result<Vec<Warning>> {
    let mut warnings = Vec::new();
    let Some(document_id) = tillbook_core::documents::document_id(document) else {
        write_status(work, document, effects, event_id)?;
        return Ok(warnings);
    };
    let lookup = SqlLookup::knowing(&work.tx, &work.products);
    let stocked: Vec<_> = effects.stocked(&lookup).cloned().collect();
    lookup.check()?;
    for movement in &stocked {
        cached_execute(
            &work.tx,
            "INSERT INTO stock_movement (product_id, document_id, quantity_milli, reason, occurred_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                movement.product_id.to_string(),
                document_id.to_string(),
                movement.quantity.milli(),
                movement.reason.as_str(),
                work.occurred_at_text()
            ],
        )?;
        if movement.quantity < Quantity::default() {
            warn_if_negative_stock(work, movement.product_id, &mut warnings)?;
        }
    }
    for movement in &effects.cylinders {
        cached_execute(
            &work.tx,
            "INSERT INTO cylinder_movement (cylinder_type_id, document_id, full_delta, empty_delta, reason, occurred_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                movement.cylinder_type_id.to_string(),
                document_id.to_string(),
                movement.full_delta,
                movement.empty_delta,
                movement.reason.as_str(),
                work.occurred_at_text()
            ],
        )?;
        if movement.full_delta < 0 {
            warn_if_no_full_cylinders(work, movement.cylinder_type_id, &mut warnings)?;
        }
    }
    for (line_no, tender) in (0_i64..).zip(&effects.tenders) {
        if let Some(code) = &tender.mpesa_code
            && !effects.money_back
        {
            let seen: bool =
                cached_row(&work.tx, "SELECT EXISTS (SELECT 1 FROM tender WHERE mpesa_code = ?1)", [code], |row| {
                    row.get(0)
                })?;
            if seen {
                warnings.push(Warning::DuplicateMpesaCode { mpesa_code: code.clone() });
            }
        }
        cached_execute(
            &work.tx,
            "INSERT INTO tender (document_id, line_no, method, amount_cents, mpesa_code, customer_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                document_id.to_string(),
                line_no,
                tender.method.as_str(),
                tender.amount.cents(),
                tender.mpesa_code,
                tender.customer_id.map(|id| id.to_string()),
            ],
        )?;
    }
    for allocation in &effects.allocations {
        cached_execute(
            &work.tx,
            "INSERT INTO allocation (source_id, invoice_id, amount_cents) VALUES (?1, ?2, ?3)",
            params![document_id.to_string(), allocation.invoice_id.to_string(), allocation.amount.cents()],
        )?;
    }
    if let Some(used) = &effects.credit_used {
        cached_execute(
            &work.tx,
            "INSERT INTO credit_use (document_id, customer_id, kind, amount_cents) VALUES (?1, ?2, ?3, ?4)",
            params![document_id.to_string(), used.customer_id.to_string(), used.kind, used.amount.cents()],
        )?;
    }
    write_status(work, document, effects, event_id)?;
    if let Some(voided) = effects.voids {
        reverse(work, voided, "void", event_id)?;
        put_back_stock(work, voided, document_id)?;
    }
    Ok(warnings)
}

/// A laundry job's status, its history, and for a cancellation the invoice it no longer asks for.
fn write_status(work: &Work<'_>, document: &Document, effects: &Effects, event_id: EventId) -> Result<()> {
    let Some(change) = &effects.status else { return Ok(()) };
    let reason = match document {
        Document::LaundryStatusChange(change) => change.reason.as_str(),
        _ => "",
    };
    if change.from.is_some() {
        cached_execute(
            &work.tx,
            "UPDATE laundry_job SET status = ?1 WHERE id = ?2",
            params![change.to.as_str(), change.job_id.to_string()],
        )?;
    }
    cached_execute(
        &work.tx,
        "INSERT INTO laundry_status_history (job_id, from_status, to_status, changed_at, staff_id, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            change.job_id.to_string(),
            change.from.map(|from| from.as_str()),
            change.to.as_str(),
            work.occurred_at_text(),
            work.session.staff_id.to_string(),
            reason
        ],
    )?;
    if let Some(invoice) = effects.cancels_invoice {
        reverse(work, invoice, "cancellation", event_id)?;
    }
    Ok(())
}

fn reverse(work: &Work<'_>, document_id: DocumentId, kind: &str, event_id: EventId) -> Result<()> {
    cached_execute(
        &work.tx,
        "INSERT INTO reversed_document (document_id, reversal_event_id, kind) VALUES (?1, ?2, ?3)",
        params![document_id.to_string(), event_id.to_string(), kind],
    )?;
    Ok(())
}

/// Every stock and cylinder movement of the voided document, negated, filed under the void.
fn put_back_stock(work: &Work<'_>, voided: DocumentId, void_id: DocumentId) -> Result<()> {
    cached_execute(
        &work.tx,
        "INSERT INTO stock_movement (product_id, document_id, quantity_milli, reason, occurred_at)
         SELECT product_id, ?3, -quantity_milli, 'void', ?2 FROM stock_movement WHERE document_id = ?1",
        params![voided.to_string(), work.occurred_at_text(), void_id.to_string()],
    )?;
    cached_execute(&work.tx,
        "INSERT INTO cylinder_movement (cylinder_type_id, document_id, full_delta, empty_delta, reason, occurred_at)
         SELECT cylinder_type_id, ?3, -full_delta, -empty_delta, 'void', ?2 FROM cylinder_movement WHERE document_id = ?1",
        params![voided.to_string(), work.occurred_at_text(), void_id.to_string()],
    )?;
    Ok(())
}

fn warn_if_negative_stock(
    work: &Work<'_>,
    product: tillbook_core::ids::ProductId,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let (level, name): (i64, String) = cached_row(
        &work.tx,
        "SELECT COALESCE((SELECT quantity_milli FROM stock_level WHERE product_id = ?1), 0), name
         FROM product WHERE id = ?1",
        [product.to_string()],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if level < 0 {
        warnings.push(Warning::NegativeStock { product: name });
    }
    Ok(())
}

fn warn_if_no_full_cylinders(
    work: &Work<'_>,
    cylinder_type: tillbook_core::ids::CylinderTypeId,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let full_left: i64 = cached_row(
        &work.tx,
        "SELECT COALESCE((SELECT full FROM cylinder_level WHERE cylinder_type_id = ?1), 0)",
        [cylinder_type.to_string()],
        |row| row.get(0),
    )?;
    if full_left < 0 {
        let lookup = SqlLookup::new(&work.tx);
        let full = lookup.cylinder_type(cylinder_type);
        lookup.check()?;
        let full = full.ok_or(DocumentError::UnknownCylinderType(cylinder_type))?;
        warnings.push(Warning::NegativeStock { product: format!("{} kg {} (full)", full.size_kg, full.brand) });
    }
    Ok(())
}
