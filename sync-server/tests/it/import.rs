//! Starting from existing books: `tillbook-server import` checks a whole file first, names every
//! bad row, refuses books that do not balance, and posts one balanced opening entry per business
//! against 3900, all or nothing.

use chrono::NaiveDate;
use tillbook_core::Money;
use tillbook_server::import::{self, ImportReport};
use tillbook_server::reports::{Scope, customers, ledger, stock};

use crate::common::{TestServer, server};

const AS_OF: &str = "2026-10-31";

fn kes(text: &str) -> Money {
    text.parse().unwrap()
}

fn as_of() -> NaiveDate {
    AS_OF.parse().unwrap()
}

async fn run(server: &TestServer, name: &str, text: &str, dry_run: bool) -> ImportReport {
    let (file, refs) = import::parse(name, text).unwrap();
    import::import(&server.owner, &file, &refs, as_of(), chrono_tz::Africa::Nairobi, dry_run).await.unwrap()
}

/// The shop's old books: cash 5,000 and bank 20,000 against the owner's capital 31,000 and a
/// supplier owed 2,500... which is 25,000 against 33,500: it does not balance until the
/// supplier's line is corrected below.
const UNBALANCED: &str = r#"{
  "balances": [
    {"business": "RETAIL", "account": "1130", "debit": "5000.00"},
    {"business": "RETAIL", "account": "1170", "debit": "20000.00"},
    {"business": "RETAIL", "account": "3100", "credit": "31000.00"},
    {"business": "RETAIL", "account": "2110", "credit": "2500.00"},
    {"business": "WATER", "account": "1110", "debit": "800.00"},
    {"business": "WATER", "account": "3100", "credit": "800.00"}
  ]
}"#;

#[tokio::test]
async fn an_unbalanced_or_bad_file_is_refused_naming_its_rows_and_posts_nothing() {
    let server = server().await;
    let before = server.footprint().await;
    let report = run(&server, "books.json", UNBALANCED, false).await;
    assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
    let problem = &report.problems[0];
    assert_eq!(problem.row, "balances[0], balances[1], balances[2], balances[3]");
    assert!(problem.reason.contains("debits 25000.00, credits 33500.00, difference -8500.00"), "{}", problem.reason);
    assert!(report.posted_entries.is_empty());
    assert_eq!(server.footprint().await, before, "a refused file writes nothing, not even WATER's good part");

    // Every bad row of the CSV form is listed with its reason, by its line in the file.
    let csv = "section,business,account,debit,credit,name,phone,owes,reference,product,quantity,unit_cost
balance,RETAIL,1130,100.00,,,,,,,,
balance,RETAIL,1330,50.00,,,,,,,,
balance,RETAIL,9999,,25.00,,,,,,,
balance,BAKERY,1110,10.00,,,,,,,,
balance,RETAIL,3100,,12.5.0,,,,,,,
customer,RETAIL,,,,Hotel Kilimanjaro,,-5,,,,
stock,RETAIL,,,,,,,,Unicorn horn,1,10
stock,RETAIL,,,,,,,,Sugar 1 kg,-2,150
stock,RETAIL,,,,,,,,Airtime top-up service,1,10
";
    let report = run(&server, "books.csv", csv, true).await;
    let problems: Vec<(&str, &str)> = report.problems.iter().map(|p| (p.row.as_str(), p.field)).collect();
    assert_eq!(
        problems,
        vec![
            ("line 3", "account"),
            ("line 4", "account"),
            ("line 5", "business"),
            ("line 6", "credit"),
            ("line 2, line 3, line 4, line 6", "debit"),
            ("line 7", "owes"),
            ("line 8", "product"),
            ("line 9", "quantity"),
            ("line 10", "product"),
        ],
        "{:#?}",
        report.problems
    );
    assert!(report.problems[1].reason.contains("no account 9999"));
    assert!(report.problems[0].reason.contains("customers"), "the receivable comes from the customers");
    assert_eq!(server.footprint().await, before);
}

