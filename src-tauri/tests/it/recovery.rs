//! A till whose data file is damaged, through the real window (DESIGN §6): the app opens on the
//! recovery screen instead of the counter, offers the last good backup, restores it, says in
//! words what was lost, and the counter opens on the restored store.

use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::seed;
use tillbook_till::demo::{cash, create_demo_till, demo_login, quantity};
use tillbook_till::{SaleLineRequest, SaleRequest, Till};

use crate::driver::Driver;

fn sell(till: &mut Till, count: usize) {
    let cashier = demo_login(till, Role::Cashier).unwrap();
    if till.expected_cash_in_drawer().unwrap().is_none() {
        till.open_shift(&cashier, tillbook_core::Money::ZERO).unwrap();
    }
    let refill = seed::demo().products.into_iter().find(|p| p.name == "Refill 20 L").unwrap().id;
    for _ in 0..count {
        let request = SaleRequest {
            lines: vec![SaleLineRequest { product_id: refill, quantity: quantity("1"), discount: Default::default() }],
            tenders: vec![cash("100")],
        };
        till.record_sale(&cashier, &request).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_store_opens_on_recovery_and_the_last_good_backup_is_restored_in_words() {
    let folder = Driver::new_folder("recovery");
    let store = folder.join("till.sqlite");
    let mut till = create_demo_till(&store, "T1", &[BusinessKind::Water]).unwrap();
    sell(&mut till, 4);
    tillbook_till::backup::back_up_now(&store, &folder.join("backups")).expect("a backup");
    sell(&mut till, 3); // recorded after the backup: a demo till never sent them anywhere
    drop(till);
    // The disk damages a page after a clean close; the next backup reads every page and finds it.
    tillbook_e2e::damage_an_index_page(&store);
    let failed = tillbook_till::backup::back_up_now(&store, &folder.join("backups"));
    assert!(failed.is_err(), "a damaged store makes no backup");

    let app = Driver::start_in(folder).await;
    app.wait_text("[data-testid=recovery] h1", "The till's data file is damaged").await;
    app.screenshot("recovery").await;
    app.click("[data-testid=recovery-restore]").await;
    let lost = "3 event(s) recorded after the backup never reached head office and are gone.";
    app.wait_text("[data-testid=recovery-lost]", lost).await;
    app.screenshot("recovery-restored").await;
    app.click("[data-testid=recovery-continue]").await;
    let cashier = seed::demo_staff().into_iter().find(|s| s.role == Role::Cashier).unwrap();
    app.log_in(cashier.name, cashier.pin).await;
    assert_eq!(app.count("SELECT count(*) FROM sale"), 4, "the restored store holds the backup's sales");
    assert_eq!(app.count("SELECT count(*) FROM restore_log"), 1);
}

/// A backup on demand, and a wipe of a till whose events never reached head office: refused in
/// words until the owner confirms with their PIN; the data file is moved aside, not deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_with_unsynced_sales_is_wiped_only_with_the_owners_pin_and_its_file_is_kept() {
    let folder = Driver::new_folder("wipe");
    let mut till = create_demo_till(&folder.join("till.sqlite"), "T1", &[BusinessKind::Water]).unwrap();
    sell(&mut till, 2);
    drop(till);
    let app = Driver::start_in(folder.clone()).await;
    let owner = seed::demo_staff().into_iter().find(|s| s.role == Role::Owner).unwrap();
    app.log_in(owner.name, owner.pin).await;
    app.click("[data-testid=nav-till]").await;
    // The owner points the nightly backup at a USB drive; a backup now goes there.
    let usb = folder.join("usb");
    app.fill("[data-testid=backup-folder]", &usb.display().to_string()).await;
    app.click("[data-testid=backup-folder-save]").await;
    app.wait_text("[data-testid=till-message]", "Saved: tonight's backup goes there").await;
    app.click("[data-testid=backup-now]").await;
    app.find("[data-testid=backup-file]").await;
    assert_eq!(tillbook_till::backup::backups(&usb).unwrap().len(), 1, "the backup is on the USB drive");
    app.click("[data-testid=wipe-till]").await;
    app.find("[data-testid=owner-pin]").await;
    let refusal = app.find("[data-testid=till-error]").await.text().await.unwrap();
    assert!(refusal.contains("have not reached the server yet"), "{refusal}");
    assert!(folder.join("till.sqlite").exists(), "nothing is wiped without the owner");
    app.fill("[data-testid=owner-pin]", "0000").await;
    app.click("[data-testid=owner-confirm]").await;
    app.wait_text("[data-testid=till-error]", "Wrong PIN.").await;
    app.fill("[data-testid=owner-pin]", owner.pin).await;
    app.screenshot("wipe-confirm").await;
    app.click("[data-testid=owner-confirm]").await;
    app.find("[data-testid=setup-demo]").await;
    assert!(!folder.join("till.sqlite").exists(), "the till's data is off this computer");
    let kept = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(Result::ok)
        .any(|entry| entry.file_name().to_string_lossy().starts_with("till.sqlite.wiped-"));
    assert!(kept, "the wiped store is moved aside, not deleted");
}
