//! Every action that moves money or stock is a document (DESIGN §5). A `Document` knows its
//! event type, how to check itself against the master data, and its posting rule: a pure
//! function to one balanced `JournalEntry` (or none, for a status change).

pub mod cash;
pub mod credit;
pub mod effects;
pub mod laundry;
pub mod lpg;
pub mod payment;
pub mod reversal;
pub mod sale;
pub mod stock;
pub mod tender;

use serde::{Deserialize, Serialize};

pub use cash::{
    CashMovement, CashMovementKind, DayClosed, DenominationCount, Expense, PaidFrom, ShiftClosed, ShiftOpened,
};
pub use credit::{CreditApplied, CreditRefunded};
pub use effects::{
    CreditUse, CylinderMove, CylinderReason, Effects, Invoice, InvoiceKind, StatusChange, StockMove, StockReason,
    SupplierInvoice, SupplierSettlement, VatAmount, credit_of,
};
pub use laundry::{JobStatus, LaundryDropOff, LaundryItem, LaundryStatusChange};
pub use lpg::{DepositRefund, LpgSale, NewCylinder};
pub use payment::{Allocation, Payment};
pub use reversal::{Refund, RefundLine, VOIDABLE_TYPES, Void};
pub use sale::{Sale, SaleLine};
pub use stock::{
    CostedLine, CountLine, CylinderRefill, PurchaseLine, StockCount, StockReceipt, SupplierPaid, SupplierPayment,
    WaterProduction,
};
pub use tender::{Settlement, Tender, TenderInput, TenderMethod, settle};

use crate::catalog::{Lookup, Product};
use crate::chart::Business;
use crate::error::DocumentError;
use crate::ids::{CustomerId, DocumentId, EntryId, ProductId};
use crate::journal::{EntryBuilder, JournalEntry};
use crate::money::Money;

/// No counter document needs more; the limit bounds what a hostile batch can make us do.
pub const LINES_MAX: usize = 200;

/// A new customer, created at a till (offline too) and shared across businesses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCreated {
    pub customer_id: CustomerId,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub credit_limit: Money,
}

impl CustomerCreated {
    pub fn validate(&self) -> Result<(), DocumentError> {
        check_text("name", &self.name, 100)?;
        if self.name.trim().is_empty() {
            return Err(DocumentError::Empty("name"));
        }
        if let Some(phone) = &self.phone {
            check_text("phone", phone, 20)?;
        }
        if self.credit_limit.is_negative() {
            return Err(DocumentError::NegativeAmount { line: 0, what: "the credit limit" });
        }
        Ok(())
    }
}

/// The document of each event type. Serialised adjacently tagged, which is exactly the event
/// envelope's `type` and `document` fields (DESIGN §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "document")]
pub enum Document {
    #[serde(rename = "customer.created")]
    CustomerCreated(CustomerCreated),
    /// A customer's name, phone or credit limit changed at a till: the same fields as when
    /// they were created, the customer's current ones.
    #[serde(rename = "customer.changed")]
    CustomerChanged(CustomerCreated),
    #[serde(rename = "sale.recorded")]
    Sale(Sale),
    #[serde(rename = "sale.refunded")]
    Refund(Refund),
    #[serde(rename = "sale.voided")]
    SaleVoided(Void),
    #[serde(rename = "document.voided")]
    DocumentVoided(Void),
    #[serde(rename = "laundry.dropped_off")]
    LaundryDropOff(LaundryDropOff),
    #[serde(rename = "laundry.status_changed")]
    LaundryStatusChange(LaundryStatusChange),
    #[serde(rename = "laundry.paid")]
    LaundryPaid(Payment),
    #[serde(rename = "lpg.exchanged")]
    LpgSale(LpgSale),
    #[serde(rename = "lpg.deposit_refunded")]
    DepositRefund(DepositRefund),
    #[serde(rename = "payment.received")]
    PaymentReceived(Payment),
    #[serde(rename = "credit.applied")]
    CreditApplied(CreditApplied),
    #[serde(rename = "credit.refunded")]
    CreditRefunded(CreditRefunded),
    #[serde(rename = "expense.recorded")]
    Expense(Expense),
    #[serde(rename = "cash.moved")]
    CashMovement(CashMovement),
    #[serde(rename = "stock.received")]
    StockReceipt(StockReceipt),
    #[serde(rename = "supplier.paid")]
    SupplierPaid(SupplierPaid),
    #[serde(rename = "water.produced")]
    WaterProduction(WaterProduction),
    #[serde(rename = "stock.counted")]
    StockCount(StockCount),
    #[serde(rename = "shift.opened")]
    ShiftOpened(ShiftOpened),
    #[serde(rename = "shift.closed")]
    ShiftClosed(ShiftClosed),
    #[serde(rename = "day.closed")]
    DayClosed(DayClosed),
}

