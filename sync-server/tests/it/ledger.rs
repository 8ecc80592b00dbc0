//! The ledger's own defences (DESIGN §8), `verify`, the hledger export, and a seeded property:
//! thousands of random events merged leave the books clean and equal to what the tills sent.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rust_decimal::Decimal;
use tillbook_core::chart::{AccountCode, BusinessKind};
use tillbook_core::journal::JournalEntry;
use tillbook_core::protocol::Event;

use crate::common::{TestServer, ack_statuses, server};
use crate::fixtures::TillEvents;

#[path = "../../../core/tests/it/seeded.rs"]
pub mod seeded;

async fn some_posted_sales(server: &TestServer) -> TillEvents {
    let (mut till, token) = server.till(BusinessKind::Retail).await;
    let events: Vec<Event> = (0..3).map(|i| till.sale(&[(i, 1), (i + 1, 2)])).collect();
    assert_eq!(ack_statuses(&server.push(&till, &token, &events).await), vec!["posted"; 3]);
    till
}

/// The latest published state of a laundry job, as the tills of its business pull it.
async fn published_job(server: &TestServer, job_id: tillbook_core::ids::DocumentId) -> serde_json::Value {
    let (data,): (serde_json::Value,) = sqlx::query_as(
        "SELECT data FROM change_log WHERE entity = 'laundry_job' AND data->>'job_id' = $1::text ORDER BY seq DESC LIMIT 1",
    )
    .bind(job_id.0)
    .fetch_one(&server.owner)
    .await
    .expect("the job was published");
    data
}

