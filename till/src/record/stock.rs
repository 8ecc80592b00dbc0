//! Stock coming in and counted: supplier receipts (goods and LPG refills), water bottled at the
//! shop, and stock counts. Every change is a movement; the level is their sum.

use serde::{Deserialize, Serialize};
use tillbook_core::catalog::Lookup;
use tillbook_core::documents::{
    Allocation, CostedLine, CountLine, CylinderRefill, Document, PaidFrom, PurchaseLine, StockCount, StockReceipt,
    SupplierPaid, SupplierPayment, WaterProduction,
};
use tillbook_core::ids::{CylinderTypeId, DocumentId, ProductId, SupplierId};
use tillbook_core::money::VatRate;
use tillbook_core::{DocumentError, Money, Quantity};

use super::{Recorded, ShiftNeed, Work};
use crate::error::Result;
use crate::master::SqlLookup;
use crate::reports::stock_level;
use crate::staff::Session;
use crate::till::Till;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StockReceiptRequest {
    /// The supplier's record: required on account; its name goes on the receipt.
    #[serde(default)]
    pub supplier_id: Option<SupplierId>,
    /// A supplier with no record (a one-off cash purchase), by name.
    #[serde(default)]
    pub supplier: String,
    /// The supplier's invoice or delivery note number.
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub lines: Vec<ReceivedLine>,
    #[serde(default)]
    pub cylinders: Vec<ReceivedCylinders>,
    pub paid_by: SupplierPayment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceivedLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
    /// Net of VAT, as the supplier's invoice shows it.
    pub unit_cost: Money,
    /// The VAT the supplier's invoice charges on the line (0 when none).
    #[serde(default)]
    pub vat_rate: VatRate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceivedCylinders {
    pub cylinder_type_id: CylinderTypeId,
    pub quantity: u32,
    pub unit_cost: Money,
    #[serde(default)]
    pub vat_rate: VatRate,
}

impl StockReceiptRequest {
    /// The document: each line costed and its VAT worked out (`priced`), the total theirs.
    /// The till and head office's goods form both record goods through here.
    pub fn receipt(&self, receipt_id: DocumentId, supplier: String) -> Result<StockReceipt> {
        let (lines, cylinders) = priced(self)?;
        Ok(StockReceipt {
            receipt_id,
            supplier,
            supplier_id: self.supplier_id,
            reference: self.reference.trim().to_string(),
            total: PurchaseQuote::of(&lines, &cylinders)?.total,
            lines,
            cylinders,
            paid_by: self.paid_by,
        })
    }
}

/// Money paid to a supplier (DESIGN §5, "Supplier payment"): chosen invoices by receipt id,
/// or none for head office to apply it to the oldest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SupplierPaymentRequest {
    pub supplier_id: SupplierId,
    pub paid_from: PaidFrom,
    #[serde(default)]
    pub reference: String,
    pub amount: Money,
    #[serde(default)]
    pub allocations: Vec<Allocation>,
}

/// What goods received come to, worked out as they will be recorded: net cost, input VAT, and
/// what is paid or owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PurchaseQuote {
    pub net: Money,
    pub vat: Money,
    pub total: Money,
}

impl PurchaseQuote {
    fn of(lines: &[PurchaseLine], cylinders: &[CylinderRefill]) -> Result<PurchaseQuote> {
        let net = Money::sum(lines.iter().map(|l| l.line_cost).chain(cylinders.iter().map(|c| c.line_cost)))?;
        let vat = Money::sum(lines.iter().map(|l| l.vat).chain(cylinders.iter().map(|c| c.vat)))?;
        Ok(PurchaseQuote { net, vat, total: net.checked_add(vat)? })
    }

    /// The quote of a request, before it is recorded.
    pub fn of_request(request: &StockReceiptRequest) -> Result<PurchaseQuote> {
        let (lines, cylinders) = priced(request)?;
        PurchaseQuote::of(&lines, &cylinders)
    }
}

/// Each line costed net and its input VAT charged on top, to the cent.
fn priced(request: &StockReceiptRequest) -> Result<(Vec<PurchaseLine>, Vec<CylinderRefill>)> {
    let mut lines = Vec::with_capacity(request.lines.len());
    for line in &request.lines {
        let line_cost = line.unit_cost.times(line.quantity)?;
        lines.push(PurchaseLine {
            product_id: line.product_id,
            quantity: line.quantity,
            unit_cost: line.unit_cost,
            line_cost,
            vat_rate: line.vat_rate,
            vat: line_cost.vat_on(line.vat_rate)?,
        });
    }
    let mut cylinders = Vec::with_capacity(request.cylinders.len());
    for refill in &request.cylinders {
        let quantity = Quantity::try_whole(i64::from(refill.quantity))?;
        let line_cost = refill.unit_cost.times(quantity)?;
        cylinders.push(CylinderRefill {
            cylinder_type_id: refill.cylinder_type_id,
            quantity,
            unit_cost: refill.unit_cost,
            line_cost,
            vat_rate: refill.vat_rate,
            vat: line_cost.vat_on(refill.vat_rate)?,
        });
    }
    Ok((lines, cylinders))
}

