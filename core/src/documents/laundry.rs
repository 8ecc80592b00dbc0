//! Laundry jobs (DESIGN §5): the drop-off is an invoice to the customer; status changes post
//! nothing except a cancellation, which reverses the drop-off.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{LINES_MAX, check_text, check_total};
use crate::catalog::{LaundryPricing, Lookup};
use crate::chart::{Business, shared};
use crate::error::DocumentError;
use crate::ids::{CustomerId, DocumentId, LaundryServiceId};
use crate::journal::EntryBuilder;
use crate::money::{Money, Quantity, VatRate};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaundryDropOff {
    pub job_id: DocumentId,
    pub ticket_number: String,
    pub customer_id: CustomerId,
    pub items: Vec<LaundryItem>,
    pub total: Money,
    pub promised_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub notes: String,
}

/// One service on a job: `quantity` kilos or pieces × VAT-inclusive `unit_price`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaundryItem {
    pub service_id: LaundryServiceId,
    /// What the customer left, in their words: "2 shirts, 1 duvet".
    pub description: String,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub vat_rate: VatRate,
    pub line_total: Money,
}

impl LaundryItem {
    /// The VAT inside the item's total.
    pub fn vat(&self) -> Money {
        self.line_total.vat_part(self.vat_rate)
    }
}

impl LaundryDropOff {
    /// The VAT inside the job's items, as the posting credits it: each item's own.
    pub fn vat_of(items: &[LaundryItem]) -> Result<Money, crate::money::AmountError> {
        Money::sum(items.iter().map(LaundryItem::vat))
    }

    pub fn validate(&self, business: &Business, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        business.accounts.laundry_revenue.ok_or(DocumentError::NotOfferedHere("take laundry jobs"))?;
        check_text("ticket_number", &self.ticket_number, 32)?;
        check_text("notes", &self.notes, 500)?;
        lookup.customer(self.customer_id).ok_or(DocumentError::UnknownCustomer(self.customer_id))?;
        if self.items.is_empty() {
            return Err(DocumentError::NoLines("a laundry job"));
        }
        if self.items.len() > LINES_MAX {
            return Err(DocumentError::TooManyLines { max: LINES_MAX });
        }
        for (index, item) in self.items.iter().enumerate() {
            check_text("description", &item.description, 200)?;
            let service =
                lookup.laundry_service(item.service_id).ok_or(DocumentError::UnknownLaundryService(item.service_id))?;
            if service.business_id != business.id {
                return Err(DocumentError::OtherBusiness { what: format!("the service '{}'", service.name) });
            }
            if !item.quantity.is_positive() {
                return Err(DocumentError::QuantityNotPositive { line: index });
            }
            if service.pricing == LaundryPricing::PerPiece && !item.quantity.is_whole() {
                return Err(DocumentError::NotWholeQuantity { line: index, unit: "pieces" });
            }
            if item.unit_price.is_negative() {
                return Err(DocumentError::NegativeAmount { line: index, what: "the price" });
            }
            let expected = item.unit_price.times(item.quantity)?;
            if expected != item.line_total {
                return Err(DocumentError::LineTotalMismatch { line: index, expected, actual: item.line_total });
            }
        }
        let expected = Money::sum(self.items.iter().map(|item| item.line_total))?;
        check_total(expected, self.total)?;
        Ok(())
    }

    /// Dr receivable = total; Cr laundry revenue net and Cr 2200 VAT per item.
    pub fn post(&self, business: &Business, builder: &mut EntryBuilder) -> Result<(), DocumentError> {
        let revenue = business.accounts.laundry_revenue.ok_or(DocumentError::NotOfferedHere("take laundry jobs"))?;
        builder.debit(business.accounts.receivable, self.total);
        for item in &self.items {
            let (net, vat) = item.line_total.split_vat(item.vat_rate);
            builder.credit(revenue, net);
            builder.credit(shared::VAT_PAYABLE, vat);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Received,
    Washing,
    Ready,
    Collected,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Received => "received",
            JobStatus::Washing => "washing",
            JobStatus::Ready => "ready",
            JobStatus::Collected => "collected",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<JobStatus> {
        match text {
            "received" => Some(JobStatus::Received),
            "washing" => Some(JobStatus::Washing),
            "ready" => Some(JobStatus::Ready),
            "collected" => Some(JobStatus::Collected),
            "cancelled" => Some(JobStatus::Cancelled),
            _ => None,
        }
    }

    fn rank(self) -> u8 {
        match self {
            JobStatus::Received => 0,
            JobStatus::Washing => 1,
            JobStatus::Ready => 2,
            JobStatus::Collected => 3,
            JobStatus::Cancelled => 4,
        }
    }

    /// A job moves forward (steps may be skipped: ironing needs no washing) until it is
    /// collected; any job not yet collected can be cancelled. Collected and cancelled are final.
    pub fn may_become(self, next: JobStatus) -> bool {
        match (self, next) {
            (JobStatus::Collected | JobStatus::Cancelled, _) => false,
            (_, JobStatus::Cancelled) => true,
            (from, to) => to.rank() > from.rank(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaundryStatusChange {
    pub job_id: DocumentId,
    pub ticket_number: String,
    pub from: JobStatus,
    pub to: JobStatus,
    #[serde(default)]
    pub reason: String,
    /// For a cancellation: what the customer had paid on the job, which becomes their credit
    /// (2300) once the job's invoice is reversed.
    #[serde(default)]
    pub paid: Money,
}

impl LaundryStatusChange {
    pub fn validate(&self) -> Result<(), DocumentError> {
        check_text("reason", &self.reason, 500)?;
        if !self.from.may_become(self.to) {
            return Err(DocumentError::InvalidStatusChange { from: self.from.as_str(), to: self.to.as_str() });
        }
        if self.paid.is_negative() {
            return Err(DocumentError::NegativeAmount { line: 0, what: "the amount paid" });
        }
        Ok(())
    }

    /// Only a cancellation posts: the drop-off's entry mirrored, and whatever was paid moved
    /// from the receivable to the customer's unapplied credit.
    pub fn post(
        &self,
        business: &Business,
        lookup: &dyn Lookup,
        builder: &mut EntryBuilder,
    ) -> Result<bool, DocumentError> {
        if self.to != JobStatus::Cancelled {
            return Ok(false);
        }
        let original = lookup.entry_of(self.job_id).ok_or(DocumentError::NothingToReverse(self.job_id))?;
        for line in original.lines() {
            builder.signed(line.account, line.side.opposite(), line.amount);
        }
        builder.debit(business.accounts.receivable, self.paid);
        builder.credit(shared::CUSTOMER_DEPOSITS, self.paid);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::JobStatus::*;

    #[test]
    fn jobs_move_forward_and_end_collected_or_cancelled() {
        assert!(Received.may_become(Washing));
        assert!(Received.may_become(Ready));
        assert!(Ready.may_become(Collected));
        assert!(Washing.may_become(Cancelled));
        assert!(!Ready.may_become(Washing));
        assert!(!Collected.may_become(Cancelled));
        assert!(!Cancelled.may_become(Received));
        assert!(!Washing.may_become(Washing));
    }
}
