//! Voids and refunds: nothing is edited or deleted. A void mirrors a whole document's entry and
//! puts back its stock; a refund reverses the returned part of a sale (DESIGN §5). Both need a
//! supervisor.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use tillbook_core::documents::{Document, Refund, RefundLine, Tender, TenderMethod, VOIDABLE_TYPES, Void, tender};
use tillbook_core::ids::{CustomerId, DocumentId};
use tillbook_core::{DocumentError, Money, Quantity};

use super::{Recorded, ShiftNeed, Work};
use crate::error::{Result, TillError};
use crate::reports::invoice_outstanding;
use crate::sql::{cached_execute, cached_row, money, parsed, parsed_opt, quantity, vat_rate};
use crate::staff::Session;
use crate::till::Till;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefundRequest {
    pub receipt_number: String,
    pub lines: Vec<RefundLineRequest>,
    /// How the money goes back: cash, M-Pesa (with the reversal's code), or as a credit note
    /// against the sale's own invoice.
    pub method: TenderMethod,
    #[serde(default)]
    pub mpesa_code: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefundLineRequest {
    /// The line's place on the receipt, from 0.
    pub line_no: usize,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundOutcome {
    pub refund_id: DocumentId,
    pub receipt_number: String,
    pub total: Money,
    /// The VAT inside the total, for the receipt.
    pub vat: Money,
    /// What went back, line by line, and how the money was paid back: for the refund receipt.
    pub lines: Vec<RefundLine>,
    pub tender: Tender,
    pub recorded: Recorded,
}

/// A line of the original sale with what has been returned of it so far.
struct SoldLine {
    product_id: tillbook_core::ids::ProductId,
    quantity: Quantity,
    line_total: Money,
    vat_rate: tillbook_core::VatRate,
    unit_cost: Money,
    returned: Quantity,
    returned_amount: Money,
}

impl Till {
    /// Voids a whole document by its receipt number (a sale, an LPG sale, a payment).
    pub fn void_receipt(
        &mut self,
        session: &Session,
        authorised_by: &Session,
        receipt_number: &str,
        reason: &str,
    ) -> Result<Recorded> {
        let receipt = receipt_number.trim().to_ascii_uppercase();
        let found: Option<String> = self
            .connection
            .query_row(
                "SELECT id FROM sale WHERE receipt_number = ?1 UNION ALL SELECT id FROM payment WHERE receipt_number = ?1",
                [&receipt],
                |row| row.get(0),
            )
            .optional()?;
        let id = found.ok_or_else(|| TillError::NotFound { what: "receipt", number: receipt.clone() })?;
        let id: DocumentId = id.parse().map_err(|_| TillError::Invariant(format!("document id {id}")))?;
        self.void_document(session, authorised_by, id, reason)
    }

    /// Voids any voidable document: its entry mirrored, its stock put back, and it drops out of
    /// sales, balances and reports.
    pub fn void_document(
        &mut self,
        session: &Session,
        authorised_by: &Session,
        document_id: DocumentId,
        reason: &str,
    ) -> Result<Recorded> {
        authorised_by.require_supervisor("void")?;
        let mut work = self.work(session, ShiftNeed::Required)?;
        let original: Option<(String, String)> = work
            .tx
            .query_row(
                "SELECT event_type, business_id FROM journal_entry WHERE document_id = ?1 ORDER BY rowid LIMIT 1",
                [document_id.to_string()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let (original_type, business) =
            original.ok_or_else(|| TillError::NotFound { what: "document", number: document_id.to_string() })?;
        if !VOIDABLE_TYPES.contains(&original_type.as_str()) {
            return Err(DocumentError::NotVoidable(original_type).into());
        }
        if business != work.business.id.to_string() {
            return Err(DocumentError::OtherBusiness { what: "the document".into() }.into());
        }
        check_not_reversed(&work, document_id)?;
        if original_type == "sale.recorded" || original_type == "lpg.exchanged" {
            check_sale_voidable(&work, document_id)?;
        }
        let void = Void {
            void_id: DocumentId::new(),
            document_id,
            original_type: original_type.clone(),
            reason: reason.trim().to_string(),
        };
        let document = if original_type == "sale.recorded" || original_type == "lpg.exchanged" {
            Document::SaleVoided(void)
        } else {
            Document::DocumentVoided(void)
        };
        let recorded = work.record(&document)?;
        work.commit()?;
        Ok(recorded)
    }

    /// Goods brought back: part or all of some lines of a sale.
    pub fn refund_sale(
        &mut self,
        session: &Session,
        authorised_by: &Session,
        request: &RefundRequest,
    ) -> Result<RefundOutcome> {
        authorised_by.require_supervisor("refund")?;
        let mut work = self.work(session, ShiftNeed::Required)?;
        let receipt = request.receipt_number.trim().to_ascii_uppercase();
        let sale_id: Option<DocumentId> = work
            .tx
            .query_row(
                "SELECT id FROM sale WHERE receipt_number = ?1 AND kind = 'goods' AND business_id = ?2",
                params![receipt, work.business.id.to_string()],
                |row| parsed(row, "id"),
            )
            .optional()?;
        let sale_id = sale_id.ok_or_else(|| TillError::NotFound { what: "sale", number: receipt.clone() })?;
        check_not_reversed(&work, sale_id)?;
        if request.lines.is_empty() {
            return Err(DocumentError::NoLines("a refund").into());
        }
        let mut lines = Vec::with_capacity(request.lines.len());
        for wanted in &request.lines {
            let sold = sold_line(&work, sale_id, wanted.line_no)?;
            if !wanted.quantity.is_positive() {
                return Err(DocumentError::QuantityNotPositive { line: wanted.line_no }.into());
            }
            let left = sold.quantity.checked_sub(sold.returned)?;
            if wanted.quantity > left {
                return Err(TillError::RefundExceedsSold { line: wanted.line_no, left: left.to_string() });
            }
            // The last part returned takes what is left of the line, so the parts add up exactly.
            let amount = if wanted.quantity == left {
                sold.line_total.checked_sub(sold.returned_amount)?
            } else {
                sold.line_total.share(wanted.quantity, sold.quantity)?
            };
            lines.push((
                wanted.line_no,
                RefundLine {
                    product_id: sold.product_id,
                    quantity: wanted.quantity,
                    amount,
                    vat_rate: sold.vat_rate,
                    unit_cost: sold.unit_cost,
                },
            ));
        }
        let total = Money::sum(lines.iter().map(|(_, line)| line.amount))?;
        let tender = refund_tender(&work, sale_id, request, total)?;
        let refund = Refund {
            refund_id: DocumentId::new(),
            receipt_number: work.next_receipt_number()?,
            sale_id,
            lines: lines.iter().map(|(_, line)| line.clone()).collect(),
            tenders: vec![tender.clone()],
            total,
            reason: request.reason.trim().to_string(),
        };
        let recorded = work.record(&Document::Refund(refund.clone()))?;
        write_refund(&work, &refund, &lines)?;
        work.commit()?;
        let vat = refund.vat()?;
        Ok(RefundOutcome {
            refund_id: refund.refund_id,
            receipt_number: refund.receipt_number,
            total,
            vat,
            lines: refund.lines,
            tender,
            recorded,
        })
    }
}

fn check_not_reversed(work: &Work<'_>, document_id: DocumentId) -> Result<()> {
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
fn check_sale_voidable(work: &Work<'_>, sale_id: DocumentId) -> Result<()> {
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

fn sold_line(work: &Work<'_>, sale_id: DocumentId, line_no: usize) -> Result<SoldLine> {
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

fn refund_tender(work: &Work<'_>, sale_id: DocumentId, request: &RefundRequest, total: Money) -> Result<Tender> {
    match request.method {
        TenderMethod::Cash => Ok(Tender::cash(total)),
        TenderMethod::Mpesa => {
            let code =
                tender::normalise_mpesa_code(request.mpesa_code.as_deref().ok_or(DocumentError::MissingMpesaCode)?);
            tender::validate_mpesa_code(&code)?;
            Ok(Tender::mpesa(total, &code))
        }
        TenderMethod::Credit => {
            // A credit note: only against the sale's own invoice, and no more than it still owes.
            let customer: Option<Option<CustomerId>> = work
                .tx
                .query_row("SELECT customer_id FROM invoice WHERE id = ?1", [sale_id.to_string()], |row| {
                    parsed_opt(row, "customer_id")
                })
                .optional()?;
            let customer = customer.flatten().ok_or(DocumentError::CreditWithoutCustomer)?;
            let outstanding = invoice_outstanding(&work.tx, sale_id)?;
            if total > outstanding {
                return Err(
                    DocumentError::OverTendered { method: "credit", over: total.checked_sub(outstanding)? }.into()
                );
            }
            Ok(Tender::credit(total, customer))
        }
    }
}

/// A refund's own rows (its stock, tender and credit note are its effects).
fn write_refund(work: &Work<'_>, refund: &Refund, lines: &[(usize, RefundLine)]) -> Result<()> {
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
