//! `tillbook-core`: what the till and the sync server agree on — money, ids, the chart of
//! accounts, business documents and their posting rules, and the sync protocol's wire types.
//! Pure: no I/O, no async, no database (DESIGN §2).

pub mod catalog;
pub mod chart;
pub mod documents;
pub mod error;
pub mod etims;
pub mod ids;
pub mod journal;
pub mod money;
pub mod protocol;
pub mod receivables;
pub mod seed;
pub mod time;

pub use error::DocumentError;
pub use journal::{EntryBuilder, JournalEntry, JournalError, JournalLine, Side};
pub use money::{AmountError, Money, Quantity, VatRate};
