//! A whole day at a till that serves water, the shop (with LPG) and the laundry, through the
//! real window: each kind of counter work, the figures the app shows checked against what was
//! done, and the day closed with the drawer counted to the shilling.

use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::seed;

use fantoccini::key::Key;

use crate::driver::{Driver, business_name};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_of_water_shop_lpg_and_laundry_work_closes_with_the_drawer_balanced() {
    let app = Driver::start_demo("day").await;
    let cashier = seed::demo_staff().into_iter().find(|s| s.role == Role::Cashier).unwrap();
    app.log_in(cashier.name, cashier.pin).await;
    app.fill("[data-testid=float]", "1000").await;
    app.click("[data-testid=open-shift]").await;

    // Water: two 20 L refills for cash, KES 200 given, KES 60 change.
    app.click_xpath("//button[@data-testid='product'][contains(., 'Refill 20 L')]").await;
    app.click_xpath("//button[@aria-label='+']").await;
    app.wait_text("[data-testid=total]", "KES 140.00").await;
    app.fill("[data-testid=tendered]", "200").await;
    app.click("[data-testid=pay]").await;
    app.wait_text("[data-testid=change]", "KES 60.00").await;
    app.click("[data-testid=next-sale]").await;

    // The shop: sugar and cooking oil with KES 30 off the oil, split between cash and M-Pesa.
    app.switch_to(BusinessKind::Retail).await;
    // The scanner types sugar's barcode and Enter.
    app.fill("[data-testid=search]", &format!("6161101600043{}", char::from(Key::Enter))).await;
    app.click_xpath("//button[@data-testid='product'][contains(., 'Cooking oil 1 L')]").await;
    app.wait_text("[data-testid=total]", "KES 530.00").await;
    app.fill_nth("[data-testid=discount]", 1, &format!("30{}", char::from(Key::Tab))).await;
    app.wait_text("[data-testid=total]", "KES 500.00").await;
    app.fill("[data-testid=tendered]", "200").await;
    app.click("[data-testid=add-tender]").await;
    app.fill_nth("[data-testid=tendered]", 1, "300").await;
    app.fill("[data-testid=mpesa-code]", "QK41RET001").await;
    app.screenshot("split-tender").await;
    app.click("[data-testid=pay]").await;
    app.wait_text("[data-testid=receipt-total]", "KES 500.00").await;
    app.wait_text("[data-testid=change]", "KES 0.00").await;
    assert_eq!(
        app.count(
            "SELECT count(*) FROM tender t JOIN sale s ON s.id = t.document_id
             WHERE s.total_cents = 50000 AND ((t.method = 'cash' AND t.amount_cents = 20000)
                OR (t.method = 'mpesa' AND t.amount_cents = 30000 AND t.mpesa_code = 'QK41RET001'))"
        ),
        2,
        "the split tender is saved as its two parts"
    );

    // LPG: a 6 kg K-Gas refill for a customer who brings an empty ProGas 6 kg; cash, change due.
    app.click("[data-testid=nav-lpg]").await;
    app.click_xpath("//button[@data-testid='cylinder'][contains(., '6 kg K-Gas')]").await;
    app.find("[data-testid=empty-in]").await.select_by_label("6 kg ProGas").await.unwrap();
    app.wait_text("[data-testid=total]", "KES 1,250.00").await;
    app.screenshot("lpg").await;
    app.fill("[data-testid=tendered]", "1500").await;
    app.click("[data-testid=pay]").await;
    app.wait_text("[data-testid=change]", "KES 250.00").await;
    app.click("[data-testid=next-sale]").await;
    assert_eq!(
        app.count(
            "SELECT count(*) FROM lpg_sale l JOIN cylinder_type f ON f.id = l.cylinder_type_id
             JOIN cylinder_type e ON e.id = l.empty_in
             WHERE f.brand = 'K-Gas' AND e.brand = 'ProGas' AND l.new_cylinder IS NULL"
        ),
        1
    );

    // Laundry: Mama Njeri leaves 3 kg to wash and fold and 2 pieces to iron, KES 100 deposit.
    app.switch_to(BusinessKind::Laundry).await;
    app.click("[data-testid=laundry-drop-off]").await;
    app.click_xpath("//button[@data-testid='customer'][contains(., 'Mama Njeri')]").await;
    app.click_xpath("//button[@data-testid='service'][contains(., 'Wash & fold')]").await;
    app.click_xpath("//button[@data-testid='service'][contains(., 'Ironing only')]").await;
    app.fill_nth("[data-testid=item-quantity]", 0, "3").await;
    app.fill_nth("[data-testid=item-quantity]", 1, "2").await;
    app.fill("[data-testid=item-description]", "towels and sheets").await;
    app.fill("[data-testid=tendered]", "100").await;
    app.screenshot("laundry-drop-off").await;
    app.click("[data-testid=pay]").await;
    app.wait_text("[data-testid=receipt-total]", "KES 440.00").await;
    app.wait_text("[data-testid=balance-due]", "KES 340.00").await;
    let ticket = app.find("[data-testid=ticket-number]").await.text().await.unwrap();
    app.click("[data-testid=next-sale]").await;

    // The board moves it along; at collection she pays the balance by M-Pesa.
    app.wait_text("[data-testid=job-ticket]", &ticket).await;
    app.click("[data-testid=job-next]").await; // received → washing
    app.wait_text("[data-testid=job-next]", "Ready").await;
    app.click("[data-testid=job-next]").await; // washing → ready
    app.screenshot("laundry-board").await;
    app.click("[data-testid=job-collect]").await;
    app.wait_text("[data-testid=collect-balance]", "KES 340.00").await;
    app.click("[data-testid=method-mpesa]").await;
    app.fill("[data-testid=mpesa-code]", "QK41LAU001").await;
    app.click("[data-testid=pay]").await;
    app.wait_text("[data-testid=balance-due]", "KES 0.00").await;
    app.screenshot("laundry-collection").await;
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM laundry_job WHERE ticket_number = '{ticket}' AND status = 'collected'"
        )),
        1
    );
    app.click("[data-testid=next-sale]").await;

    // The figures through the app: the shop's day, and the cash the drawer should hold —
    // float 1,000 + water 140 + shop 200 + LPG 1,250 + laundry deposit 100 = 2,690.
    app.switch_to(BusinessKind::Retail).await;
    app.click("[data-testid=nav-today]").await;
    app.wait_text("[data-testid=today-count]", "2").await;
    app.wait_text("[data-testid=today-gross]", "KES 1,750.00").await;
    app.wait_text("[data-testid=today-cash]", "KES 1,450.00").await;
    app.wait_text("[data-testid=today-mpesa]", "KES 300.00").await;
    app.wait_text("[data-testid=today-expected-cash]", "KES 2,690.00").await;
    let sugar = app.find_xpath("//tr[@data-testid='stock-row'][contains(., 'Sugar 1 kg')]/td[2]").await;
    assert!(sugar.text().await.unwrap().starts_with("-1"), "one bag of sugar sold from no stock");
    app.screenshot("today").await;

    // Day close: the count is 2 × 1,000 + 500 + 100 + 50 + 2 × 20 = 2,690, so nothing over or short.
    app.click("[data-testid=nav-close]").await;
    for (denomination, count) in [("1000", "2"), ("500", "1"), ("100", "1"), ("50", "1"), ("20", "2")] {
        app.fill(&format!("[data-testid=count-{denomination}]"), count).await;
    }
    app.click("[data-testid=close-shift]").await;
    app.wait_text("[data-testid=close-expected]", "KES 2,690.00").await;
    app.wait_text("[data-testid=close-counted]", "KES 2,690.00").await;
    app.wait_text("[data-testid=close-difference]", "KES 0.00").await;
    app.click("[data-testid=close-day]").await;
    // The laundry's takings are payments on its jobs: the KES 100 deposit and KES 340 by M-Pesa.
    for (kind, field, amount) in [
        (BusinessKind::Water, "z-sales", "KES 140.00"),
        (BusinessKind::Retail, "z-sales", "KES 1,750.00"),
        (BusinessKind::Laundry, "z-sales", "KES 0.00"),
        (BusinessKind::Laundry, "z-received-cash", "KES 100.00"),
        (BusinessKind::Laundry, "z-received-mpesa", "KES 340.00"),
    ] {
        let name = business_name(kind);
        let z = app
            .find_xpath(&format!(
                "//section[@data-testid='z-report'][contains(., '{name}')]//dd[@data-testid='{field}']"
            ))
            .await;
        assert_eq!(z.text().await.unwrap(), amount, "{field} in the Z report of {name}");
    }
    app.screenshot("z-report").await;

    // What the store holds: three days closed, the journal balanced, nothing left pending a shift.
    assert_eq!(app.count("SELECT count(*) FROM day_close"), 3);
    assert_eq!(app.count("SELECT SUM(debit_cents) - SUM(credit_cents) FROM journal_line"), 0);
    assert_eq!(app.count("SELECT count(*) FROM shift WHERE closed_at IS NULL"), 0);
    app.click("[data-testid=close-done]").await;
    app.find("[data-testid=staff]").await;
    app.client.clone().close().await.unwrap();
}
