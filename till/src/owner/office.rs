//! What the owner records at head office from the app (issue "The books a Kenyan owner
//! files"): an expense paid from the bank (or cash, or M-Pesa), VAT inside, shared across
//! businesses by amount or by percentage — one balanced expense per business — and a transfer to
//! the bank. The form becomes core's documents here, shares worked out by `Money::split`, and
//! head office posts them through its merge.
//!
//! Exactly once: the form carries an id the screen made when it opened, and every document's
//! event and document id is that id with the share's number in its lowest bits, so sending the
//! same form again after a lost answer names the same events, which head office records once.

use rust_decimal::Decimal;
use serde::Deserialize;
use tillbook_core::chart::AccountCode;
use tillbook_core::documents::{
    Allocation, CashMovement, CashMovementKind, CreditApplied, CreditRefunded, Document, Expense, PaidFrom,
    SupplierPaid, Tender, TenderMethod, tender::normalise_mpesa_code,
};
use tillbook_core::ids::{DocumentId, EventId};
use tillbook_core::protocol::{OfficeDocument, OfficeDocuments};
use tillbook_core::{Money, VatRate};
use uuid::Uuid;

use super::{OwnerError, Result};
use crate::{PurchaseQuote, StockReceiptRequest};

fn invalid(field: &str, message: impl Into<String>) -> OwnerError {
    OwnerError::Invalid { field: field.to_string(), message: message.into() }
}

fn positive(field: &str, text: &str) -> Result<Money> {
    let text = text.trim();
    let amount: Money = text.parse().map_err(|_| invalid(field, format!("'{text}' is not an amount (like 120.00)")))?;
    if !amount.is_positive() {
        return Err(invalid(field, "more than zero"));
    }
    Ok(amount)
}

fn day(text: &str) -> Result<Option<chrono::NaiveDate>> {
    match text.trim() {
        "" => Ok(None),
        text => {
            Ok(Some(text.parse().map_err(|_| invalid("business_day", format!("'{text}' is not a date (2026-12-01)")))?))
        }
    }
}

/// The form's id with `number` in its lowest 16 bits, and `kind` above them (0 for events, 1
/// for documents): the same form gives the same ids.
fn derived(form_id: Uuid, kind: u128, number: usize) -> Uuid {
    Uuid::from_u128(form_id.as_u128() ^ (kind << 16) ^ (number as u128 + 1))
}

fn form_id(text: &str) -> Result<Uuid> {
    text.trim().parse().map_err(|_| invalid("id", "the form has no id; open it again"))
}

/// How an expense is shared: `amount` (each business's share typed) or `percent` (of the whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SplitBy {
    Amount,
    Percent,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShareForm {
    pub business: String,
    /// An amount, or a percentage.
    pub value: String,
}

/// An expense head office paid, shared across businesses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExpenseForm {
    /// Made by the screen when the form opened (a UUID).
    pub id: String,
    /// The expense account's code (6100 rent, …).
    pub account: String,
    pub description: String,
    /// What was paid, VAT included.
    pub amount: String,
    /// The VAT inside it: "0.16", or "0" when the receipt shows none.
    pub vat_rate: String,
    pub paid_from: PaidFrom,
    /// The day it belongs to (YYYY-MM-DD); today when empty.
    #[serde(default)]
    pub business_day: String,
    pub split_by: SplitBy,
    pub shares: Vec<ShareForm>,
}

