//! Stock coming in: supplier receipts (including LPG refills), water bottled at the shop, and
//! stock counts (DESIGN §5). Stock itself is a sum of movements.

use serde::{Deserialize, Serialize};

use super::cash::PaidFrom;
use super::lpg::cylinder_of;
use super::{LINES_MAX, check_text, check_total, product_of};
use crate::catalog::{Lookup, Product, StockAccounts};
use crate::chart::{Business, shared};
use crate::error::DocumentError;
use crate::ids::{CylinderTypeId, DocumentId, ProductId, SupplierId};
use crate::journal::{EntryBuilder, Side};
use crate::money::{AmountError, Money, Quantity, VatRate};

/// How goods are paid for: from the drawer, by M-Pesa, from the bank (head office paying the
/// invoice as it enters it), or on account (2110).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SupplierPayment {
    Cash,
    Mpesa,
    Bank,
    OnAccount,
}

impl SupplierPayment {
    /// Where the money came from, unless the goods were taken on account.
    pub fn paid_from(self) -> Option<PaidFrom> {
        match self {
            SupplierPayment::Cash => Some(PaidFrom::Cash),
            SupplierPayment::Mpesa => Some(PaidFrom::Mpesa),
            SupplierPayment::Bank => Some(PaidFrom::Bank),
            SupplierPayment::OnAccount => None,
        }
    }

    /// As the wire and head office's `purchase.paid_by` spell it.
    pub fn as_str(self) -> &'static str {
        self.paid_from().map_or("on_account", PaidFrom::as_str)
    }
}

/// Goods from a supplier: a purchase. Its lines are at cost net of VAT, each with the input
/// VAT the supplier's invoice charges on it; the total is what is paid or owed. Taken on
/// account it is a supplier invoice, owed in 2110 until a [`SupplierPaid`] settles it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReceipt {
    pub receipt_id: DocumentId,
    /// The supplier's name as the invoice shows it (the record's name when `supplier_id` is set).
    pub supplier: String,
    /// The supplier's record; required on account, so the debt has someone to be paid to.
    /// Absent from receipts recorded before suppliers were kept.
    #[serde(default)]
    pub supplier_id: Option<SupplierId>,
    /// The supplier's invoice (or delivery note) number; required on account.
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub lines: Vec<PurchaseLine>,
    /// LPG refills: the supplier takes empties and leaves as many full cylinders.
    #[serde(default)]
    pub cylinders: Vec<CylinderRefill>,
    pub total: Money,
    pub paid_by: SupplierPayment,
}

/// A stocked product bought: its cost net of VAT, and the input VAT on it (zero before input
/// VAT was recorded, and for zero-rated or exempt goods).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
    pub unit_cost: Money,
    pub line_cost: Money,
    #[serde(default)]
    pub vat_rate: VatRate,
    #[serde(default)]
    pub vat: Money,
}

/// A quantity of a stocked product at a unit cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostedLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
    pub unit_cost: Money,
    pub line_cost: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CylinderRefill {
    pub cylinder_type_id: CylinderTypeId,
    pub quantity: Quantity,
    pub unit_cost: Money,
    pub line_cost: Money,
    #[serde(default)]
    pub vat_rate: VatRate,
    #[serde(default)]
    pub vat: Money,
}

/// Checks a purchase line's input VAT: the rate on its net cost, to the cent.
fn check_vat(index: usize, line_cost: Money, rate: VatRate, vat: Money) -> Result<(), DocumentError> {
    let expected = line_cost.vat_on(rate)?;
    if expected != vat {
        return Err(DocumentError::VatMismatch { line: index, expected, actual: vat });
    }
    Ok(())
}

fn check_costed(index: usize, quantity: Quantity, unit_cost: Money, line_cost: Money) -> Result<(), DocumentError> {
    if !quantity.is_positive() {
        return Err(DocumentError::QuantityNotPositive { line: index });
    }
    if unit_cost.is_negative() {
        return Err(DocumentError::NegativeAmount { line: index, what: "the unit cost" });
    }
    let expected = unit_cost.times(quantity)?;
    if expected != line_cost {
        return Err(DocumentError::LineTotalMismatch { line: index, expected, actual: line_cost });
    }
    Ok(())
}

