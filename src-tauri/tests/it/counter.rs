//! A cashier's first minutes at the till, through the real window.

use tillbook_core::catalog::Role;
use tillbook_core::seed;

use crate::driver::Driver;

const SALES: &str = "SELECT count(*) FROM outbox WHERE event_type = 'sale.recorded'";
const VOIDS: &str = "SELECT count(*) FROM reversed_document WHERE kind = 'void'";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cashier_logs_in_and_sells_water_by_mpesa_and_bad_input_saves_nothing() {
    let app = Driver::start_demo("counter").await;
    let cashier = seed::demo_staff().into_iter().find(|s| s.role == Role::Cashier).unwrap();

    // Login: a wrong PIN is refused in words and writes nothing.
    app.find_xpath(&format!("//button[@data-testid='staff'][contains(., '{}')]", cashier.name))
        .await
        .click()
        .await
        .unwrap();
    app.screenshot("login").await;
    let events_before = app.count("SELECT count(*) FROM outbox");
    for digit in ["9", "9", "9", "9"] {
        app.button(digit).await.click().await.unwrap();
    }
    app.find("[data-testid=pin-enter]").await.click().await.unwrap();
    let refused = app.find("[data-testid=login-error]").await.text().await.unwrap();
    assert!(!refused.trim().is_empty(), "the wrong PIN is explained");
    assert_eq!(app.count("SELECT count(*) FROM outbox"), events_before, "a wrong PIN saves nothing");
    for digit in cashier.pin.chars() {
        app.button(&digit.to_string()).await.click().await.unwrap();
    }
    app.find("[data-testid=pin-enter]").await.click().await.unwrap();

    // The drawer opens with a float.
    app.fill("[data-testid=float]", "1000").await;
    app.find("[data-testid=open-shift]").await.click().await.unwrap();

    // A 20 L refill, priced by Rust: KES 70.00.
    app.find_xpath("//button[@data-testid='product'][contains(., 'Refill 20 L')]").await.click().await.unwrap();
    app.wait_text("[data-testid=total]", "KES 70.00").await;
    app.screenshot("sale").await;

    // A malformed M-Pesa code is refused and saves nothing.
    app.find("[data-testid=method-mpesa]").await.click().await.unwrap();
    app.fill("[data-testid=mpesa-code]", "12AB").await;
    app.find("[data-testid=pay]").await.click().await.unwrap();
    let refused = app.find("[data-testid=sale-error]").await.text().await.unwrap();
    assert!(refused.to_lowercase().contains("m-pesa"), "{refused}");
    assert_eq!(app.count(SALES), 0);

    // The right code: the receipt shows the till's number.
    app.fill("[data-testid=mpesa-code]", "QK41WAT001").await;
    app.find("[data-testid=pay]").await.click().await.unwrap();
    app.wait_text("[data-testid=receipt-number]", "T1-000001").await;
    app.screenshot("receipt").await;
    assert_eq!(app.count(SALES), 1);
    assert_eq!(app.count("SELECT count(*) FROM tender WHERE mpesa_code = 'QK41WAT001' AND amount_cents = 7000"), 1);

    // Under-tendered cash is refused and saves nothing.
    app.find("[data-testid=next-sale]").await.click().await.unwrap();
    app.find_xpath("//button[@data-testid='product'][contains(., 'Refill 20 L')]").await.click().await.unwrap();
    app.wait_text("[data-testid=total]", "KES 70.00").await;
    app.fill("[data-testid=tendered]", "50").await;
    app.find("[data-testid=pay]").await.click().await.unwrap();
    let refused = app.find("[data-testid=sale-error]").await.text().await.unwrap();
    assert!(!refused.trim().is_empty());
    assert_eq!(app.count(SALES), 1, "an under-tendered sale saves nothing");

    // A void needs a supervisor's PIN: a wrong one is refused and reverses nothing.
    let supervisor = seed::demo_staff().into_iter().find(|s| s.role == Role::Supervisor).unwrap();
    app.click("[data-testid=nav-void]").await;
    app.click_xpath("//button[@data-testid='recent-receipt'][contains(., 'T1-000001')]").await;
    app.fill("[data-testid=void-reason]", "customer changed their mind").await;
    app.find("[data-testid=void-supervisor]").await.select_by_label(supervisor.name).await.unwrap();
    app.fill("[data-testid=void-pin]", "0000").await;
    app.click("[data-testid=void-confirm]").await;
    let refused = app.find("[data-testid=void-error]").await.text().await.unwrap();
    assert!(!refused.trim().is_empty());
    assert_eq!(app.count(VOIDS), 0, "a wrong supervisor PIN voids nothing");
    app.fill("[data-testid=void-pin]", supervisor.pin).await;
    app.click("[data-testid=void-confirm]").await;
    app.wait_text("[data-testid=void-done]", "Voided T1-000001").await;
    app.screenshot("void").await;
    assert_eq!(app.count(VOIDS), 1);
    app.client.clone().close().await.unwrap();
}

