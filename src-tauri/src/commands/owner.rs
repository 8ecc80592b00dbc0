//! The owner's side of the app (DESIGN §9): sign-in at head office, the reports, and their CSV.
//! Adapters over `tillbook_till::owner`, which fetches, keeps the last copies and sizes the
//! sales chart; nothing here adds up money.

use std::collections::BTreeMap;
use std::path::PathBuf;

use tauri::{AppHandle, Manager, State};
use tillbook_core::protocol::{ResolveResponse, SessionLine, TillEnrolment, UserLine};
use tillbook_till::PurchaseQuote;
use tillbook_till::owner::maintenance::{
    BusinessForm, CustomerForm, CylinderForm, ProductForm, ServiceForm, StaffForm, SupplierForm, UserForm,
};
use tillbook_till::owner::office::{CreditForm, ExpenseForm, GoodsForm, SupplierPaymentForm, TransferForm};
use tillbook_till::owner::review::{EntryTotals, FormLine, ResolveForm};
use tillbook_till::owner::{OwnerAccount, OwnerDesk, OwnerError, ReportCopy, SignedOut};

use crate::state::{Answer, App, UiError};

fn signed_in(app: &App) -> Answer<OwnerDesk> {
    app.owner()?.ok_or_else(|| OwnerError::NotSignedIn.into())
}

#[tauri::command]
pub async fn owner_sign_in(
    app: State<'_, App>,
    server_url: String,
    server_ca: Option<String>,
    email: String,
    password: String,
) -> Answer<OwnerAccount> {
    // Signing in again to the same head office keeps the certificate it was given before.
    let known =
        app.owner()?.map(|desk| desk.account().clone()).filter(|account| account.server_url == server_url.trim());
    let server_ca = server_ca.filter(|pem| !pem.trim().is_empty()).or(known.and_then(|account| account.server_ca));
    let server = super::server(&server_url, server_ca)?;
    let desk = OwnerDesk::sign_in(&app.folder, &server, &email, &password).await?;
    let account = desk.account().clone();
    app.set_owner(Some(desk))?;
    Ok(account)
}

/// Signs out here and at head office; answers whether head office could be told.
#[tauri::command]
pub async fn owner_sign_out(app: State<'_, App>) -> Answer<SignedOut> {
    match app.owner()? {
        Some(desk) => {
            app.set_owner(None)?;
            Ok(desk.sign_out().await?)
        }
        None => Ok(SignedOut { ended_at_head_office: true }),
    }
}

/// Ends this user's sessions on every computer, this one too; answers how many ended.
#[tauri::command]
pub async fn owner_sign_out_everywhere(app: State<'_, App>) -> Answer<u64> {
    let desk = signed_in(&app)?;
    let ended = desk.sign_out_everywhere().await?;
    app.set_owner(None)?;
    Ok(ended)
}

#[tauri::command]
pub async fn owner_sessions(app: State<'_, App>) -> Answer<Vec<SessionLine>> {
    Ok(signed_in(&app)?.sessions().await?)
}

#[tauri::command]
pub async fn owner_change_password(app: State<'_, App>, current: String, new: String) -> Answer<()> {
    Ok(signed_in(&app)?.change_password(&current, &new).await?)
}

#[tauri::command]
pub async fn owner_users(app: State<'_, App>) -> Answer<Vec<UserLine>> {
    Ok(signed_in(&app)?.users().await?)
}

#[tauri::command]
pub async fn owner_save_user(app: State<'_, App>, form: UserForm) -> Answer<UserLine> {
    Ok(signed_in(&app)?.save_user(&form).await?)
}

#[tauri::command]
pub async fn owner_report(app: State<'_, App>, report: String, params: BTreeMap<String, String>) -> Answer<ReportCopy> {
    Ok(signed_in(&app)?.report(&report, &params).await?)
}

/// The owner's decision on an item of the review queue.
#[tauri::command]
pub async fn owner_resolve(app: State<'_, App>, form: ResolveForm) -> Answer<ResolveResponse> {
    Ok(signed_in(&app)?.resolve(&form).await?)
}

/// An M-Pesa statement the owner picked (its text, read by the window from the file chosen),
/// sent to be matched; answers the server's summary.
#[tauri::command]
pub async fn owner_import_mpesa(
    app: State<'_, App>,
    business: String,
    file_name: String,
    text: String,
) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.import_mpesa(&business, &file_name, &text).await?)
}

/// A product saved from the owner's maintenance screen (new, or a new price).
#[tauri::command]
pub async fn owner_save_product(app: State<'_, App>, form: ProductForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.save_product(&form).await?)
}