fn stocked_product(
    lookup: &dyn Lookup,
    business: &Business,
    id: ProductId,
) -> Result<(Product, StockAccounts), DocumentError> {
    let product = product_of(lookup, business, id)?;
    let accounts = product.stock.clone().ok_or_else(|| DocumentError::NotStocked(product.name.clone()))?;
    Ok((product, accounts))
}

fn check_line_count(count: usize, what: &'static str) -> Result<(), DocumentError> {
    if count == 0 {
        return Err(DocumentError::NoLines(what));
    }
    if count > LINES_MAX {
        return Err(DocumentError::TooManyLines { max: LINES_MAX });
    }
    Ok(())
}

impl StockReceipt {
    pub fn validate(&self, business: &Business, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        check_text("supplier", &self.supplier, 100)?;
        check_text("reference", &self.reference, 64)?;
        if let Some(id) = self.supplier_id {
            lookup.supplier(id).ok_or(DocumentError::UnknownSupplier(id))?;
        }
        let on_account = self.paid_by == SupplierPayment::OnAccount;
        if on_account && (self.supplier_id.is_none() || self.reference.trim().is_empty()) {
            return Err(DocumentError::OnAccountWithoutSupplier);
        }
        check_line_count(self.lines.len() + self.cylinders.len(), "a stock receipt")?;
        for (index, line) in self.lines.iter().enumerate() {
            stocked_product(lookup, business, line.product_id)?;
            check_costed(index, line.quantity, line.unit_cost, line.line_cost)?;
            check_vat(index, line.line_cost, line.vat_rate, line.vat)?;
        }
        if !self.cylinders.is_empty() {
            business.accounts.lpg.as_ref().ok_or(DocumentError::NotOfferedHere("sell LPG"))?;
        }
        for (index, refill) in self.cylinders.iter().enumerate() {
            cylinder_of(lookup, business, refill.cylinder_type_id)?;
            if !refill.quantity.is_whole() {
                return Err(DocumentError::NotWholeQuantity { line: index, unit: "cylinders" });
            }
            check_costed(index, refill.quantity, refill.unit_cost, refill.line_cost)?;
            check_vat(index, refill.line_cost, refill.vat_rate, refill.vat)?;
        }
        let expected = self.net()?.checked_add(self.vat()?)?;
        check_total(expected, self.total)?;
        Ok(())
    }

    /// What the goods cost net of VAT.
    pub fn net(&self) -> Result<Money, AmountError> {
        Money::sum(self.lines.iter().map(|l| l.line_cost).chain(self.cylinders.iter().map(|c| c.line_cost)))
    }

    /// The input VAT the supplier charged.
    pub fn vat(&self) -> Result<Money, AmountError> {
        Money::sum(self.lines.iter().map(|l| l.vat).chain(self.cylinders.iter().map(|c| c.vat)))
    }

    /// Dr inventory at cost and Dr 2200 the input VAT / Cr cash, M-Pesa or 2110.
    pub fn post(
        &self,
        business: &Business,
        lookup: &dyn Lookup,
        builder: &mut EntryBuilder,
    ) -> Result<(), DocumentError> {
        for line in &self.lines {
            let (_, accounts) = stocked_product(lookup, business, line.product_id)?;
            builder.debit(accounts.inventory, line.line_cost);
        }
        if let Some(lpg) = &business.accounts.lpg {
            for refill in &self.cylinders {
                builder.debit(lpg.gas_inventory, refill.line_cost);
            }
        }
        builder.debit(shared::VAT_PAYABLE, self.vat()?);
        let paid_from = self.paid_by.paid_from().map_or(shared::PAYABLE_SUPPLIERS, |from| from.account(business));
        builder.credit(paid_from, self.total);
        Ok(())
    }
}

/// Money paid to a supplier against what the business owes them (2110). The chosen invoices
/// (goods received on account, by receipt id) take their allocations; head office applies the
/// rest to the supplier's oldest open invoices of the business when it merges the payment, and
/// what is left after that is paid in advance. The journal entry is the same either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierPaid {
    pub payment_id: DocumentId,
    pub supplier_id: SupplierId,
    pub paid_from: PaidFrom,
    /// An M-Pesa code, cheque or bank transfer reference, as the supplier will see it.
    #[serde(default)]
    pub reference: String,
    pub amount: Money,
    #[serde(default)]
    pub allocations: Vec<super::Allocation>,
}