impl Till {
    /// Goods from a supplier, and LPG refills (empties out, fulls in), at cost.
    pub fn receive_stock(&mut self, session: &Session, request: &StockReceiptRequest) -> Result<Recorded> {
        // Money from the drawer or the till's M-Pesa needs a shift; on account or the bank not.
        let shift = match request.paid_by {
            SupplierPayment::OnAccount | SupplierPayment::Bank => ShiftNeed::IfOpen,
            SupplierPayment::Cash | SupplierPayment::Mpesa => ShiftNeed::Required,
        };
        let mut work = self.work(session, shift)?;
        let supplier = match request.supplier_id {
            Some(id) => {
                let lookup = SqlLookup::new(&work.tx);
                let found = lookup.supplier(id);
                lookup.check()?;
                found.ok_or(DocumentError::UnknownSupplier(id))?.name
            }
            None => request.supplier.trim().to_string(),
        };
        let receipt = request.receipt(DocumentId::new(), supplier)?;
        let recorded = work.record(&Document::StockReceipt(receipt))?;
        work.commit()?;
        Ok(recorded)
    }

    /// Money paid to a supplier from the drawer, the business's M-Pesa or the bank.
    pub fn pay_supplier(&mut self, session: &Session, request: &SupplierPaymentRequest) -> Result<Recorded> {
        let shift = match request.paid_from {
            PaidFrom::Bank => ShiftNeed::IfOpen,
            PaidFrom::Cash | PaidFrom::Mpesa => ShiftNeed::Required,
        };
        let mut work = self.work(session, shift)?;
        let payment = SupplierPaid {
            payment_id: DocumentId::new(),
            supplier_id: request.supplier_id,
            paid_from: request.paid_from,
            reference: request.reference.trim().to_string(),
            amount: request.amount,
            allocations: request.allocations.clone(),
        };
        let recorded = work.record(&Document::SupplierPaid(payment))?;
        work.commit()?;
        Ok(recorded)
    }

    /// Bottles filled at the shop, costed at each product's standard cost.
    pub fn record_production(&mut self, session: &Session, lines: &[(ProductId, Quantity)]) -> Result<Recorded> {
        let mut work = self.work(session, ShiftNeed::IfOpen)?;
        let costed = cost_at_standard(&work, lines)?;
        let production = WaterProduction { production_id: DocumentId::new(), lines: costed };
        let recorded = work.record(&Document::WaterProduction(production.clone()))?;
        work.commit()?;
        Ok(recorded)
    }

    /// A physical count: each product's level becomes what was counted, the difference valued
    /// at standard cost.
    pub fn count_stock(&mut self, session: &Session, counted: &[(ProductId, Quantity)]) -> Result<Recorded> {
        let mut work = self.work(session, ShiftNeed::IfOpen)?;
        let lookup = SqlLookup::new(&work.tx);
        let mut lines = Vec::with_capacity(counted.len());
        for &(product_id, quantity) in counted {
            let Some(product) = lookup.product(product_id) else {
                lookup.check()?;
                return Err(DocumentError::UnknownProduct(product_id).into());
            };
            lines.push(CountLine {
                product_id,
                expected: stock_level(&work.tx, product_id)?,
                counted: quantity,
                unit_cost: product.unit_cost,
            });
        }
        lookup.check()?;
        let count = StockCount { count_id: DocumentId::new(), lines };
        let recorded = work.record(&Document::StockCount(count.clone()))?;
        work.commit()?;
        Ok(recorded)
    }
}

fn cost_at_standard(work: &Work<'_>, lines: &[(ProductId, Quantity)]) -> Result<Vec<CostedLine>> {
    let lookup = SqlLookup::new(&work.tx);
    let mut costed = Vec::with_capacity(lines.len());
    for &(product_id, quantity) in lines {
        let Some(product) = lookup.product(product_id) else {
            lookup.check()?;
            return Err(DocumentError::UnknownProduct(product_id).into());
        };
        costed.push(CostedLine {
            product_id,
            quantity,
            unit_cost: product.unit_cost,
            line_cost: product.unit_cost.times(quantity)?,
        });
    }
    lookup.check()?;
    Ok(costed)
}
