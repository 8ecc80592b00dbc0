//! Why a till action failed. Every variant has a stable `code` for the UI to branch on and a
//! message for the cashier; a failed action has written nothing.

use tillbook_core::{DocumentError, Money};

#[derive(Debug, thiserror::Error)]
pub enum TillError {
    #[error(transparent)]
    Document(#[from] DocumentError),
    #[error("wrong PIN")]
    WrongPin,
    #[error("a PIN is 4 to 8 digits; a supervisor's or the owner's 6 to 8")]
    PinFormat,
    #[error("no such member of staff")]
    UnknownStaff,
    #[error("too many wrong PINs: locked until {until} (UTC), or until a supervisor unlocks")]
    StaffLocked { until: chrono::DateTime<chrono::Utc> },
    #[error("only a {needed} may {action}")]
    NotAuthorised { action: &'static str, needed: &'static str },
    #[error("open a shift first")]
    NoOpenShift,
    #[error("a shift is already open on this till")]
    ShiftAlreadyOpen,
    #[error("this till does not record for that business")]
    NotThisTillsBusiness,
    #[error("{what} '{number}' was not found")]
    NotFound { what: &'static str, number: String },
    #[error(
        "receipt '{receipt}' was sold on {day}, more than 90 days ago: this till no longer keeps its details, head office does"
    )]
    SalePruned { receipt: String, day: String },
    #[error("'{0}' has already been voided or cancelled")]
    AlreadyReversed(String),
    #[error("'{0}' has been partly refunded: refund the rest instead of voiding it")]
    PartlyRefunded(String),
    #[error("'{0}' has payments applied to it: void those first")]
    HasPayments(String),
    #[error("line {line} of the sale: only {left} more can be returned")]
    RefundExceedsSold { line: usize, left: String },
    #[error("this would take {name} to {would_owe}, over the credit limit of {limit}")]
    CreditLimitExceeded { name: String, would_owe: Money, limit: Money },
    #[error("the customer holds {held} of credit here, not {asked}")]
    NotEnoughCredit { held: Money, asked: Money },
    #[error("the customer owes this business only {owed}: apply no more credit than that")]
    CreditBeyondInvoices { owed: Money },
    #[error("the day {0} is already closed at this till")]
    DayAlreadyClosed(String),
    #[error("close the open shift before closing the day")]
    ShiftStillOpen,
    #[error("this store is already set up as till {0}")]
    AlreadySetUp(String),
    #[error("cannot set up the till: {0}")]
    Setup(String),
    #[error("this store has not been set up as a till")]
    NotSetUp,
    #[error("the store's migration {0} failed: {1}")]
    Migration(String, String),
    #[error("the store is inconsistent: {0}")]
    Invariant(String),
    #[error("the local database failed: {0}")]
    Store(rusqlite::Error),
    #[error("the disk is full: nothing was recorded. Free some space (or ask the owner to), then try again")]
    DiskFull,
    #[error(
        "the till's data file is damaged ({0}). Nothing more can be recorded in it: restore the last good \
         backup"
    )]
    Damaged(String),
    #[error("this backup cannot be used: {0}")]
    BadBackup(String),
    #[error("the backup could not be written: {0}")]
    BackupFailed(String),
    #[error("PIN hashing failed: {0}")]
    Hash(String),
    #[error("{pending} events have not reached the server yet: the owner must confirm to {action} anyway")]
    Unsynced { pending: u64, action: &'static str },
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    #[error(transparent)]
    Token(#[from] crate::sync::token::TokenError),
}

impl TillError {
    /// A stable code the UI branches on and words: a refusal from head office keeps the
    /// server's own code, so that the cashier reads what the server meant.
    pub fn code(&self) -> &str {
        match self {
            TillError::Document(error) => error.code(),
            TillError::WrongPin => "wrong_pin",
            TillError::PinFormat => "pin_format",
            TillError::UnknownStaff => "unknown_staff",
            TillError::StaffLocked { .. } => "staff_locked",
            TillError::NotAuthorised { .. } => "not_authorised",
            TillError::NoOpenShift => "no_open_shift",
            TillError::ShiftAlreadyOpen => "shift_already_open",
            TillError::NotThisTillsBusiness => "not_this_tills_business",
            TillError::NotFound { .. } => "not_found",
            TillError::SalePruned { .. } => "sale_pruned",
            TillError::AlreadyReversed(_) => "already_reversed",
            TillError::PartlyRefunded(_) => "partly_refunded",
            TillError::HasPayments(_) => "has_payments",
            TillError::RefundExceedsSold { .. } => "refund_exceeds_sold",
            TillError::CreditLimitExceeded { .. } => "credit_limit_exceeded",
            TillError::NotEnoughCredit { .. } => "not_enough_credit",
            TillError::CreditBeyondInvoices { .. } => "credit_beyond_invoices",
            TillError::DayAlreadyClosed(_) => "day_already_closed",
            TillError::ShiftStillOpen => "shift_still_open",
            TillError::AlreadySetUp(_) => "already_set_up",
            TillError::Setup(_) => "invalid_setup",
            TillError::NotSetUp => "not_set_up",
            TillError::Migration(..) => "migration_failed",
            TillError::Invariant(_) => "invariant_broken",
            TillError::Store(_) => "store_failed",
            TillError::DiskFull => "disk_full",
            TillError::Damaged(_) => "store_damaged",
            TillError::BadBackup(_) => "bad_backup",
            TillError::BackupFailed(_) => "backup_failed",
            TillError::Hash(_) => "hash_failed",
            TillError::Unsynced { .. } => "unsynced_events",
            TillError::Sync(error) => error.code(),
            TillError::Token(_) => "keyring_failed",
        }
    }
}

/// SQLite's own words for a full disk and a damaged file become the till's, which the counter
/// shows and the app turns into its recovery screen.
impl From<rusqlite::Error> for TillError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => TillError::DiskFull,
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                TillError::Damaged(error.to_string())
            }
            _ => TillError::Store(error),
        }
    }
}

impl From<tillbook_core::AmountError> for TillError {
    fn from(error: tillbook_core::AmountError) -> Self {
        TillError::Document(DocumentError::Amount(error))
    }
}

pub type Result<T, E = TillError> = std::result::Result<T, E>;