/// A lent cylinder comes back at the LPG screen: the deposit is paid back in cash on a refund
/// receipt, the drawer's expected cash goes down by it, and the empty is the shop's again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lent_cylinder_comes_back_and_its_deposit_is_paid_back() {
    let app = Driver::start_demo("deposit-back").await;
    let cashier = seed::demo_staff().into_iter().find(|s| s.role == Role::Cashier).unwrap();
    app.log_in(cashier.name, cashier.pin).await;
    app.fill("[data-testid=float]", "5000").await;
    app.click("[data-testid=open-shift]").await;
    app.switch_to(tillbook_core::chart::BusinessKind::Retail).await;
    app.click("[data-testid=nav-lpg]").await;
    app.click_xpath("//button[@data-testid='cylinder'][contains(., '13 kg K-Gas')]").await;
    app.click("[data-testid=lpg-deposit-back]").await;
    app.wait_text("[data-testid=deposit-back-total]", "KES 4,000.00 × 1").await;
    app.screenshot("lpg-deposit-back").await;
    app.click("[data-testid=deposit-back-pay]").await;
    app.wait_text("[data-testid=receipt-total]", "KES 4,000.00").await;
    let tender = app.find("[data-testid=receipt-tender]").await.text().await.unwrap();
    assert!(tender.contains("KES 4,000.00"), "{tender}");
    app.screenshot("lpg-deposit-back-receipt").await;
    assert_eq!(app.count("SELECT count(*) FROM outbox WHERE event_type = 'lpg.deposit_refunded'"), 1);
    assert_eq!(app.count("SELECT count(*) FROM cylinder_movement WHERE empty_delta = 1 AND full_delta = 0"), 1);
    app.click("[data-testid=next-sale]").await;
    app.click("[data-testid=nav-today]").await;
    app.wait_text("[data-testid=today-expected-cash]", "KES 1,000.00").await;
    app.client.clone().close().await.unwrap();
}

/// Goods from a supplier on account at the shop, with input VAT worked out by Rust on screen,
/// then part of the debt paid from the drawer. By hand: 10 × sugar at 150.00 net is 1,500.00,
/// 16% input VAT 240.00, owed 1,740.00; 1,000.00 paid in cash leaves the drawer at
/// 5,000.00 − 1,000.00 = 4,000.00. Without the supplier's invoice number nothing is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goods_arrive_on_account_with_input_vat_and_the_supplier_is_paid_from_the_drawer() {
    let app = Driver::start_demo("goods").await;
    let cashier = seed::demo_staff().into_iter().find(|s| s.role == Role::Cashier).unwrap();
    let sugar = seed::demo().products.into_iter().find(|p| p.name == "Sugar 1 kg").unwrap();
    app.log_in(cashier.name, cashier.pin).await;
    app.fill("[data-testid=float]", "5000").await;
    app.click("[data-testid=open-shift]").await;
    app.switch_to(tillbook_core::chart::BusinessKind::Retail).await;
    app.click("[data-testid=nav-goods]").await;
    // The screen's lists come from the store asynchronously: wait for the options first.
    app.find_xpath("//select[@data-testid='goods-supplier']/option[.='Bidco Africa']").await;
    app.find("[data-testid=goods-supplier]").await.select_by_label("Bidco Africa").await.unwrap();
    app.find(&format!("[data-testid=goods-product] option[value='{}']", sugar.id)).await;
    app.find("[data-testid=goods-product]").await.select_by_value(&sugar.id.to_string()).await.unwrap();
    app.fill("[data-testid=goods-quantity]", "10").await;
    app.fill("[data-testid=goods-cost]", "150").await;
    app.click("[data-testid=goods-add]").await;
    app.wait_text("[data-testid=goods-net]", "KES 1,500.00").await;
    app.wait_text("[data-testid=goods-vat-total]", "KES 240.00").await;
    app.wait_text("[data-testid=goods-total]", "KES 1,740.00").await;

    let receipts = "SELECT count(*) FROM outbox WHERE event_type = 'stock.received'";
    let before = app.count(receipts);
    app.click("[data-testid=goods-save]").await;
    let refused = app.find("[data-testid=goods-error]").await.text().await.unwrap();
    assert!(refused.to_lowercase().contains("invoice"), "{refused}");
    assert_eq!(app.count(receipts), before, "a refusal records nothing");

    app.fill("[data-testid=goods-invoice]", "B-100").await;
    app.screenshot("goods-received").await;
    app.click("[data-testid=goods-save]").await;
    app.wait_text("[data-testid=goods-done]", "Goods received recorded: KES 1,740.00").await;
    assert_eq!(
        app.count(
            "SELECT count(*) FROM outbox WHERE event_type = 'stock.received'
               AND json_extract(payload, '$.document.total') = '1740.00'
               AND json_extract(payload, '$.document.reference') = 'B-100'"
        ),
        1
    );

    app.find_xpath("//select[@data-testid='pay-supplier']/option[.='Bidco Africa']").await;
    app.find("[data-testid=pay-supplier]").await.select_by_label("Bidco Africa").await.unwrap();
    app.fill("[data-testid=pay-supplier-amount]", "1000").await;
    app.click("[data-testid=pay-supplier-save]").await;
    app.wait_text("[data-testid=goods-done]", "Supplier payment recorded").await;
    app.screenshot("supplier-paid").await;
    assert_eq!(
        app.count(
            "SELECT count(*) FROM outbox WHERE event_type = 'supplier.paid'
               AND json_extract(payload, '$.document.amount') = '1000.00'"
        ),
        1
    );
    app.click("[data-testid=nav-today]").await;
    app.wait_text("[data-testid=today-expected-cash]", "KES 4,000.00").await;
    app.client.clone().close().await.unwrap();
}