impl SupplierPaid {
    pub const ALLOCATIONS_MAX: usize = 200;

    pub fn validate(&self, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        check_text("reference", &self.reference, 64)?;
        lookup.supplier(self.supplier_id).ok_or(DocumentError::UnknownSupplier(self.supplier_id))?;
        if !self.amount.is_positive() {
            return Err(DocumentError::ZeroTotal);
        }
        if self.allocations.len() > Self::ALLOCATIONS_MAX {
            return Err(DocumentError::TooManyLines { max: Self::ALLOCATIONS_MAX });
        }
        for (index, allocation) in self.allocations.iter().enumerate() {
            if !allocation.amount.is_positive() {
                return Err(DocumentError::TenderNotPositive { index });
            }
        }
        let allocated = Money::sum(self.allocations.iter().map(|allocation| allocation.amount))?;
        if allocated > self.amount {
            return Err(DocumentError::OverAllocated { allocated, paid: self.amount });
        }
        Ok(())
    }

    /// Dr 2110 / Cr cash, M-Pesa or bank.
    pub fn post(&self, business: &Business, builder: &mut EntryBuilder) {
        builder.debit(shared::PAYABLE_SUPPLIERS, self.amount).credit(self.paid_from.account(business), self.amount);
    }
}

/// Bottles filled at the shop. Their standard cost moves from cost of sales into inventory, so
/// that selling them later relieves inventory at the same cost (DESIGN §5, "water production").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaterProduction {
    pub production_id: DocumentId,
    pub lines: Vec<CostedLine>,
}

impl WaterProduction {
    pub fn validate(&self, business: &Business, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        check_line_count(self.lines.len(), "a production record")?;
        for (index, line) in self.lines.iter().enumerate() {
            stocked_product(lookup, business, line.product_id)?;
            check_costed(index, line.quantity, line.unit_cost, line.line_cost)?;
        }
        Ok(())
    }

    /// Posts only when the bottles have a cost; otherwise the record moves stock alone.
    pub fn post(
        &self,
        business: &Business,
        lookup: &dyn Lookup,
        builder: &mut EntryBuilder,
    ) -> Result<bool, DocumentError> {
        let mut posted = false;
        for line in &self.lines {
            let (_, accounts) = stocked_product(lookup, business, line.product_id)?;
            builder.debit(accounts.inventory, line.line_cost).credit(accounts.cost_of_sales, line.line_cost);
            posted |= line.line_cost.is_positive();
        }
        Ok(posted)
    }
}

/// A physical count: what the shelf holds against what the movements say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockCount {
    pub count_id: DocumentId,
    pub lines: Vec<CountLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountLine {
    pub product_id: ProductId,
    pub expected: Quantity,
    pub counted: Quantity,
    pub unit_cost: Money,
}

impl CountLine {
    /// Counted − expected: what the count adds to (or takes from) stock.
    pub fn difference(&self) -> Result<Quantity, AmountError> {
        self.counted.checked_sub(self.expected)
    }
}

impl StockCount {
    pub fn validate(&self, business: &Business, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        check_line_count(self.lines.len(), "a stock count")?;
        for (index, line) in self.lines.iter().enumerate() {
            stocked_product(lookup, business, line.product_id)?;
            if line.counted < Quantity::default() {
                return Err(DocumentError::QuantityNotPositive { line: index });
            }
            if line.unit_cost.is_negative() {
                return Err(DocumentError::NegativeAmount { line: index, what: "the unit cost" });
            }
        }
        Ok(())
    }

    /// A shortage: Dr cost of sales / Cr inventory at cost; a surplus the other way round.
    pub fn post(
        &self,
        business: &Business,
        lookup: &dyn Lookup,
        builder: &mut EntryBuilder,
    ) -> Result<bool, DocumentError> {
        let mut posted = false;
        for line in &self.lines {
            let (_, accounts) = stocked_product(lookup, business, line.product_id)?;
            let value = line.unit_cost.times(line.difference()?)?;
            builder.signed(accounts.inventory, Side::Debit, value);
            builder.signed(accounts.cost_of_sales, Side::Credit, value);
            posted |= !value.is_zero();
        }
        Ok(posted)
    }
}
