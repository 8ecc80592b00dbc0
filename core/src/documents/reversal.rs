//! Voids and refunds (DESIGN §5): nothing is edited or deleted; a reversal entry mirrors the
//! original, or the returned part of it, and names it.

use serde::{Deserialize, Serialize};

use super::tender::{Tender, post_tenders, validate_tenders};
use super::{LINES_MAX, check_text, check_total, product_of};
use crate::catalog::Lookup;
use crate::chart::{Business, shared};
use crate::error::DocumentError;
use crate::ids::{DocumentId, ProductId};
use crate::journal::{EntryBuilder, Side};
use crate::money::{Money, Quantity, VatRate};

/// Event types whose documents a void may reverse. Reversals themselves, drop-offs (cancel the
/// job instead) and cash counts are not among them.
pub const VOIDABLE_TYPES: [&str; 11] = [
    "sale.recorded",
    "lpg.exchanged",
    "payment.received",
    "laundry.paid",
    "credit.applied",
    "credit.refunded",
    "expense.recorded",
    "cash.moved",
    "stock.received",
    "supplier.paid",
    "water.produced",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Void {
    pub void_id: DocumentId,
    /// The document voided and its event type.
    pub document_id: DocumentId,
    pub original_type: String,
    pub reason: String,
}

impl Void {
    pub fn validate(&self) -> Result<(), DocumentError> {
        check_text("reason", &self.reason, 200)?;
        if self.reason.trim().is_empty() {
            return Err(DocumentError::Empty("reason"));
        }
        if !VOIDABLE_TYPES.contains(&self.original_type.as_str()) {
            return Err(DocumentError::NotVoidable(self.original_type.clone()));
        }
        Ok(())
    }

    /// Every line of the original's entry, on the other side.
    pub fn post(&self, lookup: &dyn Lookup, builder: &mut EntryBuilder) -> Result<(), DocumentError> {
        let original = lookup.entry_of(self.document_id).ok_or(DocumentError::NothingToReverse(self.document_id))?;
        for line in original.lines() {
            builder.signed(line.account, line.side.opposite(), line.amount);
        }
        Ok(())
    }
}

/// Goods brought back from a sale: revenue, VAT and stock reversed for the returned part, and
/// the money paid back (or credited to the customer's invoice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub refund_id: DocumentId,
    pub receipt_number: String,
    pub sale_id: DocumentId,
    pub lines: Vec<RefundLine>,
    pub tenders: Vec<Tender>,
    pub total: Money,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
    /// VAT-inclusive amount returned: the sold line's total in proportion to the quantity.
    pub amount: Money,
    pub vat_rate: VatRate,
    /// The cost the sale took out of stock, so stock comes back at the same value.
    pub unit_cost: Money,
}

impl RefundLine {
    /// The VAT inside the amount returned.
    pub fn vat(&self) -> Money {
        self.amount.vat_part(self.vat_rate)
    }
}

impl Refund {
    /// The VAT inside what is paid back, as the posting debits it: each line's own.
    pub fn vat(&self) -> Result<Money, crate::money::AmountError> {
        Money::sum(self.lines.iter().map(RefundLine::vat))
    }

    pub fn validate(&self, business: &Business, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        check_text("receipt_number", &self.receipt_number, 32)?;
        check_text("reason", &self.reason, 200)?;
        if self.lines.is_empty() {
            return Err(DocumentError::NoLines("a refund"));
        }
        if self.lines.len() > LINES_MAX {
            return Err(DocumentError::TooManyLines { max: LINES_MAX });
        }
        for (index, line) in self.lines.iter().enumerate() {
            product_of(lookup, business, line.product_id)?;
            if !line.quantity.is_positive() {
                return Err(DocumentError::QuantityNotPositive { line: index });
            }
            if line.amount.is_negative() || line.unit_cost.is_negative() {
                return Err(DocumentError::NegativeAmount { line: index, what: "a refund amount" });
            }
        }
        let expected = Money::sum(self.lines.iter().map(|line| line.amount))?;
        check_total(expected, self.total)?;
        validate_tenders(&self.tenders, self.total, None, lookup)
    }

    /// Dr revenue net and Dr 2200 per line; stocked items Dr inventory / Cr cost of sales at the
    /// sale's cost; Cr the tenders paid back.
    pub fn post(
        &self,
        business: &Business,
        lookup: &dyn Lookup,
        builder: &mut EntryBuilder,
    ) -> Result<(), DocumentError> {
        for line in &self.lines {
            let product = product_of(lookup, business, line.product_id)?;
            let (net, vat) = line.amount.split_vat(line.vat_rate);
            builder.debit(product.revenue_account, net);
            builder.debit(shared::VAT_PAYABLE, vat);
            if let Some(stock) = &product.stock {
                let cost = line.unit_cost.times(line.quantity)?;
                builder.debit(stock.inventory, cost).credit(stock.cost_of_sales, cost);
            }
        }
        post_tenders(builder, business, &self.tenders, Side::Credit);
        Ok(())
    }
}
