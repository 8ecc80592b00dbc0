//! KRA eTIMS from the owner's screens, through the real window: the owner sets the retail
//! business's device up with KRA (the OSCU simulator), a till's sales are transmitted, one is
//! refused; the eTIMS report shows what is signed, waiting and refused, the tills report the
//! till's oldest unsigned sale, and the owner sends the refused invoice again from the review
//! queue once KRA's objection is put right.

use std::time::Duration;

use tillbook_e2e::oscu::{Behaviour, Oscu};
use tillbook_e2e::{Central, Scratch, fast_sync, wait_until};
use tillbook_server::etims::KeyStore;

use crate::driver::Driver;
use crate::owner::{EMAIL, PASSWORD};

#[test]
fn the_owner_sets_etims_up_reads_what_kra_signed_and_sends_a_refused_sale_again() {
    tillbook_e2e::run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        let oscu = Oscu::new().await;
        central.start_etims(KeyStore::new(scratch.0.join("etims-keys"))).await;
        central.start().await;
        tillbook_server::admin::create_owner(&central.owner, EMAIL, "Wanjiru", PASSWORD).await.unwrap();

        let app = Driver::start_fresh("etims", &[]).await;
        app.sign_in_owner(&central.url(), EMAIL, PASSWORD).await;

        // Maintenance → KRA eTIMS: a serial left out is named; then KRA initialises the device.
        app.click("[data-testid=owner-manage]").await;
        app.click("[data-testid=manage-etims]").await;
        app.click("[data-testid=etims-new]").await;
        app.find("[data-testid=etims-business]").await.select_by_value("RETAIL").await.unwrap();
        app.fill("[data-testid=etims-url]", &oscu.url()).await;
        app.click("[data-testid=etims-save]").await;
        app.wait_attribute("[data-testid=manage-error]", "data-field", "device_serial").await;
        app.fill("[data-testid=etims-serial]", "TB-RETAIL-1").await;
        app.click("[data-testid=etims-save]").await;
        app.find("[data-testid=etims-initialised]").await;
        app.find("[data-testid=manage-etims][data-business=RETAIL]").await;
        app.screenshot("owner-etims-set-up").await;

        // A till sells twice; KRA refuses the second invoice.
        oscu.behave(Behaviour { reject: [(2, "910")].into_iter().collect(), ..Behaviour::default() });
        let mut till = central.enrol(&scratch.0, "T1", "RETAIL").await;
        till.receive_stock(10);
        till.sell(0, 1);
        let refused = till.sell(1, 1).receipt_number;
        till.start_sync(fast_sync());
        wait_until(Duration::from_secs(30), "KRA answers both invoices", || async {
            central.scalar_i64("SELECT count(*) FROM etims_invoice WHERE state IN ('signed', 'rejected')").await == 2
        })
        .await;

        app.click("[data-testid=report-etims]").await;
        let retail = "[data-testid=etims-business][data-business=RETAIL]";
        app.wait_text(&format!("{retail} [data-testid=etims-signed]"), "1").await;
        app.wait_text(&format!("{retail} [data-testid=etims-rejected]"), "1").await;
        let unsigned = format!("[data-testid=etims-unsigned-row][data-receipt='{refused}'] [data-testid=etims-state]");
        app.wait_text(&unsigned, "refused · 910 — Request parameter error").await;
        app.screenshot("owner-etims-report").await;

        app.click("[data-testid=report-tills]").await;
        let row = format!("[data-testid=till-row][data-till='{}']", till.till.info().till_code);
        let cell = app.find(&format!("{row} [data-testid=till-unsigned]")).await.text().await.unwrap();
        assert!(cell.ends_with("(1)"), "the till's oldest unsigned sale, one of them: {cell}");

        // KRA's objection put right, the owner sends it again from the review queue.
        oscu.behave(Behaviour::default());
        app.click("[data-testid=report-review]").await;
        let item = "[data-testid=review-item][data-code=etims_910]";
        app.click(&format!("{item} [data-testid=review-decide]")).await;
        app.click("[data-testid=review-action-resend]").await;
        app.fill("[data-testid=review-note-input]", "Item class fixed with KRA").await;
        app.click("[data-testid=review-send]").await;
        app.find("[data-testid=review-empty]").await;
        wait_until(Duration::from_secs(30), "KRA signs the invoice sent again", || async {
            central.scalar_i64("SELECT count(*) FROM etims_invoice WHERE state = 'signed'").await == 2
        })
        .await;
        app.click("[data-testid=report-etims]").await;
        app.wait_text(&format!("{retail} [data-testid=etims-signed]"), "2").await;
        app.find("[data-testid=etims-all-signed]").await;
        assert_eq!(oscu.sales().len(), 2, "KRA holds each sale once");
        central.stop().await;
    });
}