fn refused(result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>) -> String {
    match result {
        Ok(done) => panic!("the database accepted it ({} rows)", done.rows_affected()),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn the_database_itself_refuses_edits_and_unbalanced_entries() {
    let server = server().await;
    some_posted_sales(&server).await;
    let owner = &server.owner;
    // As the owner: the triggers refuse.
    for sql in [
        "UPDATE journal_line SET debit = debit + 1 WHERE debit > 0",
        "DELETE FROM journal_line",
        "UPDATE journal_entry SET business_day = business_day + 1",
        "DELETE FROM journal_entry",
        "UPDATE inbox SET status = 'posted'",
        "TRUNCATE journal_line CASCADE",
    ] {
        let message = refused(sqlx::query(sqlx::AssertSqlSafe(sql)).execute(owner).await);
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
    // As the server's runtime role: not even granted.
    let login = tillbook_server::db::runtime_login(&server.options).await.unwrap();
    let runtime = tillbook_server::db::connect_runtime(login, 1).await.unwrap();
    for sql in [
        "UPDATE journal_line SET credit = credit + 1 WHERE credit > 0",
        "DELETE FROM journal_entry",
        "DELETE FROM inbox",
    ] {
        let message = refused(sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&runtime).await);
        assert!(message.contains("permission denied"), "{sql}: {message}");
    }
    // It logs in as itself: it cannot become the schema's owner, nor is it one.
    let owner_role: String = sqlx::query_scalar("SELECT current_user::text").fetch_one(owner).await.unwrap();
    let message = refused(sqlx::query(sqlx::AssertSqlSafe(format!("SET ROLE {owner_role}"))).execute(&runtime).await);
    assert!(message.contains("permission denied"), "SET ROLE {owner_role}: {message}");
    // And the server will not serve as the owner.
    let as_owner = tillbook_server::db::connect_runtime(server.options.clone(), 1).await;
    let message = as_owner.err().map(|error| error.to_string()).unwrap_or_default();
    assert!(message.contains("runs as its runtime role"), "{message}");
    // An unbalanced entry inserted directly is refused at its statement; an entry whose number
    // was not taken from its business's counter is refused, and at commit every number taken must
    // be an entry with lines.
    let business: (uuid::Uuid,) =
        sqlx::query_as("SELECT id FROM business WHERE code = 'RETAIL'").fetch_one(owner).await.unwrap();
    let entry = |number: i64| {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO journal_entry (entry_number, entry_id, business_id, event_type, occurred_at, business_day)
             VALUES ({number}, gen_random_uuid(), $1, 'manual', now(), current_date)"
        )))
        .bind(business.0)
    };
    let lines = |sql: &str| sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).bind(business.0);
    let message = refused(entry(1000).execute(owner).await);
    assert!(message.contains("journal entry 1000 of business") && message.contains("past its counter"), "{message}");
    let take_number = "UPDATE business_entry_counter SET last_entry = last_entry + 1 WHERE business_id = $1
                       RETURNING last_entry";
    let mut tx = owner.begin().await.unwrap();
    let (number,): (i64,) = sqlx::query_as(take_number).bind(business.0).fetch_one(&mut *tx).await.unwrap();
    let message = refused(
        lines(&format!(
            "WITH entry AS (
                 INSERT INTO journal_entry (entry_number, entry_id, business_id, event_type, occurred_at, business_day)
                 VALUES ({number}, gen_random_uuid(), $1, 'manual', now(), current_date))
             INSERT INTO journal_line (entry_number, line_no, business_id, account_code, debit, credit)
             VALUES ({number}, 0, $1, 1130, 100.00, 0), ({number}, 1, $1, 4300, 0, 99.99)",
        ))
        .execute(&mut *tx)
        .await,
    );
    assert!(message.contains(&format!("journal entry {number} does not balance")), "{message}");
    drop(tx);
    let mut tx = owner.begin().await.unwrap();
    let (number,): (i64,) = sqlx::query_as(take_number).bind(business.0).fetch_one(&mut *tx).await.unwrap();
    entry(number).execute(&mut *tx).await.expect("an entry goes in before its lines");
    let message = tx.commit().await.expect_err("an entry without lines is refused at commit").to_string();
    assert!(
        message.contains(&format!("journal entry {number} of business")) && message.contains("has no lines"),
        "{message}"
    );
    let mut tx = owner.begin().await.unwrap();
    let (number,): (i64,) = sqlx::query_as(take_number).bind(business.0).fetch_one(&mut *tx).await.unwrap();
    let message = tx.commit().await.expect_err("a number taken is an entry").to_string();
    assert!(
        message.contains(&format!("entry number {number} of business")) && message.contains("no entry has it"),
        "{message}"
    );
    // A lone line added to a posted entry unbalances it; a line of no entry or of no account.
    for (values, expected) in [
        ("(1, 9, $1, 1130, 5, 0)", "journal entry 1 does not balance"),
        ("(999999, 0, $1, 1130, 5, 0), (999999, 1, $1, 4300, 0, 5)", "no such journal entry"),
        ("(1, 8, $1, 1999, 5, 0), (1, 9, $1, 4300, 0, 5)", "no account 1999"),
    ] {
        let sql = format!(
            "INSERT INTO journal_line (entry_number, line_no, business_id, account_code, debit, credit) VALUES {values}"
        );
        let message = refused(lines(&sql).execute(owner).await);
        assert!(message.contains(expected), "{values}: {message}");
    }
    // What the ledger and the sales refer to is kept.
    for sql in [
        "DELETE FROM product",
        "UPDATE product SET id = gen_random_uuid()",
        "DELETE FROM account WHERE code = 1130",
        "DELETE FROM sale",
        "DELETE FROM business",
        "UPDATE device SET id = gen_random_uuid()",
        "UPDATE sale_line SET quantity = quantity + 1",
    ] {
        let message = refused(sqlx::query(sqlx::AssertSqlSafe(sql)).execute(owner).await);
        assert!(message.contains("are kept") || message.contains("append-only"), "{sql}: {message}");
    }
    let message = refused(
        sqlx::query(
            "INSERT INTO sale_line (sale_id, line_no, product_id, quantity, unit_price, discount, vat_rate, line_total)
             SELECT sale_id, 99, gen_random_uuid(), 1, 1, 0, 0, 1 FROM sale LIMIT 1",
        )
        .execute(owner)
        .await,
    );
    assert!(message.contains("no product"), "{message}");
    let message = refused(
        lines(
            "INSERT INTO vat_line (event_id, document_id, business_id, business_day, input, rate, net, vat)
             VALUES (gen_random_uuid(), gen_random_uuid(), $1, current_date, false, 0.16, 100, 16)",
        )
        .execute(owner)
        .await,
    );
    assert!(message.contains("vat_line: no event"), "{message}");
    let message = refused(
        sqlx::query(
            "INSERT INTO sale (sale_id, event_id, business_id, device_id, kind, receipt_number, occurred_at, business_day, total)
             SELECT gen_random_uuid(), gen_random_uuid(), business_id, device_id, kind, 'R-NONE', occurred_at, business_day, total
               FROM sale LIMIT 1",
        )
        .execute(owner)
        .await,
    );
    assert!(message.contains("no posted event"), "{message}");
    // A settlement is written by its invoice's insert, never by itself.
    let message = refused(
        sqlx::query(
            "INSERT INTO invoice_settlement (invoice_id, amount, paid, cancelled)
             SELECT invoice_id, amount, 0, false FROM invoice LIMIT 1",
        )
        .execute(owner)
        .await,
    );
    assert!(message.contains("written by its invoice's insert"), "{message}");
    let one_sided = sqlx::query(
        "INSERT INTO journal_line (entry_number, line_no, business_id, account_code, debit, credit) VALUES (1, 9, $1, 1130, 5, 5)",
    )
    .bind(business.0)
    .execute(owner)
    .await;
    assert!(refused(one_sided).contains("check constraint"));
    server.verify_clean().await;

    // Rows slipped in past the checks (here with triggers off, as only a superuser can) are
    // found by `verify`: a sale line of no product, a VAT line of no event, a sale of no entry.
    let mut tx = owner.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *tx).await.unwrap();
    sqlx::query(
        "INSERT INTO sale_line (sale_id, line_no, product_id, quantity, unit_price, discount, vat_rate, line_total)
         SELECT sale_id, 99, gen_random_uuid(), 1, 1, 0, 0, 1 FROM sale LIMIT 1",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO vat_line (event_id, document_id, business_id, business_day, input, rate, net, vat)
         VALUES (gen_random_uuid(), gen_random_uuid(), $1, current_date, false, 0.16, 100, 16)",
    )
    .bind(business.0)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sale (sale_id, event_id, business_id, device_id, kind, receipt_number, occurred_at, business_day, total)
         SELECT gen_random_uuid(), gen_random_uuid(), business_id, device_id, kind, 'R-NONE', occurred_at, business_day, total
           FROM sale LIMIT 1",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO invoice_settlement (invoice_id, customer_id, amount, paid, cancelled)
         VALUES (gen_random_uuid(), gen_random_uuid(), 5, 0, false)",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let report = tillbook_server::verify::verify(owner).await.unwrap();
    assert_eq!(report.orphaned_rows, 3, "{report:?}");
    assert_eq!(report.settlement_mismatches, 1, "a settlement of no invoice: {report:?}");
    assert!(!report.is_clean());
}

