//! The owner's reports on a known week (DESIGN §9), every figure worked out by hand below and
//! fixed to the cent. The events go through the real push, as the tills would send them.
//!
//! RETAIL (till R1)
//!   Sep 1  Hotel Kilimanjaro buys 4 × cooking oil on account: 1,400.00 (VAT 193.10, cost 1,160)
//!   Nov 2  delivery of 10 of each stocked product on account: 8,480.00
//!   Nov 2  cash: 2 × sugar 360.00 (VAT 49.66) + 1 × maize flour 210.00 (zero-rated); cost 480
//!   Nov 5  the hotel pays 1,000.00 by M-Pesa against its invoice
//!   Nov 6  one bottle of oil comes back: a credit note of 350.00 (VAT 48.28, cost 290 back)
//! WATER (till W1)
//!   Nov 4  cash: 3 × refill 20 L 210.00 (VAT 28.97)
//! LAUNDRY (till L1)
//!   Nov 2  Mama Njeri leaves 3 kg to wash and fold: 360.00 (VAT 49.66)
//!   Nov 4  she pays 200.00 cash against the job

use chrono::NaiveDate;
use tillbook_core::Money;
use tillbook_core::chart::BusinessKind;
use tillbook_core::documents::{PaidFrom, SupplierPayment};
use tillbook_core::money::{Quantity, VatRate};
use tillbook_core::seed;
use tillbook_server::reports::{self, Period, Scope, customers, ledger, sales, shifts, suppliers, tills, vat};

use crate::common::{TestServer, ack_codes, ack_statuses, server};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn kes(text: &str) -> Money {
    text.parse().unwrap()
}

fn customer(name: &str) -> tillbook_core::ids::CustomerId {
    seed::demo().customers.into_iter().find(|c| c.name == name).unwrap().id
}

async fn the_week(server: &TestServer) {
    let hotel = customer("Hotel Kilimanjaro");
    let (mut retail, retail_token) = server.till(BusinessKind::Retail).await;
    // Retail products in seed order: 0 maize flour, 1 bread, 2 milk, 3 sugar, 4 cooking oil.
    retail.at("2026-09-01T10:00:00+03:00");
    let (oil_sale, on_account) = retail.credit_sale(&[(4, 4)], hotel);
    retail.at("2026-11-02T08:00:00+03:00");
    let delivery = retail.stock_receipt(10);
    retail.at("2026-11-02T11:30:00+03:00");
    let cash_sale = retail.sale(&[(3, 2), (0, 1)]);
    retail.at("2026-11-05T16:00:00+03:00");
    let (_, payment) = retail.payment(hotel, "1000.00", oil_sale.sale_id, "QK51HOT001");
    retail.at("2026-11-06T09:15:00+03:00");
    let credit_note = retail.credit_note(&oil_sale, 0, 1, hotel);
    let events = [on_account, delivery, cash_sale, payment, credit_note];
    let answer = server.push(&retail, &retail_token, &events).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(ack_statuses(&answer), vec!["posted"; 5], "{}", answer.body);

    let (mut water, water_token) = server.till(BusinessKind::Water).await;
    water.at("2026-11-04T12:00:00+03:00");
    let refills = water.sale(&[(2, 3)]);
    assert_eq!(ack_statuses(&server.push(&water, &water_token, &[refills]).await), vec!["posted"]);

    let (mut laundry, laundry_token) = server.till(BusinessKind::Laundry).await;
    laundry.at("2026-11-02T09:00:00+03:00");
    let (job, drop_off) = laundry.drop_off(3);
    laundry.at("2026-11-04T17:00:00+03:00");
    let (_, paid) = laundry.pay_job(&job, kes("200.00"));
    assert_eq!(ack_statuses(&server.push(&laundry, &laundry_token, &[drop_off, paid]).await), vec!["posted"; 2]);
}

fn lines(lines: &[ledger::AccountLine]) -> Vec<(i16, Money)> {
    lines.iter().map(|line| (line.account_code, line.balance)).collect()
}

