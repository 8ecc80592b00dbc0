//! `tillbook-till`: one shop till's local store on SQLite — every kind of counter work recorded
//! with a provisional double-entry journal and an outbox event, fully offline — and the till's
//! own figures read from it, and its background sync with the server; and the owner's desk
//! (`owner`): the reports fetched from the server, kept for reading offline. No Tauri here:
//! tests drive many tills in one process.

pub mod demo;
pub mod error;
pub mod owner;
pub mod receipt;
pub mod record;
pub mod staff;
pub mod store;
pub mod sync;
pub mod till;

pub use error::{Result, TillError};
pub use record::accounts::{CreditOutcome, PaymentOutcome};
pub use record::drawer::{CashCount, ShiftReport, ZReport};
pub use record::laundry::{Collection, DropOffOutcome, DropOffRequest, LaundryItemRequest};
pub use record::lpg::{DepositBackOutcome, DepositBackRequest, LpgOutcome, LpgQuote, LpgRequest};
pub use record::reversals::{RefundLineRequest, RefundOutcome, RefundRequest};
pub use record::sales::{SaleLineRequest, SaleOutcome, SaleQuote, SaleRequest};
pub use record::stock::{PurchaseQuote, ReceivedCylinders, ReceivedLine, StockReceiptRequest, SupplierPaymentRequest};
pub use record::{Recorded, Warning};
pub use staff::Session;
/// Head office's master data as the till keeps it (`store/master.rs`).
pub use store::master;
/// The till's own figures and lookups, read from its store offline, its backups, and the
/// conversions between core's types and SQLite's columns (`store/`).
pub use store::{backup, lookups, reports, sql};
pub use till::{Clock, Till, TillInfo, TillSetup};
