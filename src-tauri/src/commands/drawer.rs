//! The drawer: expenses and cash movements during the shift, then the count, over/short and
//! the Z report at day close; and today's figures as the store has them.

use serde::Serialize;
use tauri::State;
use tillbook_core::Money;
use tillbook_core::catalog::Supplier;
use tillbook_core::chart::AccountCode;
use tillbook_core::documents::{CashMovementKind, PaidFrom};
use tillbook_till::lookups::ExpenseAccount;
use tillbook_till::reports::{CylinderStock, LaundryJobSummary, SalesSummary, StockLevel};
use tillbook_till::{CashCount, PurchaseQuote, ShiftReport, StockReceiptRequest, SupplierPaymentRequest, ZReport};

use super::{BusinessView, business_view};
use crate::state::{Answer, App};

#[tauri::command]
pub fn expense_accounts(app: State<'_, App>) -> Answer<Vec<ExpenseAccount>> {
    app.session()?;
    app.with_till(|till| till.expense_accounts())
}

#[tauri::command]
pub fn record_expense(
    app: State<'_, App>,
    account: AccountCode,
    amount: Money,
    description: String,
    paid_from: PaidFrom,
) -> Answer<()> {
    let session = app.session()?;
    app.with_till(|till| till.record_expense(&session, account, amount, &description, paid_from))?;
    app.nudge();
    Ok(())
}

#[tauri::command]
pub fn move_cash(app: State<'_, App>, kind: CashMovementKind, amount: Money, note: String) -> Answer<()> {
    let session = app.session()?;
    app.with_till(|till| till.move_cash(&session, kind, amount, &note))?;
    app.nudge();
    Ok(())
}

/// Counts the drawer and closes the shift: expected, counted and over/short.
#[tauri::command]
pub fn close_shift(app: State<'_, App>, count: CashCount) -> Answer<ShiftReport> {
    let session = app.session()?;
    let report = app.with_till(|till| till.close_shift(&session, &count))?;
    app.nudge();
    Ok(report)
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct DayCloseView {
    pub business: BusinessView,
    #[serde(flatten)]
    pub z: ZReport,
}

/// Closes today at every business this till serves (the shift must be closed first), one Z
/// report each. A business already closed today is left as it is.
#[tauri::command]
pub fn close_day(app: State<'_, App>) -> Answer<Vec<DayCloseView>> {
    let session = app.session()?;
    let reports = app.with_till(|till| {
        let closed = till.close_days(&session)?;
        closed.into_iter().map(|(id, z)| Ok(DayCloseView { business: business_view(till, id)?, z })).collect()
    })?;
    app.nudge();
    Ok(reports)
}

/// Today's figures for the business being served, from the local store.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct TodayView {
    pub sales: SalesSummary,
    pub expected_cash: Option<Money>,
    pub stock: Vec<StockLevel>,
    pub cylinders: Vec<CylinderStock>,
    pub open_jobs: Vec<LaundryJobSummary>,
}

#[tauri::command]
pub fn today(app: State<'_, App>) -> Answer<TodayView> {
    let session = app.session()?;
    app.with_till(|till| {
        Ok(TodayView {
            sales: till.todays_sales(session.business_id)?,
            expected_cash: till.expected_cash_in_drawer()?,
            stock: till.stock_levels(session.business_id)?,
            cylinders: till.cylinder_stock(session.business_id)?,
            open_jobs: till.open_laundry_jobs(session.business_id)?,
        })
    })
}

/// The group's suppliers, for goods received and supplier payments.
#[tauri::command]
pub fn suppliers(app: State<'_, App>) -> Answer<Vec<Supplier>> {
    app.session()?;
    app.with_till(|till| till.suppliers())
}

/// What goods received come to (net, input VAT, total), as they would be recorded.
#[tauri::command]
pub fn quote_goods(app: State<'_, App>, request: StockReceiptRequest) -> Answer<PurchaseQuote> {
    app.session()?;
    Ok(PurchaseQuote::of_request(&request)?)
}

/// Goods from a supplier, paid from the drawer, by M-Pesa, or on account.
#[tauri::command]
pub fn receive_goods(app: State<'_, App>, request: StockReceiptRequest) -> Answer<PurchaseQuote> {
    let session = app.session()?;
    let quote = PurchaseQuote::of_request(&request)?;
    app.with_till(|till| till.receive_stock(&session, &request))?;
    app.nudge();
    Ok(quote)
}

/// Money paid to a supplier; head office applies it to their oldest invoices.
#[tauri::command]
pub fn pay_supplier(app: State<'_, App>, request: SupplierPaymentRequest) -> Answer<()> {
    let session = app.session()?;
    app.with_till(|till| till.pay_supplier(&session, &request))?;
    app.nudge();
    Ok(())
}