#[tokio::test]
async fn a_laundry_job_is_republished_when_a_payment_on_it_is_made_or_voided() {
    let server = server().await;
    let (mut till, token) = server.till(BusinessKind::Laundry).await;
    let (job, dropped) = till.drop_off(3);
    let (payment_id, paid) = till.pay_job(&job, tillbook_core::Money::from_cents(10_000));
    assert_eq!(ack_statuses(&server.push(&till, &token, &[dropped, paid]).await), ["posted", "posted"]);
    let state = published_job(&server, job.job_id).await;
    assert_eq!((state["status"].as_str(), state["paid"].as_str()), (Some("received"), Some("100.00")));
    assert_eq!(state["payments"][0]["document_id"].as_str(), Some(payment_id.to_string().as_str()));
    assert_eq!(state["items"].as_array().map(Vec::len), Some(1));

    let void = till.void(payment_id, "laundry.paid");
    assert_eq!(ack_statuses(&server.push(&till, &token, &[void]).await), ["posted"]);
    let state = published_job(&server, job.job_id).await;
    assert_eq!((state["paid"].as_str(), state["payments"].as_array().map(Vec::len)), (Some("0.00"), Some(0)));
    server.verify_clean().await;
}

/// A restore or a generated history that leaves the counters behind the ledger would make the
/// next merge collide with an entry already there: `verify` says so, with both numbers, for the
/// business whose counter is behind.
#[tokio::test]
async fn verify_finds_counters_left_behind_the_ledger() {
    let server = server().await;
    some_posted_sales(&server).await;
    let report = server.verify_clean().await;
    assert!(report.counters.max_change > 0, "{:?}", report.counters);
    let (business, max_entry): (uuid::Uuid, i64) = sqlx::query_as(
        "SELECT business_id, max(entry_number) FROM journal_entry GROUP BY business_id ORDER BY 2 DESC LIMIT 1",
    )
    .fetch_one(&server.owner)
    .await
    .unwrap();
    sqlx::query("UPDATE business_entry_counter SET last_entry = 0 WHERE business_id = $1")
        .bind(business)
        .execute(&server.owner)
        .await
        .unwrap();
    sqlx::query("UPDATE ledger_counter SET last_change = last_change - 1").execute(&server.owner).await.unwrap();
    let report = tillbook_server::verify::verify(&server.owner).await.unwrap();
    assert!(!report.is_clean());
    let behind = tillbook_server::verify::EntryCounter { business_id: business, last_entry: 0, max_entry };
    assert_eq!(report.counters.entries_out_of_step, vec![behind]);
    assert_eq!(report.counters.last_change + 1, report.counters.max_change);
}

