//! LPG at the counter: exchange the customer's empty for a full cylinder, or sell a new one
//! outright or against a deposit. Cylinder stock is counted full and empty per size and brand.

use serde::{Deserialize, Serialize};
use tillbook_core::catalog::Lookup;
use tillbook_core::documents::{
    DepositRefund, Document, LpgSale, NewCylinder, Tender, TenderInput, TenderMethod, settle,
};
use tillbook_core::ids::{CylinderTypeId, DocumentId};
use tillbook_core::{DocumentError, Money, Quantity};

use super::sales::check_credit;
use super::{Recorded, ShiftNeed, Warning, Work};
use crate::error::Result;
use crate::master::SqlLookup;
use crate::staff::Session;
use crate::store::documents;
use crate::till::Till;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LpgRequest {
    /// The full cylinders handed out.
    pub cylinder_type_id: CylinderTypeId,
    pub quantity: u32,
    /// For an exchange: the customer's empties.
    #[serde(default)]
    pub empty_in: Option<CylinderTypeId>,
    /// For a customer without an empty.
    #[serde(default)]
    pub new_cylinder: Option<NewCylinder>,
    pub tenders: Vec<TenderInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LpgOutcome {
    pub sale_id: DocumentId,
    pub receipt_number: String,
    pub total: Money,
    pub vat: Money,
    pub tenders: Vec<Tender>,
    pub change: Money,
    pub warnings: Vec<Warning>,
    pub recorded: Recorded,
}

impl Till {
    pub fn lpg_sale(&mut self, session: &Session, request: &LpgRequest) -> Result<LpgOutcome> {
        let mut work = self.work(session, ShiftNeed::Required)?;
        let receipt_number = work.next_receipt_number()?;
        let mut sale = price(&work, request, receipt_number)?;
        let settlement = settle(sale.total, &request.tenders)?;
        check_credit(&work, &settlement.tenders)?;
        sale.tenders = settlement.tenders;
        let recorded = work.record(&Document::LpgSale(sale.clone()))?;
        documents::sale_header(&work, sale.sale_id, "lpg", &sale.receipt_number, sale.total)?;
        documents::lpg_sale(&work, &sale, request.quantity)?;
        let warnings = std::mem::take(&mut work.warnings);
        work.commit()?;
        let vat = sale.vat()?;
        Ok(LpgOutcome {
            sale_id: sale.sale_id,
            receipt_number: sale.receipt_number,
            total: sale.total,
            vat,
            tenders: sale.tenders,
            change: settlement.change,
            warnings,
            recorded,
        })
    }
}

/// A lent cylinder brought back: how many, and how the deposit is paid back (cash, or M-Pesa
/// with the transaction's code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DepositBackRequest {
    pub cylinder_type_id: CylinderTypeId,
    pub quantity: u32,
    pub method: TenderMethod,
    #[serde(default)]
    pub mpesa_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepositBackOutcome {
    pub refund_id: DocumentId,
    pub receipt_number: String,
    pub total: Money,
    pub tenders: Vec<Tender>,
    pub warnings: Vec<Warning>,
    pub recorded: Recorded,
}

impl Till {
    /// Pays back the deposit of lent cylinders brought back, at the cylinder type's deposit;
    /// the empties are the shop's again. Cash comes out of the drawer (its expected cash
    /// follows the journal), or the money goes back by M-Pesa.
    pub fn refund_deposit(&mut self, session: &Session, request: &DepositBackRequest) -> Result<DepositBackOutcome> {
        if request.quantity == 0 {
            return Err(DocumentError::QuantityNotPositive { line: 0 }.into());
        }
        let mut work = self.work(session, ShiftNeed::Required)?;
        let lookup = SqlLookup::new(&work.tx);
        let cylinder = lookup.cylinder_type(request.cylinder_type_id);
        lookup.check()?;
        let cylinder = cylinder.ok_or(DocumentError::UnknownCylinderType(request.cylinder_type_id))?;
        let quantity = Quantity::try_whole(i64::from(request.quantity))?;
        let receipt_number = work.next_receipt_number()?;
        let mut refund = DepositRefund::priced(DocumentId::new(), receipt_number, &cylinder, quantity)?;
        let mpesa_code = request.mpesa_code.as_deref().map(str::trim).filter(|code| !code.is_empty());
        refund.tenders = vec![Tender {
            method: request.method,
            amount: refund.total,
            mpesa_code: mpesa_code.map(str::to_uppercase),
            customer_id: None,
        }];
        let recorded = work.record(&Document::DepositRefund(refund.clone()))?;
        let warnings = std::mem::take(&mut work.warnings);
        work.commit()?;
        Ok(DepositBackOutcome {
            refund_id: refund.refund_id,
            receipt_number: refund.receipt_number,
            total: refund.total,
            tenders: refund.tenders,
            warnings,
            recorded,
        })
    }
}

/// What the counter shows before the customer pays: the total and the VAT in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LpgQuote {
    pub total: Money,
    pub vat: Money,
    /// The refundable deposit within the total (no VAT), if a cylinder is lent.
    pub deposit: Money,
}

impl Till {
    /// Prices an LPG sale without recording anything (the request's tenders are ignored).
    pub fn quote_lpg(&mut self, session: &Session, request: &LpgRequest) -> Result<LpgQuote> {
        let work = self.work(session, ShiftNeed::IfOpen)?;
        let sale = price(&work, request, String::new())?;
        let deposit = match sale.new_cylinder {
            Some(NewCylinder::Deposit) => sale.cylinder_total,
            _ => Money::ZERO,
        };
        Ok(LpgQuote { total: sale.total, vat: sale.vat()?, deposit })
    }
}

/// The sale priced from the store's cylinder prices.
fn price(work: &Work<'_>, request: &LpgRequest, receipt_number: String) -> Result<LpgSale> {
    if request.quantity == 0 {
        return Err(DocumentError::QuantityNotPositive { line: 0 }.into());
    }
    let lookup = SqlLookup::new(&work.tx);
    let full = lookup.cylinder_type(request.cylinder_type_id).filter(|c| c.active);
    lookup.check()?;
    let full = full.ok_or(DocumentError::UnknownCylinderType(request.cylinder_type_id))?;
    let quantity = Quantity::try_whole(i64::from(request.quantity))?;
    Ok(LpgSale::priced(DocumentId::new(), receipt_number, &full, quantity, request.empty_in, request.new_cylinder)?)
}