#[tokio::test]
async fn a_known_week_gives_hand_computed_reports_to_the_cent() {
    let server = server().await;
    the_week(&server).await;
    let pool = &server.owner;
    let week = Period::new(day("2026-09-01"), day("2026-11-08")).unwrap();
    let all = Scope::consolidated();
    let retail = Scope::of(pool, Some("retail")).await.unwrap();

    // Profit and loss of the shop: sales 310.34 + 210.00 + 1,206.90 less the return 301.72;
    // cost of sales 480 + 1,160 − 290.
    let pnl = ledger::profit_and_loss(pool, &retail, week).await.unwrap();
    assert_eq!(lines(&pnl.revenue), vec![(4300, kes("1425.52"))]);
    assert_eq!(lines(&pnl.expenses), vec![(5300, kes("1350.00"))]);
    assert_eq!(pnl.net_profit, kes("75.52"));

    // Consolidated: plus water 181.03 and laundry 310.34.
    let pnl = ledger::profit_and_loss(pool, &all, week).await.unwrap();
    assert_eq!(lines(&pnl.revenue), vec![(4100, kes("181.03")), (4200, kes("310.34")), (4300, kes("1425.52"))]);
    assert_eq!(
        (pnl.total_revenue, pnl.total_expenses, pnl.net_profit),
        (kes("1916.89"), kes("1350.00"), kes("566.89"))
    );

    // A period that leaves out the September sale and the November return.
    let november = Period::new(day("2026-11-01"), day("2026-11-05")).unwrap();
    let pnl = ledger::profit_and_loss(pool, &retail, november).await.unwrap();
    assert_eq!((pnl.total_revenue, pnl.total_expenses), (kes("520.34"), kes("480.00")));

    // The balance sheet balances: assets 9,320.00 = liabilities 8,753.11 + earnings 566.89.
    let sheet = ledger::balance_sheet(pool, &all, day("2026-11-08")).await.unwrap();
    assert_eq!(
        lines(&sheet.assets),
        vec![
            (1110, kes("210.00")),
            (1120, kes("200.00")),
            (1130, kes("570.00")),
            (1142, kes("1000.00")),
            (1220, kes("7130.00")),
            (1320, kes("160.00")),
            (1330, kes("50.00")),
        ]
    );
    assert_eq!(lines(&sheet.liabilities), vec![(2110, kes("8480.00")), (2200, kes("273.11"))]);
    assert_eq!(sheet.earnings, kes("566.89"));
    assert_eq!(
        (sheet.total_assets, sheet.total_liabilities, sheet.total_equity),
        (kes("9320.00"), kes("8753.11"), kes("566.89"))
    );
    assert!(sheet.balances);
    // Before the delivery and the week's trading, only the September sale on account.
    let sheet = ledger::balance_sheet(pool, &retail, day("2026-09-30")).await.unwrap();
    assert_eq!(lines(&sheet.assets), vec![(1220, kes("-1160.00")), (1330, kes("1400.00"))]);
    assert!(sheet.balances);

    // The trial balance: debits equal credits, 10,670.00 each.
    let trial = ledger::trial_balance(pool, &all, day("2026-11-08")).await.unwrap();
    assert_eq!((trial.total_debit, trial.total_credit), (kes("10670.00"), kes("10670.00")));
    assert_eq!(trial.lines.iter().find(|line| line.account_code == 2200).unwrap().credit, kes("273.11"));

    // Cash, M-Pesa and bank of each business.
    let cash = ledger::cash_position(pool, day("2026-11-08")).await.unwrap();
    let cash: Vec<(&str, Money, Money, Money)> =
        cash.iter().map(|c| (c.business_code.as_str(), c.cash, c.mpesa, c.total)).collect();
    assert_eq!(
        cash,
        vec![
            ("LAUNDRY", kes("200.00"), kes("0.00"), kes("200.00")),
            ("RETAIL", kes("570.00"), kes("1000.00"), kes("1570.00")),
            ("WATER", kes("210.00"), kes("0.00"), kes("210.00")),
        ]
    );

    // Sales per day and till: the laundry's jobs are invoices, not sales.
    // Revenue the way the owner thinks of it, net of VAT from the ledger: the laundry's job is
    // in it (recognised when the clothes came in; the payment on Nov 4 is not revenue), and the
    // return takes the shop's goods below zero on Nov 6. Together: the P&L's 1,916.89.
    let revenue = sales::revenue_by_day(pool, &all, week).await.unwrap();
    let shown: Vec<(String, &str, Money, Money, Money)> = revenue
        .iter()
        .map(|d| (d.business_day.to_string(), d.business_code.as_str(), d.goods, d.laundry, d.net))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("2026-09-01".into(), "RETAIL", kes("1206.90"), kes("0.00"), kes("1206.90")),
            ("2026-11-02".into(), "LAUNDRY", kes("0.00"), kes("310.34"), kes("310.34")),
            ("2026-11-02".into(), "RETAIL", kes("520.34"), kes("0.00"), kes("520.34")),
            ("2026-11-04".into(), "WATER", kes("181.03"), kes("0.00"), kes("181.03")),
            ("2026-11-06".into(), "RETAIL", kes("-301.72"), kes("0.00"), kes("-301.72")),
        ]
    );
    assert_eq!(Money::sum(revenue.iter().map(|d| d.net)).unwrap(), kes("1916.89"));
    let laundry = Scope::of(pool, Some("laundry")).await.unwrap();
    let only = sales::revenue_by_day(pool, &laundry, week).await.unwrap();
    assert_eq!(only.iter().map(|d| d.laundry).collect::<Vec<_>>(), vec![kes("310.34")]);

    let days = sales::sales_by_day(pool, &all, week).await.unwrap();
    let days: Vec<(String, String, i64, Money, Money)> = days
        .into_iter()
        .map(|d| (d.business_day.to_string(), d.till_code, d.sales_count, d.gross, d.refunds))
        .collect();
    assert_eq!(
        days,
        vec![
            ("2026-09-01".into(), "R1".into(), 1, kes("1400.00"), kes("0.00")),
            ("2026-11-02".into(), "R1".into(), 1, kes("570.00"), kes("0.00")),
            ("2026-11-04".into(), "W1".into(), 1, kes("210.00"), kes("0.00")),
            ("2026-11-06".into(), "R1".into(), 0, kes("0.00"), kes("350.00")),
        ]
    );

    // Aging on Nov 8: the hotel's 50.00 is 68 days old, Mama Njeri's 160.00 six days.
    let aging = customers::aging(pool, day("2026-11-08")).await.unwrap();
    let owed: Vec<(&str, Money, Money, Money)> =
        aging.customers.iter().map(|c| (c.name.as_str(), c.days_0_30, c.days_61_90, c.outstanding)).collect();
    assert_eq!(
        owed,
        vec![
            ("Mama Njeri", kes("160.00"), kes("0.00"), kes("160.00")),
            ("Hotel Kilimanjaro", kes("0.00"), kes("50.00"), kes("50.00")),
        ]
    );
    assert_eq!(aging.total.outstanding, kes("210.00"));
    // What customers owe is what the receivable accounts hold: 160.00 + 50.00.
    assert_eq!(
        aging.total.outstanding,
        sheet_receivables(&ledger::balance_sheet(pool, &all, day("2026-11-08")).await.unwrap())
    );

    // The hotel's statement: the invoice is overdue (due Oct 1) with 50.00 left.
    let statement = customers::statement(pool, customer("Hotel Kilimanjaro").0, day("2026-11-08")).await.unwrap();
    let invoice = &statement.invoices[0];
    assert_eq!(
        (invoice.amount, invoice.paid, invoice.outstanding, invoice.status, invoice.due_on),
        (kes("1400.00"), kes("1350.00"), kes("50.00"), "overdue", day("2026-10-01"))
    );
    assert_eq!(statement.balance, kes("50.00"));

    // As of a month end before the payment, the credit note and the laundry job: the hotel owed
    // the whole 1,400.00, 60 days old, which is what the receivable accounts held that day; its
    // statement then shows nothing paid.
    let october = day("2026-10-31");
    let aging = customers::aging(pool, october).await.unwrap();
    let owed: Vec<(&str, Money, Money)> =
        aging.customers.iter().map(|c| (c.name.as_str(), c.days_31_60, c.outstanding)).collect();
    assert_eq!(owed, vec![("Hotel Kilimanjaro", kes("1400.00"), kes("1400.00"))]);
    assert_eq!(aging.total.outstanding, sheet_receivables(&ledger::balance_sheet(pool, &all, october).await.unwrap()));
    let statement = customers::statement(pool, customer("Hotel Kilimanjaro").0, october).await.unwrap();
    let invoice = &statement.invoices[0];
    assert_eq!((invoice.paid, invoice.outstanding, invoice.status), (kes("0.00"), kes("1400.00"), "overdue"));
    assert_eq!((statement.credit, statement.balance), (kes("0.00"), kes("1400.00")));
    // On Nov 5, after the payment and before the credit note: 400.00 left.
    let statement = customers::statement(pool, customer("Hotel Kilimanjaro").0, day("2026-11-05")).await.unwrap();
    assert_eq!(statement.invoices[0].paid, kes("1000.00"));
    assert_eq!(statement.balance, kes("400.00"));

    // Tills: three, each seen and nothing left to push.
    let tills = tills::tills(pool, chrono_tz::Africa::Nairobi, day("2026-11-08")).await.unwrap();
    assert_eq!(tills.iter().map(|t| t.till_code.as_str()).collect::<Vec<_>>(), vec!["L1", "R1", "W1"]);
    assert_eq!(tills.iter().map(|t| t.merged_through).collect::<Vec<_>>(), vec![2, 5, 1]);

    // An unknown business is the caller's mistake, named.
    let unknown = Scope::of(pool, Some("BAKERY")).await.unwrap_err();
    assert!(matches!(unknown, reports::ReportError::Invalid { field: "business", .. }), "{unknown}");

    // `verify` recomputes the running totals and the receivables: a day total or an invoice
    // changed behind the ledger's back is found.
    server.verify_clean().await;
    for corruption in [
        "UPDATE account_day_total SET credit_total = credit_total + 1 WHERE account_code = 4100",
        "UPDATE sales_day_total SET gross = gross - 10 WHERE gross = 570",
        "UPDATE invoice SET amount = amount + 5 WHERE kind = 'laundry'",
    ] {
        sqlx::query(corruption).execute(pool).await.unwrap();
    }
    let report = tillbook_server::verify::verify(pool).await.unwrap();
    assert_eq!((report.day_total_mismatches, report.sales_day_mismatches), (1, 1));
    // The invoice's amount no longer matches the settlement that repeats it.
    assert_eq!(report.settlement_mismatches, 1);
    let receivable = &report.receivable_mismatches;
    assert_eq!(receivable.len(), 1, "{receivable:?}");
    assert_eq!(receivable[0].business_code, "LAUNDRY");
    assert_eq!(receivable[0].open_invoices - receivable[0].account_balance, rust_decimal::Decimal::new(5, 0));
    assert!(!report.is_clean());
}