#[tokio::test]
async fn verify_finds_a_corrupted_balance() {
    let server = server().await;
    some_posted_sales(&server).await;
    server.verify_clean().await;
    sqlx::query("UPDATE account_balance SET debit_total = debit_total + 0.01 WHERE account_code = 1130")
        .execute(&server.owner)
        .await
        .unwrap();
    let report = tillbook_server::verify::verify(&server.owner).await.unwrap();
    assert!(!report.is_clean());
    assert_eq!(report.balance_mismatches.len(), 1);
    let mismatch = &report.balance_mismatches[0];
    assert_eq!(mismatch.account_code, 1130);
    assert_eq!(mismatch.stored_debit - mismatch.computed_debit, Decimal::new(1, 2));
}

/// The export read back by hledger: it passes `hledger check --strict`, and each account's
/// balance there equals the server's trial balance.
#[tokio::test]
async fn the_hledger_export_checks_and_matches_the_trial_balance() {
    let server = server().await;
    some_posted_sales(&server).await;
    let (mut water, token) = server.till(BusinessKind::Water).await;
    let sale = water.sale(&[(0, 3)]);
    let sale_id: tillbook_core::ids::DocumentId = serde_json::from_value(sale.document["sale_id"].clone()).unwrap();
    let void = water.void(sale_id, "sale.recorded");
    let kept = water.sale(&[(1, 2)]);
    assert_eq!(ack_statuses(&server.push(&water, &token, &[sale, void, kept]).await), vec!["posted"; 3]);

    crate::common::assert_hledger_agrees(&server).await;
}

/// One random action at a till.
#[derive(Debug, Clone)]
enum Action {
    Sale(Vec<(usize, i64)>, bool),
    VoidLastSale,
    /// A sale on the account of the demo customer with this index.
    CreditSale(Vec<(usize, i64)>, usize),
    /// Pay the last unpaid credit sale in full.
    PayLastCredit,
    /// Void the last payment: its invoice is owed again.
    VoidLastPayment,
    /// Void the last unpaid credit sale: its invoice is owed by nobody.
    VoidLastCredit,
    Tamper,
}

