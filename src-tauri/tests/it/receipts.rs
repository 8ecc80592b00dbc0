//! A receipt a Kenyan customer and KRA accept, printed at 58 mm and at 80 mm, in the real
//! window: every field there, and nothing wider than the paper; then its reprint, marked COPY.

use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::seed;

use crate::driver::Driver;

/// The receipt's width in CSS pixels, and every element inside it that is wider than its box or
/// reaches past the receipt's right edge.
const OVERFLOW: &str = r#"
    const receipt = document.querySelector('[data-testid=receipt]');
    const edge = receipt.getBoundingClientRect().right;
    const wide = [...receipt.querySelectorAll('*')]
        .filter((e) => e.offsetParent !== null && !e.closest('.no-print'))
        .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > edge + 0.5)
        .map((e) => e.outerHTML.slice(0, 120));
    return [receipt.getBoundingClientRect().width, wide];
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_shows_what_kra_asks_for_and_fits_58_and_80_mm_paper() {
    let app = Driver::start_demo("receipts").await;
    let cashier = seed::demo_staff().into_iter().find(|s| s.role == Role::Cashier).unwrap();
    app.log_in(cashier.name, cashier.pin).await;
    app.fill("[data-testid=float]", "1000").await;
    app.click("[data-testid=open-shift]").await;
    app.switch_to(BusinessKind::Retail).await;

    // Bread (zero-rated) and sugar (16%), paid by M-Pesa.
    app.click_xpath("//button[@data-testid='product'][contains(., 'Bread 400 g')]").await;
    app.click_xpath("//button[@data-testid='product'][contains(., 'Sugar 1 kg')]").await;
    app.wait_text("[data-testid=total]", "KES 245.00").await;
    app.click("[data-testid=method-mpesa]").await;
    app.fill("[data-testid=mpesa-code]", "QK41RCP001").await;
    app.click("[data-testid=pay]").await;
    app.find("[data-testid=receipt-number]").await;

    let retail = seed::demo().businesses.into_iter().find(|b| b.kind == BusinessKind::Retail).unwrap();
    let text = |css: &'static str| {
        let app = &app;
        async move { app.find(css).await.text().await.unwrap() }
    };
    assert_eq!(text("[data-testid=receipt-business]").await, retail.name);
    assert!(text("[data-testid=receipt-address]").await.contains(&retail.profile.address));
    assert!(text("[data-testid=receipt-kra-pin]").await.contains(&retail.profile.kra_pin));
    assert!(text("[data-testid=receipt-till]").await.contains("T1"));
    assert_eq!(text("[data-testid=receipt-cashier]").await, cashier.name);
    let time = text("[data-testid=receipt-time]").await;
    assert!(time.len() == 16 && time.contains(' ') && time.starts_with("20"), "date and time: {time}");
    let number = text("[data-testid=receipt-number]").await;
    assert!(number.starts_with("T1-"), "{number}");
    let lines: Vec<String> = {
        let mut lines = Vec::new();
        for line in app.client.find_all(fantoccini::Locator::Css("[data-testid=receipt-line]")).await.unwrap() {
            lines.push(line.text().await.unwrap());
        }
        lines
    };
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("Bread 400 g") && l.contains("1 × KES 65.00") && l.contains("VAT 0%")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("Sugar 1 kg") && l.contains("1 × KES 180.00") && l.contains("VAT 16%")),
        "{lines:?}"
    );
    let summary = text("[data-testid=receipt-vat-summary]").await;
    assert!(
        summary.contains("16%") && summary.contains("KES 24.83") && summary.contains("0%"),
        "VAT by rate: {summary}"
    );
    assert_eq!(text("[data-testid=receipt-total]").await, "KES 245.00");
    let tender = text("[data-testid=receipt-tender]").await;
    assert!(tender.contains("QK41RCP001") && tender.contains("KES 245.00"), "{tender}");
    assert_eq!(text("[data-testid=change]").await, "KES 0.00");
    assert!(
        app.client.find(fantoccini::Locator::Css("[data-testid=receipt-copy]")).await.is_err(),
        "the first print is no copy"
    );

    // At each paper width: the receipt is that wide, and nothing in it is wider.
    for (paper, millimetres) in [("80", 80.0), ("58", 58.0)] {
        app.find("[data-testid=receipt-paper]").await.select_by_value(paper).await.unwrap();
        app.wait_attribute("[data-testid=receipt]", "data-paper", paper).await;
        let measured = app.client.execute(OVERFLOW, vec![]).await.unwrap();
        let width = measured[0].as_f64().unwrap();
        let expected = millimetres * 96.0 / 25.4;
        assert!((width - expected).abs() < 1.0, "{paper} mm paper: the receipt is {width} px wide, not {expected}");
        assert_eq!(measured[1], serde_json::json!([]), "{paper} mm: these are wider than the paper");
        app.screenshot(&format!("receipt-{paper}mm")).await;
    }

    // A reprint: the same sale as recorded, marked COPY, with who recorded it and when, and no
    // change (only what was due in cash is kept).
    app.click("[data-testid=next-sale]").await;
    app.click("[data-testid=nav-void]").await;
    app.click_xpath(&format!("//button[@data-testid='recent-receipt'][contains(., '{number}')]")).await;
    app.click("[data-testid=reprint]").await;
    app.find("[data-testid=receipt-copy]").await;
    assert_eq!(text("[data-testid=receipt-number]").await, number);
    assert_eq!(text("[data-testid=receipt-cashier]").await, cashier.name);
    assert_eq!(text("[data-testid=receipt-time]").await, time);
    assert_eq!(text("[data-testid=receipt-total]").await, "KES 245.00");
    assert!(text("[data-testid=receipt-vat-summary]").await.contains("KES 24.83"));
    assert!(text("[data-testid=receipt-tender]").await.contains("QK41RCP001"));
    assert!(app.client.find(fantoccini::Locator::Css("[data-testid=change]")).await.is_err(), "a copy shows no change");
    app.screenshot("receipt-copy").await;
    let sales = app.count("SELECT count(*) FROM sale");
    assert_eq!(sales, 1, "a reprint records nothing");
}
