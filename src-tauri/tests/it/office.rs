//! What head office records from the owner's screens, through the real window: a customer's
//! credit applied to their invoice, a supplier paid from the bank and a supplier's invoice
//! entered, read back in the statements. Figures by hand:
//!
//!   Hotel Kilimanjaro pays 500.00 in advance at the shop (500.00 of credit), then buys a bag of
//!   sugar on account (180.00). Head office applies 180.00 of the credit: nothing owed, 320.00 of
//!   credit left — a balance of −320.00.
//!   The shop takes 10 of each stocked product from Bidco on account: 8,480.00. Head office pays
//!   Bidco 5,000.00 from the bank: 3,480.00 still owed. Bidco's next invoice is entered at head
//!   office: 12 bags of sugar at 150.00 with 16% VAT, 1,800.00 + 288.00 = 2,088.00 on account,
//!   so 3,480.00 + 2,088.00 = 5,568.00 is owed, and the statement shows it.

use std::time::Duration;

use tillbook_e2e::{Central, Scratch, cash, fast_sync, wait_until};

use crate::driver::Driver;
use crate::owner::{EMAIL, PASSWORD, kes};

#[test]
fn the_owner_applies_a_customers_credit_and_pays_a_supplier_from_the_bank() {
    tillbook_e2e::run(async {
        let mut central = Central::new().await;
        central.start().await;
        tillbook_server::admin::create_owner(&central.owner, EMAIL, "Wanjiru", PASSWORD).await.unwrap();
        let scratch = Scratch::new();
        let mut till = central.enrol(&scratch.0, "T1", "RETAIL").await;
        let hotel = tillbook_core::seed::demo().customers.into_iter().find(|c| c.name == "Hotel Kilimanjaro").unwrap();
        till.till.receive_payment(&till.session, hotel.id, &[cash(50_000)], None).unwrap();
        let sugar = till.products().into_iter().find(|p| p.name == "Sugar 1 kg").unwrap();
        till.sell_on_account(&sugar, hotel.id);
        till.receive_stock(10);
        till.start_sync(fast_sync());
        wait_until(Duration::from_secs(30), "the till's work reaches the server", || async { till.pending() == 0 })
            .await;

        let app = Driver::start_fresh("office", &[]).await;
        app.sign_in_owner(&central.url(), EMAIL, PASSWORD).await;

        // The hotel's credit: 500.00 held; 180.00 of it pays the sugar.
        app.click("[data-testid=owner-office]").await;
        // The lists come from head office: wait for the option before choosing it.
        let hotel_option = format!("[data-testid=credit-customer] option[value='{}']", hotel.id);
        app.find(&hotel_option).await;
        app.find("[data-testid=credit-customer]").await.select_by_value(&hotel.id.to_string()).await.unwrap();
        app.wait_text("[data-testid=credit-held]", "Credit held: KES 500.00").await;
        app.find("[data-testid=credit-business]").await.select_by_value("RETAIL").await.unwrap();
        app.fill("[data-testid=credit-amount]", "180").await;
        app.click("[data-testid=credit-save]").await;
        app.wait_text("[data-testid=office-done]", "Credit recorded").await;
        app.screenshot("office-credit-applied").await;
        // Applying more than is left is refused, in words, and records nothing.
        let before = central.scalar_i64("SELECT count(*) FROM credit_use").await;
        app.fill("[data-testid=credit-amount]", "400").await;
        app.click("[data-testid=credit-save]").await;
        let refused = app.find("[data-testid=office-error]").await.text().await.unwrap();
        assert!(!refused.trim().is_empty());
        assert_eq!(central.scalar_i64("SELECT count(*) FROM credit_use").await, before);

        // Bidco paid 5,000.00 from the bank, applied to its invoice.
        let bidco = tillbook_core::seed::supplier_id(1).to_string();
        app.find(&format!("[data-testid=office-supplier-id] option[value='{bidco}']")).await;
        app.find("[data-testid=office-supplier-id]").await.select_by_value(&bidco).await.unwrap();
        app.find("[data-testid=office-supplier-business]").await.select_by_value("RETAIL").await.unwrap();
        app.fill("[data-testid=office-supplier-amount]", "5000").await;
        app.fill("[data-testid=office-supplier-reference]", "EFT 7781").await;
        app.click("[data-testid=office-supplier-save]").await;
        app.wait_text("[data-testid=office-done]", "Supplier payment recorded").await;

        // Bidco's next invoice, entered at head office: a line typed wrong first, then right.
        app.find("[data-testid=goods-business]").await.select_by_value("RETAIL").await.unwrap();
        app.find(&format!("[data-testid=goods-supplier] option[value='{bidco}']")).await;
        app.find("[data-testid=goods-supplier]").await.select_by_value(&bidco).await.unwrap();
        app.fill("[data-testid=goods-invoice]", "BA-2002").await;
        let sugar_option = format!("[data-testid=goods-product] option[value='{}']", sugar.id);
        app.find(&sugar_option).await;
        app.find("[data-testid=goods-product]").await.select_by_value(&sugar.id.to_string()).await.unwrap();
        app.fill("[data-testid=goods-quantity]", "12").await;
        app.fill("[data-testid=goods-cost]", "15O").await;
        app.click("[data-testid=goods-add]").await;
        app.find("[data-testid=office-error]").await;
        app.fill("[data-testid=goods-cost]", "150").await;
        app.click("[data-testid=goods-add]").await;
        app.wait_text("[data-testid=goods-vat-total]", "KES 288.00").await;
        app.wait_text("[data-testid=goods-total]", "KES 2,088.00").await;
        app.screenshot("office-goods-received").await;
        app.click("[data-testid=goods-save]").await;
        app.wait_text("[data-testid=office-done]", "Goods received recorded").await;
        assert_eq!(
            central.scalar_i64("SELECT count(*) FROM purchase WHERE reference = 'BA-2002' AND total = 2088").await,
            1
        );

        // The statements say so.
        app.click("[data-testid=report-aging]").await;
        app.click_xpath("//button[@data-testid='aging-statement'][contains(., 'Hotel Kilimanjaro')]").await;
        app.wait_text("[data-testid=statement-balance]", &kes("-320.00".parse().unwrap())).await;
        // Where the credit came from and went: 500.00 paid in advance, 180.00 applied.
        let credit_line = |kind: &str| {
            format!("[data-testid=statement-credit-line][data-kind={kind}] [data-testid=statement-credit-amount]")
        };
        app.wait_text(&credit_line("paid_in_advance"), "KES 500.00").await;
        app.wait_text(&credit_line("applied"), &kes("-180.00".parse().unwrap())).await;
        app.screenshot("office-customer-statement").await;
        app.click("[data-testid=report-payables]").await;
        let owed = "[data-testid=payables-row][data-supplier='Bidco Africa'] [data-testid=payables-owed]";
        app.wait_text(owed, "KES 5,568.00").await;
        app.click_xpath("//button[@data-testid='payables-statement'][contains(., 'Bidco Africa')]").await;
        app.wait_text("[data-testid=supplier-closing]", "KES 5,568.00").await;
        app.screenshot("office-supplier-statement").await;
        assert_eq!(central.scalar_i64("SELECT count(*) FROM supplier_allocation WHERE amount = 5000").await, 1);

        app.client.clone().close().await.unwrap();
        central.stop().await;
    });
}
