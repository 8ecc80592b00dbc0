//! Water and retail sales at the counter: priced from the store, paid by cash (with change),
//! M-Pesa, credit to a customer, or any split of them.

use serde::{Deserialize, Serialize};
use tillbook_core::catalog::{Lookup, Product};
use tillbook_core::documents::{Document, Sale, SaleLine, Tender, TenderInput, TenderMethod, settle};
use tillbook_core::ids::{CustomerId, DocumentId, ProductId};
use tillbook_core::receivables::within_credit_limit;
use tillbook_core::{DocumentError, Money, Quantity};

use super::{Recorded, ShiftNeed, Warning, Work};
use crate::error::{Result, TillError};
use crate::master::SqlLookup;
use crate::reports::customer_outstanding;
use crate::staff::Session;
use crate::store::{counter, documents};
use crate::till::Till;

pub use tillbook_core::receivables::CREDIT_TERMS_DAYS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SaleRequest {
    pub lines: Vec<SaleLineRequest>,
    pub tenders: Vec<TenderInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SaleLineRequest {
    pub product_id: ProductId,
    pub quantity: Quantity,
    #[serde(default)]
    pub discount: Money,
}

/// What the receipt shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SaleOutcome {
    pub sale_id: DocumentId,
    pub receipt_number: String,
    pub lines: Vec<SaleLine>,
    pub total: Money,
    pub vat: Money,
    pub tenders: Vec<Tender>,
    pub change: Money,
    pub warnings: Vec<Warning>,
    pub recorded: Recorded,
}

impl Till {
    /// Records a sale of goods. The cashier's input is priced at today's prices here, in Rust:
    /// the UI never computes a total, VAT or change that gets saved.
    pub fn record_sale(&mut self, session: &Session, request: &SaleRequest) -> Result<SaleOutcome> {
        let mut work = self.work(session, ShiftNeed::Required)?;
        let (lines, products) = price_lines(&work, &request.lines)?;
        let total = Sale::total_of(&lines)?;
        if !total.is_positive() {
            return Err(DocumentError::ZeroTotal.into());
        }
        let settlement = settle(total, &request.tenders)?;
        check_credit(&work, &settlement.tenders)?;
        let sale = Sale {
            sale_id: DocumentId::new(),
            receipt_number: work.next_receipt_number()?,
            lines,
            tenders: settlement.tenders,
            total,
        };
        work.products = products;
        let recorded = work.record(&Document::Sale(sale.clone()))?;
        documents::sale(&work, &sale, &work.products)?;
        let warnings = std::mem::take(&mut work.warnings);
        work.commit()?;
        let vat = Sale::vat_of(&sale.lines)?;
        Ok(SaleOutcome {
            sale_id: sale.sale_id,
            receipt_number: sale.receipt_number,
            lines: sale.lines,
            total,
            vat,
            tenders: sale.tenders,
            change: settlement.change,
            warnings,
            recorded,
        })
    }
}

/// What the counter shows while a sale is being put together: the lines priced, the total and
/// the VAT in it, all from the store's prices (the UI adds nothing up itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SaleQuote {
    pub lines: Vec<SaleLine>,
    pub total: Money,
    pub vat: Money,
}

impl Till {
    /// Prices a sale without recording anything.
    pub fn quote_sale(&mut self, session: &Session, lines: &[SaleLineRequest]) -> Result<SaleQuote> {
        let work = self.work(session, ShiftNeed::IfOpen)?;
        let (lines, _) = price_lines(&work, lines)?;
        let total = Sale::total_of(&lines)?;
        let vat = Sale::vat_of(&lines)?;
        Ok(SaleQuote { lines, total, vat })
    }

    /// The active products `business_id` sells, by name.
    pub fn products(&self, business_id: tillbook_core::ids::BusinessId) -> Result<Vec<Product>> {
        counter::active_products(&self.connection, business_id)
    }
}

/// The lines priced at today's prices, with the products they were priced from (whose unit
/// cost and stock accounts the sale's rows need).
fn price_lines(work: &Work<'_>, requests: &[SaleLineRequest]) -> Result<(Vec<SaleLine>, Vec<Product>)> {
    if requests.is_empty() {
        return Err(DocumentError::NoLines("a sale").into());
    }
    let lookup = SqlLookup::new(&work.tx);
    let mut lines = Vec::with_capacity(requests.len());
    let mut products = Vec::with_capacity(requests.len());
    for (index, request) in requests.iter().enumerate() {
        let product = lookup.product(request.product_id).filter(|product| product.active);
        let Some(product) = product else {
            lookup.check()?;
            return Err(DocumentError::UnknownProduct(request.product_id).into());
        };
        if product.business_id != work.business.id {
            return Err(DocumentError::OtherBusiness { what: format!("the product '{}'", product.name) }.into());
        }
        lines.push(SaleLine::priced(&product, request.quantity, request.discount, index)?);
        products.push(product);
    }
    lookup.check()?;
    Ok((lines, products))
}

/// A credit tender needs a known customer who stays within their credit limit, judged on what
/// this till knows offline (DESIGN §6). One credit customer per sale: one invoice.
pub(crate) fn check_credit(work: &Work<'_>, tenders: &[Tender]) -> Result<()> {
    let credit: Vec<&Tender> = tenders.iter().filter(|t| t.method == TenderMethod::Credit).collect();
    if credit.len() > 1 {
        return Err(DocumentError::TooManyLines { max: 1 }.into());
    }
    let Some(tender) = credit.first() else { return Ok(()) };
    let customer_id: CustomerId = tender.customer_id.ok_or(DocumentError::CreditWithoutCustomer)?;
    let lookup = SqlLookup::new(&work.tx);
    let customer = lookup.customer(customer_id);
    lookup.check()?;
    let customer = customer.ok_or(DocumentError::UnknownCustomer(customer_id))?;
    let outstanding = customer_outstanding(&work.tx, customer_id)?;
    if !within_credit_limit(outstanding, tender.amount, customer.credit_limit) {
        return Err(TillError::CreditLimitExceeded {
            name: customer.name,
            would_owe: outstanding.checked_add(tender.amount)?,
            limit: customer.credit_limit,
        });
    }
    Ok(())
}
