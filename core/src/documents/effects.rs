//! What a document does besides its journal entry: stock and cylinders that move, tenders taken,
//! an invoice raised, invoices settled, a laundry job's status, an invoice cancelled, a document
//! voided. Plain data, decided here once; the till's recording and the server's merge each write
//! their own tables from it and decide none of it again (DESIGN §5).

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::{Allocation, Document, JobStatus, Tender, TenderMethod};
use crate::catalog::Lookup;
use crate::ids::{CustomerId, CylinderTypeId, DocumentId, ProductId, SupplierId};
use crate::money::{AmountError, Money, Quantity, VatRate};
use crate::receivables::CREDIT_TERMS_DAYS;

/// Why stock moved. The same words at the till and on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StockReason {
    Sale,
    Refund,
    Receipt,
    Production,
    Count,
    /// A voided document's movements, mirrored.
    Void,
}

impl StockReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StockReason::Sale => "sale",
            StockReason::Refund => "refund",
            StockReason::Receipt => "receipt",
            StockReason::Production => "production",
            StockReason::Count => "count",
            StockReason::Void => "void",
        }
    }
}

/// Why cylinders moved between full and empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CylinderReason {
    /// Full cylinders handed out.
    Sale,
    /// The customer's empties taken in.
    Exchange,
    /// Empties sent away come back full.
    Refill,
    Void,
}

impl CylinderReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CylinderReason::Sale => "sale",
            CylinderReason::Exchange => "exchange",
            CylinderReason::Refill => "refill",
            CylinderReason::Void => "void",
        }
    }
}

/// A product's stock moves by `quantity` (negative: out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockMove {
    pub product_id: ProductId,
    pub quantity: Quantity,
    pub reason: StockReason,
}

/// Whole cylinders of one type move between the full and the empty count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CylinderMove {
    pub cylinder_type_id: CylinderTypeId,
    pub full_delta: i64,
    pub empty_delta: i64,
    pub reason: CylinderReason,
}

/// What an invoice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// The part of a sale paid on credit.
    CreditSale,
    /// A laundry job, invoiced when it is dropped off.
    Laundry,
}

impl InvoiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::CreditSale => "credit_sale",
            InvoiceKind::Laundry => "laundry",
        }
    }
}

/// An invoice the document raises, numbered as its receipt or ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    pub invoice_id: DocumentId,
    pub customer_id: CustomerId,
    pub number: String,
    pub kind: InvoiceKind,
    pub amount: Money,
    /// A laundry job is due when it was promised; a credit sale on the credit terms.
    pub promised_on: Option<NaiveDate>,
}

impl Invoice {
    /// When the customer should have paid, for an invoice issued on `issued_on`.
    pub fn due_on(&self, issued_on: NaiveDate) -> Option<NaiveDate> {
        self.promised_on.or_else(|| issued_on.checked_add_days(Days::new(CREDIT_TERMS_DAYS)))
    }
}

/// What a stock receipt taken on account owes its supplier: a supplier invoice (2110), due
/// by the supplier's terms from the day it is dated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplierInvoice {
    pub invoice_id: DocumentId,
    pub supplier_id: SupplierId,
    /// The supplier's own invoice number.
    pub number: String,
    pub amount: Money,
}

/// VAT a document charges on what it sells (output) or pays on what it buys (input), at one
/// rate: the VAT return's lines. Amounts are signed: a refund's are negative. A void or a
/// cancelled laundry job is the mirror of its original's, which the merge writes from the
/// original's own lines (`voids`, `cancels_invoice`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VatAmount {
    pub input: bool,
    pub rate: VatRate,
    pub net: Money,
    pub vat: Money,
}

/// Money paid to a supplier and the invoices it settles: at the till, the ones chosen there;
/// after head office's merge, those and then the oldest open ones (what is left is paid in
/// advance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplierSettlement {
    pub supplier_id: SupplierId,
    pub amount: Money,
    pub allocations: Vec<Allocation>,
}

/// A laundry job moves from one status to the next (`from` is none when it is dropped off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub job_id: DocumentId,
    pub from: Option<JobStatus>,
    pub to: JobStatus,
}

/// Everything a document does besides posting. Each list is in the document's own order; the
/// line number of a tender is its place in `tenders`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Effects {
    /// Every product line that moves; only stocked products keep a level ([`Effects::stocked`]).
    pub stock: Vec<StockMove>,
    pub cylinders: Vec<CylinderMove>,
    pub tenders: Vec<Tender>,
    /// The tenders pay money back (a refund): their M-Pesa codes are the reversals' own, so
    /// a code seen before is no sign of a payment recorded twice.
    pub money_back: bool,
    pub invoice: Option<Invoice>,
    /// Invoices this document settles, in part or whole: a payment's allocations, or a credit
    /// note against a refunded sale's own invoice.
    pub allocations: Vec<Allocation>,
    pub status: Option<StatusChange>,
    /// The invoice a cancelled laundry job no longer asks for.
    pub cancels_invoice: Option<DocumentId>,
    /// The document a void reverses: its stock and cylinders come back as the mirror of its own
    /// movements, with [`StockReason::Void`] and [`CylinderReason::Void`].
    pub voids: Option<DocumentId>,
    /// Goods received on account: what the business now owes the supplier.
    pub supplier_invoice: Option<SupplierInvoice>,
    /// A supplier paid.
    pub supplier_payment: Option<SupplierSettlement>,
    /// The VAT the document charges or pays, one line per side and rate, exactly as its
    /// journal entry posts it to 2200.
    pub vat: Vec<VatAmount>,
    /// A customer's credit (2300) applied or paid back.
    pub credit_used: Option<CreditUse>,
}