impl ExpenseForm {
    /// One expense per business with a share, each balanced on its own.
    pub fn documents(&self) -> Result<OfficeDocuments> {
        let id = form_id(&self.id)?;
        let account: AccountCode =
            self.account.trim().parse().map_err(|_| invalid("account", "an expense account's code, like 6100"))?;
        let description = self.description.trim();
        if description.is_empty() {
            return Err(invalid("description", "needed"));
        }
        let amount = positive("amount", &self.amount)?;
        let vat_rate: VatRate = self
            .vat_rate
            .trim()
            .parse()
            .map_err(|_| invalid("vat_rate", format!("'{}' is not a VAT rate", self.vat_rate)))?;
        let business_day = day(&self.business_day)?;
        if self.shares.is_empty() {
            return Err(invalid("shares", "at least one business"));
        }
        let shares: Vec<Money> = match self.split_by {
            SplitBy::Amount => {
                let shares =
                    self.shares.iter().map(|share| positive("shares", &share.value)).collect::<Result<Vec<_>>>()?;
                let total = Money::sum(shares.iter().copied()).map_err(|error| invalid("shares", error.to_string()))?;
                if total != amount {
                    return Err(invalid("shares", format!("the shares add up to {total}, not {amount}")));
                }
                shares
            }
            SplitBy::Percent => {
                let percents = self
                    .shares
                    .iter()
                    .map(|share| share.value.trim().parse::<Decimal>().ok().filter(|p| *p > Decimal::ZERO))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| invalid("shares", "each share a percentage above 0"))?;
                let sum: Decimal = percents.iter().sum();
                if sum != Decimal::ONE_HUNDRED {
                    return Err(invalid("shares", format!("the percentages add up to {sum}, not 100")));
                }
                amount.split(&percents).ok_or_else(|| invalid("shares", "cannot be shared"))?
            }
        };
        let documents = self
            .shares
            .iter()
            .zip(shares)
            .enumerate()
            .map(|(number, (share, part))| {
                let expense = Document::Expense(Expense {
                    expense_id: DocumentId(derived(id, 1, number)),
                    account,
                    amount: part,
                    description: description.to_string(),
                    paid_from: self.paid_from,
                    vat_rate,
                });
                office(EventId(derived(id, 0, number)), &share.business, &expense, business_day)
            })
            .collect();
        Ok(OfficeDocuments { documents })
    }
}

/// Money moved to the bank: a business's M-Pesa swept, or its cash banked.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TransferForm {
    pub id: String,
    pub business: String,
    pub kind: CashMovementKind,
    pub amount: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub business_day: String,
}

impl TransferForm {
    pub fn documents(&self) -> Result<OfficeDocuments> {
        let id = form_id(&self.id)?;
        if !matches!(self.kind, CashMovementKind::MpesaToBank | CashMovementKind::BankDeposit) {
            return Err(invalid("kind", "M-Pesa to the bank, or cash banked"));
        }
        let movement = Document::CashMovement(CashMovement {
            movement_id: DocumentId(derived(id, 1, 0)),
            kind: self.kind,
            amount: positive("amount", &self.amount)?,
            note: self.note.trim().to_string(),
        });
        let document = office(EventId(derived(id, 0, 0)), &self.business, &movement, day(&self.business_day)?);
        Ok(OfficeDocuments { documents: vec![document] })
    }
}

/// A supplier paid at head office (from the bank, usually). Head office applies the money to
/// the supplier's oldest open invoices of the business.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SupplierPaymentForm {
    pub id: String,
    pub supplier_id: String,
    pub business: String,
    pub amount: String,
    pub paid_from: PaidFrom,
    /// The transfer's or cheque's reference, or the M-Pesa code.
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub business_day: String,
}

impl SupplierPaymentForm {
    pub fn documents(&self) -> Result<OfficeDocuments> {
        let id = form_id(&self.id)?;
        let supplier_id: tillbook_core::ids::SupplierId =
            self.supplier_id.trim().parse().map_err(|_| invalid("supplier_id", "choose a supplier"))?;
        let payment = Document::SupplierPaid(SupplierPaid {
            payment_id: DocumentId(derived(id, 1, 0)),
            supplier_id,
            paid_from: self.paid_from,
            reference: self.reference.trim().to_string(),
            amount: positive("amount", &self.amount)?,
            allocations: Vec::new(),
        });
        let document = office(EventId(derived(id, 0, 0)), &self.business, &payment, day(&self.business_day)?);
        Ok(OfficeDocuments { documents: vec![document] })
    }
}

/// Goods a supplier's invoice brings, entered at head office: on account (the usual case, paid
/// later with a [`SupplierPaymentForm`]) or paid from the bank, cash or M-Pesa as they are
/// entered. The lines are priced as the till prices them ([`StockReceiptRequest::receipt`]);
/// head office's merge checks the products, the supplier and the sums as it checks a till's.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoodsForm {
    pub id: String,
    pub business: String,
    /// The supplier (`supplier_id`, with its name in `supplier`), their invoice number, the
    /// lines and how the goods were paid for.
    pub request: StockReceiptRequest,
    #[serde(default)]
    pub business_day: String,
}

