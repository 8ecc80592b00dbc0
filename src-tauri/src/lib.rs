//! The counter app (DESIGN §1, §6): a Tauri 2 window whose commands are thin adapters over
//! `tillbook-till`. Everything that is money — prices, totals, VAT, change — is worked out in
//! Rust by the till crate; the UI only shows what these commands return.

#[cfg(test)]
mod bindings;
mod commands;
mod state;

pub use state::App;

/// Starts the app. The store lives in `TILLBOOK_DATA_DIR` when set (tests, several tills on
/// one machine), else in the platform's app-data folder.
pub fn run() {
    // The async runtime is built here so that each of its threads joins the session keyring
    // before any sync work runs on it (the device token is read there; PLATFORM: keyring).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(|| {
            if let Err(error) = tillbook_till::sync::token::prepare() {
                tracing::warn!(%error, "no keyring: this till can run as a demo but cannot sync");
            }
        })
        .build()
        .expect("the async runtime starts");
    tauri::async_runtime::set(runtime.handle().clone());
    tauri::Builder::default()
        .setup(|app| {
            let folder = match std::env::var_os("TILLBOOK_DATA_DIR") {
                Some(folder) => folder.into(),
                None => tauri::Manager::path(app).app_data_dir()?,
            };
            std::fs::create_dir_all(&folder)?;
            let state = App::open(folder)?;
            // The nightly backup (DESIGN §6), whether or not the till syncs.
            tauri::async_runtime::spawn(tillbook_till::backup::nightly(state.store_path(), state.backup_folder()));
            tauri::Manager::manage(app, state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::setup_state,
            commands::create_demo,
            commands::enrol,
            commands::reenrol,
            commands::restore_backup,
            commands::backup_now,
            commands::backup_folder,
            commands::set_backup_folder,
            commands::sign_out_till,
            commands::wipe_till,
            commands::staff,
            commands::login,
            commands::unlock_staff,
            commands::logout,
            commands::businesses,
            commands::switch_business,
            commands::shift,
            commands::open_shift,
            commands::sync_status,
            commands::quarantined,
            commands::counter::products,
            commands::counter::quote_sale,
            commands::counter::record_sale,
            commands::counter::cylinders,
            commands::counter::quote_lpg,
            commands::counter::lpg_sale,
            commands::laundry::laundry_services,
            commands::laundry::laundry_jobs,
            commands::laundry::laundry_drop_off,
            commands::laundry::laundry_set_status,
            commands::laundry::laundry_collect,
            commands::accounts::customers,
            commands::accounts::create_customer,
            commands::accounts::customer_account,
            commands::accounts::receive_payment,
            commands::accounts::apply_credit,
            commands::accounts::refund_credit,
            commands::accounts::recent_receipts,
            commands::accounts::change_customer,
            commands::counter::refund_deposit,
            commands::accounts::reprint_receipt,
            commands::accounts::void_receipt,
            commands::accounts::sold_receipt,
            commands::accounts::refund_sale,
            commands::drawer::expense_accounts,
            commands::drawer::record_expense,
            commands::drawer::move_cash,
            commands::drawer::suppliers,
            commands::drawer::quote_goods,
            commands::drawer::receive_goods,
            commands::drawer::pay_supplier,
            commands::drawer::close_shift,
            commands::drawer::close_day,
            commands::drawer::today,
            commands::owner::owner_sign_in,
            commands::owner::owner_sign_out,
            commands::owner::owner_sign_out_everywhere,
            commands::owner::owner_sessions,
            commands::owner::owner_change_password,
            commands::owner::owner_users,
            commands::owner::owner_save_user,
            commands::owner::owner_report,
            commands::owner::owner_export,
            commands::owner::owner_resolve,
            commands::owner::owner_import_mpesa,
            commands::owner::owner_save_product,
            commands::owner::owner_save_business,
            commands::owner::owner_save_service,
            commands::owner::owner_save_cylinder,
            commands::owner::owner_save_customer,
            commands::owner::owner_save_supplier,
            commands::owner::owner_record_expense,
            commands::owner::owner_record_transfer,
            commands::owner::owner_record_credit,
            commands::owner::owner_record_supplier_payment,
            commands::owner::owner_quote_goods,
            commands::owner::owner_record_goods,
            commands::owner::owner_import_bank,
            commands::owner::owner_save_staff,
            commands::owner::owner_enrol_till,
            commands::owner::owner_reenrol_till,
            commands::owner::owner_revoke_till,
            commands::owner::owner_set_up_etims,
            commands::owner::owner_entry_totals,
        ])
        .run(tauri::generate_context!())
        .expect("the counter app runs");
    drop(runtime);
}