/// A parse error's message without serde's "at line … column …": the position is in the text
/// as tagged for parsing, not in anything the till sent.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(message) => message.to_string(),
        None => message,
    }
}

/// Every event type of protocol v1, as `docs/protocol.md` lists them.
pub const EVENT_TYPES: [&str; 23] = [
    "customer.created",
    "customer.changed",
    "sale.recorded",
    "sale.refunded",
    "sale.voided",
    "document.voided",
    "laundry.dropped_off",
    "laundry.status_changed",
    "laundry.paid",
    "lpg.exchanged",
    "lpg.deposit_refunded",
    "payment.received",
    "credit.applied",
    "credit.refunded",
    "expense.recorded",
    "cash.moved",
    "stock.received",
    "supplier.paid",
    "water.produced",
    "stock.counted",
    "shift.opened",
    "shift.closed",
    "day.closed",
];

impl Document {
    pub fn event_type(&self) -> &'static str {
        match self {
            Document::CustomerCreated(_) => "customer.created",
            Document::CustomerChanged(_) => "customer.changed",
            Document::Sale(_) => "sale.recorded",
            Document::Refund(_) => "sale.refunded",
            Document::SaleVoided(_) => "sale.voided",
            Document::DocumentVoided(_) => "document.voided",
            Document::LaundryDropOff(_) => "laundry.dropped_off",
            Document::LaundryStatusChange(_) => "laundry.status_changed",
            Document::LaundryPaid(_) => "laundry.paid",
            Document::LpgSale(_) => "lpg.exchanged",
            Document::DepositRefund(_) => "lpg.deposit_refunded",
            Document::PaymentReceived(_) => "payment.received",
            Document::CreditApplied(_) => "credit.applied",
            Document::CreditRefunded(_) => "credit.refunded",
            Document::Expense(_) => "expense.recorded",
            Document::CashMovement(_) => "cash.moved",
            Document::StockReceipt(_) => "stock.received",
            Document::SupplierPaid(_) => "supplier.paid",
            Document::WaterProduction(_) => "water.produced",
            Document::StockCount(_) => "stock.counted",
            Document::ShiftOpened(_) => "shift.opened",
            Document::ShiftClosed(_) => "shift.closed",
            Document::DayClosed(_) => "day.closed",
        }
    }

    /// Parses the `type` and `document` of an event. An unknown type is its own error, so the
    /// server can quarantine what a newer till sends rather than refuse it (DESIGN §7).
    pub fn from_wire(event_type: &str, document: &serde_json::Value) -> Result<Document, DocumentError> {
        Document::from_wire_text(event_type, &document.to_string())
    }

    /// As [`Document::from_wire`], from the document's JSON text as sent: read once, straight
    /// into its type. The merge reads every event's document through here (docs/benchmarks.md:
    /// parsed into a `Value`, copied under its tag and buffered by serde, a document was read
    /// four times over). A key given twice is malformed, not the last one taken.
    pub fn from_wire_text(event_type: &str, document: &str) -> Result<Document, DocumentError> {
        let Some(known) = EVENT_TYPES.iter().find(|known| **known == event_type) else {
            return Err(DocumentError::UnknownType(event_type.to_string()));
        };
        // The tag before the content, so that serde reads the content into its variant at once
        // instead of buffering it until it finds the tag. `known` is one of our names: no escaping.
        let tagged = format!(r#"{{"type":"{known}","document":{document}}}"#);
        serde_json::from_str(&tagged).map_err(|error| DocumentError::Malformed(without_position(&error)))
    }

    /// The `document` field of the event.
    pub fn to_wire(&self) -> serde_json::Value {
        let mut tagged = serde_json::to_value(self).expect("documents serialise");
        tagged["document"].take()
    }

    /// Checks the document against the business and master data, without posting.
    pub fn validate(&self, business: &Business, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        match self {
            Document::CustomerCreated(doc) | Document::CustomerChanged(doc) => doc.validate(),
            Document::Sale(doc) => doc.validate(business, lookup),
            Document::Refund(doc) => doc.validate(business, lookup),
            Document::SaleVoided(doc) | Document::DocumentVoided(doc) => doc.validate(),
            Document::LaundryDropOff(doc) => doc.validate(business, lookup),
            Document::LaundryStatusChange(doc) => doc.validate(),
            Document::LaundryPaid(doc) | Document::PaymentReceived(doc) => doc.validate(lookup),
            Document::CreditApplied(doc) => doc.validate(lookup),
            Document::CreditRefunded(doc) => doc.validate(lookup),
            Document::LpgSale(doc) => doc.validate(business, lookup),
            Document::DepositRefund(doc) => doc.validate(business, lookup),
            Document::Expense(doc) => doc.validate(business, lookup),
            Document::CashMovement(doc) => doc.validate(),
            Document::StockReceipt(doc) => doc.validate(business, lookup),
            Document::SupplierPaid(doc) => doc.validate(lookup),
            Document::WaterProduction(doc) => doc.validate(business, lookup),
            Document::StockCount(doc) => doc.validate(business, lookup),
            Document::ShiftOpened(doc) => doc.validate(),
            Document::ShiftClosed(doc) => doc.validate(),
            Document::DayClosed(_) => Ok(()),
        }
    }

    /// Whether the document carries a journal entry: always, never, or depending on its amounts
    /// (`None`: zero-cost production, a count that matches, a shift closed without difference
    /// post nothing, and either is sound). The posting rule below is what decides it; this is
    /// what the server checks a till's event against.
    pub fn journal_expected(&self) -> Option<bool> {
        match self {
            Document::CustomerCreated(_)
            | Document::CustomerChanged(_)
            | Document::ShiftOpened(_)
            | Document::DayClosed(_) => Some(false),
            Document::LaundryStatusChange(change) => Some(change.to == JobStatus::Cancelled),
            Document::ShiftClosed(close) => Some(!close.difference.is_zero()),
            Document::WaterProduction(_) | Document::StockCount(_) => None,
            _ => Some(true),
        }
    }

    /// The posting rule: validates, then builds the document's balanced journal entry, or
    /// `None` for documents that move no money (a new customer, a status change, a shift opened).
    pub fn post(
        &self,
        business: &Business,
        lookup: &dyn Lookup,
        entry_id: EntryId,
    ) -> Result<Option<JournalEntry>, DocumentError> {
        self.validate(business, lookup)?;
        let mut builder = EntryBuilder::new();
        let posts = match self {
            Document::CustomerCreated(_)
            | Document::CustomerChanged(_)
            | Document::ShiftOpened(_)
            | Document::DayClosed(_) => false,
            Document::Sale(doc) => doc.post(business, lookup, &mut builder).map(|()| true)?,
            Document::Refund(doc) => doc.post(business, lookup, &mut builder).map(|()| true)?,
            Document::SaleVoided(doc) | Document::DocumentVoided(doc) => {
                doc.post(lookup, &mut builder).map(|()| true)?
            }
            Document::LaundryDropOff(doc) => doc.post(business, &mut builder).map(|()| true)?,
            Document::LaundryStatusChange(doc) => doc.post(business, lookup, &mut builder)?,
            Document::LaundryPaid(doc) | Document::PaymentReceived(doc) => {
                doc.post(business, &mut builder).map(|()| true)?
            }
            Document::LpgSale(doc) => doc.post(business, lookup, &mut builder).map(|()| true)?,
            Document::DepositRefund(doc) => doc.post(business, &mut builder).map(|()| true)?,
            Document::CreditApplied(doc) => {
                doc.post(business, &mut builder);
                true
            }
            Document::CreditRefunded(doc) => {
                doc.post(business, &mut builder);
                true
            }
            Document::Expense(doc) => {
                doc.post(business, &mut builder);
                true
            }
            Document::CashMovement(doc) => {
                doc.post(business, &mut builder);
                true
            }
            Document::StockReceipt(doc) => doc.post(business, lookup, &mut builder).map(|()| true)?,
            Document::SupplierPaid(doc) => {
                doc.post(business, &mut builder);
                true
            }
            Document::WaterProduction(doc) => doc.post(business, lookup, &mut builder)?,
            Document::StockCount(doc) => doc.post(business, lookup, &mut builder)?,
            Document::ShiftClosed(doc) => doc.post(business, &mut builder),
        };
        if !posts {
            return Ok(None);
        }
        Ok(Some(builder.build(entry_id)?))
    }
}

