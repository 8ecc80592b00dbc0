//! Laundry at the counter: drop-off with a ticket, the board of jobs by status, and collection
//! with the balance due.

use std::collections::HashMap;

use tauri::State;
use tillbook_core::catalog::LaundryService;
use tillbook_core::documents::{JobStatus, TenderInput};
use tillbook_till::DropOffRequest;
use tillbook_till::reports::LaundryJobSummary;

use crate::state::{Answer, App};
use tillbook_till::receipt::{ReceiptHeader, ReceiptView};

#[tauri::command]
pub fn laundry_services(app: State<'_, App>) -> Answer<Vec<LaundryService>> {
    let session = app.session()?;
    app.with_till(|till| till.laundry_services(session.business_id))
}

/// Jobs not yet collected or cancelled, by promised time.
#[tauri::command]
pub fn laundry_jobs(app: State<'_, App>) -> Answer<Vec<LaundryJobSummary>> {
    let session = app.session()?;
    app.with_till(|till| till.open_laundry_jobs(session.business_id))
}

#[tauri::command]
pub fn laundry_drop_off(app: State<'_, App>, request: DropOffRequest) -> Answer<ReceiptView> {
    let session = app.session()?;
    let receipt = app.with_till(|till| {
        let outcome = till.laundry_drop_off(&session, &request)?;
        let header = ReceiptHeader::of(till, &session, &outcome.recorded)?;
        let names: HashMap<_, _> =
            till.laundry_services(session.business_id)?.into_iter().map(|s| (s.id, s.name)).collect();
        Ok(ReceiptView::drop_off(outcome, |id| names.get(id).cloned().unwrap_or_default()).issued(header))
    })?;
    app.nudge();
    Ok(receipt)
}

#[tauri::command]
pub fn laundry_set_status(app: State<'_, App>, ticket_number: String, status: JobStatus) -> Answer<()> {
    let session = app.session()?;
    app.with_till(|till| till.laundry_set_status(&session, &ticket_number, status))?;
    app.nudge();
    Ok(())
}

#[tauri::command]
pub fn laundry_collect(app: State<'_, App>, ticket_number: String, tenders: Vec<TenderInput>) -> Answer<ReceiptView> {
    let session = app.session()?;
    let receipt = app.with_till(|till| {
        let collection = till.laundry_collect(&session, &ticket_number, &tenders)?;
        let header = ReceiptHeader::of(till, &session, &collection.recorded)?;
        Ok(ReceiptView::collection(till, collection, ticket_number.clone())?.issued(header))
    })?;
    app.nudge();
    Ok(receipt)
}