fn sheet_receivables(sheet: &ledger::BalanceSheet) -> Money {
    Money::sum(sheet.assets.iter().filter(|line| (1300..1400).contains(&line.account_code)).map(|line| line.balance))
        .unwrap()
}

/// The same reports over HTTP, for the signed-in owner only, as JSON or CSV; mistakes in the
/// query are 400s naming the field.
/// LPG in the owner's revenue: a 13 kg Total with a new cylinder bought outright is gas
/// 2,900.00 (2,500.00 net of VAT) and a cylinder 6,800.00 (5,862.07 net); a 6 kg exchange is gas
/// alone, 1,250.00 (1,077.59 net); a cylinder lent on deposit is no revenue at all.
#[tokio::test]
async fn lpg_gas_and_cylinders_are_revenue_of_their_own_and_deposits_are_none() {
    let server = server().await;
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    retail.at("2026-11-10T09:00:00+03:00");
    let events = [
        retail.lpg_sale(13, "Total", Some(tillbook_core::documents::NewCylinder::Sale)),
        retail.lpg_sale(6, "K-Gas", None),
        retail.lpg_sale(6, "ProGas", Some(tillbook_core::documents::NewCylinder::Deposit)),
    ];
    assert_eq!(ack_statuses(&server.push(&retail, &token, &events).await), ["posted", "posted", "posted"]);
    let pool = &server.owner;
    let day10 = Period::new(day("2026-11-10"), day("2026-11-10")).unwrap();
    let revenue = sales::revenue_by_day(pool, &Scope::consolidated(), day10).await.unwrap();
    let shown: Vec<(&str, Money, Money, Money, Money)> =
        revenue.iter().map(|d| (d.business_code.as_str(), d.goods, d.lpg_gas, d.lpg_cylinders, d.net)).collect();
    // Gas: 2,500.00 + 1,077.59 + 1,077.59 (the deposit's gas is sold all the same).
    assert_eq!(shown, vec![("RETAIL", kes("0.00"), kes("4655.18"), kes("5862.07"), kes("10517.25"))]);
    let pnl = ledger::profit_and_loss(pool, &Scope::consolidated(), day10).await.unwrap();
    assert_eq!(pnl.total_revenue, kes("10517.25"));

    // The lent ProGas comes back: its 2,000.00 deposit is paid back, no revenue moves, and the
    // deposits account (2310) is back to nothing.
    let back = retail.deposit_refund(6, "ProGas");
    assert_eq!(ack_statuses(&server.push(&retail, &token, &[back]).await), ["posted"]);
    let (deposits,): (rust_decimal::Decimal,) = sqlx::query_as(
        "SELECT coalesce(sum(credit_total - debit_total), 0) FROM account_balance WHERE account_code = 2310",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(deposits, rust_decimal::Decimal::ZERO);
    let pnl = ledger::profit_and_loss(pool, &Scope::consolidated(), day10).await.unwrap();
    assert_eq!(pnl.total_revenue, kes("10517.25"));
    server.verify_clean().await;
}

/// The Z reports at head office: Achieng's morning shift is 20.00 short, her evening shift
/// 50.00 over; Kamau's water shift is exact. Over/short per cashier and day, and per cashier.
#[tokio::test]
async fn over_and_short_per_cashier_from_the_tills_z_reports() {
    let server = server().await;
    let (mut retail, retail_token) = server.till(BusinessKind::Retail).await;
    retail.at("2026-11-10T07:00:00+03:00");
    let (opened, closed_short) = retail.shift("1000.00", "3450.00", "3430.00");
    retail.at("2026-11-10T18:00:00+03:00");
    let (reopened, closed_over) = retail.shift("1000.00", "2000.00", "2050.00");
    let answer = server.push(&retail, &retail_token, &[opened, closed_short, reopened, closed_over]).await;
    assert_eq!(ack_statuses(&answer), ["posted"; 4]);
    let (mut water, water_token) = server.till(BusinessKind::Water).await;
    water.at("2026-11-11T08:00:00+03:00");
    // The water till's events are recorded by the demo's other cashier.
    water.recorded_by = tillbook_core::seed::demo_staff()[3].id;
    let (opened, closed) = water.shift("500.00", "800.00", "800.00");
    assert_eq!(ack_statuses(&server.push(&water, &water_token, &[opened, closed]).await), ["posted", "posted"]);

    let pool = &server.owner;
    let period = Period::new(day("2026-11-10"), day("2026-11-11")).unwrap();
    let report = shifts::over_short(pool, &Scope::consolidated(), period).await.unwrap();
    let shown: Vec<(String, &str, &str, Money, Money, Money)> = report
        .shifts
        .iter()
        .map(|s| {
            (
                s.business_day.to_string(),
                s.business_code.as_str(),
                s.cashier.as_str(),
                s.expected,
                s.counted,
                s.difference,
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            ("2026-11-10".into(), "RETAIL", "Achieng", kes("3450.00"), kes("3430.00"), kes("-20.00")),
            ("2026-11-10".into(), "RETAIL", "Achieng", kes("2000.00"), kes("2050.00"), kes("50.00")),
            ("2026-11-11".into(), "WATER", "Kamau", kes("800.00"), kes("800.00"), kes("0.00")),
        ]
    );
    let totals: Vec<(&str, i64, Money, Money, Money)> =
        report.cashiers.iter().map(|c| (c.cashier.as_str(), c.shifts, c.over, c.short, c.net)).collect();
    assert_eq!(
        totals,
        vec![
            ("Kamau", 1, kes("0.00"), kes("0.00"), kes("0.00")),
            ("Achieng", 2, kes("50.00"), kes("20.00"), kes("30.00"))
        ]
    );
    // The differences are in the books too: 20.00 cash short (6900), 50.00 over (4900).
    let pnl = ledger::profit_and_loss(pool, &Scope::consolidated(), period).await.unwrap();
    assert_eq!(lines(&pnl.revenue), vec![(4900, kes("50.00"))]);
    assert_eq!(lines(&pnl.expenses), vec![(6900, kes("20.00"))]);
    let water_only = Scope::of(pool, Some("water")).await.unwrap();
    assert_eq!(shifts::over_short(pool, &water_only, period).await.unwrap().shifts.len(), 1);
    server.verify_clean().await;
}

#[tokio::test]
async fn the_owner_signs_in_and_reads_reports_as_json_and_csv() {
    let server = server().await;
    the_week(&server).await;
    tillbook_server::admin::create_owner(&server.owner, "wanjiru@example.com", "Wanjiru", "kahawa tamu sana")
        .await
        .unwrap();
    let login = |password: &str| {
        serde_json::to_vec(&serde_json::json!({ "email": "Wanjiru@example.com", "password": password })).unwrap()
    };
    let refused = server.post("/api/v1/owner/login", None, login("chai baridi")).await;
    assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (401, Some("invalid_credentials")));
    let signed_in = server.post("/api/v1/owner/login", None, login("kahawa tamu sana")).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let token = signed_in.body["token"].as_str().unwrap().to_string();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM owner_session WHERE token_hash = $1")
        .bind(tillbook_server::secrets::secret_hash(&token))
        .fetch_one(&server.owner)
        .await
        .unwrap();
    assert_eq!(stored, 1, "only the token's hash is kept");

    let (status, body) =
        server.get("/api/v1/reports/profit-and-loss?business=RETAIL&from=2026-09-01&to=2026-11-08", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let pnl: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!((pnl["scope"].as_str(), pnl["net_profit"].as_str()), (Some("RETAIL"), Some("75.52")));

    let response = server
        .http
        .get(format!("{}/api/v1/reports/balance-sheet?as_of=2026-11-08&format=csv", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("section,account_code,account_name,debit,credit,amount\n"), "{csv}");
    assert!(csv.contains("assets,1220,Inventory — Duka Retail & Gas,8770.00,1640.00,7130.00\n"), "{csv}");
    assert!(csv.contains("total assets,,,,,9320.00\n") && csv.contains("total equity,,,,,566.89\n"), "{csv}");

    let (status, body) = server.get("/api/v1/reports/aging?as_of=2026-11-08&format=csv", Some(&token)).await;
    assert_eq!(status, 200);
    assert!(body.lines().any(|line| line.ends_with("Hotel Kilimanjaro,0.00,0.00,50.00,0.00,50.00,0.00")), "{body}");

    for (path, status, field) in [
        ("/api/v1/reports/trial-balance?as_of=8/11/2026", 400, Some("as_of")),
        ("/api/v1/reports/sales?from=2026-11-08&to=2026-11-01", 400, Some("from")),
        ("/api/v1/reports/stock?business=BAKERY", 400, Some("business")),
        ("/api/v1/reports/tills?format=pdf", 400, Some("format")),
        ("/api/v1/reports/statement", 400, Some("customer_id")),
        ("/api/v1/reports/statement?customer_id=42", 400, Some("customer_id")),
        ("/api/v1/reports/forecast", 404, None),
    ] {
        let (answered, body) = server.get(path, Some(&token)).await;
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!((answered, body["error"]["field"].as_str()), (status, field), "{path}: {body}");
    }
    let (status, _) = server.get("/api/v1/reports/tills", None).await;
    assert_eq!(status, 401, "the reports are the owner's");
    let (status, _) = server.get("/api/v1/reports/tills", Some("tbo_not-a-session")).await;
    assert_eq!(status, 401);
}

/// Goods on account, payments and the payables aging, every figure worked out by hand. RETAIL
/// buys from Bidco (terms 30 days) and Total (14 days); products in seed order, 0 maize flour,
/// 3 sugar, 4 cooking oil.
///
///   Oct  1  Bidco B-100: 10 sugar × 150.00 + 16% VAT    = 1,500.00 + 240.00 = 1,740.00, due Oct 31
///   Oct 20  Bidco B-101: 20 flour × 180.00, zero-rated  = 3,600.00,                     due Nov 19
///   Nov  1  Total T-7:   10 oil × 290.00 + 16% VAT       = 2,900.00 + 464.00 = 3,364.00, due Nov 15
///   Nov  5  Bidco paid 2,000.00 from the bank, no invoice chosen: oldest first, B-100 1,740.00
///           and B-101 260.00 (B-101 still owes 3,340.00)
///   Nov 10  Total paid 500.00 cash against T-7 (owes 2,864.00)
///   Nov 12  Total, paid in cash: 5 sugar × 150.00 + 16% = 870.00 — no debt, input VAT 120.00
///   Nov 20  Bidco paid 4,000.00 by M-Pesa: B-101 3,340.00, and 660.00 in advance
///   Nov 25  the Nov 20 payment is voided (sent from the wrong phone): B-101 owes 3,340.00 again
///
/// 2110: 1,740 + 3,600 + 3,364 − 2,000 − 500 (− 4,000 + 4,000) = 6,204.00 on Nov 30.
#[tokio::test]
async fn goods_on_account_payments_and_the_payables_aging_to_the_cent() {
    let server = server().await;
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let products = retail.products();
    let (flour, sugar, oil) = (products[0].id, products[3].id, products[4].id);
    let line = |product, count: i64, cost: &str, rate| (product, Quantity::whole(count), kes(cost), rate);
    retail.at("2026-10-01T09:00:00+03:00");
    let (_, b100_event) =
        retail.purchase(&[line(sugar, 10, "150.00", VatRate::STANDARD)], SupplierPayment::OnAccount, 1, "B-100");
    retail.at("2026-10-20T09:00:00+03:00");
    let (b101, b101_event) =
        retail.purchase(&[line(flour, 20, "180.00", VatRate::ZERO)], SupplierPayment::OnAccount, 1, "B-101");
    retail.at("2026-11-01T09:00:00+03:00");
    let (t7, t7_event) =
        retail.purchase(&[line(oil, 10, "290.00", VatRate::STANDARD)], SupplierPayment::OnAccount, 2, "T-7");
    retail.at("2026-11-05T10:00:00+03:00");
    let (_, bank) = retail.supplier_payment(1, "2000.00", PaidFrom::Bank, &[]);
    retail.at("2026-11-10T10:00:00+03:00");
    // Refused, each for its own reason: Bidco's invoice chosen for Total, and more than T-7 owes.
    let (_, wrong_supplier) = retail.supplier_payment(2, "500.00", PaidFrom::Cash, &[(b101, "500.00")]);
    let (_, too_much) = retail.supplier_payment(2, "4000.00", PaidFrom::Cash, &[(t7, "3364.01")]);
    let (_, cash) = retail.supplier_payment(2, "500.00", PaidFrom::Cash, &[(t7, "500.00")]);
    retail.at("2026-11-12T10:00:00+03:00");
    let (_, cash_purchase) =
        retail.purchase(&[line(sugar, 5, "150.00", VatRate::STANDARD)], SupplierPayment::Cash, 2, "T-9");
    retail.at("2026-11-20T10:00:00+03:00");
    let (mpesa_id, mpesa) = retail.supplier_payment(1, "4000.00", PaidFrom::Mpesa, &[]);
    let events = [b100_event, b101_event, t7_event, bank, wrong_supplier, too_much, cash, cash_purchase, mpesa];
    let answer = server.push(&retail, &token, &events).await;
    assert_eq!(
        ack_codes(&answer),
        ["posted", "posted", "posted", "posted", "unknown_invoice", "over_allocated", "posted", "posted", "posted"],
        "{}",
        answer.body
    );
    let pool = &server.owner;
    let allocated: Vec<(String, String, Money)> = sqlx::query_as(
        "SELECT s.paid_from, p.reference, a.amount FROM supplier_allocation a JOIN supplier_payment s USING (payment_id)
           JOIN purchase p USING (purchase_id) ORDER BY s.business_day, p.business_day",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(from, reference, amount): (String, String, rust_decimal::Decimal)| (from, reference, Money::round(amount).unwrap()))
    .collect();
    assert_eq!(
        allocated,
        [
            ("bank".to_string(), "B-100".to_string(), kes("1740.00")),
            ("bank".into(), "B-101".into(), kes("260.00")),
            ("cash".into(), "T-7".into(), kes("500.00")),
            ("mpesa".into(), "B-101".into(), kes("3340.00")),
        ]
    );

    let retail_scope = Scope::of(pool, Some("RETAIL")).await.unwrap();
    let owed = |report: &suppliers::Payables| {
        report
            .suppliers
            .iter()
            .map(|l| (l.name.clone(), l.current, l.days_1_30, l.days_31_60, l.advance, l.owed))
            .collect::<Vec<_>>()
    };
    let aging = suppliers::payables(pool, &retail_scope, day("2026-11-04")).await.unwrap();
    let z = Money::ZERO;
    assert_eq!(
        owed(&aging),
        [
            ("Bidco Africa".to_string(), kes("3600.00"), kes("1740.00"), z, z, kes("5340.00")),
            ("Total Energies Kenya".to_string(), kes("3364.00"), z, z, z, kes("3364.00")),
        ]
    );
    assert_eq!((aging.total.owed, aging.ledger_2110), (kes("8704.00"), kes("8704.00")));
    let aging = suppliers::payables(pool, &retail_scope, day("2026-11-21")).await.unwrap();
    assert_eq!(
        owed(&aging),
        [
            ("Bidco Africa".to_string(), z, z, z, kes("660.00"), kes("-660.00")),
            ("Total Energies Kenya".to_string(), z, kes("2864.00"), z, z, kes("2864.00")),
        ]
    );
    assert_eq!((aging.total.owed, aging.ledger_2110), (kes("2204.00"), kes("2204.00")));

    retail.at("2026-11-25T10:00:00+03:00");
    let void = retail.void(mpesa_id, "supplier.paid");
    assert_eq!(ack_statuses(&server.push(&retail, &token, &[void]).await), ["posted"]);
    let aging = suppliers::payables(pool, &Scope::consolidated(), day("2026-11-30")).await.unwrap();
    assert_eq!(
        owed(&aging),
        [
            ("Bidco Africa".to_string(), z, kes("3340.00"), z, z, kes("3340.00")),
            ("Total Energies Kenya".to_string(), z, kes("2864.00"), z, z, kes("2864.00")),
        ]
    );
    assert_eq!((aging.total.owed, aging.ledger_2110), (kes("6204.00"), kes("6204.00")));
    // Before the void was dated, the advance stands: the aging is as of its day.
    let before_void = suppliers::payables(pool, &Scope::consolidated(), day("2026-11-24")).await.unwrap();
    assert_eq!(before_void.total.owed, kes("2204.00"));

    let november = Period::new(day("2026-11-01"), day("2026-11-30")).unwrap();
    let statement = suppliers::statement(pool, seed::supplier_id(1).0, november).await.unwrap();
    let lines: Vec<(String, &str, Money, Money, Money)> =
        statement.lines.iter().map(|l| (l.day.to_string(), l.kind.as_str(), l.invoiced, l.paid, l.balance)).collect();
    assert_eq!(statement.opening, kes("5340.00"));
    assert_eq!(
        lines,
        [
            ("2026-11-05".to_string(), "payment", z, kes("2000.00"), kes("3340.00")),
            ("2026-11-20".into(), "payment", z, kes("4000.00"), kes("-660.00")),
            ("2026-11-25".into(), "void of payment", z, kes("-4000.00"), kes("3340.00")),
        ]
    );
    assert_eq!(statement.closing, kes("3340.00"));

    // November's VAT return for RETAIL: no sales, input VAT on T-7 (2,900.00 + 464.00) and the
    // cash purchase T-9 (750.00 + 120.00): 584.00 to carry forward, as 2200 moved.
    let november_vat = vat::vat_return(pool, &retail_scope, november).await.unwrap();
    let rates = |lines: &[vat::RateLine]| lines.iter().map(|l| (l.rate.to_string(), l.net, l.vat)).collect::<Vec<_>>();
    assert_eq!(rates(&november_vat.sales), []);
    assert_eq!(rates(&november_vat.purchases), [("0.16".to_string(), kes("3650.00"), kes("584.00"))]);
    assert_eq!((november_vat.net_payable, november_vat.ledger_2200), (kes("-584.00"), kes("-584.00")));
    let invoices: Vec<(&str, &str, &str, Money, Money)> = november_vat
        .purchase_invoices
        .iter()
        .map(|i| (i.supplier_pin.as_str(), i.supplier_name.as_str(), i.invoice_number.as_str(), i.net, i.vat))
        .collect();
    assert_eq!(
        invoices,
        [
            ("P051100002B", "Total Energies Kenya", "T-7", kes("2900.00"), kes("464.00")),
            ("P051100002B", "Total Energies Kenya", "T-9", kes("750.00"), kes("120.00")),
        ]
    );
    let october = Period::new(day("2026-10-01"), day("2026-10-31")).unwrap();
    let october_vat = vat::vat_return(pool, &retail_scope, october).await.unwrap();
    assert_eq!(
        rates(&october_vat.purchases),
        [("0.16".to_string(), kes("1500.00"), kes("240.00")), ("0".to_string(), kes("3600.00"), z)]
    );

    // Input VAT: 240.00 + 464.00 + 120.00 on the debit side of 2200.
    let trial = ledger::trial_balance(pool, &Scope::consolidated(), day("2026-11-30")).await.unwrap();
    let vat = trial.lines.iter().find(|l| l.account_code == 2200).expect("2200 moved");
    assert_eq!((vat.debit, vat.credit), (kes("824.00"), z));
    server.verify_clean().await;
}

/// The known week's November VAT return, by hand (VAT inside a 16% price = amount × 0.16 / 1.16):
///   sugar 360.00 → 49.66 (net 310.34); the oil credit note −350.00 → −48.28 (−301.72);
///   water refills 210.00 → 28.97 (181.03); laundry 360.00 → 49.66 (310.34);
///   zero-rated flour 210.00; the delivery 8,480.00 with no input VAT.
///   16%: net 499.99, VAT 80.01 — payable 80.01, which is 2200's November movement.
/// WATER and LAUNDRY share a KRA PIN here (one company), RETAIL has its own.
#[tokio::test]
async fn the_vat_return_of_a_known_month_by_rate_and_by_kra_pin_ties_to_2200() {
    let server = server().await;
    the_week(&server).await;
    let pool = &server.owner;
    sqlx::query("UPDATE business SET kra_pin = 'P051234567W' WHERE code = 'LAUNDRY'").execute(pool).await.unwrap();
    let november = Period::new(day("2026-11-01"), day("2026-11-30")).unwrap();
    let report = vat::vat_return(pool, &Scope::consolidated(), november).await.unwrap();
    let rates = |lines: &[vat::RateLine]| lines.iter().map(|l| (l.rate.to_string(), l.net, l.vat)).collect::<Vec<_>>();
    assert_eq!(
        rates(&report.sales),
        [("0.16".to_string(), kes("499.99"), kes("80.01")), ("0".to_string(), kes("210.00"), Money::ZERO)]
    );
    assert_eq!(rates(&report.purchases), [("0".to_string(), kes("8480.00"), Money::ZERO)]);
    assert_eq!((report.output_vat, report.input_vat, report.net_payable), (kes("80.01"), Money::ZERO, kes("80.01")));
    assert_eq!(report.ledger_2200, kes("80.01"));
    let pins: Vec<(&str, Vec<&str>, Money)> = report
        .by_pin
        .iter()
        .map(|p| (p.kra_pin.as_str(), p.businesses.iter().map(String::as_str).collect(), p.net_payable))
        .collect();
    assert_eq!(
        pins,
        [("P051234567W", vec!["LAUNDRY", "WATER"], kes("78.63")), ("P051234569R", vec!["RETAIL"], kes("1.38"))]
    );
    // September holds the credit sale's VAT, 193.10, and nothing else.
    let september = Period::new(day("2026-09-01"), day("2026-09-30")).unwrap();
    let report = vat::vat_return(pool, &Scope::of(pool, Some("RETAIL")).await.unwrap(), september).await.unwrap();
    assert_eq!((report.net_payable, report.ledger_2200), (kes("193.10"), kes("193.10")));

    // December: a gas refill and a new cylinder sold (both at 16%), and a water sale voided the
    // same day, whose VAT goes back out. The return still ties to 2200.
    let (mut retail, retail_token) = server.till(BusinessKind::Retail).await;
    retail.at("2026-12-01T10:00:00+03:00");
    let gas = retail.lpg_sale(13, "K-Gas", Some(tillbook_core::documents::NewCylinder::Sale));
    assert_eq!(ack_statuses(&server.push(&retail, &retail_token, &[gas]).await), ["posted"]);
    let (mut water, water_token) = server.till(BusinessKind::Water).await;
    water.at("2026-12-01T11:00:00+03:00");
    let sale = water.sale_document(&[(2, 2)], None);
    let sale_id = sale.sale_id;
    let sold = water.event(tillbook_core::documents::Document::Sale(sale));
    let void = water.void(sale_id, "sale.recorded");
    assert_eq!(ack_statuses(&server.push(&water, &water_token, &[sold, void]).await), ["posted", "posted"]);
    let december = Period::new(day("2026-12-01"), day("2026-12-31")).unwrap();
    let report = vat::vat_return(pool, &Scope::consolidated(), december).await.unwrap();
    assert!(report.output_vat.is_positive());
    assert_eq!(report.net_payable, report.ledger_2200);
    let water_only = vat::vat_return(pool, &Scope::of(pool, Some("WATER")).await.unwrap(), december).await.unwrap();
    assert_eq!((water_only.output_vat, water_only.ledger_2200), (Money::ZERO, Money::ZERO));

    // Migration 0018 fills `vat_line` for what was merged before it: run over these events
    // again, it gives exactly the lines the merge wrote.
    let lines = "SELECT event_id, document_id, business_day, input, rate, net, vat FROM vat_line
                 ORDER BY event_id, document_id, input, rate";
    type VatRow =
        (uuid::Uuid, uuid::Uuid, NaiveDate, bool, rust_decimal::Decimal, rust_decimal::Decimal, rust_decimal::Decimal);
    let merged: Vec<VatRow> = sqlx::query_as(lines).fetch_all(pool).await.unwrap();
    // The week's 7; December's LPG sale (gas and cylinder at one rate: 1), the water sale and its void.
    assert_eq!(merged.len(), 10, "{merged:?}");
    let migration = include_str!("../../../migrations-server/0018_vat_lines.sql");
    let backfill = &migration[migration.find("CREATE TEMPORARY TABLE vat_backfill").unwrap()..];
    let mut tx = pool.begin().await.unwrap();
    sqlx::raw_sql("ALTER TABLE vat_line DISABLE TRIGGER vat_line_immutable; DELETE FROM vat_line;")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(backfill)).execute(&mut *tx).await.unwrap();
    let backfilled: Vec<VatRow> = sqlx::query_as(lines).fetch_all(&mut *tx).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(backfilled, merged);

    // The CSV in the VAT3 schedules' order, for the accountant.
    let owner = server.owner_token("wanjiru@example.com").await;
    let (status, csv) =
        server.get("/api/v1/reports/vat-return?from=2026-11-01&to=2026-11-30&format=csv", Some(&owner)).await;
    assert_eq!(status, 200, "{csv}");
    assert!(csv.starts_with("section,rate,invoice_date,supplier_pin,supplier_name,invoice_number,net,vat\n"), "{csv}");
    assert!(csv.contains("sales,0.16,,,,,499.99,80.01\n") && csv.contains("net payable,,,,,,,80.01\n"), "{csv}");
}

/// The scripted month: the known week, and then in November —
///
///   RETAIL Nov 10  Bidco B-200 on account: 10 sugar × 150.00 + 16% = 1,500.00 + 240.00 = 1,740.00
///   RETAIL Nov 12  a 13 kg K-Gas refill with the cylinder lent on deposit, cash: gas 2,900.00
///                  (VAT 400.00, net 2,500.00) + deposit 4,000.00 (no VAT, no revenue)
///   RETAIL Nov 14  Achieng's shift: expected 3,450.00, counted 3,430.00: 20.00 short
///   LAUNDRY Nov 15 Mama Njeri leaves 5 kg to wash and fold: 600.00 (VAT 82.76, net 517.24), paid
///   RETAIL Nov 20  Bidco paid 5,000.00 from the bank: the oldest invoice first, INV-FIX (8,480.00
///                  of Nov 2) takes it all and owes 3,480.00
///   RETAIL Nov 20  Hotel Kilimanjaro pays 500.00 in advance: 500.00 of credit
///   RETAIL Nov 25  the cylinder comes back: its 4,000.00 deposit paid back in cash
///   HO Nov 28      50.00 of the hotel's credit applied to its Sep 1 invoice (1,400.00 − 1,000.00
///                  paid − 350.00 credit note = 50.00): nothing owed, 450.00 of credit left
///   HO Nov 30      rent of 11,600.00 from the bank, 16% VAT inside, shared 50/30/20:
///                  WATER 5,800.00 (VAT 800.00), LAUNDRY 3,480.00 (480.00), RETAIL 2,320.00 (320.00)
///
/// The November VAT return (16% unless said):
///   WATER    output 28.97 on 181.03;  input 800.00 on 5,000.00;  payable −771.03
///   LAUNDRY  output 49.66 + 82.76 = 132.42 on 827.58;  input 480.00 on 3,000.00;  payable −347.58
///   RETAIL   output 49.66 − 48.28 + 400.00 = 401.38 on 310.34 − 301.72 + 2,500.00 = 2,508.62, and
///            0% on 210.00;  input 240.00 + 320.00 = 560.00 on 3,500.00, and 0% on 8,480.00;
///            payable −158.62
///   group    output 562.77 (16% on 3,517.23);  input 1,840.00;  payable −1,277.23 — 2200's move
/// Payables on Nov 30: Bidco 3,480.00 + 1,740.00 = 5,220.00, not yet due (terms 30 days) = 2110.
/// Revenue in November, net of VAT: WATER 181.03; LAUNDRY 827.58; RETAIL goods 218.62
///   (520.34 − 301.72) and LPG gas 2,500.00.
/// Over and short: Achieng −20.00.
#[tokio::test]
async fn the_scripted_month_gives_the_vat_return_payables_revenue_and_over_short_and_hledger_agrees() {
    use tillbook_core::documents::{CreditApplied, Document, NewCylinder, PaidFrom};
    let server = server().await;
    the_week(&server).await;
    let owner = server.owner_token("wanjiru@example.com").await;
    let hotel = customer("Hotel Kilimanjaro");

    let (mut retail, retail_token) = server.till(BusinessKind::Retail).await;
    let sugar = retail.products()[3].id;
    retail.at("2026-11-10T09:00:00+03:00");
    let (_, b200) = retail.purchase(
        &[(sugar, Quantity::whole(10), kes("150.00"), VatRate::STANDARD)],
        SupplierPayment::OnAccount,
        1,
        "B-200",
    );
    retail.at("2026-11-12T10:00:00+03:00");
    let gas = retail.lpg_sale(13, "K-Gas", Some(NewCylinder::Deposit));
    retail.at("2026-11-14T07:00:00+03:00");
    let (opened, closed) = retail.shift("1000.00", "3450.00", "3430.00");
    retail.at("2026-11-20T10:00:00+03:00");
    let (_, paid_bidco) = retail.supplier_payment(1, "5000.00", PaidFrom::Bank, &[]);
    let advance = retail.paid_in_advance(hotel, "500.00", "P-ADV-9", None);
    retail.at("2026-11-25T10:00:00+03:00");
    let back = retail.deposit_refund(13, "K-Gas");
    let events = [b200, gas, opened, closed, paid_bidco, advance, back];
    let answer = server.push(&retail, &retail_token, &events).await;
    assert_eq!(ack_statuses(&answer), ["posted"; 7], "{}", answer.body);

    let (mut laundry, laundry_token) = server.till(BusinessKind::Laundry).await;
    laundry.at("2026-11-15T09:00:00+03:00");
    let (job, dropped) = laundry.drop_off(5);
    let (_, paid) = laundry.pay_job(&job, kes("600.00"));
    assert_eq!(ack_statuses(&server.push(&laundry, &laundry_token, &[dropped, paid]).await), ["posted"; 2]);

    // Head office: the hotel's credit, then the rent.
    let sep_invoice: (uuid::Uuid,) = sqlx::query_as("SELECT invoice_id FROM invoice WHERE business_day = '2026-09-01'")
        .fetch_one(&server.owner)
        .await
        .unwrap();
    let applied = Document::CreditApplied(CreditApplied {
        application_id: tillbook_core::ids::DocumentId::new(),
        customer_id: hotel,
        allocations: vec![tillbook_core::documents::Allocation {
            invoice_id: tillbook_core::ids::DocumentId(sep_invoice.0),
            amount: kes("50.00"),
        }],
        total: kes("50.00"),
    });
    let office = |business: &str, document: &Document, day: &str| {
        serde_json::json!({ "event_id": tillbook_core::ids::EventId::new(), "business": business,
                            "type": document.event_type(), "document": document.to_wire(), "business_day": day })
    };
    let credit = serde_json::json!({ "documents": [office("RETAIL", &applied, "2026-11-28")] });
    let answer = server.post("/api/v1/office/documents", Some(&owner), serde_json::to_vec(&credit).unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let rent = tillbook_core::documents::Expense {
        expense_id: tillbook_core::ids::DocumentId::new(),
        account: tillbook_core::chart::shared::RENT,
        amount: kes("11600.00"),
        description: "Rent, November".into(),
        paid_from: PaidFrom::Bank,
        vat_rate: VatRate::STANDARD,
    };
    let weights = [50, 30, 20].map(rust_decimal::Decimal::from);
    let shares = rent.amount.split(&weights).unwrap();
    let documents: Vec<serde_json::Value> = ["WATER", "LAUNDRY", "RETAIL"]
        .into_iter()
        .zip(shares)
        .map(|(business, amount)| {
            let part = tillbook_core::documents::Expense {
                expense_id: tillbook_core::ids::DocumentId::new(),
                amount,
                ..rent.clone()
            };
            office(business, &Document::Expense(part), "2026-11-30")
        })
        .collect();
    let rent_request = serde_json::json!({ "documents": documents });
    let answer =
        server.post("/api/v1/office/documents", Some(&owner), serde_json::to_vec(&rent_request).unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    let pool = &server.owner;
    let november = Period::new(day("2026-11-01"), day("2026-11-30")).unwrap();
    let rates = |lines: &[vat::RateLine]| lines.iter().map(|l| (l.rate.to_string(), l.net, l.vat)).collect::<Vec<_>>();
    let z = Money::ZERO;
    for (business, sales, purchases, payable) in [
        ("WATER", vec![("0.16", "181.03", "28.97")], vec![("0.16", "5000.00", "800.00")], "-771.03"),
        ("LAUNDRY", vec![("0.16", "827.58", "132.42")], vec![("0.16", "3000.00", "480.00")], "-347.58"),
        (
            "RETAIL",
            vec![("0.16", "2508.62", "401.38"), ("0", "210.00", "0.00")],
            vec![("0.16", "3500.00", "560.00"), ("0", "8480.00", "0.00")],
            "-158.62",
        ),
    ] {
        let scope = Scope::of(pool, Some(business)).await.unwrap();
        let report = vat::vat_return(pool, &scope, november).await.unwrap();
        let expect = |lines: Vec<(&str, &str, &str)>| {
            lines.into_iter().map(|(rate, net, vat)| (rate.to_string(), kes(net), kes(vat))).collect::<Vec<_>>()
        };
        assert_eq!(rates(&report.sales), expect(sales), "{business}");
        assert_eq!(rates(&report.purchases), expect(purchases), "{business}");
        assert_eq!((report.net_payable, report.ledger_2200), (kes(payable), kes(payable)), "{business}");
    }
    let group = vat::vat_return(pool, &Scope::consolidated(), november).await.unwrap();
    assert_eq!(
        (group.output_vat, group.input_vat, group.net_payable),
        (kes("562.77"), kes("1840.00"), kes("-1277.23"))
    );
    assert_eq!(group.ledger_2200, kes("-1277.23"));
    assert_eq!(group.sales[0].net, kes("3517.23"));

    let payables = suppliers::payables(pool, &Scope::consolidated(), day("2026-11-30")).await.unwrap();
    let owed: Vec<(&str, Money, Money)> =
        payables.suppliers.iter().map(|l| (l.name.as_str(), l.current, l.owed)).collect();
    assert_eq!(owed, [("Bidco Africa", kes("5220.00"), kes("5220.00"))]);
    assert_eq!(payables.ledger_2110, kes("5220.00"));

    let revenue = sales::revenue_by_day(pool, &Scope::consolidated(), november).await.unwrap();
    let mut by_business: std::collections::BTreeMap<&str, (Money, Money, Money, Money)> = Default::default();
    for day in &revenue {
        let total = by_business.entry(day.business_code.as_str()).or_insert((z, z, z, z));
        *total = (
            total.0.checked_add(day.goods).unwrap(),
            total.1.checked_add(day.laundry).unwrap(),
            total.2.checked_add(day.lpg_gas).unwrap(),
            total.3.checked_add(day.lpg_cylinders).unwrap(),
        );
    }
    assert_eq!(
        by_business.into_iter().collect::<Vec<_>>(),
        [
            ("LAUNDRY", (z, kes("827.58"), z, z)),
            ("RETAIL", (kes("218.62"), z, kes("2500.00"), z)),
            ("WATER", (kes("181.03"), z, z, z)),
        ]
    );
    let over_short = shifts::over_short(pool, &Scope::consolidated(), november).await.unwrap();
    let cashiers: Vec<(&str, Money)> = over_short.cashiers.iter().map(|c| (c.cashier.as_str(), c.net)).collect();
    assert_eq!(cashiers, [("Achieng", kes("-20.00"))]);
    let aging = customers::aging(pool, day("2026-11-30")).await.unwrap();
    let hotel_line = aging.customers.iter().find(|c| c.name == "Hotel Kilimanjaro").unwrap();
    assert_eq!((hotel_line.outstanding, hotel_line.credit), (z, kes("450.00")));

    server.verify_clean().await;
    crate::common::assert_hledger_agrees(&server).await;
}
