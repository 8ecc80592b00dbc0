//! LPG cylinder sales (DESIGN §5): an exchange (the customer's empty in, a full one out) or a new
//! cylinder, sold outright or lent against a refundable deposit.

use serde::{Deserialize, Serialize};

use super::tender::{Tender, post_tenders, validate_tenders};
use super::{check_text, check_total};
use crate::catalog::{CylinderType, Lookup};
use crate::chart::{Business, LpgAccounts, shared};
use crate::error::DocumentError;
use crate::ids::{CylinderTypeId, DocumentId};
use crate::journal::{EntryBuilder, Side};
use crate::money::{AmountError, Money, Quantity, VatRate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NewCylinder {
    /// The customer buys the cylinder: Cr 4320 with VAT, and the shell leaves inventory.
    Sale,
    /// The cylinder stays the shop's: Cr 2310, refundable, no VAT.
    Deposit,
}

impl NewCylinder {
    pub fn as_str(self) -> &'static str {
        match self {
            NewCylinder::Sale => "sale",
            NewCylinder::Deposit => "deposit",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LpgSale {
    pub sale_id: DocumentId,
    pub receipt_number: String,
    /// The full cylinders handed out.
    pub cylinder_type_id: CylinderTypeId,
    /// Whole cylinders.
    pub quantity: Quantity,
    /// Exchange: the type of the empties the customer brought (same size; brand may differ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_in: Option<CylinderTypeId>,
    /// A customer with no empty: how the cylinder itself is charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_cylinder: Option<NewCylinder>,
    /// VAT-inclusive gas price per cylinder, and its total for `quantity`.
    pub gas_price: Money,
    pub gas_total: Money,
    /// Per cylinder: the cylinder price or the deposit; zero for an exchange.
    pub cylinder_charge: Money,
    pub cylinder_total: Money,
    pub vat_rate: VatRate,
    pub tenders: Vec<Tender>,
    pub total: Money,
}

impl LpgSale {
    /// Prices a sale at the cylinder type's current prices, as the counter does.
    pub fn priced(
        sale_id: DocumentId,
        receipt_number: String,
        full: &CylinderType,
        quantity: Quantity,
        empty_in: Option<CylinderTypeId>,
        new_cylinder: Option<NewCylinder>,
    ) -> Result<LpgSale, DocumentError> {
        let cylinder_charge = match new_cylinder {
            None => Money::ZERO,
            Some(NewCylinder::Sale) => full.cylinder_price,
            Some(NewCylinder::Deposit) => full.deposit,
        };
        let gas_total = full.gas_price.times(quantity)?;
        let cylinder_total = cylinder_charge.times(quantity)?;
        Ok(LpgSale {
            sale_id,
            receipt_number,
            cylinder_type_id: full.id,
            quantity,
            empty_in,
            new_cylinder,
            gas_price: full.gas_price,
            gas_total,
            cylinder_charge,
            cylinder_total,
            vat_rate: full.vat_rate,
            tenders: Vec::new(),
            total: gas_total.checked_add(cylinder_total)?,
        })
    }

    /// The VAT in the sale: on the gas, and on the shell only when it is sold (a deposit
    /// carries none).
    pub fn vat(&self) -> Result<Money, AmountError> {
        let shell = match self.new_cylinder {
            Some(NewCylinder::Sale) => self.cylinder_total.vat_part(self.vat_rate),
            _ => Money::ZERO,
        };
        self.gas_total.vat_part(self.vat_rate).checked_add(shell)
    }

    fn accounts(business: &Business) -> Result<&LpgAccounts, DocumentError> {
        business.accounts.lpg.as_ref().ok_or(DocumentError::NotOfferedHere("sell LPG"))
    }

    pub fn validate(&self, business: &Business, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        LpgSale::accounts(business)?;
        check_text("receipt_number", &self.receipt_number, 32)?;
        let full = cylinder_of(lookup, business, self.cylinder_type_id)?;
        if !self.quantity.is_positive() {
            return Err(DocumentError::QuantityNotPositive { line: 0 });
        }
        if !self.quantity.is_whole() {
            return Err(DocumentError::NotWholeQuantity { line: 0, unit: "cylinders" });
        }
        match (self.empty_in, self.new_cylinder) {
            (Some(empty_id), None) => {
                let empty = cylinder_of(lookup, business, empty_id)?;
                if empty.size_kg != full.size_kg {
                    return Err(DocumentError::CylinderSizeMismatch {
                        empty_kg: empty.size_kg.to_string(),
                        full_kg: full.size_kg.to_string(),
                    });
                }
                if !self.cylinder_charge.is_zero() {
                    return Err(DocumentError::TotalMismatch { expected: Money::ZERO, actual: self.cylinder_charge });
                }
            }
            (None, Some(_)) => {}
            _ => return Err(DocumentError::ExchangeOrNewCylinder),
        }
        for (what, amount) in [("the gas price", self.gas_price), ("the cylinder charge", self.cylinder_charge)] {
            if amount.is_negative() {
                return Err(DocumentError::NegativeAmount { line: 0, what });
            }
        }
        for (price, total) in [(self.gas_price, self.gas_total), (self.cylinder_charge, self.cylinder_total)] {
            let expected = price.times(self.quantity)?;
            if expected != total {
                return Err(DocumentError::LineTotalMismatch { line: 0, expected, actual: total });
            }
        }
        let expected = self.gas_total.checked_add(self.cylinder_total)?;
        check_total(expected, self.total)?;
        validate_tenders(&self.tenders, self.total, None, lookup)
    }

    /// Dr tenders; Cr 4310 gas net + Cr 2200; Dr 5310 / Cr 1230 at gas cost; a cylinder sold
    /// outright Cr 4320 net + Cr 2200 and Dr 5310 / Cr 1240 at its cost; a deposit Cr 2310.
    pub fn post(
        &self,
        business: &Business,
        lookup: &dyn Lookup,
        builder: &mut EntryBuilder,
    ) -> Result<(), DocumentError> {
        let accounts = LpgSale::accounts(business)?;
        let full = cylinder_of(lookup, business, self.cylinder_type_id)?;
        post_tenders(builder, business, &self.tenders, Side::Debit);
        let (gas_net, gas_vat) = self.gas_total.split_vat(self.vat_rate);
        builder.credit(accounts.gas_revenue, gas_net);
        builder.credit(shared::VAT_PAYABLE, gas_vat);
        let gas_cost = full.gas_cost.times(self.quantity)?;
        builder.debit(accounts.cost_of_sales, gas_cost).credit(accounts.gas_inventory, gas_cost);
        match self.new_cylinder {
            None => {}
            Some(NewCylinder::Sale) => {
                let (net, vat) = self.cylinder_total.split_vat(self.vat_rate);
                builder.credit(accounts.cylinder_revenue, net);
                builder.credit(shared::VAT_PAYABLE, vat);
                let cost = full.cylinder_cost.times(self.quantity)?;
                builder.debit(accounts.cost_of_sales, cost).credit(accounts.cylinder_inventory, cost);
            }
            Some(NewCylinder::Deposit) => {
                builder.credit(accounts.cylinder_deposits, self.cylinder_total);
            }
        }
        Ok(())
    }
}

/// A cylinder lent on deposit comes back: the customer gets the deposit back, in cash or by
/// M-Pesa, at the cylinder type's deposit (what the shop charges for one today), and the shop
/// has the cylinder again, empty. No VAT: a deposit was never a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositRefund {
    pub refund_id: DocumentId,
    pub receipt_number: String,
    pub cylinder_type_id: CylinderTypeId,
    /// Whole cylinders brought back.
    pub quantity: Quantity,
    /// Per cylinder, and its total for `quantity`.
    pub deposit: Money,
    pub total: Money,
    /// Paid back: cash or M-Pesa, summing to `total`.
    pub tenders: Vec<Tender>,
}

impl DepositRefund {
    /// The refund of `quantity` cylinders of `cylinder` at its deposit, as the counter works it out.
    pub fn priced(
        refund_id: DocumentId,
        receipt_number: String,
        cylinder: &CylinderType,
        quantity: Quantity,
    ) -> Result<DepositRefund, DocumentError> {
        Ok(DepositRefund {
            refund_id,
            receipt_number,
            cylinder_type_id: cylinder.id,
            quantity,
            deposit: cylinder.deposit,
            total: cylinder.deposit.times(quantity)?,
            tenders: Vec::new(),
        })
    }

    pub fn validate(&self, business: &Business, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        LpgSale::accounts(business)?;
        check_text("receipt_number", &self.receipt_number, 32)?;
        let cylinder = cylinder_of(lookup, business, self.cylinder_type_id)?;
        if !self.quantity.is_positive() {
            return Err(DocumentError::QuantityNotPositive { line: 0 });
        }
        if !self.quantity.is_whole() {
            return Err(DocumentError::NotWholeQuantity { line: 0, unit: "cylinders" });
        }
        if !self.deposit.is_positive() {
            return Err(DocumentError::NegativeAmount { line: 0, what: "the deposit" });
        }
        if self.deposit != cylinder.deposit {
            return Err(DocumentError::TotalMismatch { expected: cylinder.deposit, actual: self.deposit });
        }
        check_total(self.deposit.times(self.quantity)?, self.total)?;
        validate_tenders(&self.tenders, self.total, Some("a deposit paid back"), lookup)
    }

    /// Dr cylinder deposits (2310) / Cr the tenders paid back.
    pub fn post(&self, business: &Business, builder: &mut EntryBuilder) -> Result<(), DocumentError> {
        let accounts = LpgSale::accounts(business)?;
        builder.debit(accounts.cylinder_deposits, self.total);
        post_tenders(builder, business, &self.tenders, Side::Credit);
        Ok(())
    }
}

pub(crate) fn cylinder_of(
    lookup: &dyn Lookup,
    business: &Business,
    id: CylinderTypeId,
) -> Result<CylinderType, DocumentError> {
    let cylinder = lookup.cylinder_type(id).ok_or(DocumentError::UnknownCylinderType(id))?;
    if cylinder.business_id != business.id {
        return Err(DocumentError::OtherBusiness {
            what: format!("the {} kg {} cylinder", cylinder.size_kg, cylinder.brand),
        });
    }
    Ok(cylinder)
}
