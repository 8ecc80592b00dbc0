//! A customer's credit (2300, DESIGN §5): what they paid beyond their invoices, or had paid on
//! a laundry job since cancelled. It is applied to their invoices, or paid back to them. Head
//! office checks on merge that the customer holds that much credit.

use serde::{Deserialize, Serialize};

use super::check_text;
use super::payment::Allocation;
use super::tender::{Tender, post_tenders, validate_tenders};
use crate::catalog::Lookup;
use crate::chart::{Business, shared};
use crate::error::DocumentError;
use crate::ids::{CustomerId, DocumentId};
use crate::journal::{EntryBuilder, Side};
use crate::money::Money;

/// Credit applied to the customer's invoices of this business: Dr 2300 / Cr receivable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditApplied {
    pub application_id: DocumentId,
    pub customer_id: CustomerId,
    /// The invoices (credit sales, laundry jobs) it pays, and how much of each.
    pub allocations: Vec<Allocation>,
    pub total: Money,
}

impl CreditApplied {
    pub fn validate(&self, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        lookup.customer(self.customer_id).ok_or(DocumentError::UnknownCustomer(self.customer_id))?;
        if self.allocations.is_empty() {
            return Err(DocumentError::NoLines("credit applied"));
        }
        if self.allocations.len() > super::Payment::ALLOCATIONS_MAX {
            return Err(DocumentError::TooManyLines { max: super::Payment::ALLOCATIONS_MAX });
        }
        for (index, allocation) in self.allocations.iter().enumerate() {
            if !allocation.amount.is_positive() {
                return Err(DocumentError::TenderNotPositive { index });
            }
        }
        let allocated = Money::sum(self.allocations.iter().map(|allocation| allocation.amount))?;
        if allocated != self.total {
            return Err(DocumentError::AllocationMismatch { allocated, paid: self.total });
        }
        if !self.total.is_positive() {
            return Err(DocumentError::ZeroTotal);
        }
        Ok(())
    }

    pub fn post(&self, business: &Business, builder: &mut EntryBuilder) {
        builder.debit(shared::CUSTOMER_DEPOSITS, self.total).credit(business.accounts.receivable, self.total);
    }
}

/// Credit paid back to the customer, in cash or by M-Pesa: Dr 2300 / Cr the tenders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRefunded {
    pub refund_id: DocumentId,
    pub receipt_number: String,
    pub customer_id: CustomerId,
    pub tenders: Vec<Tender>,
    pub total: Money,
}

impl CreditRefunded {
    pub fn validate(&self, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        check_text("receipt_number", &self.receipt_number, 32)?;
        lookup.customer(self.customer_id).ok_or(DocumentError::UnknownCustomer(self.customer_id))?;
        if !self.total.is_positive() {
            return Err(DocumentError::ZeroTotal);
        }
        validate_tenders(&self.tenders, self.total, Some("credit paid back"), lookup)
    }

    pub fn post(&self, business: &Business, builder: &mut EntryBuilder) {
        builder.debit(shared::CUSTOMER_DEPOSITS, self.total);
        post_tenders(builder, business, &self.tenders, Side::Credit);
    }
}