fn action() -> impl Strategy<Value = Action> {
    let lines = || prop::collection::vec((0usize..12, 1i64..6), 1..5);
    prop_oneof![
        8 => (lines(), any::<bool>()).prop_map(|(lines, mpesa)| Action::Sale(lines, mpesa)),
        1 => Just(Action::VoidLastSale),
        3 => (lines(), 0usize..3).prop_map(|(lines, customer)| Action::CreditSale(lines, customer)),
        2 => Just(Action::PayLastCredit),
        1 => Just(Action::VoidLastPayment),
        1 => Just(Action::VoidLastCredit),
        1 => Just(Action::Tamper),
    ]
}

/// A till of the property below and what it has done so far.
struct RandomTill {
    events: TillEvents,
    token: String,
    pending: Vec<Event>,
    last_sale: Option<tillbook_core::ids::DocumentId>,
    /// Credit sales not yet paid or voided, with their customer.
    unpaid: Vec<(tillbook_core::documents::Sale, tillbook_core::ids::CustomerId)>,
    /// Payments not voided, with the credit sale each paid.
    payments: Vec<(tillbook_core::ids::DocumentId, tillbook_core::documents::Sale, tillbook_core::ids::CustomerId)>,
}

impl RandomTill {
    /// The event for `action` (the action's fallback when there is nothing to pay or void),
    /// or `None` for a tampered event, which is queued but posts nothing.
    fn event_for(
        &mut self,
        index: usize,
        action: &Action,
        customers: &[tillbook_core::ids::CustomerId],
    ) -> Option<Event> {
        let till = &mut self.events;
        let event = match action {
            Action::Sale(lines, mpesa) => {
                let code = format!("Q{index:09}");
                let sale = till.sale_document(lines, mpesa.then_some(code.as_str()));
                self.last_sale = Some(sale.sale_id);
                till.event(tillbook_core::documents::Document::Sale(sale))
            }
            Action::VoidLastSale => match self.last_sale.take() {
                Some(id) => till.void(id, "sale.recorded"),
                None => till.sale(&[(0, 1)]),
            },
            Action::CreditSale(lines, customer) => {
                let (sale, event) = till.credit_sale(lines, customers[*customer]);
                self.unpaid.push((sale, customers[*customer]));
                event
            }
            Action::PayLastCredit => match self.unpaid.pop() {
                Some((sale, customer)) => {
                    let code = format!("P{index:09}");
                    let (payment_id, event) = till.payment(customer, &sale.total.to_string(), sale.sale_id, &code);
                    self.payments.push((payment_id, sale, customer));
                    event
                }
                None => till.sale(&[(0, 1)]),
            },
            Action::VoidLastPayment => match self.payments.pop() {
                Some((payment_id, sale, customer)) => {
                    self.unpaid.push((sale, customer));
                    till.void(payment_id, "payment.received")
                }
                None => till.sale(&[(0, 1)]),
            },
            Action::VoidLastCredit => match self.unpaid.pop() {
                Some((sale, _)) => till.void(sale.sale_id, "sale.recorded"),
                None => till.sale(&[(0, 1)]),
            },
            Action::Tamper => {
                let mut event = till.sale(&[(1, 1)]);
                event.journal.as_mut().unwrap().lines[0].debit = tillbook_core::money::Money::from_cents(1);
                self.pending.push(event);
                return None;
            }
        };
        Some(event)
    }
}

