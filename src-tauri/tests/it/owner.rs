//! The owner's computer through the real window (DESIGN §9): a retail till sells through the
//! real server, then the app — never set up as a till — signs in as the owner (a wrong password
//! first), shows every report with figures worked out by hand to the cent, saves a CSV, keeps
//! showing the last copies when the server goes down, and forgets everything on sign-out.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use tillbook_core::Money;
use tillbook_core::documents::{TenderInput, TenderMethod};
use tillbook_e2e::{Central, Scratch, fast_sync, wait_until};
use tillbook_server::review;
use tillbook_till::sync::token;

use crate::driver::Driver;

pub const EMAIL: &str = "wanjiru@example.co.ke";
pub const PASSWORD: &str = "kahawa tamu sana";

/// An amount as the app shows it (ui/src/lib/format.ts): "KES 1,234.50".
pub fn kes(amount: Money) -> String {
    let text = amount.to_string();
    let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |rest| ("-", rest));
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("KES {sign}{grouped}.{cents:0<2}")
}

#[test]
fn the_owner_reads_every_report_saves_a_csv_and_keeps_the_last_copies_offline() {
    tillbook_e2e::run(async {
        let mut central = Central::new().await;
        central.start().await;
        tillbook_server::admin::create_owner(&central.owner, EMAIL, "Wanjiru", PASSWORD).await.unwrap();

        // A retail till: a delivery on account, a cash sale, and goods on Mama Njeri's account.
        let scratch = Scratch::new();
        let mut till = central.enrol(&scratch.0, "T1", "RETAIL").await;
        till.receive_stock(10);
        till.sell(0, 2);
        // Twelve loaves of the ten received: posted, and flagged for the owner (stock below zero).
        till.sell(1, 12);
        let customer = tillbook_core::seed::demo().customers.into_iter().find(|c| c.name == "Mama Njeri").unwrap();
        let sugar = till.products().into_iter().find(|p| p.name == "Sugar 1 kg").unwrap();
        till.sell_on_account(&sugar, customer.id);
        // Milk paid by M-Pesa: the statement imported below has its code, and one no till recorded.
        let milk = till.products().into_iter().find(|p| p.name.starts_with("Milk")).unwrap();
        let by_mpesa = tillbook_till::SaleRequest {
            lines: vec![tillbook_till::SaleLineRequest {
                product_id: milk.id,
                quantity: tillbook_core::Quantity::whole(1),
                discount: Money::ZERO,
            }],
            tenders: vec![TenderInput {
                method: TenderMethod::Mpesa,
                amount: milk.price,
                mpesa_code: Some("QK22MLK001".into()),
                customer_id: None,
            }],
        };
        till.till.record_sale(&till.session, &by_mpesa).unwrap();
        till.start_sync(fast_sync());
        wait_until(Duration::from_secs(30), "the till's work reaches the server", || async { till.pending() == 0 })
            .await;
        let events = till.events();

        // What the app must show, worked out by hand from the seed's prices and costs:
        //   the delivery, 10 of each stocked product at cost, on account with no VAT:
        //     10 × (180 + 55 + 48 + 150 + 290 + 125) = 8,480.00        Dr 1220 / Cr 2110
        //   2 maize flour for cash, zero-rated:   420.00, at cost 360.00
        //   12 loaves for cash, zero-rated:       780.00, at cost 660.00 (2 more than came)
        //   1 sugar on account, 16% inside:       180.00 = 155.17 + VAT 24.83, at cost 150.00
        //   1 milk by M-Pesa, zero-rated:          60.00, at cost 48.00
        // Revenue 4300: 420 + 780 + 155.17 + 60 = 1,415.17; cost of sales 5300: 1,218.00;
        // net profit 197.17. Inventory 1220: 8,480 − 1,218 = 7,262.00.
        // Debit balances: cash 1,200 + M-Pesa 60 + receivable 180 + inventory 7,262 + cost
        // 1,218 = 9,920.00 = credit balances: payable 8,480 + revenue 1,415.17 + VAT 24.83.
        // Assets: 1,200 + 60 + 180 + 7,262 = 8,702.00. The shop's cash and M-Pesa: 1,260.00.
        // Stock at cost is inventory's 7,262.00; 10 − 1 = 9 packets of sugar are left.
        let cents = Money::from_cents;
        let trial_balance_total = cents(992_000);
        let (revenue, cost_of_sales, net_profit) = (cents(141_517), cents(121_800), cents(19_717));
        let (assets, retail_cash, stock_value) = (cents(870_200), cents(126_000), cents(726_200));
        let owed_by_mama_njeri = cents(18_000);
        assert_eq!(sugar.price, owed_by_mama_njeri, "the seed's sugar price the figures above assume");
        let today = Utc::now().with_timezone(&chrono_tz::Africa::Nairobi).date_naive();

        let exports = scratch.0.join("exports");
        let app = Driver::start_fresh("owner", &[("TILLBOOK_EXPORT_DIR", exports.as_path())]).await;
        app.click("[data-testid=setup-owner]").await;
        app.fill("[data-testid=owner-server]", &central.url()).await;
        app.fill("[data-testid=owner-email]", EMAIL).await;
        app.fill("[data-testid=owner-password]", "chai baridi").await;
        app.click("[data-testid=owner-sign-in]").await;
        app.wait_text("[data-testid=owner-error]", "Wrong email or password. (the email or the password is wrong)")
            .await;
        assert!(!app.folder.join("owner.sqlite").exists(), "a refused sign-in keeps nothing");
        app.fill("[data-testid=owner-password]", PASSWORD).await;
        app.click("[data-testid=owner-sign-in]").await;

        // Trial balance, all businesses, then the retail business alone.
        app.wait_text("[data-testid=tb-total-debit]", &kes(trial_balance_total)).await;
        app.wait_text("[data-testid=tb-total-credit]", &kes(trial_balance_total)).await;
        app.wait_attribute("[data-testid=report-status]", "data-live", "true").await;
        let key = format!("owner:{EMAIL}");
        let token = token::load_secret(&key).unwrap().expect("the session token is in the keyring");
        let store = std::fs::read(app.folder.join("owner.sqlite")).unwrap();
        assert!(!store.windows(token.len()).any(|w| w == token.as_bytes()), "the token never reaches the disk");
        app.screenshot("owner-trial-balance").await;
        // Only the shop traded: the water business's books are empty, the shop's are the group's.
        app.find("[data-testid=owner-business]").await.select_by_value("WATER").await.unwrap();
        app.wait_text("[data-testid=tb-total-debit]", &kes(Money::ZERO)).await;
        app.find("[data-testid=owner-business]").await.select_by_value("RETAIL").await.unwrap();
        app.wait_text("[data-testid=tb-total-debit]", &kes(trial_balance_total)).await;
        app.find("[data-testid=owner-business]").await.select_by_value("").await.unwrap();
        app.wait_text("[data-testid=tb-total-debit]", &kes(trial_balance_total)).await;

        app.click("[data-testid=report-profit-and-loss]").await;
        app.wait_text("[data-testid=pl-revenue-total]", &kes(revenue)).await;
        app.wait_text("[data-testid=pl-expenses-total]", &kes(cost_of_sales)).await;
        app.wait_text("[data-testid=pl-net]", &kes(net_profit)).await;
        app.screenshot("owner-profit-and-loss").await;

        app.click("[data-testid=report-balance-sheet]").await;
        app.wait_text("[data-testid=bs-assets-total]", &kes(assets)).await;
        app.wait_text("[data-testid=bs-earnings]", &kes(net_profit)).await;
        assert_eq!(app.attribute("[data-testid=bs-balances]", "data-balances").await.as_deref(), Some("true"));
        app.screenshot("owner-balance-sheet").await;

        app.click("[data-testid=report-cash-position]").await;
        app.wait_text("[data-testid=cash-row][data-business=RETAIL] [data-testid=cash-total]", &kes(retail_cash)).await;

        app.click("[data-testid=report-sales]").await;
        app.wait_attribute("[data-testid=sales-bar]", "data-day", &today.to_string()).await;
        assert_eq!(app.attribute("[data-testid=sales-bar]", "data-percent").await.as_deref(), Some("100"));
        app.screenshot("owner-sales").await;

        app.click("[data-testid=report-stock]").await;
        app.wait_text("[data-testid=stock-total]", &kes(stock_value)).await;
        app.wait_text(
            &format!("[data-testid=stock-line][data-product='{}'] [data-testid=stock-quantity]", sugar.name),
            "9 packet",
        )
        .await;
        app.screenshot("owner-stock").await;

        app.click("[data-testid=report-tills]").await;
        let row = format!("[data-testid=till-row][data-till='{}']", till.till.info().till_code);
        app.wait_text(&format!("{row} [data-testid=till-merged]"), &events.to_string()).await;
        app.wait_text(&format!("{row} [data-testid=till-days]"), "0").await;

        app.click("[data-testid=report-aging]").await;
        app.wait_text("[data-testid=aging-total]", &kes(owed_by_mama_njeri)).await;
        app.screenshot("owner-aging").await;
        app.click("[data-testid=owner-csv]").await;
        let saved = app.find("[data-testid=owner-saved-to] code").await.text().await.unwrap();
        let csv = std::fs::read_to_string(&saved).unwrap();
        assert!(Path::new(&saved).starts_with(&exports), "{saved} is in the export folder");
        assert!(csv.starts_with("customer_id,name,days_0_30,"), "the aging CSV's header: {csv}");
        assert!(csv.contains(&format!("Mama Njeri,{}", sugar.price)), "Mama Njeri's line: {csv}");

        app.click("[data-testid=aging-statement]").await;
        app.wait_text("[data-testid=statement-balance]", &kes(owed_by_mama_njeri)).await;
        app.wait_text("[data-testid=statement-status]", "open").await;
        app.screenshot("owner-statement").await;

        // The review queue: the oversold loaves wait for a decision; the owner corrects the cost.
        app.click("[data-testid=report-review]").await;
        let flag = "[data-testid=review-item][data-code=negative_stock]";
        app.wait_attribute(flag, "data-status", "open").await;
        app.screenshot("owner-review").await;
        app.click(&format!("{flag} [data-testid=review-decide]")).await;
        app.click("[data-testid=review-action-correct]").await;
        app.fill("[data-testid=review-note-input]", "Bread came before it was recorded; cost put right").await;
        app.find("[data-testid=review-business]").await.select_by_value("RETAIL").await.unwrap();
        app.fill_nth("[data-testid=review-line-account]", 0, "1220").await;
        app.fill_nth("[data-testid=review-line-debit]", 0, "100.00").await;
        app.fill_nth("[data-testid=review-line-account]", 1, "5300").await;
        app.fill_nth("[data-testid=review-line-credit]", 1, "90.00").await;
        app.wait_text("[data-testid=review-balance]", "Difference: KES 10.00").await;
        app.click("[data-testid=review-send]").await;
        app.wait_attribute("[data-testid=review-error]", "data-field", "lines").await;
        app.screenshot("owner-review-correction").await;
        let decided = || async {
            let items = review::items(&central.owner, review::Listing::Resolved).await.unwrap();
            items.into_iter().map(|item| (item.code, item.status, item.entry_number.is_some())).collect::<Vec<_>>()
        };
        assert_eq!(decided().await, [], "an unbalanced correction is never sent");
        app.fill_nth("[data-testid=review-line-credit]", 1, "100.00").await;
        app.wait_text("[data-testid=review-balance]", "Balanced").await;
        app.click("[data-testid=review-send]").await;
        app.find("[data-testid=review-empty]").await;
        assert_eq!(decided().await, [("negative_stock".to_string(), "corrected".to_string(), true)]);
        app.find("[data-testid=review-filter]").await.select_by_value("resolved").await.unwrap();
        app.wait_attribute(flag, "data-status", "corrected").await;
        app.wait_text(
            &format!("{flag} [data-testid=review-note]"),
            "Bread came before it was recorded; cost put right",
        )
        .await;
        app.screenshot("owner-review-decided").await;
        let report = tillbook_server::verify::verify(&central.owner).await.unwrap();
        assert!(report.is_clean(), "{report:#?}");

        // The M-Pesa statement: the milk's code matches; a receipt no till recorded is reviewed.
        let now = Utc::now().with_timezone(&chrono_tz::Africa::Nairobi).format("%Y-%m-%d %H:%M:%S");
        let statement = scratch.0.join("mpesa-november.csv");
        std::fs::write(
            &statement,
            format!(
                "Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn,Balance\n\
                 QK22MLK001,{now},Payment from 2547****123,Completed,{},,1000.00\n\
                 QK22ZZZ999,{now},Payment from 2547****456,Completed,250.00,,1250.00\n",
                milk.price
            ),
        )
        .unwrap();
        app.find("[data-testid=review-filter]").await.select_by_value("open").await.unwrap();
        app.find("[data-testid=mpesa-business]").await.select_by_value("RETAIL").await.unwrap();
        app.find("[data-testid=mpesa-file]").await.send_keys(statement.to_str().unwrap()).await.unwrap();
        app.click("[data-testid=mpesa-send]").await;
        app.wait_attribute("[data-testid=mpesa-summary]", "data-new-items", "1").await;
        assert_eq!(app.attribute("[data-testid=mpesa-summary]", "data-matched").await.as_deref(), Some("1"));
        let unrecorded = "[data-testid=review-item][data-code=mpesa_not_recorded]";
        app.wait_attribute(unrecorded, "data-status", "open").await;
        app.screenshot("owner-mpesa").await;

        // Maintenance: a new milk price, typed wrong first; the running till pulls the price.
        app.click("[data-testid=owner-manage]").await;
        app.find("[data-testid=manage-business]").await.select_by_value("RETAIL").await.unwrap();
        let milk_row = format!("[data-testid=manage-product][data-name='{}']", milk.name);
        app.click(&format!("{milk_row} [data-testid=manage-edit-product]")).await;
        app.fill("[data-testid=product-price]", "7O.00").await;
        app.click("[data-testid=product-save]").await;
        app.wait_attribute("[data-testid=manage-error]", "data-field", "price").await;
        let new_price = milk.price.checked_add(Money::from_cents(500)).unwrap();
        app.fill("[data-testid=product-price]", &new_price.to_string()).await;
        app.click("[data-testid=product-save]").await;
        app.find("[data-testid=manage-saved]").await;
        app.wait_text(&format!("{milk_row} [data-testid=manage-product-price]"), &kes(new_price)).await;
        app.screenshot("owner-manage-products").await;
        wait_until(Duration::from_secs(30), "the till pulls the new milk price", || async {
            let pulled = till.till.products(till.session.business_id).unwrap();
            pulled.iter().any(|p| p.id == milk.id && p.price == new_price)
        })
        .await;

        // A new cashier: her PIN works at the till once it has pulled her.
        app.click("[data-testid=manage-staff]").await;
        app.click("[data-testid=manage-new-staff]").await;
        app.fill("[data-testid=staff-name]", "Akinyi").await;
        app.fill("[data-testid=staff-pin]", "4321").await;
        app.click("[data-testid=staff-save]").await;
        app.find("[data-testid=manage-staff-member][data-name=Akinyi]").await;
        app.screenshot("owner-manage-staff").await;
        wait_until(Duration::from_secs(30), "the till pulls the new cashier", || async {
            till.till.staff().unwrap().iter().any(|member| member.name == "Akinyi")
        })
        .await;
        let akinyi = till.till.staff().unwrap().into_iter().find(|member| member.name == "Akinyi").unwrap();
        assert!(till.till.login(akinyi.id, "4321").is_ok(), "the PIN set at head office opens the till");

        // Tills: a code for a second counter; the first till revoked after a second click.
        app.click("[data-testid=manage-tills]").await;
        app.fill("[data-testid=enrol-name]", "Counter 2").await;
        app.find("[data-testid=enrol-business]").await.select_by_value("RETAIL").await.unwrap();
        app.click("[data-testid=enrol-send]").await;
        let code = app.find("[data-testid=enrol-code]").await.text().await.unwrap();
        assert!(code.len() >= 8, "an enrolment code is shown: {code}");
        let till_code = till.till.info().till_code.clone();
        let row = format!("[data-testid=manage-till][data-till='{till_code}']");
        app.click(&format!("{row} [data-testid=revoke-till]")).await;
        app.click(&format!("{row} [data-testid=revoke-confirm]")).await;
        app.wait_attribute(&row, "data-revoked", "true").await;
        app.screenshot("owner-manage-tills").await;

        // The server goes down: the copies fetched are still shown, marked as copies.
        central.stop().await;
        app.click("[data-testid=report-trial-balance]").await;
        app.wait_attribute("[data-testid=report-status]", "data-live", "false").await;
        app.wait_text("[data-testid=tb-total-debit]", &kes(trial_balance_total)).await;
        app.screenshot("owner-offline").await;
        // A report never fetched with these dates has no copy to show, and says so.
        app.fill("[data-testid=owner-as-of]", "2026-01-31").await;
        app.click("[data-testid=owner-refresh]").await;
        let error = app.find("[data-testid=owner-error]").await.text().await.unwrap();
        assert!(error.contains("no saved copy"), "{error}");
        app.fill("[data-testid=owner-as-of]", "31/01/2026").await;
        app.click("[data-testid=owner-refresh]").await;
        app.wait_text(
            "[data-testid=owner-error]",
            "One of the values is not valid. (as_of: '31/01/2026' is not a date (YYYY-MM-DD))",
        )
        .await;

        // Signing out forgets the token and the saved figures.
        app.click("[data-testid=owner-sign-out]").await;
        app.find("[data-testid=setup-owner]").await;
        assert!(!app.folder.join("owner.sqlite").exists(), "the saved reports are gone");
        wait_until(Duration::from_secs(10), "the token leaves the keyring", || async {
            token::load_secret(&key).unwrap().is_none()
        })
        .await;
    });
}
