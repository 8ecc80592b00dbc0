//! The rows a recorded document keeps of its own (a sale's header and lines, a job and its
//! items, a payment, a shift, an expense, …), written in the recording's transaction after its
//! journal entry, outbox event and effects (`Work::record`). Only the store writes SQL; the
//! recording modules decide what is written.

use rusqlite::params;
use tillbook_core::catalog::Product;
use tillbook_core::documents::{
    CashMovement, DayClosed, Expense, LaundryDropOff, LpgSale, NewCylinder, Payment, Refund, RefundLine, Sale,
    ShiftClosed, ShiftOpened,
};
use tillbook_core::ids::{DocumentId, LaundryServiceId};
use tillbook_core::{Money, Quantity};

use crate::error::Result;
use crate::record::Work;
use crate::sql::cached_execute;

/// A job's own rows (its invoice and first status are its effects, written by the recording).
pub(crate) fn job(work: &Work<'_>, job: &LaundryDropOff) -> Result<()> {
    cached_execute(&work.tx,
        "INSERT INTO laundry_job (id, business_id, ticket_number, customer_id, promised_at, dropped_off_at, status, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'received', ?7)",
        params![
            job.job_id.to_string(),
            work.business.id.to_string(),
            job.ticket_number,
            job.customer_id.to_string(),
            job.promised_at.to_rfc3339(),
            work.occurred_at_text(),
            job.notes,
        ],
    )?;
    for (line_no, item) in (0_i64..).zip(&job.items) {
        let line = JobLine {
            service_id: item.service_id,
            description: &item.description,
            quantity: item.quantity,
            unit_price: item.unit_price,
            line_total: item.line_total,
        };
        write_job_line(&work.tx, job.job_id, line_no, &line)?;
    }
    Ok(())
}

/// One line of a job as the till keeps it, whether dropped off here or pulled from another till.
pub(crate) struct JobLine<'a> {
    pub service_id: LaundryServiceId,
    pub description: &'a str,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub line_total: Money,
}

pub(crate) fn write_job_line(
    connection: &rusqlite::Connection,
    job_id: DocumentId,
    line_no: i64,
    line: &JobLine<'_>,
) -> Result<()> {
    cached_execute(
        connection,
        "INSERT INTO laundry_item (job_id, line_no, service_id, description, quantity_milli, unit_price_cents, line_total_cents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            job_id.to_string(),
            line_no,
            line.service_id.to_string(),
            line.description,
            line.quantity.milli(),
            line.unit_price.cents(),
            line.line_total.cents(),
        ],
    )?;
    Ok(())
}

/// A sale's own rows: its header and its lines at their cost (its tenders, stock and invoice
/// are its effects, written by the recording).
pub(crate) fn sale(work: &Work<'_>, sale: &Sale, products: &[Product]) -> Result<()> {
    sale_header(work, sale.sale_id, "goods", &sale.receipt_number, sale.total)?;
    for ((line_no, line), product) in (0_i64..).zip(&sale.lines).zip(products) {
        cached_execute(
            &work.tx,
            "INSERT INTO sale_line (sale_id, line_no, product_id, quantity_milli, unit_price_cents, discount_cents,
                 vat_basis_points, line_total_cents, unit_cost_cents)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                sale.sale_id.to_string(),
                line_no,
                line.product_id.to_string(),
                line.quantity.milli(),
                line.unit_price.cents(),
                line.discount.cents(),
                line.vat_rate.basis_points(),
                line.line_total.cents(),
                product.unit_cost.cents(),
            ],
        )?;
    }
    Ok(())
}

/// The header every sale has, goods or LPG.
pub(crate) fn sale_header(work: &Work<'_>, sale_id: DocumentId, kind: &str, receipt: &str, total: Money) -> Result<()> {
    cached_execute(&work.tx,
        "INSERT INTO sale (id, business_id, kind, receipt_number, occurred_at, business_day, shift_id, staff_id, total_cents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            sale_id.to_string(),
            work.business.id.to_string(),
            kind,
            receipt,
            work.occurred_at_text(),
            work.day_text(),
            work.shift_id.map(|id| id.to_string()),
            work.session.staff_id.to_string(),
            total.cents(),
        ],
    )?;
    Ok(())
}

