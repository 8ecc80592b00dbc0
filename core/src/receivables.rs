//! Customer accounts (DESIGN §5): a balance is always derived from invoices and allocations.
//! These are the pure decisions — how a payment is allocated, an invoice's status, its age.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::documents::Allocation;
use crate::ids::DocumentId;
use crate::money::Money;

/// Days a credit sale's invoice is due after the sale (the till and the server's reports agree).
pub const CREDIT_TERMS_DAYS: u64 = 30;

/// An invoice with money still owing, as the allocation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoice {
    pub invoice_id: DocumentId,
    pub issued_on: NaiveDate,
    pub outstanding: Money,
}

/// Allocates `amount` to the chosen invoices in the order given, or to the oldest first; what is
/// left is unapplied (the customer's credit).
pub fn allocate(amount: Money, open: &[OpenInvoice], chosen: Option<&[DocumentId]>) -> (Vec<Allocation>, Money) {
    assert!(!amount.is_negative(), "a payment is not negative");
    let mut order: Vec<&OpenInvoice> = match chosen {
        Some(ids) => ids.iter().filter_map(|id| open.iter().find(|inv| inv.invoice_id == *id)).collect(),
        None => {
            let mut all: Vec<&OpenInvoice> = open.iter().collect();
            all.sort_by_key(|inv| (inv.issued_on, inv.invoice_id));
            all
        }
    };
    order.dedup_by_key(|inv| inv.invoice_id);
    let mut left = amount;
    let mut allocations = Vec::new();
    for invoice in order {
        if !left.is_positive() {
            break;
        }
        if !invoice.outstanding.is_positive() {
            continue;
        }
        let applied = left.min(invoice.outstanding);
        allocations.push(Allocation { invoice_id: invoice.invoice_id, amount: applied });
        // 0 < applied ≤ left, so what is left stays between zero and the payment.
        left = left.checked_sub(applied).expect("applied is at most what is left");
    }
    (allocations, left)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Open,
    PartiallyPaid,
    Paid,
    Overdue,
    Cancelled,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::PartiallyPaid => "partially_paid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Overdue => "overdue",
            InvoiceStatus::Cancelled => "cancelled",
        }
    }
}

/// The status follows from the amounts and dates; it is never stored.
pub fn invoice_status(
    total: Money,
    paid: Money,
    cancelled: bool,
    due_on: NaiveDate,
    today: NaiveDate,
) -> InvoiceStatus {
    if cancelled {
        InvoiceStatus::Cancelled
    } else if paid >= total {
        InvoiceStatus::Paid
    } else if today > due_on {
        InvoiceStatus::Overdue
    } else if paid.is_positive() {
        InvoiceStatus::PartiallyPaid
    } else {
        InvoiceStatus::Open
    }
}

/// Aging buckets of the customer-outstanding report (DESIGN §9), by days since issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgingBucket {
    Days0To30,
    Days31To60,
    Days61To90,
    Over90,
}

pub fn aging_bucket(issued_on: NaiveDate, today: NaiveDate) -> AgingBucket {
    match (today - issued_on).num_days() {
        ..=30 => AgingBucket::Days0To30,
        31..=60 => AgingBucket::Days31To60,
        61..=90 => AgingBucket::Days61To90,
        _ => AgingBucket::Over90,
    }
}

/// Whether a credit sale of `amount` keeps the customer within their limit, judged on the last
/// known balance (offline: the last pulled one plus this till's own work; DESIGN §6).
pub fn within_credit_limit(outstanding: Money, amount: Money, limit: Money) -> bool {
    // A sum past the ledger's range is past any limit.
    outstanding.checked_add(amount).is_ok_and(|total| total <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn money(text: &str) -> Money {
        text.parse().unwrap()
    }

    #[test]
    fn payments_go_to_the_oldest_invoice_first_and_the_rest_is_unapplied() {
        let older = OpenInvoice { invoice_id: DocumentId::new(), issued_on: day(1), outstanding: money("100") };
        let newer = OpenInvoice { invoice_id: DocumentId::new(), issued_on: day(5), outstanding: money("50") };
        let (allocations, unapplied) = allocate(money("120"), &[newer.clone(), older.clone()], None);
        assert_eq!(
            allocations,
            vec![
                Allocation { invoice_id: older.invoice_id, amount: money("100") },
                Allocation { invoice_id: newer.invoice_id, amount: money("20") },
            ]
        );
        assert_eq!(unapplied, Money::ZERO);
        let (_, unapplied) = allocate(money("200"), &[newer.clone(), older.clone()], None);
        assert_eq!(unapplied, money("50"));
        let (allocations, _) = allocate(money("30"), &[newer.clone(), older], Some(&[newer.invoice_id]));
        assert_eq!(allocations, vec![Allocation { invoice_id: newer.invoice_id, amount: money("30") }]);
    }

    #[test]
    fn status_and_age_follow_from_amounts_and_dates() {
        assert_eq!(invoice_status(money("10"), Money::ZERO, false, day(30), day(1)), InvoiceStatus::Open);
        assert_eq!(invoice_status(money("10"), money("4"), false, day(30), day(1)), InvoiceStatus::PartiallyPaid);
        assert_eq!(invoice_status(money("10"), money("10"), false, day(2), day(30)), InvoiceStatus::Paid);
        assert_eq!(invoice_status(money("10"), money("4"), false, day(2), day(3)), InvoiceStatus::Overdue);
        assert_eq!(invoice_status(money("10"), Money::ZERO, true, day(2), day(3)), InvoiceStatus::Cancelled);
        assert_eq!(aging_bucket(day(1), day(30)), AgingBucket::Days0To30);
        assert_eq!(aging_bucket(NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(), day(1)), AgingBucket::Over90);
    }
}
