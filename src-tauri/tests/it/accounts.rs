//! A customer's account through the real window: goods on credit, a payment on account, part of
//! the goods brought back as a credit note (refused first with a wrong supervisor PIN), credit
//! kept from an over-payment applied to a later invoice and the rest paid back, then an expense
//! and a bank deposit out of the drawer — each checked in the app and in the store.

use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::seed;

use crate::driver::Driver;

const REFUNDS: &str = "SELECT count(*) FROM refund";

/// Finds Mama Njeri in the customer picker, as a cashier types part of her name.
async fn choose_mama_njeri(app: &Driver) {
    app.fill("[data-testid=customer-search]", "Njeri").await;
    app.click_xpath("//button[@data-testid='customer'][contains(., 'Mama Njeri')]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_payment_refund_expense_and_banking_keep_the_account_and_drawer_right() {
    let app = Driver::start_demo("accounts").await;
    let staff = seed::demo_staff();
    let cashier = staff.iter().find(|s| s.role == Role::Cashier).unwrap();
    let supervisor = staff.iter().find(|s| s.role == Role::Supervisor).unwrap();
    app.log_in(cashier.name, cashier.pin).await;
    app.fill("[data-testid=float]", "1000").await;
    app.click("[data-testid=open-shift]").await;
    app.switch_to(BusinessKind::Retail).await;

    // Three bags of sugar on Mama Njeri's account: KES 540, nothing paid today.
    app.click_xpath("//button[@data-testid='product'][contains(., 'Sugar 1 kg')]").await;
    app.click_xpath("//button[@aria-label='+']").await;
    app.click_xpath("//button[@aria-label='+']").await;
    app.wait_text("[data-testid=total]", "KES 540.00").await;
    app.click("[data-testid=on-account]").await;
    choose_mama_njeri(&app).await;
    app.click("[data-testid=method-credit]").await;
    app.click("[data-testid=pay]").await;
    app.wait_text("[data-testid=receipt-total]", "KES 540.00").await;
    let sale = app.find("[data-testid=receipt-number]").await.text().await.unwrap();
    app.click("[data-testid=next-sale]").await;

    // Her account shows the invoice; she pays KES 200 of it in cash.
    app.click("[data-testid=nav-customers]").await;
    choose_mama_njeri(&app).await;
    app.wait_text("[data-testid=account-outstanding]", "KES 540.00").await;
    app.screenshot("customer-account").await;
    app.fill("[data-testid=tendered]", "200").await;
    app.click("[data-testid=pay]").await;
    app.wait_text("[data-testid=receipt-total]", "KES 200.00").await;
    app.click("[data-testid=next-sale]").await;
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM allocation a JOIN sale s ON s.id = a.invoice_id
             WHERE s.receipt_number = '{sale}' AND a.amount_cents = 20000"
        )),
        1,
        "the payment is allocated to the sugar invoice"
    );

    // One bag comes back torn. A wrong supervisor PIN refunds nothing; the right one makes a
    // KES 180 credit note against the invoice.
    app.click("[data-testid=nav-void]").await;
    app.click_xpath(&format!("//button[@data-testid='recent-receipt'][contains(., '{sale}')]")).await;
    app.fill("[data-testid=refund-quantity]", "1").await;
    app.find("[data-testid=refund-method]").await.select_by_value("credit").await.unwrap();
    app.fill("[data-testid=void-reason]", "torn bag").await;
    app.find("[data-testid=void-supervisor]").await.select_by_label(supervisor.name).await.unwrap();
    app.fill("[data-testid=void-pin]", "0000").await;
    app.click("[data-testid=refund-confirm]").await;
    let refused = app.find("[data-testid=void-error]").await.text().await.unwrap();
    assert!(!refused.trim().is_empty(), "the wrong PIN is explained");
    assert_eq!(app.count(REFUNDS), 0, "a wrong supervisor PIN refunds nothing");
    app.fill("[data-testid=void-pin]", supervisor.pin).await;
    app.screenshot("refund").await;
    app.click("[data-testid=refund-confirm]").await;
    app.wait_text("[data-testid=receipt-total]", "KES 180.00").await;
    app.screenshot("refund-receipt").await;
    app.click("[data-testid=next-sale]").await;
    assert_eq!(app.count("SELECT count(*) FROM refund WHERE total_cents = 18000"), 1);
    assert_eq!(app.count("SELECT count(*) FROM stock_movement WHERE reason = 'refund' AND quantity_milli = 1000"), 1);

    // She now owes 540 − 200 − 180 = 160.
    app.click("[data-testid=nav-customers]").await;
    choose_mama_njeri(&app).await;
    app.wait_text("[data-testid=account-outstanding]", "KES 160.00").await;

    // She pays 300.00: 160.00 settles the invoice, 140.00 is kept as her credit. She takes a
    // bag of sugar on account (180.00); 100.00 of the credit pays part of it, leaving 80.00
    // owed, and the 40.00 left is paid back from the drawer with the supervisor's PIN.
    app.fill("[data-testid=tendered]", "300").await;
    app.click("[data-testid=pay]").await;
    app.wait_text("[data-testid=receipt-total]", "KES 300.00").await;
    app.click("[data-testid=next-sale]").await;
    app.click("[data-testid=nav-sale]").await;
    app.click_xpath("//button[@data-testid='product'][contains(., 'Sugar 1 kg')]").await;
    app.wait_text("[data-testid=total]", "KES 180.00").await;
    app.click("[data-testid=on-account]").await;
    choose_mama_njeri(&app).await;
    app.click("[data-testid=method-credit]").await;
    app.click("[data-testid=pay]").await;
    app.wait_text("[data-testid=receipt-total]", "KES 180.00").await;
    app.click("[data-testid=next-sale]").await;
    app.click("[data-testid=nav-customers]").await;
    choose_mama_njeri(&app).await;
    app.wait_text("[data-testid=account-outstanding]", "KES 180.00").await;
    app.fill("[data-testid=credit-use-amount]", "100").await;
    app.click("[data-testid=credit-use-apply]").await;
    app.wait_text("[data-testid=credit-use-done]", "Credit applied: KES 100.00").await;
    app.wait_text("[data-testid=account-outstanding]", "KES 80.00").await;
    app.fill("[data-testid=credit-use-amount]", "40").await;
    let option = format!("//select[@data-testid='credit-refund-supervisor']/option[.='{}']", supervisor.name);
    app.find_xpath(&option).await;
    app.find("[data-testid=credit-refund-supervisor]").await.select_by_label(supervisor.name).await.unwrap();
    app.fill("[data-testid=credit-refund-pin]", supervisor.pin).await;
    app.screenshot("credit-use").await;
    app.click("[data-testid=credit-use-refund]").await;
    app.wait_text("[data-testid=receipt-total]", "KES 40.00").await;
    app.click("[data-testid=next-sale]").await;
    assert_eq!(app.count("SELECT count(*) FROM credit_use"), 2, "credit applied once and paid back once");

    // KES 150 of transport paid from the drawer, and KES 500 taken to the bank.
    app.click("[data-testid=nav-cash]").await;
    app.find("[data-testid=expense-account]").await.select_by_value("6400").await.unwrap();
    app.fill("[data-testid=expense-amount]", "150").await;
    app.fill("[data-testid=expense-description]", "boda-boda to the wholesaler").await;
    app.click("[data-testid=expense-save]").await;
    app.find("[data-testid=cash-done]").await;
    app.find("[data-testid=movement-kind]").await.select_by_value("bank_deposit").await.unwrap();
    app.fill("[data-testid=movement-amount]", "500").await;
    app.screenshot("cash").await;
    app.click("[data-testid=movement-save]").await;
    app.wait_text("[data-testid=cash-done]", "Cash movement recorded").await;
    assert_eq!(
        app.count("SELECT count(*) FROM journal_line WHERE account = 6400 AND debit_cents = 15000"),
        1,
        "the expense is posted to transport"
    );

    // The drawer should hold the float 1,000 + 200 and 300 paid on account − 40 of credit paid
    // back − 150 − 500 = 810.
    app.click("[data-testid=nav-today]").await;
    // Credit given today is net of the credit note: 540 − 180 + 180.
    app.wait_text("[data-testid=today-credit]", "KES 540.00").await;
    app.wait_text("[data-testid=today-received-cash]", "KES 500.00").await;
    app.wait_text("[data-testid=today-expected-cash]", "KES 810.00").await;
    assert_eq!(app.count("SELECT SUM(debit_cents) - SUM(credit_cents) FROM journal_line"), 0);

    // A new customer with a credit limit: the supervisor gives it with their PIN; a wrong PIN
    // adds nobody.
    app.click("[data-testid=nav-customers]").await;
    app.click("[data-testid=new-customer]").await;
    app.fill("[data-testid=new-customer-name]", "Baraka Hardware").await;
    app.fill("[data-testid=new-customer-limit]", "2000").await;
    app.find("[data-testid=new-customer-supervisor]").await.select_by_label(supervisor.name).await.unwrap();
    app.fill("[data-testid=new-customer-pin]", "000000").await;
    app.click("[data-testid=new-customer-save]").await;
    app.find(".picker .error").await;
    assert_eq!(app.count("SELECT count(*) FROM customer WHERE name = 'Baraka Hardware'"), 0);
    app.fill("[data-testid=new-customer-pin]", supervisor.pin).await;
    app.click("[data-testid=new-customer-save]").await;
    app.find("[data-testid=customer-chosen]").await;
    assert_eq!(
        app.count("SELECT credit_limit_cents FROM customer WHERE name = 'Baraka Hardware'"),
        200_000,
        "the limit the supervisor gave"
    );
    app.client.clone().close().await.unwrap();
}