/// A business saved from the owner's set-up screen (new, or its profile changed).
#[tauri::command]
pub async fn owner_save_business(app: State<'_, App>, form: BusinessForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.save_business(&form).await?)
}

#[tauri::command]
pub async fn owner_save_service(app: State<'_, App>, form: ServiceForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.save_service(&form).await?)
}

#[tauri::command]
pub async fn owner_save_cylinder(app: State<'_, App>, form: CylinderForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.save_cylinder(&form).await?)
}

#[tauri::command]
pub async fn owner_save_supplier(app: State<'_, App>, form: SupplierForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.save_supplier(&form).await?)
}

#[tauri::command]
pub async fn owner_save_customer(app: State<'_, App>, form: CustomerForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.save_customer(&form).await?)
}

/// A member of staff saved (new, a new PIN, or deactivated).
#[tauri::command]
pub async fn owner_save_staff(app: State<'_, App>, form: StaffForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.save_staff(&form).await?)
}

#[tauri::command]
pub async fn owner_enrol_till(app: State<'_, App>, business: String, name: String) -> Answer<TillEnrolment> {
    Ok(signed_in(&app)?.enrol_till(&business, &name).await?)
}

/// A business's eTIMS device, set up from the owner's maintenance screen.
#[tauri::command]
pub async fn owner_set_up_etims(
    app: State<'_, App>,
    form: tillbook_core::protocol::EtimsSetUpRequest,
) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.set_up_etims(&form).await?)
}

#[tauri::command]
pub async fn owner_revoke_till(app: State<'_, App>, till_code: String) -> Answer<()> {
    Ok(signed_in(&app)?.revoke_till(&till_code).await?)
}

#[tauri::command]
pub async fn owner_reenrol_till(app: State<'_, App>, till_code: String) -> Answer<TillEnrolment> {
    Ok(signed_in(&app)?.reenrol_till(&till_code).await?)
}

/// The correcting entry's debits and credits as typed so far, for the form to show.
#[tauri::command]
pub fn owner_entry_totals(lines: Vec<FormLine>) -> EntryTotals {
    tillbook_till::owner::review::totals(&lines)
}

/// Saves the report as CSV where the owner keeps downloads (`TILLBOOK_EXPORT_DIR` overrides it,
/// for tests); answers the file's path to show.
#[tauri::command]
pub async fn owner_export(
    handle: AppHandle,
    app: State<'_, App>,
    report: String,
    params: BTreeMap<String, String>,
) -> Answer<String> {
    let folder = match std::env::var_os("TILLBOOK_EXPORT_DIR") {
        Some(folder) => PathBuf::from(folder),
        None => handle.path().download_dir().unwrap_or_else(|_| app.folder.join("exports")),
    };
    let path = signed_in(&app)?.export_csv(&report, &params, &folder).await?;
    path.into_os_string().into_string().map_err(|_| UiError::new("export", "the file's name is not text"))
}

/// An expense paid at head office, shared across businesses: each document's ack.
#[tauri::command]
pub async fn owner_record_expense(app: State<'_, App>, form: ExpenseForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.record_expense(&form).await?)
}

/// Money moved to the bank, recorded at head office.
#[tauri::command]
pub async fn owner_record_transfer(app: State<'_, App>, form: TransferForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.record_transfer(&form).await?)
}

/// A customer's credit applied to their oldest invoices of a business, or paid back.
#[tauri::command]
pub async fn owner_record_credit(app: State<'_, App>, form: CreditForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.record_credit(&form).await?)
}

/// The group's bank statement, matched at head office against account 1170.
#[tauri::command]
pub async fn owner_import_bank(app: State<'_, App>, file_name: String, text: String) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.import_bank(&file_name, &text).await?)
}

/// What goods entered at head office come to (Rust's figures; the screen adds nothing up).
#[tauri::command]
pub fn owner_quote_goods(form: GoodsForm) -> Answer<PurchaseQuote> {
    Ok(form.quote()?)
}

/// Goods from a supplier's invoice, entered at head office.
#[tauri::command]
pub async fn owner_record_goods(app: State<'_, App>, form: GoodsForm) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.record_goods(&form).await?)
}

/// A supplier paid at head office.
#[tauri::command]
pub async fn owner_record_supplier_payment(
    app: State<'_, App>,
    form: SupplierPaymentForm,
) -> Answer<serde_json::Value> {
    Ok(signed_in(&app)?.record_supplier_payment(&form).await?)
}
