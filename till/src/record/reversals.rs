//! Voids and refunds: nothing is edited or deleted. A void mirrors a whole document's entry and
//! puts back its stock; a refund reverses the returned part of a sale (DESIGN §5). Both need a
//! supervisor.

use serde::{Deserialize, Serialize};
use tillbook_core::documents::{Document, Refund, RefundLine, Tender, TenderMethod, VOIDABLE_TYPES, Void, tender};
use tillbook_core::ids::DocumentId;
use tillbook_core::{DocumentError, Money, Quantity};

use super::{Recorded, ShiftNeed, Work};
use crate::error::{Result, TillError};
use crate::reports::invoice_outstanding;
use crate::staff::Session;
use crate::store::{counter, documents};
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
        let id = counter::document_of_receipt(&self.connection, &receipt)?;
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
        let original = counter::posted_original(&work.tx, document_id)?;
        let (original_type, business) =
            original.ok_or_else(|| TillError::NotFound { what: "document", number: document_id.to_string() })?;
        if !VOIDABLE_TYPES.contains(&original_type.as_str()) {
            return Err(DocumentError::NotVoidable(original_type).into());
        }
        if business != work.business.id.to_string() {
            return Err(DocumentError::OtherBusiness { what: "the document".into() }.into());
        }
        counter::check_not_reversed(&work, document_id)?;
        if original_type == "sale.recorded" || original_type == "lpg.exchanged" {
            counter::check_sale_voidable(&work, document_id)?;
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
        let sale_id = counter::goods_sale(&work.tx, &receipt, work.business.id)?;
        let sale_id = sale_id.ok_or_else(|| crate::store::prune::missing_sale(&work.tx, "sale", &receipt))?;
        counter::check_not_reversed(&work, sale_id)?;
        if request.lines.is_empty() {
            return Err(DocumentError::NoLines("a refund").into());
        }
        let mut lines = Vec::with_capacity(request.lines.len());
        for wanted in &request.lines {
            let sold = counter::sold_line(&work, sale_id, wanted.line_no)?;
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
        documents::refund(&work, &refund, &lines)?;
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
            let customer = counter::invoice_customer(&work.tx, sale_id)?;
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