/// Thousands of random events from two tills, in random batch sizes — cash, M-Pesa and credit
/// sales, payments on account, and voids of each: every valid one posted once, every tampered
/// one quarantined, `verify` clean (settlements included), each account's balance equal to the
/// sum of the posted events' journals, and each customer's outstanding in the aging report equal
/// to the credit sales left unpaid.
#[test]
fn random_merged_events_leave_the_books_clean() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let plan = (prop::collection::vec(action(), 600..800), prop::collection::vec(1usize..120, 30));
    let customers: Vec<_> = tillbook_core::seed::demo().customers.into_iter().map(|c| c.id).take(3).collect();
    seeded::check_property("merged books stay whole", 3, plan, |(actions, batch_sizes)| {
        runtime.block_on(async {
            let server = server().await;
            let mut tills = Vec::new();
            // Laundry has no products for a sale; the water and retail tills take turns.
            for kind in [BusinessKind::Water, BusinessKind::Retail] {
                let (events, token) = server.till(kind).await;
                tills.push(RandomTill {
                    events,
                    token,
                    pending: Vec::new(),
                    last_sale: None,
                    unpaid: Vec::new(),
                    payments: Vec::new(),
                });
            }
            let mut expected: BTreeMap<(uuid::Uuid, AccountCode), Decimal> = BTreeMap::new();
            let mut posted = 0;
            for (index, action) in actions.iter().enumerate() {
                let till = &mut tills[index % 2];
                let Some(event) = till.event_for(index, action, &customers) else { continue };
                let entry = JournalEntry::from_wire(event.journal.as_ref().unwrap()).unwrap();
                for (account, net) in entry.net_by_account() {
                    *expected.entry((event.business_id.0, account)).or_default() += net.decimal();
                }
                posted += 1;
                till.pending.push(event);
            }
            let mut sizes = batch_sizes.iter().cycle();
            for till in &tills {
                for batch in till.pending.chunks(*sizes.next().unwrap()) {
                    let answer = server.push(&till.events, &till.token, batch).await;
                    prop_assert_eq!(answer.status, 200, "{}", answer.body);
                }
            }
            let report = tillbook_server::verify::verify(&server.owner).await.unwrap();
            prop_assert!(report.is_clean(), "{:#?}", report);
            prop_assert_eq!(report.entries, posted as i64);
            let stored: Vec<(uuid::Uuid, i16, Decimal, Decimal)> =
                sqlx::query_as("SELECT business_id, account_code, debit_total, credit_total FROM account_balance")
                    .fetch_all(&server.owner)
                    .await
                    .unwrap();
            let stored: BTreeMap<(uuid::Uuid, AccountCode), Decimal> = stored
                .into_iter()
                .map(|(business, code, debit, credit)| ((business, AccountCode::new(code as u16)), debit - credit))
                .filter(|(_, net)| !net.is_zero())
                .collect();
            expected.retain(|_, net| !net.is_zero());
            prop_assert_eq!(stored, expected);
            let quarantined = server.count("quarantine").await;
            prop_assert_eq!(quarantined as usize, actions.iter().filter(|a| matches!(a, Action::Tamper)).count());

            let mut owed: BTreeMap<uuid::Uuid, tillbook_core::Money> = BTreeMap::new();
            for (sale, customer) in tills.iter().flat_map(|till| &till.unpaid) {
                let owes = owed.entry(customer.0).or_default();
                *owes = owes.checked_add(sale.total).unwrap();
            }
            let far_ahead = chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap();
            let aging = tillbook_server::reports::customers::aging(&server.owner, far_ahead).await.unwrap();
            let reported: BTreeMap<uuid::Uuid, tillbook_core::Money> = aging
                .customers
                .iter()
                .filter(|line| line.outstanding.is_positive())
                .map(|line| (line.customer_id, line.outstanding))
                .collect();
            prop_assert_eq!(reported, owed);
            Ok(())
        })
    });
}

