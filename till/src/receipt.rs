//! One receipt shape for every kind of counter work, built from what the till recorded, so
//! the UI prints sales, LPG, laundry tickets and payments with the same component and never
//! works out an amount itself.

use crate::{Collection, DropOffOutcome, LpgOutcome, PaymentOutcome, RefundOutcome, SaleOutcome, Warning};
use serde::Serialize;
use tillbook_core::documents::Tender;
use tillbook_core::{Money, Quantity};

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptView {
    /// What the UI titles it: `sale`, `lpg`, `drop_off`, `collection`, `payment` or `refund`.
    pub kind: &'static str,
    pub receipt_number: String,
    /// The laundry ticket the customer keeps.
    pub ticket_number: Option<String>,
    pub lines: Vec<ReceiptLine>,
    pub total: Money,
    pub vat: Money,
    pub tenders: Vec<Tender>,
    pub change: Money,
    /// Still owed on a laundry job after this receipt.
    pub balance_due: Option<Money>,
    /// Paid beyond the invoices, kept as the customer's credit.
    pub credit_kept: Option<Money>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptLine {
    pub text: String,
    pub quantity: Quantity,
    pub amount: Money,
}

impl ReceiptView {
    /// A sale of goods; `name` names a product by its id.
    pub fn sale(outcome: SaleOutcome, name: impl Fn(&tillbook_core::ids::ProductId) -> String) -> ReceiptView {
        ReceiptView {
            kind: "sale",
            receipt_number: outcome.receipt_number,
            ticket_number: None,
            lines: outcome
                .lines
                .iter()
                .map(|line| ReceiptLine {
                    text: name(&line.product_id),
                    quantity: line.quantity,
                    amount: line.line_total,
                })
                .collect(),
            total: outcome.total,
            vat: outcome.vat,
            tenders: outcome.tenders,
            change: outcome.change,
            balance_due: None,
            credit_kept: None,
            warnings: outcome.warnings,
        }
    }

    pub fn lpg(outcome: LpgOutcome, text: String, quantity: Quantity) -> ReceiptView {
        ReceiptView {
            kind: "lpg",
            receipt_number: outcome.receipt_number,
            ticket_number: None,
            lines: vec![ReceiptLine { text, quantity, amount: outcome.total }],
            total: outcome.total,
            vat: outcome.vat,
            tenders: outcome.tenders,
            change: outcome.change,
            balance_due: None,
            credit_kept: None,
            warnings: outcome.warnings,
        }
    }

    /// The drop-off ticket; `name` names a laundry service by its id.
    pub fn drop_off(
        outcome: DropOffOutcome,
        name: impl Fn(&tillbook_core::ids::LaundryServiceId) -> String,
    ) -> ReceiptView {
        let vat = outcome.vat;
        let (receipt_number, tenders, change, warnings) = match outcome.deposit {
            Some(deposit) => (deposit.receipt_number, deposit.tenders, deposit.change, deposit.warnings),
            None => (outcome.ticket_number.clone(), Vec::new(), Money::ZERO, Vec::new()),
        };
        ReceiptView {
            kind: "drop_off",
            receipt_number,
            ticket_number: Some(outcome.ticket_number),
            lines: outcome
                .items
                .iter()
                .map(|item| {
                    let service = name(&item.service_id);
                    let text = if item.description.is_empty() || item.description == service {
                        service
                    } else {
                        format!("{service}: {}", item.description)
                    };
                    ReceiptLine { text, quantity: item.quantity, amount: item.line_total }
                })
                .collect(),
            total: outcome.total,
            vat,
            tenders,
            change,
            balance_due: Some(outcome.balance_due),
            credit_kept: None,
            warnings,
        }
    }

    pub fn collection(collection: Collection, ticket_number: String) -> ReceiptView {
        let payment = collection.payment;
        ReceiptView {
            kind: "collection",
            receipt_number: payment.as_ref().map_or_else(|| ticket_number.clone(), |p| p.receipt_number.clone()),
            ticket_number: Some(ticket_number),
            lines: Vec::new(),
            total: payment.as_ref().map_or(Money::ZERO, |p| p.total),
            vat: Money::ZERO,
            change: payment.as_ref().map_or(Money::ZERO, |p| p.change),
            credit_kept: payment.as_ref().map(|p| p.unapplied).filter(|m| m.is_positive()),
            warnings: payment.as_ref().map(|p| p.warnings.clone()).unwrap_or_default(),
            tenders: payment.map(|p| p.tenders).unwrap_or_default(),
            balance_due: Some(collection.balance_left),
        }
    }

    pub fn payment(outcome: PaymentOutcome) -> ReceiptView {
        ReceiptView {
            kind: "payment",
            receipt_number: outcome.receipt_number,
            ticket_number: None,
            lines: Vec::new(),
            total: outcome.total,
            vat: Money::ZERO,
            tenders: outcome.tenders,
            change: outcome.change,
            balance_due: None,
            credit_kept: Some(outcome.unapplied).filter(|m| m.is_positive()),
            warnings: outcome.warnings,
        }
    }

    /// Goods returned: the lines given back and the money paid back (no change on a refund).
    pub fn refund(outcome: RefundOutcome, name: impl Fn(&tillbook_core::ids::ProductId) -> String) -> ReceiptView {
        ReceiptView {
            kind: "refund",
            receipt_number: outcome.receipt_number,
            ticket_number: None,
            vat: outcome.vat,
            lines: outcome
                .lines
                .iter()
                .map(|line| ReceiptLine { text: name(&line.product_id), quantity: line.quantity, amount: line.amount })
                .collect(),
            total: outcome.total,
            tenders: vec![outcome.tender],
            change: Money::ZERO,
            balance_due: None,
            credit_kept: None,
            warnings: Vec::new(),
        }
    }
}