/// Credit a customer held, used: applied to their invoices, or paid back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CreditUse {
    pub customer_id: CustomerId,
    pub amount: Money,
    /// `applied` or `refunded`.
    pub kind: &'static str,
}

impl Effects {
    /// Adds `net` and `vat` at `rate` to the document's VAT, on the line of that side and rate.
    fn add_vat(&mut self, input: bool, rate: VatRate, net: Money, vat: Money) -> Result<(), AmountError> {
        match self.vat.iter_mut().find(|line| line.input == input && line.rate == rate) {
            Some(line) => {
                line.net = line.net.checked_add(net)?;
                line.vat = line.vat.checked_add(vat)?;
            }
            None => self.vat.push(VatAmount { input, rate, net, vat }),
        }
        Ok(())
    }

    /// Output VAT inside a VAT-inclusive amount, split as the posting splits it (`sign` −1
    /// for money given back).
    fn add_output(&mut self, rate: VatRate, inclusive: Money, returned: bool) -> Result<(), AmountError> {
        let (net, vat) = inclusive.split_vat(rate);
        if returned { self.add_vat(false, rate, -net, -vat) } else { self.add_vat(false, rate, net, vat) }
    }

    fn move_stock(&mut self, product_id: ProductId, quantity: Quantity, reason: StockReason) {
        self.stock.push(StockMove { product_id, quantity, reason });
    }

    /// The stock moves that count: products whose stock is kept, and a move of something.
    pub fn stocked<'a>(&'a self, lookup: &'a dyn Lookup) -> impl Iterator<Item = &'a StockMove> + 'a {
        self.stock
            .iter()
            .filter(move |movement| movement.quantity != Quantity::default() && lookup.stocks(movement.product_id))
    }
}

/// The credit part of a set of tenders: the customer and how much they owe for it.
pub fn credit_of(tenders: &[Tender]) -> Result<Option<(CustomerId, Money)>, AmountError> {
    let Some(customer) =
        tenders.iter().find(|tender| tender.method == TenderMethod::Credit).and_then(|tender| tender.customer_id)
    else {
        return Ok(None);
    };
    let amount =
        Money::sum(tenders.iter().filter(|tender| tender.method == TenderMethod::Credit).map(|tender| tender.amount))?;
    Ok(amount.is_positive().then_some((customer, amount)))
}

fn credit_invoice(invoice_id: DocumentId, receipt: &str, tenders: &[Tender]) -> Result<Option<Invoice>, AmountError> {
    Ok(credit_of(tenders)?.map(|(customer_id, amount)| Invoice {
        invoice_id,
        customer_id,
        number: receipt.to_string(),
        kind: InvoiceKind::CreditSale,
        amount,
        promised_on: None,
    }))
}

fn cylinders(count: Quantity) -> Result<i64, AmountError> {
    if !count.is_whole() {
        return Err(AmountError::OutOfRange(count.to_string()));
    }
    Ok(count.milli() / 1000)
}