/// Migration 0024 on a ledger numbered the old way (one sequence for the group, businesses
/// interleaved): each business's entries become 1..n in their old order, the old number is kept
/// in `former_number`, each business's counter continues after its last entry, and the books
/// are as clean as before. The next head-office entry of a business takes its next number.
#[tokio::test]
async fn migration_0024_renumbers_an_existing_ledger_per_business() {
    use std::str::FromStr;
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test cluster");
    let cluster = sqlx::postgres::PgConnectOptions::from_str(&url).unwrap();
    let name = format!("tillbook_test_{}", uuid::Uuid::now_v7().simple());
    let admin = tillbook_server::db::connect_owner(cluster.clone()).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
    let options = cluster.database(&name);
    let owner = tillbook_server::db::connect_owner(options.clone()).await.unwrap();
    tillbook_server::MIGRATOR.run_to(23, &owner).await.expect("the schema before 0024");
    tillbook_server::admin::seed(&owner).await.unwrap();

    // Six entries numbered across the group, retail and water taking turns: 1 R, 2 W, 3 R, …
    let ids: Vec<(uuid::Uuid, String)> =
        sqlx::query_as("SELECT id, code FROM business WHERE code IN ('RETAIL', 'WATER') ORDER BY code")
            .fetch_all(&owner)
            .await
            .unwrap();
    let mut tx = owner.begin().await.unwrap();
    for number in 1..=6_i64 {
        let business = ids[(number as usize - 1) % 2].0;
        sqlx::query(
            "INSERT INTO journal_entry (entry_number, entry_id, business_id, event_type, occurred_at, business_day)
             VALUES ($1, gen_random_uuid(), $2, 'manual', now(), current_date)",
        )
        .bind(number)
        .bind(business)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO journal_line (entry_number, line_no, business_id, account_code, debit, credit)
             VALUES ($1, 0, $2, 1130, $3, 0), ($1, 1, $2, 3100, 0, $3)",
        )
        .bind(number)
        .bind(business)
        .bind(Decimal::from(100 * number))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO account_balance (business_id, account_code, debit_total, credit_total)
         SELECT business_id, account_code, sum(debit), sum(credit) FROM journal_line GROUP BY 1, 2",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("UPDATE ledger_counter SET last_entry = 6").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();

    tillbook_server::MIGRATOR.run(&owner).await.expect("0024 and after migrate the old ledger");
    let renumbered: Vec<(String, i64, i64, Decimal)> = sqlx::query_as(
        "SELECT b.code, e.entry_number, e.former_number, sum(l.debit)
           FROM journal_entry e JOIN business b ON b.id = e.business_id
           JOIN journal_line l USING (business_id, entry_number)
          GROUP BY 1, 2, 3 ORDER BY 3",
    )
    .fetch_all(&owner)
    .await
    .unwrap();
    let expected: Vec<(String, i64, i64, Decimal)> =
        [("RETAIL", 1, 1), ("WATER", 1, 2), ("RETAIL", 2, 3), ("WATER", 2, 4)]
            .into_iter()
            .chain([("RETAIL", 3, 5), ("WATER", 3, 6)])
            .map(|(code, number, former)| (code.to_string(), number, former, Decimal::from(100 * former)))
            .collect();
    assert_eq!(renumbered, expected, "each entry keeps its lines, amounts and old number");
    let report = tillbook_server::verify::verify(&owner).await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!((report.entries, report.missing_entry_numbers), (6, 0));

    let five = tillbook_core::money::Money::from_cents(500);
    let entry = tillbook_core::journal::EntryBuilder::new()
        .debit(AccountCode::new(1130), five)
        .credit(tillbook_core::chart::shared::OWNER_CAPITAL, five)
        .build(tillbook_core::ids::EntryId(uuid::Uuid::now_v7()))
        .unwrap();
    let mut tx = owner.begin().await.unwrap();
    tillbook_server::changes::lock(&mut tx).await.unwrap();
    let next = tillbook_server::head_office::post(
        &mut tx,
        &tillbook_server::head_office::HeadOfficeEntry {
            business_id: ids[0].0,
            kind: "review.corrected",
            document_id: uuid::Uuid::now_v7(),
            occurred_at: chrono::Utc::now().fixed_offset(),
            business_day: chrono::Utc::now().date_naive(),
            entry: &entry,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(next, 4, "retail's next entry follows its own last");
    assert!(tillbook_server::verify::verify(&owner).await.unwrap().is_clean());
    owner.close().await;
    tillbook_server::db::drop_database(&options).await.unwrap();
}