impl GoodsForm {
    /// What the lines come to, as they will be recorded.
    pub fn quote(&self) -> Result<PurchaseQuote> {
        PurchaseQuote::of_request(&self.request).map_err(|error| invalid("lines", error.to_string()))
    }

    pub fn documents(&self) -> Result<OfficeDocuments> {
        let id = form_id(&self.id)?;
        if self.request.lines.is_empty() && self.request.cylinders.is_empty() {
            return Err(invalid("lines", "at least one line"));
        }
        let supplier = self.request.supplier.trim().to_string();
        let receipt = self
            .request
            .receipt(DocumentId(derived(id, 1, 0)), supplier)
            .map_err(|error| invalid("lines", error.to_string()))?;
        let document = Document::StockReceipt(receipt);
        let document = office(EventId(derived(id, 0, 0)), &self.business, &document, day(&self.business_day)?);
        Ok(OfficeDocuments { documents: vec![document] })
    }
}

/// What to do with a customer's credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CreditAction {
    /// Pay their open invoices of the business with it, oldest first.
    Apply,
    /// Give it back, in cash or by M-Pesa.
    Refund,
}

/// A customer's credit (2300) applied to their invoices of one business, or paid back.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CreditForm {
    pub id: String,
    pub customer_id: String,
    pub business: String,
    pub action: CreditAction,
    pub amount: String,
    /// For a refund: cash, or M-Pesa with its code.
    #[serde(default)]
    pub method: Option<TenderMethod>,
    #[serde(default)]
    pub mpesa_code: String,
    #[serde(default)]
    pub business_day: String,
}

/// An open invoice of the customer as their statement shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoice {
    pub invoice_id: DocumentId,
    pub business_code: String,
    pub issued_on: chrono::NaiveDate,
    pub outstanding: Money,
}

impl OpenInvoice {
    /// The open invoices of a customer's statement (head office's `statement` report).
    pub fn of_statement(statement: &serde_json::Value) -> Vec<OpenInvoice> {
        let invoices = statement["invoices"].as_array().map(Vec::as_slice).unwrap_or_default();
        invoices
            .iter()
            .filter_map(|invoice| {
                Some(OpenInvoice {
                    invoice_id: invoice["invoice_id"].as_str()?.parse().ok()?,
                    business_code: invoice["business_code"].as_str()?.to_string(),
                    issued_on: invoice["issued_on"].as_str()?.parse().ok()?,
                    outstanding: invoice["outstanding"].as_str()?.parse().ok()?,
                })
            })
            .filter(|invoice| invoice.outstanding.is_positive())
            .collect()
    }
}

impl CreditForm {
    /// The document: credit applied to `open` invoices of the business, oldest first, or
    /// paid back. Head office checks the customer holds that much credit.
    pub fn documents(&self, open: &[OpenInvoice]) -> Result<OfficeDocuments> {
        let id = form_id(&self.id)?;
        let customer_id: tillbook_core::ids::CustomerId =
            self.customer_id.trim().parse().map_err(|_| invalid("customer_id", "choose a customer"))?;
        let amount = positive("amount", &self.amount)?;
        let business = self.business.trim().to_uppercase();
        let document = match self.action {
            CreditAction::Apply => {
                let mut oldest: Vec<&OpenInvoice> = open.iter().filter(|i| i.business_code == business).collect();
                oldest.sort_by_key(|invoice| invoice.issued_on);
                let mut left = amount;
                let mut allocations = Vec::new();
                for invoice in oldest {
                    if !left.is_positive() {
                        break;
                    }
                    let part = invoice.outstanding.min(left);
                    allocations.push(Allocation { invoice_id: invoice.invoice_id, amount: part });
                    left = left.checked_sub(part).map_err(|error| invalid("amount", error.to_string()))?;
                }
                if left.is_positive() {
                    return Err(invalid(
                        "amount",
                        format!("the customer owes {business} only {}", amount.checked_sub(left).unwrap_or(amount)),
                    ));
                }
                Document::CreditApplied(CreditApplied {
                    application_id: DocumentId(derived(id, 1, 0)),
                    customer_id,
                    allocations,
                    total: amount,
                })
            }
            CreditAction::Refund => {
                let method = self.method.unwrap_or(TenderMethod::Cash);
                let mpesa_code = match method {
                    TenderMethod::Mpesa => Some(normalise_mpesa_code(&self.mpesa_code)),
                    TenderMethod::Cash => None,
                    TenderMethod::Credit => return Err(invalid("method", "cash or M-Pesa")),
                };
                Document::CreditRefunded(CreditRefunded {
                    refund_id: DocumentId(derived(id, 1, 0)),
                    receipt_number: format!("HO-{}", &id.simple().to_string()[20..]),
                    customer_id,
                    tenders: vec![Tender { method, amount, mpesa_code, customer_id: None }],
                    total: amount,
                })
            }
        };
        Ok(OfficeDocuments {
            documents: vec![office(EventId(derived(id, 0, 0)), &business, &document, day(&self.business_day)?)],
        })
    }
}