const OPENING: &str = r#"{
  "balances": [
    {"business": "RETAIL", "account": "1130", "debit": "5000.00"},
    {"business": "RETAIL", "account": "1170", "debit": "20000.00"},
    {"business": "RETAIL", "account": "3100", "credit": "31000.00"},
    {"business": "RETAIL", "account": "1171", "debit": "6000.00"},
    {"business": "WATER", "account": "1110", "debit": "800.00"},
    {"business": "WATER", "account": "3100", "credit": "800.00"}
  ],
  "customers": [
    {"business": "RETAIL", "name": "Hotel Kilimanjaro", "owes": "1200.00", "reference": "INV-88"},
    {"business": "RETAIL", "name": "Baraka Hardware", "phone": "0733000999", "owes": "350.50"}
  ],
  "stock": [
    {"business": "RETAIL", "product": "sugar 1 kg", "quantity": "40", "unit_cost": "150.00"},
    {"business": "RETAIL", "product": "Cooking oil 1 L", "quantity": "12", "unit_cost": "295.00"}
  ]
}"#;

#[tokio::test]
async fn a_good_file_posts_one_balanced_opening_entry_per_business_against_3900() {
    let server = server().await;
    // Dry run: the totals it would post, and nothing written.
    let before = server.footprint().await;
    let plan = run(&server, "books.json", OPENING, true).await;
    assert!(plan.problems.is_empty(), "{:#?}", plan.problems);
    assert_eq!(server.footprint().await, before);
    let retail = plan.businesses.iter().find(|b| b.business == "RETAIL").unwrap();
    // Stock: 40 × 150 + 12 × 295 = 9,540; customers 1,550.50; so 3900 takes
    // 5,000 + 20,000 + 6,000 + 9,540 + 1,550.50 − 31,000 = 11,090.50.
    assert_eq!((retail.stock_value, retail.customers_owe, retail.customers), (kes("9540.00"), kes("1550.50"), 2));
    assert_eq!(retail.opening_equity, kes("11090.50"));
    assert_eq!((retail.total_debit, retail.total_credit), (kes("42090.50"), kes("42090.50")));
    let water = plan.businesses.iter().find(|b| b.business == "WATER").unwrap();
    assert_eq!(water.opening_equity, Money::ZERO);

    let report = run(&server, "books.json", OPENING, false).await;
    assert_eq!(report.posted_entries.len(), 2);
    let pool = &server.owner;
    let retail_scope = Scope::of(pool, Some("RETAIL")).await.unwrap();
    let sheet = ledger::balance_sheet(pool, &retail_scope, as_of()).await.unwrap();
    assert!(sheet.balances);
    assert_eq!(sheet.total_assets, kes("42090.50"));
    let equity: Vec<(i16, Money)> = sheet.equity.iter().map(|line| (line.account_code, line.balance)).collect();
    assert_eq!(equity, vec![(3100, kes("31000.00")), (3900, kes("11090.50"))]);
    let trial = ledger::trial_balance(pool, &Scope::consolidated(), as_of()).await.unwrap();
    assert_eq!(trial.total_debit, trial.total_credit);

    // What customers owe is now invoices of their own, aged from the day of the books.
    let aging = customers::aging(pool, as_of()).await.unwrap();
    let owed: Vec<(&str, Money)> = aging.customers.iter().map(|c| (c.name.as_str(), c.outstanding)).collect();
    assert_eq!(owed, vec![("Hotel Kilimanjaro", kes("1200.00")), ("Baraka Hardware", kes("350.50"))]);
    let stock = stock::stock(pool, &retail_scope).await.unwrap();
    let sugar = stock.products.iter().find(|p| p.product == "Sugar 1 kg").unwrap();
    assert_eq!((sugar.quantity.to_string().as_str(), sugar.value), ("40", kes("6000.00")));
    server.verify_clean().await;
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'opening.imported'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(audited, 2);

    // The same books twice would count them twice: refused, naming the rows.
    let again = run(&server, "books.json", OPENING, false).await;
    assert!(again.posted_entries.is_empty());
    assert!(again.problems.iter().all(|p| p.field == "business" && p.reason.contains("already has opening balances")));
    assert_eq!(again.problems.len(), 10);
}
