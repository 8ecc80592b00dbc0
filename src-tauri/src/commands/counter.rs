//! Sales at the counter: water and shop goods, and LPG.

use std::collections::HashMap;

use serde::Serialize;
use tauri::State;
use tillbook_core::Quantity;
use tillbook_core::catalog::{CylinderType, Product};
use tillbook_till::{DepositBackRequest, LpgQuote, LpgRequest, SaleLineRequest, SaleQuote, SaleRequest};

use crate::state::{Answer, App};
use tillbook_till::receipt::{ReceiptHeader, ReceiptView};

#[tauri::command]
pub fn products(app: State<'_, App>) -> Answer<Vec<Product>> {
    let session = app.session()?;
    app.with_till(|till| till.products(session.business_id))
}

#[tauri::command]
pub fn quote_sale(app: State<'_, App>, lines: Vec<SaleLineRequest>) -> Answer<SaleQuote> {
    let session = app.session()?;
    app.with_till(|till| till.quote_sale(&session, &lines))
}

#[tauri::command]
pub fn record_sale(app: State<'_, App>, request: SaleRequest) -> Answer<ReceiptView> {
    let session = app.session()?;
    let receipt = app.with_till(|till| {
        let outcome = till.record_sale(&session, &request)?;
        let header = ReceiptHeader::of(till, &session, &outcome.recorded)?;
        let names: HashMap<_, _> = till.products(session.business_id)?.into_iter().map(|p| (p.id, p.name)).collect();
        Ok(ReceiptView::sale(outcome, |id| names.get(id).cloned().unwrap_or_default()).issued(header))
    })?;
    app.nudge();
    Ok(receipt)
}

/// A cylinder type with the full and empty cylinders the shop holds of it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct CylinderView {
    #[serde(flatten)]
    pub cylinder: CylinderType,
    pub full: i64,
    pub empty: i64,
}

#[tauri::command]
pub fn cylinders(app: State<'_, App>) -> Answer<Vec<CylinderView>> {
    let session = app.session()?;
    app.with_till(|till| {
        let stock: HashMap<_, _> = till
            .cylinder_stock(session.business_id)?
            .into_iter()
            .map(|s| (s.cylinder_type_id, (s.full, s.empty)))
            .collect();
        Ok(till
            .cylinder_types(session.business_id)?
            .into_iter()
            .map(|cylinder| {
                let (full, empty) = stock.get(&cylinder.id).copied().unwrap_or_default();
                CylinderView { cylinder, full, empty }
            })
            .collect())
    })
}

#[tauri::command]
pub fn quote_lpg(app: State<'_, App>, request: LpgRequest) -> Answer<LpgQuote> {
    let session = app.session()?;
    app.with_till(|till| till.quote_lpg(&session, &request))
}

/// Lent cylinders brought back: their deposit paid back, on a refund receipt.
#[tauri::command]
pub fn refund_deposit(app: State<'_, App>, request: DepositBackRequest) -> Answer<ReceiptView> {
    let session = app.session()?;
    let receipt = app.with_till(|till| {
        let outcome = till.refund_deposit(&session, &request)?;
        let header = ReceiptHeader::of(till, &session, &outcome.recorded)?;
        let cylinder = till.cylinder_types(session.business_id)?.into_iter().find(|c| c.id == request.cylinder_type_id);
        let text = cylinder.map(|c| format!("{} kg {} deposit", c.size_kg, c.brand)).unwrap_or_default();
        // Recorded, so its quantity is in range.
        let quantity = Quantity::try_whole(i64::from(request.quantity))?;
        Ok(ReceiptView::deposit_back(outcome, text, quantity).issued(header))
    })?;
    app.nudge();
    Ok(receipt)
}

#[tauri::command]
pub fn lpg_sale(app: State<'_, App>, request: LpgRequest) -> Answer<ReceiptView> {
    let session = app.session()?;
    let receipt = app.with_till(|till| {
        let outcome = till.lpg_sale(&session, &request)?;
        let header = ReceiptHeader::of(till, &session, &outcome.recorded)?;
        let cylinder = till.cylinder_types(session.business_id)?.into_iter().find(|c| c.id == request.cylinder_type_id);
        let text = cylinder.as_ref().map(tillbook_till::receipt::gas_text).unwrap_or_default();
        // The sale was recorded, so its quantity is in range.
        let quantity = Quantity::try_whole(i64::from(request.quantity))?;
        Ok(ReceiptView::lpg(outcome, text, quantity).issued(header))
    })?;
    app.nudge();
    Ok(receipt)
}
