//! Stock coming in and counted: supplier receipts (goods and LPG refills), water bottled at the
//! shop, and stock counts. Every change is a movement; the level is their sum.

use serde::{Deserialize, Serialize};
use tillbook_core::catalog::Lookup;
use tillbook_core::documents::{
    CostedLine, CountLine, CylinderRefill, Document, StockCount, StockReceipt, SupplierPayment, WaterProduction,
};
use tillbook_core::ids::{CylinderTypeId, DocumentId, ProductId};
use tillbook_core::{DocumentError, Money, Quantity};

use super::{Recorded, ShiftNeed, Work};
use crate::error::Result;
use crate::master::SqlLookup;
use crate::reports::stock_level;
use crate::staff::Session;
use crate::till::Till;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReceiptRequest {
    pub supplier: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub lines: Vec<ReceivedLine>,
    #[serde(default)]
    pub cylinders: Vec<ReceivedCylinders>,
    pub paid_by: SupplierPayment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
    pub unit_cost: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedCylinders {
    pub cylinder_type_id: CylinderTypeId,
    pub quantity: u32,
    pub unit_cost: Money,
}

impl Till {
    /// Goods from a supplier, and LPG refills (empties out, fulls in), at cost.
    pub fn receive_stock(&mut self, session: &Session, request: &StockReceiptRequest) -> Result<Recorded> {
        let shift = match request.paid_by {
            SupplierPayment::OnAccount => ShiftNeed::IfOpen,
            SupplierPayment::Cash | SupplierPayment::Mpesa => ShiftNeed::Required,
        };
        let mut work = self.work(session, shift)?;
        let mut lines = Vec::with_capacity(request.lines.len());
        for line in &request.lines {
            lines.push(CostedLine {
                product_id: line.product_id,
                quantity: line.quantity,
                unit_cost: line.unit_cost,
                line_cost: line.unit_cost.times(line.quantity)?,
            });
        }
        let mut cylinders = Vec::with_capacity(request.cylinders.len());
        for refill in &request.cylinders {
            let quantity = Quantity::try_whole(i64::from(refill.quantity))?;
            cylinders.push(CylinderRefill {
                cylinder_type_id: refill.cylinder_type_id,
                quantity,
                unit_cost: refill.unit_cost,
                line_cost: refill.unit_cost.times(quantity)?,
            });
        }
        let total = Money::sum(lines.iter().map(|l| l.line_cost).chain(cylinders.iter().map(|c| c.line_cost)))?;
        let receipt = StockReceipt {
            receipt_id: DocumentId::new(),
            supplier: request.supplier.trim().to_string(),
            reference: request.reference.trim().to_string(),
            lines,
            cylinders,
            total,
            paid_by: request.paid_by,
        };
        let recorded = work.record(&Document::StockReceipt(receipt.clone()))?;
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
