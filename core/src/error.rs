//! Why a document cannot be recorded or posted. Each variant has a stable `code` the UI and the
//! server branch on, and a message a cashier can read.

use crate::chart::AccountCode;
use crate::ids::{CustomerId, CylinderTypeId, DocumentId, LaundryServiceId, ProductId, SupplierId};
use crate::journal::JournalError;
use crate::money::{AmountError, Money};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("{0} needs at least one line")]
    NoLines(&'static str),
    #[error("at most {max} lines in one document")]
    TooManyLines { max: usize },
    #[error("line {line}: the quantity must be more than zero")]
    QuantityNotPositive { line: usize },
    #[error("line {line}: {what} cannot be negative")]
    NegativeAmount { line: usize, what: &'static str },
    #[error("line {line}: the quantity must be a whole number of {unit}")]
    NotWholeQuantity { line: usize, unit: &'static str },
    #[error("line {line}: the discount {discount} is more than the line's value {gross}")]
    DiscountTooLarge { line: usize, discount: Money, gross: Money },
    #[error("unknown product {0}")]
    UnknownProduct(ProductId),
    #[error("the product '{0}' is not stocked")]
    NotStocked(String),
    #[error("unknown laundry service {0}")]
    UnknownLaundryService(LaundryServiceId),
    #[error("unknown cylinder type {0}")]
    UnknownCylinderType(CylinderTypeId),
    #[error("unknown customer {0}")]
    UnknownCustomer(CustomerId),
    #[error("unknown supplier {0}")]
    UnknownSupplier(SupplierId),
    #[error("goods on account need the supplier and their invoice number")]
    OnAccountWithoutSupplier,
    #[error("the allocations add up to {allocated}, more than the {paid} paid")]
    OverAllocated { allocated: Money, paid: Money },
    #[error("account {0} does not exist or is inactive")]
    UnknownAccount(AccountCode),
    #[error("{what} belongs to another business")]
    OtherBusiness { what: String },
    #[error("this business does not {0}")]
    NotOfferedHere(&'static str),
    #[error("line {line}: the line total should be {expected}, not {actual}")]
    LineTotalMismatch { line: usize, expected: Money, actual: Money },
    #[error("line {line}: the VAT should be {expected}, not {actual}")]
    VatMismatch { line: usize, expected: Money, actual: Money },
    #[error("the total should be {expected}, not {actual}")]
    TotalMismatch { expected: Money, actual: Money },
    #[error("the total must be more than zero")]
    ZeroTotal,
    #[error("payment {index}: the amount must be more than zero")]
    TenderNotPositive { index: usize },
    #[error("the payments add up to {tendered} but the total is {total}")]
    TendersDoNotMatchTotal { total: Money, tendered: Money },
    #[error("{due} is due but only {tendered} was paid")]
    UnderTendered { due: Money, tendered: Money },
    #[error("only cash can be given more than is due (change); {method} was over by {over}")]
    OverTendered { method: &'static str, over: Money },
    #[error("'{0}' is not an M-Pesa code: it has 10 letters and digits, starting with a letter, like QK41ABC2XY")]
    MalformedMpesaCode(String),
    #[error("an M-Pesa payment needs its transaction code")]
    MissingMpesaCode,
    #[error("a credit payment needs a customer")]
    CreditWithoutCustomer,
    #[error("{0} cannot be paid on credit")]
    CreditNotAllowed(&'static str),
    #[error("account {0} is not an expense account")]
    NotAnExpenseAccount(AccountCode),
    #[error("a laundry job cannot go from {from} to {to}")]
    InvalidStatusChange { from: &'static str, to: &'static str },
    #[error("the empty cylinder ({empty_kg} kg) is not the size of the full one ({full_kg} kg)")]
    CylinderSizeMismatch { empty_kg: String, full_kg: String },
    #[error("an LPG sale is either an exchange (an empty in) or a new cylinder, exactly one")]
    ExchangeOrNewCylinder,
    #[error("document {0} has no journal entry to reverse")]
    NothingToReverse(DocumentId),
    #[error("a {0} cannot be voided")]
    NotVoidable(String),
    #[error("the allocations and unapplied amount add up to {allocated} but {paid} was paid")]
    AllocationMismatch { allocated: Money, paid: Money },
    #[error("the cash count adds up to {counted} but {stated} was stated")]
    CountMismatch { counted: Money, stated: Money },
    #[error("'{field}' is too long (at most {max} characters)")]
    TooLong { field: &'static str, max: usize },
    #[error("'{0}' must not be empty")]
    Empty(&'static str),
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error("the journal entry is not valid: {0}")]
    Journal(#[from] JournalError),
    #[error("the document is malformed: {0}")]
    Malformed(String),
    #[error("unknown event type '{0}'")]
    UnknownType(String),
}

impl DocumentError {
    /// A stable, snake_case code: the UI and the server's quarantine reasons branch on it.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::NoLines(_) => "no_lines",
            DocumentError::TooManyLines { .. } => "too_many_lines",
            DocumentError::QuantityNotPositive { .. } => "quantity_not_positive",
            DocumentError::NegativeAmount { .. } => "negative_amount",
            DocumentError::NotWholeQuantity { .. } => "not_whole_quantity",
            DocumentError::DiscountTooLarge { .. } => "discount_too_large",
            DocumentError::UnknownProduct(_) => "unknown_product",
            DocumentError::NotStocked(_) => "not_stocked",
            DocumentError::UnknownLaundryService(_) => "unknown_laundry_service",
            DocumentError::UnknownCylinderType(_) => "unknown_cylinder_type",
            DocumentError::UnknownCustomer(_) => "unknown_customer",
            DocumentError::UnknownSupplier(_) => "unknown_supplier",
            DocumentError::OnAccountWithoutSupplier => "on_account_without_supplier",
            DocumentError::OverAllocated { .. } => "over_allocated",
            DocumentError::UnknownAccount(_) => "unknown_account",
            DocumentError::OtherBusiness { .. } => "wrong_business",
            DocumentError::NotOfferedHere(_) => "not_offered_here",
            DocumentError::LineTotalMismatch { .. } => "line_total_mismatch",
            DocumentError::VatMismatch { .. } => "vat_mismatch",
            DocumentError::TotalMismatch { .. } => "total_mismatch",
            DocumentError::ZeroTotal => "zero_total",
            DocumentError::TenderNotPositive { .. } => "tender_not_positive",
            DocumentError::TendersDoNotMatchTotal { .. } => "tender_total_mismatch",
            DocumentError::UnderTendered { .. } => "under_tendered",
            DocumentError::OverTendered { .. } => "over_tendered",
            DocumentError::MalformedMpesaCode(_) => "malformed_mpesa_code",
            DocumentError::MissingMpesaCode => "missing_mpesa_code",
            DocumentError::CreditWithoutCustomer => "credit_without_customer",
            DocumentError::CreditNotAllowed(_) => "credit_not_allowed",
            DocumentError::NotAnExpenseAccount(_) => "not_an_expense_account",
            DocumentError::InvalidStatusChange { .. } => "invalid_status_change",
            DocumentError::CylinderSizeMismatch { .. } => "cylinder_size_mismatch",
            DocumentError::ExchangeOrNewCylinder => "exchange_or_new_cylinder",
            DocumentError::NothingToReverse(_) => "nothing_to_reverse",
            DocumentError::NotVoidable(_) => "not_voidable",
            DocumentError::AllocationMismatch { .. } => "allocation_mismatch",
            DocumentError::CountMismatch { .. } => "count_mismatch",
            DocumentError::TooLong { .. } => "too_long",
            DocumentError::Empty(_) => "empty",
            DocumentError::Amount(AmountError::OutOfRange(_)) => "amount_out_of_range",
            DocumentError::Amount(_) => "invalid_amount",
            DocumentError::Journal(JournalError::Unbalanced { .. }) => "unbalanced",
            DocumentError::Journal(JournalError::OutOfRange(_)) => "amount_out_of_range",
            DocumentError::Journal(_) => "invalid_journal",
            DocumentError::Malformed(_) => "malformed_document",
            DocumentError::UnknownType(_) => "unknown_event_type",
        }
    }
}