fn office(
    event_id: EventId,
    business: &str,
    document: &Document,
    business_day: Option<chrono::NaiveDate>,
) -> OfficeDocument {
    OfficeDocument {
        event_id,
        business: business.trim().to_uppercase(),
        event_type: document.event_type().to_string(),
        document: document.to_wire(),
        business_day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rent() -> ExpenseForm {
        ExpenseForm {
            id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            account: "6100".into(),
            description: "Rent, December".into(),
            amount: "34800".into(),
            vat_rate: "0.16".into(),
            paid_from: PaidFrom::Bank,
            business_day: "2026-12-01".into(),
            split_by: SplitBy::Percent,
            shares: ["WATER", "LAUNDRY", "RETAIL"]
                .iter()
                .zip(["50", "30", "20"])
                .map(|(business, value)| ShareForm { business: business.to_string(), value: value.into() })
                .collect(),
        }
    }

    fn field(result: Result<OfficeDocuments>) -> String {
        match result {
            Err(OwnerError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn credit_goes_to_the_oldest_open_invoices_of_the_business_and_no_further() {
        let statement = serde_json::json!({ "invoices": [
            { "invoice_id": "0190a1b2-c3d4-7e5f-8a9b-000000000002", "business_code": "RETAIL", "issued_on": "2026-11-20", "outstanding": "300.00" },
            { "invoice_id": "0190a1b2-c3d4-7e5f-8a9b-000000000001", "business_code": "RETAIL", "issued_on": "2026-11-02", "outstanding": "250.00" },
            { "invoice_id": "0190a1b2-c3d4-7e5f-8a9b-000000000003", "business_code": "LAUNDRY", "issued_on": "2026-10-01", "outstanding": "900.00" },
            { "invoice_id": "0190a1b2-c3d4-7e5f-8a9b-000000000004", "business_code": "RETAIL", "issued_on": "2026-10-01", "outstanding": "0.00" }
        ]});
        let open = OpenInvoice::of_statement(&statement);
        let form = CreditForm {
            id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            customer_id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f0000".into(),
            business: "retail".into(),
            action: CreditAction::Apply,
            amount: "400".into(),
            method: None,
            mpesa_code: String::new(),
            business_day: String::new(),
        };
        let documents = form.documents(&open).unwrap().documents;
        let allocations: Vec<(String, String)> = documents[0].document["allocations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["invoice_id"].as_str().unwrap()[30..].to_string(), a["amount"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(allocations, [("000001".to_string(), "250.00".to_string()), ("000002".into(), "150.00".into())]);
        assert_eq!(field(CreditForm { amount: "600".into(), ..form.clone() }.documents(&open)), "amount");
        let refund = CreditForm {
            action: CreditAction::Refund,
            method: Some(TenderMethod::Mpesa),
            mpesa_code: "qk12abc001".into(),
            ..form
        };
        let document = &refund.documents(&open).unwrap().documents[0];
        assert_eq!(
            (document.event_type.as_str(), document.document["tenders"][0]["mpesa_code"].as_str()),
            ("credit.refunded", Some("QK12ABC001"))
        );
    }

    #[test]
    fn goods_entered_at_head_office_are_one_receipt_priced_as_the_till_prices_them() {
        let sugar = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f0001";
        let form: GoodsForm = serde_json::from_value(serde_json::json!({
            "id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            "business": "retail",
            "request": {
                "supplier_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f0007", "supplier": " Bidco Africa ",
                "reference": " BA-2002 ", "paid_by": "bank",
                "lines": [{ "product_id": sugar, "quantity": "12", "unit_cost": "150.00", "vat_rate": "0.16" }]
            },
            "business_day": "2026-11-20"
        }))
        .unwrap();
        let quote = form.quote().unwrap();
        assert_eq!(
            (quote.net.to_string(), quote.vat.to_string(), quote.total.to_string()),
            ("1800.00".into(), "288.00".into(), "2088.00".into())
        );
        let documents = form.documents().unwrap().documents;
        let receipt = &documents[0];
        assert_eq!((receipt.business.as_str(), receipt.event_type.as_str()), ("RETAIL", "stock.received"));
        assert_eq!(
            (
                receipt.document["total"].as_str(),
                receipt.document["paid_by"].as_str(),
                receipt.document["supplier"].as_str()
            ),
            (Some("2088.00"), Some("bank"), Some("Bidco Africa"))
        );
        assert_eq!(receipt.document["lines"][0]["vat"], "288.00");
        assert_eq!(documents, form.documents().unwrap().documents, "the same form names the same event");
        let mut empty = form.clone();
        empty.request.lines.clear();
        assert_eq!(field(empty.documents()), "lines");
    }

    #[test]
    fn a_supplier_paid_from_the_bank_is_one_document_applied_by_head_office() {
        let form = SupplierPaymentForm {
            id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            supplier_id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f0007".into(),
            business: "retail".into(),
            amount: "5000".into(),
            paid_from: PaidFrom::Bank,
            reference: " EFT 7781 ".into(),
            business_day: "2026-11-20".into(),
        };
        let document = &form.documents().unwrap().documents[0];
        assert_eq!((document.business.as_str(), document.event_type.as_str()), ("RETAIL", "supplier.paid"));
        assert_eq!(
            (document.document["amount"].as_str(), document.document["reference"].as_str()),
            (Some("5000.00"), Some("EFT 7781"))
        );
        assert_eq!(document.document["allocations"], serde_json::json!([]));
        let refused = SupplierPaymentForm { supplier_id: String::new(), ..form.clone() };
        assert_eq!(field(refused.documents()), "supplier_id");
        assert_eq!(field(SupplierPaymentForm { amount: "-1".into(), ..form }.documents()), "amount");
    }

    #[test]
    fn rent_is_shared_by_percentage_into_one_expense_per_business_with_the_same_ids_each_time() {
        let documents = rent().documents().unwrap().documents;
        let amounts: Vec<(&str, &str)> =
            documents.iter().map(|d| (d.business.as_str(), d.document["amount"].as_str().unwrap())).collect();
        assert_eq!(amounts, [("WATER", "17400.00"), ("LAUNDRY", "10440.00"), ("RETAIL", "6960.00")]);
        assert_eq!(documents, rent().documents().unwrap().documents, "the same form names the same events");
        let ids: std::collections::HashSet<_> = documents.iter().map(|d| d.event_id).collect();
        assert_eq!(ids.len(), 3);
        let by_amount = ExpenseForm {
            split_by: SplitBy::Amount,
            shares: vec![
                ShareForm { business: "WATER".into(), value: "20000".into() },
                ShareForm { business: "RETAIL".into(), value: "14800".into() },
            ],
            ..rent()
        };
        assert_eq!(by_amount.documents().unwrap().documents[1].document["amount"], "14800.00");
        let short = ExpenseForm { shares: by_amount.shares[..1].to_vec(), ..by_amount.clone() };
        assert_eq!(field(short.documents()), "shares");
        let mut not_100 = rent();
        not_100.shares[2].value = "25".into();
        assert_eq!(field(not_100.documents()), "shares");
        assert_eq!(field(ExpenseForm { account: "rent".into(), ..rent() }.documents()), "account");
        assert_eq!(field(ExpenseForm { amount: "0".into(), ..rent() }.documents()), "amount");
        assert_eq!(field(ExpenseForm { id: String::new(), ..rent() }.documents()), "id");
    }
}
