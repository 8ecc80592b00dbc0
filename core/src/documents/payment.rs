//! Money received against a customer's invoices (DESIGN §5): a laundry payment at drop-off or
//! collection, or a payment on account. Allocated to invoices; the rest is unapplied credit.

use serde::{Deserialize, Serialize};

use super::check_text;
use super::tender::{Tender, post_tenders, validate_tenders};
use crate::catalog::Lookup;
use crate::chart::{Business, shared};
use crate::error::DocumentError;
use crate::ids::{CustomerId, DocumentId};
use crate::journal::{EntryBuilder, Side};
use crate::money::{AmountError, Money};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub payment_id: DocumentId,
    pub receipt_number: String,
    pub customer_id: CustomerId,
    pub tenders: Vec<Tender>,
    pub allocations: Vec<Allocation>,
    /// Paid beyond the allocated invoices: the customer's credit (2300).
    pub unapplied: Money,
    pub total: Money,
}

/// Part of a payment applied to one invoice (a credit sale or a laundry job, by its id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Allocation {
    pub invoice_id: DocumentId,
    pub amount: Money,
}

impl Payment {
    pub const ALLOCATIONS_MAX: usize = 200;

    pub fn validate(&self, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        check_text("receipt_number", &self.receipt_number, 32)?;
        lookup.customer(self.customer_id).ok_or(DocumentError::UnknownCustomer(self.customer_id))?;
        if self.allocations.len() > Self::ALLOCATIONS_MAX {
            return Err(DocumentError::TooManyLines { max: Self::ALLOCATIONS_MAX });
        }
        for (index, allocation) in self.allocations.iter().enumerate() {
            if !allocation.amount.is_positive() {
                return Err(DocumentError::TenderNotPositive { index });
            }
        }
        if self.unapplied.is_negative() {
            return Err(DocumentError::NegativeAmount { line: 0, what: "the unapplied amount" });
        }
        let allocated = self.allocated()?.checked_add(self.unapplied)?;
        if allocated != self.total {
            return Err(DocumentError::AllocationMismatch { allocated, paid: self.total });
        }
        if !self.total.is_positive() {
            return Err(DocumentError::ZeroTotal);
        }
        validate_tenders(&self.tenders, self.total, Some("a payment"), lookup)
    }

    /// What the allocations add up to; `OutOfRange` only for a document `validate` refuses.
    pub fn allocated(&self) -> Result<Money, AmountError> {
        Money::sum(self.allocations.iter().map(|allocation| allocation.amount))
    }

    /// Dr tenders; Cr receivable for what is allocated; Cr 2300 for the rest (DESIGN §5).
    pub fn post(&self, business: &Business, builder: &mut EntryBuilder) -> Result<(), DocumentError> {
        post_tenders(builder, business, &self.tenders, Side::Debit);
        builder.credit(business.accounts.receivable, self.allocated()?);
        builder.credit(shared::CUSTOMER_DEPOSITS, self.unapplied);
        Ok(())
    }
}
