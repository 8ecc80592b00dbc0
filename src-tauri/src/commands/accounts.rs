//! Customers and their accounts, payments on account, and voids and refunds of recent receipts.

use std::collections::HashMap;

use tauri::State;
use tillbook_core::Money;
use tillbook_core::documents::TenderInput;
use tillbook_core::ids::{CustomerId, StaffId};
use tillbook_till::lookups::{CustomerSummary, ReceiptSummary, SoldReceipt};
use tillbook_till::reports::CustomerAccount;
use tillbook_till::{CreditOutcome, RefundRequest};

use crate::state::{Answer, App};
use tillbook_till::receipt::{ReceiptHeader, ReceiptView};

#[tauri::command]
pub fn customers(app: State<'_, App>, query: String) -> Answer<Vec<CustomerSummary>> {
    app.session()?;
    app.with_till(|till| till.find_customers(&query))
}

/// A new customer. Anyone at the till may add one who pays cash; a credit limit needs a
/// supervisor (or the owner), who authorises with their own PIN, checked like a login.
#[tauri::command]
pub fn create_customer(
    app: State<'_, App>,
    name: String,
    phone: Option<String>,
    credit_limit: Option<Money>,
    supervisor_id: Option<StaffId>,
    supervisor_pin: Option<String>,
) -> Answer<CustomerId> {
    let session = app.session()?;
    let credit_limit = credit_limit.unwrap_or(Money::ZERO);
    let (id, _) = app.with_till(|till| {
        let by = match (credit_limit.is_positive(), supervisor_id, supervisor_pin) {
            (true, Some(supervisor), Some(pin)) => {
                // The supervisor gives the credit, for the business being served.
                let supervisor = till.login(supervisor, &pin)?;
                tillbook_till::Session { business_id: session.business_id, ..supervisor }
            }
            _ => session.clone(),
        };
        till.create_customer(&by, &name, phone.as_deref(), credit_limit)
    })?;
    app.nudge();
    Ok(id)
}

/// A customer's name, phone (none: kept) or credit limit changed at the till. A new limit
/// needs a supervisor (or the owner) and their PIN, as when the customer was created.
#[tauri::command]
pub fn change_customer(
    app: State<'_, App>,
    customer_id: CustomerId,
    name: String,
    phone: Option<String>,
    credit_limit: Money,
    supervisor_id: Option<StaffId>,
    supervisor_pin: Option<String>,
) -> Answer<()> {
    let session = app.session()?;
    app.with_till(|till| {
        let by = match (supervisor_id, supervisor_pin) {
            (Some(supervisor), Some(pin)) => {
                let supervisor = till.login(supervisor, &pin)?;
                tillbook_till::Session { business_id: session.business_id, ..supervisor }
            }
            _ => session.clone(),
        };
        till.change_customer(&by, customer_id, &name, phone.as_deref(), credit_limit)
    })?;
    app.nudge();
    Ok(())
}

#[tauri::command]
pub fn customer_account(app: State<'_, App>, customer_id: CustomerId) -> Answer<CustomerAccount> {
    app.session()?;
    app.with_till(|till| till.customer_account(customer_id))
}

/// A payment on account, allocated oldest invoice first; the rest is kept as credit.
#[tauri::command]
pub fn receive_payment(app: State<'_, App>, customer_id: CustomerId, tenders: Vec<TenderInput>) -> Answer<ReceiptView> {
    let session = app.session()?;
    let receipt = app.with_till(|till| {
        let outcome = till.receive_payment(&session, customer_id, &tenders, None)?;
        let header = ReceiptHeader::of(till, &session, &outcome.recorded)?;
        Ok(ReceiptView::payment(outcome).issued(header))
    })?;
    app.nudge();
    Ok(receipt)
}

/// `amount` of the customer's credit applied to their open invoices here, oldest first.
#[tauri::command]
pub fn apply_credit(app: State<'_, App>, customer_id: CustomerId, amount: Money) -> Answer<CreditOutcome> {
    let session = app.session()?;
    let outcome = app.with_till(|till| till.apply_credit(&session, customer_id, amount))?;
    app.nudge();
    Ok(outcome)
}

/// The customer's credit paid back over the counter; a supervisor authorises with their PIN.
#[tauri::command]
pub fn refund_credit(
    app: State<'_, App>,
    customer_id: CustomerId,
    tender: TenderInput,
    supervisor_id: StaffId,
    supervisor_pin: String,
) -> Answer<ReceiptView> {
    let session = app.session()?;
    let receipt = app.with_till(|till| {
        let supervisor = till.login(supervisor_id, &supervisor_pin)?;
        let outcome = till.refund_credit(&session, &supervisor, customer_id, &tender)?;
        let header = ReceiptHeader::of(till, &session, &outcome.recorded)?;
        Ok(ReceiptView::credit_refund(outcome, "Credit paid back".to_string()).issued(header))
    })?;
    app.nudge();
    Ok(receipt)
}

#[tauri::command]
pub fn recent_receipts(app: State<'_, App>) -> Answer<Vec<ReceiptSummary>> {
    let session = app.session()?;
    app.with_till(|till| till.recent_receipts(session.business_id, 20))
}

/// A copy of a goods receipt of the business being served, marked COPY, for the customer who
/// needs it again.
#[tauri::command]
pub fn reprint_receipt(app: State<'_, App>, receipt_number: String) -> Answer<ReceiptView> {
    let session = app.session()?;
    app.with_till(|till| ReceiptView::reprint(till, session.business_id, &receipt_number))
}

/// Voids a receipt. Whoever is at the till asks; a supervisor (or the owner) authorises with
/// their own PIN, checked here like a login.
#[tauri::command]
pub fn void_receipt(
    app: State<'_, App>,
    receipt_number: String,
    reason: String,
    supervisor_id: StaffId,
    supervisor_pin: String,
) -> Answer<()> {
    let session = app.session()?;
    app.with_till(|till| {
        let supervisor = till.login(supervisor_id, &supervisor_pin)?;
        till.void_receipt(&session, &supervisor, &receipt_number, &reason)
    })?;
    app.nudge();
    Ok(())
}

/// A goods receipt with what is left to return on each line, for the refund panel.
#[tauri::command]
pub fn sold_receipt(app: State<'_, App>, receipt_number: String) -> Answer<SoldReceipt> {
    let session = app.session()?;
    app.with_till(|till| till.sold_receipt(session.business_id, &receipt_number))
}

/// Goods brought back, part or all of some lines; like a void it needs a supervisor's PIN.
#[tauri::command]
pub fn refund_sale(
    app: State<'_, App>,
    request: RefundRequest,
    supervisor_id: StaffId,
    supervisor_pin: String,
) -> Answer<ReceiptView> {
    let session = app.session()?;
    let receipt = app.with_till(|till| {
        let supervisor = till.login(supervisor_id, &supervisor_pin)?;
        let outcome = till.refund_sale(&session, &supervisor, &request)?;
        let header = ReceiptHeader::of(till, &session, &outcome.recorded)?;
        let names: HashMap<_, _> = till.products(session.business_id)?.into_iter().map(|p| (p.id, p.name)).collect();
        Ok(ReceiptView::refund(outcome, |id| names.get(id).cloned().unwrap_or_default()).issued(header))
    })?;
    app.nudge();
    Ok(receipt)
}