/// An LPG sale's own row: which cylinders went out, and against what.
pub(crate) fn lpg_sale(work: &Work<'_>, sale: &LpgSale, quantity: u32) -> Result<()> {
    cached_execute(
        &work.tx,
        "INSERT INTO lpg_sale (sale_id, cylinder_type_id, quantity, empty_in, new_cylinder) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            sale.sale_id.to_string(),
            sale.cylinder_type_id.to_string(),
            quantity,
            sale.empty_in.map(|id| id.to_string()),
            sale.new_cylinder.map(NewCylinder::as_str),
        ],
    )?;
    Ok(())
}

/// A refund's own rows (its stock, tender and credit note are its effects).
pub(crate) fn refund(work: &Work<'_>, refund: &Refund, lines: &[(usize, RefundLine)]) -> Result<()> {
    cached_execute(
        &work.tx,
        "INSERT INTO refund (id, sale_id, receipt_number, occurred_at, business_day, total_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            refund.refund_id.to_string(),
            refund.sale_id.to_string(),
            refund.receipt_number,
            work.occurred_at_text(),
            work.day_text(),
            refund.total.cents(),
        ],
    )?;
    for (line_no, line) in lines {
        cached_execute(
            &work.tx,
            "INSERT INTO refund_line (refund_id, sale_line_no, quantity_milli, amount_cents) VALUES (?1, ?2, ?3, ?4)",
            params![
                refund.refund_id.to_string(),
                i64::try_from(*line_no).unwrap_or(i64::MAX),
                line.quantity.milli(),
                line.amount.cents()
            ],
        )?;
    }
    Ok(())
}

/// A payment's own row (its tenders and allocations are its effects).
pub(crate) fn payment(work: &Work<'_>, payment: &Payment) -> Result<()> {
    cached_execute(&work.tx,
        "INSERT INTO payment (id, business_id, customer_id, receipt_number, occurred_at, business_day, total_cents, unapplied_cents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            payment.payment_id.to_string(),
            work.business.id.to_string(),
            payment.customer_id.to_string(),
            payment.receipt_number,
            work.occurred_at_text(),
            work.day_text(),
            payment.total.cents(),
            payment.unapplied.cents(),
        ],
    )?;
    Ok(())
}

/// The shift a cashier opened, with its float.
pub(crate) fn shift_opened(work: &Work<'_>, opened: &ShiftOpened) -> Result<()> {
    cached_execute(
        &work.tx,
        "INSERT INTO shift (id, business_id, staff_id, opened_at, business_day, float_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            opened.shift_id.to_string(),
            work.business.id.to_string(),
            work.session.staff_id.to_string(),
            work.occurred_at_text(),
            work.day_text(),
            opened.float.cents(),
        ],
    )?;
    Ok(())
}

/// The shift closed, with what was expected and counted.
pub(crate) fn shift_closed(work: &Work<'_>, closed: &ShiftClosed) -> Result<()> {
    cached_execute(
        &work.tx,
        "UPDATE shift SET closed_at = ?1, expected_cents = ?2, counted_cents = ?3 WHERE id = ?4",
        params![
            work.occurred_at_text(),
            closed.expected_cash.cents(),
            closed.counted_cash.cents(),
            closed.shift_id.to_string()
        ],
    )?;
    Ok(())
}

/// A petty-cash expense.
pub(crate) fn expense(work: &Work<'_>, expense: &Expense) -> Result<()> {
    cached_execute(
        &work.tx,
        "INSERT INTO expense (id, business_id, account, amount_cents, description, paid_from, occurred_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            expense.expense_id.to_string(),
            work.business.id.to_string(),
            expense.account.number(),
            expense.amount.cents(),
            expense.description,
            expense.paid_from.as_str(),
            work.occurred_at_text(),
        ],
    )?;
    Ok(())
}

/// Cash in or out of the drawer that is not a sale.
pub(crate) fn cash_movement(work: &Work<'_>, movement: &CashMovement) -> Result<()> {
    cached_execute(
        &work.tx,
        "INSERT INTO cash_movement (id, business_id, kind, amount_cents, note, occurred_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            movement.movement_id.to_string(),
            work.business.id.to_string(),
            movement.kind.as_str(),
            movement.amount.cents(),
            movement.note,
            work.occurred_at_text(),
        ],
    )?;
    Ok(())
}

/// The day closed at this till, with its Z report.
pub(crate) fn day_closed(work: &Work<'_>, report: &DayClosed) -> Result<()> {
    cached_execute(
        &work.tx,
        "INSERT INTO day_close (business_id, business_day, closed_at, staff_id, report) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            work.business.id.to_string(),
            work.day_text(),
            work.occurred_at_text(),
            work.session.staff_id.to_string(),
            serde_json::to_string(report).expect("reports serialise"),
        ],
    )?;
    Ok(())
}
