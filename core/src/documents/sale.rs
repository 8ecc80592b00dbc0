//! Water and retail sales (DESIGN §5), whose wire form DESIGN §7 fixes for every client.

use serde::{Deserialize, Serialize};

use super::tender::{Tender, post_tenders, validate_tenders};
use super::{LINES_MAX, check_text, check_total, product_of};
use crate::catalog::{Lookup, Product};
use crate::chart::{Business, shared};
use crate::error::DocumentError;
use crate::ids::{DocumentId, ProductId};
use crate::journal::{EntryBuilder, Side};
use crate::money::{AmountError, Money, Quantity, VatRate};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    pub sale_id: DocumentId,
    pub receipt_number: String,
    pub lines: Vec<SaleLine>,
    pub tenders: Vec<Tender>,
    pub total: Money,
}

/// `line_total = quantity × unit_price − discount`, the price VAT-inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SaleLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub discount: Money,
    pub vat_rate: VatRate,
    pub line_total: Money,
}

impl SaleLine {
    /// Prices a line at the product's current price, as the counter does.
    /// `index` is the line's place in the sale, for the error message.
    pub fn priced(
        product: &Product,
        quantity: Quantity,
        discount: Money,
        index: usize,
    ) -> Result<SaleLine, DocumentError> {
        let line = SaleLine {
            product_id: product.id,
            quantity,
            unit_price: product.price,
            discount,
            vat_rate: product.vat_rate,
            line_total: Money::ZERO,
        };
        let line_total = line.expected_total(index)?;
        Ok(SaleLine { line_total, ..line })
    }

    fn expected_total(&self, index: usize) -> Result<Money, DocumentError> {
        if !self.quantity.is_positive() {
            return Err(DocumentError::QuantityNotPositive { line: index });
        }
        if self.unit_price.is_negative() {
            return Err(DocumentError::NegativeAmount { line: index, what: "the price" });
        }
        if self.discount.is_negative() {
            return Err(DocumentError::NegativeAmount { line: index, what: "the discount" });
        }
        let gross = self.unit_price.times(self.quantity)?;
        if self.discount > gross {
            return Err(DocumentError::DiscountTooLarge { line: index, discount: self.discount, gross });
        }
        Ok(gross.checked_sub(self.discount)?)
    }

    /// The VAT inside this line's total.
    pub fn vat(&self) -> Money {
        self.line_total.vat_part(self.vat_rate)
    }
}

impl Sale {
    /// The total of already-priced lines: the sum of the rounded line totals (DESIGN §3), or
    /// `OutOfRange` when lines that are each valid add up past what the ledger holds.
    pub fn total_of(lines: &[SaleLine]) -> Result<Money, AmountError> {
        Money::sum(lines.iter().map(|line| line.line_total))
    }

    /// The VAT inside priced lines, as the posting credits it: each line's own.
    pub fn vat_of(lines: &[SaleLine]) -> Result<Money, AmountError> {
        Money::sum(lines.iter().map(SaleLine::vat))
    }

    pub fn validate(&self, business: &Business, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        check_text("receipt_number", &self.receipt_number, 32)?;
        validate_lines(&self.lines, business, lookup, "a sale")?;
        let expected = Sale::total_of(&self.lines)?;
        check_total(expected, self.total)?;
        validate_tenders(&self.tenders, self.total, None, lookup)
    }

    /// Dr tenders = total; Cr revenue net of VAT and Cr 2200 per line; stocked items at unit
    /// cost Dr cost of sales / Cr inventory.
    pub fn post(
        &self,
        business: &Business,
        lookup: &dyn Lookup,
        builder: &mut EntryBuilder,
    ) -> Result<(), DocumentError> {
        post_tenders(builder, business, &self.tenders, Side::Debit);
        post_lines(builder, &self.lines, lookup, Side::Credit)
    }
}

/// Checks each line: known product of this business, quantity, prices, line arithmetic.
pub(crate) fn validate_lines(
    lines: &[SaleLine],
    business: &Business,
    lookup: &dyn Lookup,
    what: &'static str,
) -> Result<(), DocumentError> {
    if lines.is_empty() {
        return Err(DocumentError::NoLines(what));
    }
    if lines.len() > LINES_MAX {
        return Err(DocumentError::TooManyLines { max: LINES_MAX });
    }
    for (index, line) in lines.iter().enumerate() {
        product_of(lookup, business, line.product_id)?;
        let expected = line.expected_total(index)?;
        if expected != line.line_total {
            return Err(DocumentError::LineTotalMismatch { line: index, expected, actual: line.line_total });
        }
    }
    Ok(())
}

/// Revenue and VAT of each line on `side` (credit for a sale, debit for a return), with stock
/// at cost moving the other way.
pub(crate) fn post_lines(
    builder: &mut EntryBuilder,
    lines: &[SaleLine],
    lookup: &dyn Lookup,
    side: Side,
) -> Result<(), DocumentError> {
    for line in lines {
        let product = lookup.product(line.product_id).ok_or(DocumentError::UnknownProduct(line.product_id))?;
        let (net, vat) = line.line_total.split_vat(line.vat_rate);
        builder.signed(product.revenue_account, side, net);
        builder.signed(shared::VAT_PAYABLE, side, vat);
        if let Some(stock) = &product.stock {
            let cost = product.unit_cost.times(line.quantity)?;
            builder.signed(stock.cost_of_sales, side.opposite(), cost);
            builder.signed(stock.inventory, side, cost);
        }
    }
    Ok(())
}