/// Refuses text longer than a column is meant to hold (STYLE: a limit on everything).
pub(crate) fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), DocumentError> {
    if text.chars().count() > max {
        return Err(DocumentError::TooLong { field, max });
    }
    Ok(())
}

/// The total a document states must be the sum of its lines, and more than zero.
pub(crate) fn check_total(expected: Money, actual: Money) -> Result<(), DocumentError> {
    if expected != actual {
        return Err(DocumentError::TotalMismatch { expected, actual });
    }
    if !actual.is_positive() {
        return Err(DocumentError::ZeroTotal);
    }
    Ok(())
}

/// A product of this business, or why not.
pub(crate) fn product_of(lookup: &dyn Lookup, business: &Business, id: ProductId) -> Result<Product, DocumentError> {
    let product = lookup.product(id).ok_or(DocumentError::UnknownProduct(id))?;
    if product.business_id != business.id {
        return Err(DocumentError::OtherBusiness { what: format!("the product '{}'", product.name) });
    }
    Ok(product)
}

/// The id a document is filed under (for an invoice, voids and the outbox's index).
pub fn document_id(document: &Document) -> Option<DocumentId> {
    Some(match document {
        Document::CustomerCreated(doc) => DocumentId(doc.customer_id.0),
        Document::Sale(doc) => doc.sale_id,
        Document::Refund(doc) => doc.refund_id,
        Document::SaleVoided(doc) | Document::DocumentVoided(doc) => doc.void_id,
        Document::LaundryDropOff(doc) => doc.job_id,
        Document::LaundryPaid(doc) | Document::PaymentReceived(doc) => doc.payment_id,
        Document::CreditApplied(doc) => doc.application_id,
        Document::CreditRefunded(doc) => doc.refund_id,
        Document::LpgSale(doc) => doc.sale_id,
        Document::DepositRefund(doc) => doc.refund_id,
        Document::Expense(doc) => doc.expense_id,
        Document::CashMovement(doc) => doc.movement_id,
        Document::StockReceipt(doc) => doc.receipt_id,
        Document::SupplierPaid(doc) => doc.payment_id,
        Document::WaterProduction(doc) => doc.production_id,
        Document::StockCount(doc) => doc.count_id,
        Document::ShiftOpened(doc) => DocumentId(doc.shift_id.0),
        Document::ShiftClosed(doc) => DocumentId(doc.shift_id.0),
        // A change is filed under no id of its own: a customer may change many times.
        Document::CustomerChanged(_) | Document::LaundryStatusChange(_) | Document::DayClosed(_) => return None,
    })
}