impl Document {
    /// What the document does besides its journal entry (see the module).
    pub fn effects(&self) -> Result<Effects, AmountError> {
        let mut effects = Effects::default();
        match self {
            Document::Sale(sale) => {
                for line in &sale.lines {
                    effects.move_stock(line.product_id, -line.quantity, StockReason::Sale);
                    effects.add_output(line.vat_rate, line.line_total, false)?;
                }
                effects.tenders = sale.tenders.clone();
                effects.invoice = credit_invoice(sale.sale_id, &sale.receipt_number, &sale.tenders)?;
            }
            Document::LpgSale(sale) => {
                effects.add_output(sale.vat_rate, sale.gas_total, false)?;
                if sale.new_cylinder == Some(super::NewCylinder::Sale) {
                    effects.add_output(sale.vat_rate, sale.cylinder_total, false)?;
                }
                let count = cylinders(sale.quantity)?;
                effects.cylinders.push(CylinderMove {
                    cylinder_type_id: sale.cylinder_type_id,
                    full_delta: -count,
                    empty_delta: 0,
                    reason: CylinderReason::Sale,
                });
                if let Some(empty) = sale.empty_in {
                    effects.cylinders.push(CylinderMove {
                        cylinder_type_id: empty,
                        full_delta: 0,
                        empty_delta: count,
                        reason: CylinderReason::Exchange,
                    });
                }
                effects.tenders = sale.tenders.clone();
                effects.invoice = credit_invoice(sale.sale_id, &sale.receipt_number, &sale.tenders)?;
            }
            // The shop's cylinder comes back empty, and the deposit goes back to the customer.
            Document::DepositRefund(refund) => {
                effects.cylinders.push(CylinderMove {
                    cylinder_type_id: refund.cylinder_type_id,
                    full_delta: 0,
                    empty_delta: cylinders(refund.quantity)?,
                    reason: CylinderReason::Exchange,
                });
                effects.tenders = refund.tenders.clone();
                effects.money_back = true;
            }
            Document::Refund(refund) => {
                for line in &refund.lines {
                    effects.move_stock(line.product_id, line.quantity, StockReason::Refund);
                    effects.add_output(line.vat_rate, line.amount, true)?;
                }
                effects.tenders = refund.tenders.clone();
                effects.money_back = true;
                // Money returned on credit is a credit note against the sale's own invoice.
                if let Some((_, amount)) = credit_of(&refund.tenders)? {
                    effects.allocations.push(Allocation { invoice_id: refund.sale_id, amount });
                }
            }
            Document::SaleVoided(void) | Document::DocumentVoided(void) => effects.voids = Some(void.document_id),
            Document::LaundryDropOff(job) => {
                for item in &job.items {
                    effects.add_output(item.vat_rate, item.line_total, false)?;
                }
                effects.invoice = Some(Invoice {
                    invoice_id: job.job_id,
                    customer_id: job.customer_id,
                    number: job.ticket_number.clone(),
                    kind: InvoiceKind::Laundry,
                    amount: job.total,
                    promised_on: Some(job.promised_at.date_naive()),
                });
                effects.status = Some(StatusChange { job_id: job.job_id, from: None, to: JobStatus::Received });
            }
            Document::LaundryStatusChange(change) => {
                effects.status = Some(StatusChange { job_id: change.job_id, from: Some(change.from), to: change.to });
                if change.to == JobStatus::Cancelled {
                    effects.cancels_invoice = Some(change.job_id);
                }
            }
            Document::LaundryPaid(payment) | Document::PaymentReceived(payment) => {
                effects.tenders = payment.tenders.clone();
                effects.allocations = payment.allocations.clone();
            }
            Document::CreditApplied(applied) => {
                effects.allocations = applied.allocations.clone();
                effects.credit_used =
                    Some(CreditUse { customer_id: applied.customer_id, amount: applied.total, kind: "applied" });
            }
            Document::CreditRefunded(refund) => {
                effects.tenders = refund.tenders.clone();
                effects.money_back = true;
                effects.credit_used =
                    Some(CreditUse { customer_id: refund.customer_id, amount: refund.total, kind: "refunded" });
            }
            Document::StockReceipt(receipt) => {
                for line in &receipt.lines {
                    effects.move_stock(line.product_id, line.quantity, StockReason::Receipt);
                    effects.add_vat(true, line.vat_rate, line.line_cost, line.vat)?;
                }
                for refill in &receipt.cylinders {
                    effects.add_vat(true, refill.vat_rate, refill.line_cost, refill.vat)?;
                }
                for refill in &receipt.cylinders {
                    let count = cylinders(refill.quantity)?;
                    effects.cylinders.push(CylinderMove {
                        cylinder_type_id: refill.cylinder_type_id,
                        full_delta: count,
                        empty_delta: -count,
                        reason: CylinderReason::Refill,
                    });
                }
                if let (super::SupplierPayment::OnAccount, Some(supplier_id)) = (receipt.paid_by, receipt.supplier_id) {
                    effects.supplier_invoice = Some(SupplierInvoice {
                        invoice_id: receipt.receipt_id,
                        supplier_id,
                        number: receipt.reference.trim().to_string(),
                        amount: receipt.total,
                    });
                }
            }
            Document::SupplierPaid(payment) => {
                effects.supplier_payment = Some(SupplierSettlement {
                    supplier_id: payment.supplier_id,
                    amount: payment.amount,
                    allocations: payment.allocations.clone(),
                });
            }
            Document::WaterProduction(production) => {
                for line in &production.lines {
                    effects.move_stock(line.product_id, line.quantity, StockReason::Production);
                }
            }
            Document::StockCount(count) => {
                for line in &count.lines {
                    effects.move_stock(line.product_id, line.difference()?, StockReason::Count);
                }
            }
            Document::Expense(expense) => {
                if expense.vat_rate != VatRate::ZERO {
                    let (net, vat) = expense.split_vat();
                    effects.add_vat(true, expense.vat_rate, net, vat)?;
                }
            }
            Document::CustomerCreated(_)
            | Document::CustomerChanged(_)
            | Document::CashMovement(_)
            | Document::ShiftOpened(_)
            | Document::ShiftClosed(_)
            | Document::DayClosed(_) => {}
        }
        Ok(effects)
    }
}
