//! Exactly once under concurrency: several tills at once, and a retry racing its own first try.
//! Merges judge and write their new documents side by side, of one business or of two; a
//! business's merges take turns only for what they share (its numbers, balances and stock),
//! and merges of different businesses wait for each other only to publish to the change feed.
//! So these also show that each business's numbers stay gap-free, each batch's consecutive, and
//! that what one merge's judgement reads another cannot change under it.

use std::collections::BTreeSet;

use tillbook_core::chart::BusinessKind;
use tillbook_core::documents::Document;

use crate::common::{TestServer, ack_statuses, entry_numbers, server};
use crate::fixtures::TillEvents;
use tillbook_core::protocol::Event;
use tillbook_server::merge::snapshot::References;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_tills_pushing_at_once_post_each_event_once() {
    let server = std::sync::Arc::new(server().await);
    let mut tasks = Vec::new();
    for kind in [BusinessKind::Water, BusinessKind::Retail, BusinessKind::Water, BusinessKind::Retail] {
        let (mut till, token) = server.till(kind).await;
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let mut numbers = Vec::new();
            for _ in 0..5 {
                let events: Vec<_> = (0..20).map(|i| till.sale(&[(i, 1), (i + 3, 2), (i + 5, 1)])).collect();
                let answer = server.push(&till, &token, &events).await;
                assert_eq!(ack_statuses(&answer), vec!["posted"; 20], "{}", answer.body);
                let batch = entry_numbers(&answer);
                assert_eq!(batch, (batch[0]..batch[0] + 20).collect::<Vec<_>>(), "a batch's entries are consecutive");
                numbers.extend(batch);
            }
            (kind, numbers)
        }));
    }
    // Two tills of each business: each business's numbers are 1..=200, each handed out once.
    let mut by_business: std::collections::BTreeMap<&str, BTreeSet<i64>> = Default::default();
    for task in tasks {
        let (kind, numbers) = task.await.unwrap();
        let all = by_business.entry(if kind == BusinessKind::Water { "water" } else { "retail" }).or_default();
        for number in numbers {
            assert!(all.insert(number), "entry number {number} handed out twice in one business");
        }
    }
    for (business, all) in by_business {
        assert_eq!(all, (1..=200).collect(), "{business}'s numbers are gap-free across its tills");
    }
    let report = server.verify_clean().await;
    assert_eq!(report.entries, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_racing_its_first_attempt_posts_once() {
    let server = server().await;
    let (mut till, token) = server.till(BusinessKind::Retail).await;
    for round in 0..5 {
        let events: Vec<_> = (0..50).map(|i| till.sale(&[(i, 1), (i + 1, 1)])).collect();
        let (first, second) = tokio::join!(server.push(&till, &token, &events), server.push(&till, &token, &events));
        assert_eq!((first.status, second.status), (200, 200));
        let mut statuses = ack_statuses(&first);
        statuses.extend(ack_statuses(&second));
        assert_eq!(statuses.iter().filter(|s| *s == "posted").count(), 50, "round {round}: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| *s == "duplicate").count(), 50);
        assert_eq!(entry_numbers(&first), entry_numbers(&second), "both answers name the same entries");
    }
    assert_eq!(server.count("inbox").await, 250);
    assert_eq!(server.verify_clean().await.entries, 250);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_mpesa_code_recorded_at_two_businesses_at_once_is_flagged_once() {
    let server = server().await;
    let (mut water, water_token) = server.till(BusinessKind::Water).await;
    let (mut retail, retail_token) = server.till(BusinessKind::Retail).await;
    const ROUNDS: usize = 8;
    for round in 0..ROUNDS {
        // The same receipt typed at both counters, in the middle of a busy batch at each.
        let code = format!("QK{round:02}RACE01");
        let batch = |till: &mut crate::fixtures::TillEvents| {
            let mut events: Vec<_> = (0..20).map(|i| till.sale(&[(i, 1)])).collect();
            let sale = till.sale_document(&[(0, 1)], Some(&code));
            events.push(till.event(Document::Sale(sale)));
            events.extend((0..20).map(|i| till.sale(&[(i, 1)])));
            events
        };
        let (water_events, retail_events) = (batch(&mut water), batch(&mut retail));
        let (first, second) = tokio::join!(
            server.push(&water, &water_token, &water_events),
            server.push(&retail, &retail_token, &retail_events)
        );
        assert_eq!((first.status, second.status), (200, 200), "{} {}", first.body, second.body);
        assert_eq!(ack_statuses(&first), vec!["posted"; 41], "{}", first.body);
        assert_eq!(ack_statuses(&second), vec!["posted"; 41], "{}", second.body);
        let (flagged,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM posting_flag WHERE code = 'duplicate_mpesa_code' AND message LIKE $1")
                .bind(format!("%{code}%"))
                .fetch_one(&server.owner)
                .await
                .unwrap();
        assert_eq!(flagged, 1, "round {round}: the second recording of {code} is flagged, and only it");
    }
    server.verify_clean().await;
}

/// A merge waits only for merges that name the same M-Pesa code or judge the same customer's
/// account: the locks are rows, not shared buckets. While a transaction holds a merge's locks
/// on one code and one customer's account, a batch naming other codes, with credit sales to
/// another customer and to the held one, merges; a batch naming the held code
/// waits (Postgres shows its backend waiting on a lock) and merges once the holder commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_waits_only_for_the_codes_and_customers_it_names() {
    let server = std::sync::Arc::new(server().await);
    let (mut water, water_token) = server.till(BusinessKind::Water).await;
    let (mut retail, retail_token) = server.till(BusinessKind::Retail).await;
    let customers: Vec<_> = tillbook_core::seed::demo().customers.into_iter().map(|c| c.id).collect();
    let (held_customer, free_customer) = (customers[0], customers[1]);

    let mut held = References::default();
    held.mpesa_codes.insert("QHELD00001".to_string());
    held.accounts.insert(held_customer);
    let holder = holding(&server, &held).await;

    // Other codes (many: a day's batch, which with buckets took every bucket), another
    // customer's account, and a credit sale to the held customer: a sale on account only needs
    // its customer to exist, so it does not wait for a merge judging that customer's account.
    let mut events: Vec<_> = (0..100)
        .map(|i| {
            let sale = water.sale_document(&[(i % 3, 1)], Some(&format!("QFREE{i:05}")));
            water.event(Document::Sale(sale))
        })
        .collect();
    events.push(water.credit_sale(&[(0, 1)], free_customer).1);
    events.push(water.credit_sale(&[(1, 1)], held_customer).1);
    let answer = tokio::time::timeout(std::time::Duration::from_secs(60), server.push(&water, &water_token, &events))
        .await
        .expect("a batch naming other codes and customers does not wait for the held locks");
    assert_eq!(ack_statuses(&answer), vec!["posted"; 102], "{}", answer.body);

    // The held code: this merge waits until the holder is done.
    let sale = retail.sale_document(&[(0, 1)], Some("QHELD00001"));
    let event = retail.event(Document::Sale(sale));
    merges_after_waiting(
        &server,
        holder,
        (retail, retail_token, event),
        "%mpesa_code_guard%",
        "the batch naming the held code",
    )
    .await;
}

/// A transaction holding the locks a merge of `held` would take, until it commits.
async fn holding(server: &TestServer, held: &References) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut holder = server.owner.begin().await.unwrap();
    tillbook_server::changes::lock_for_merge(&mut holder, held).await.unwrap();
    holder
}

/// Pushes `event` from `till` in the background and sees it wait on a lock (its backend in
/// `pg_stat_activity`, in a statement like `statement`) while `holder` holds it, within a
/// bound, and then merge once `holder` commits.
async fn merges_after_waiting(
    server: &std::sync::Arc<TestServer>,
    holder: sqlx::Transaction<'_, sqlx::Postgres>,
    (till, token, event): (TillEvents, String, Event),
    statement: &str,
    what: &str,
) {
    let waiting = {
        let server = server.clone();
        tokio::spawn(async move { server.push(&till, &token, &[event]).await })
    };
    let started = std::time::Instant::now();
    loop {
        let (blocked,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1",
        )
        .bind(statement)
        .fetch_one(&server.owner)
        .await
        .unwrap();
        if blocked == 1 {
            break;
        }
        assert!(!waiting.is_finished(), "{what} merged without waiting");
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "{what} never waited");
        tokio::task::yield_now().await;
    }
    holder.commit().await.unwrap();
    let answer = tokio::time::timeout(std::time::Duration::from_secs(60), waiting).await.unwrap().unwrap();
    assert_eq!(ack_statuses(&answer), vec!["posted"], "{}", answer.body);
    server.verify_clean().await;
}

/// A payment is judged against the customer's account (what credit it leaves), so it waits for
/// a merge holding that account and then merges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_waits_for_a_merge_holding_its_customers_account() {
    let server = std::sync::Arc::new(server().await);
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let customer = tillbook_core::seed::demo().customers[2].id;

    let mut held = References::default();
    held.accounts.insert(customer);
    let holder = holding(&server, &held).await;
    let payment = retail.paid_in_advance(customer, "500.00", "P-000001", None);
    merges_after_waiting(&server, holder, (retail, token, payment), "%FOR NO KEY UPDATE%", "the customer's payment")
        .await;
}

/// A void of a credit sale changes what its customer owes without naming them: the merge finds
/// the customer from the ledger and locks them too, so the void waits for a merge that holds
/// that customer's account (one judging a payment against what the customer owes) and then merges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_void_of_a_credit_sale_waits_for_a_merge_holding_its_customer() {
    let server = std::sync::Arc::new(server().await);
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let customer = tillbook_core::seed::demo().customers[1].id;
    let (sale, event) = retail.credit_sale(&[(0, 1)], customer);
    assert_eq!(ack_statuses(&server.push(&retail, &token, &[event]).await), vec!["posted"]);

    let mut held = References::default();
    held.accounts.insert(customer);
    let holder = holding(&server, &held).await;
    let void = retail.void(sale.sale_id, "sale.recorded");
    merges_after_waiting(
        &server,
        holder,
        (retail, token, void),
        "%FOR NO KEY UPDATE%",
        "the void of the customer's sale",
    )
    .await;
}

/// Two tills of one business no longer wait for each other to judge and to write their new
/// documents: while a transaction holds the business's turn (its entry counter, as a merge does
/// from its numbers to its commit), a batch of that business is judged, writes its inbox,
/// sales, tenders, invoices and VAT lines, and only then waits — on the counter — and merges
/// once the turn is given back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_waits_for_its_business_only_to_number_and_write_what_the_business_shares() {
    let server = std::sync::Arc::new(server().await);
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let mut holder = server.owner.begin().await.unwrap();
    tillbook_server::changes::take_entry_numbers(&mut holder, &[(retail.business.id, 0)]).await.unwrap();
    let sale = retail.sale(&[(0, 1)]);
    merges_after_waiting(
        &server,
        holder,
        (retail, token, sale),
        "%business_entry_counter%",
        "the sale of the held business",
    )
    .await;
}

/// A void of another till's sale takes that sale out of the other till's day totals, which the
/// other till's merge writes with its new sales before its business's turn. So the void waits
/// for that row before it takes the turn: here a transaction holds both, as such a merge does
/// once in its turn, and the void is seen waiting on the day's totals, not on the turn, and then
/// merges. Waiting in its turn instead, it and that merge would each wait for the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_void_of_another_tills_sale_waits_for_that_tills_day_before_its_turn() {
    let server = std::sync::Arc::new(server().await);
    let (mut selling, selling_token) = server.till(BusinessKind::Retail).await;
    let (mut voiding, voiding_token) = server.till(BusinessKind::Retail).await;
    assert_eq!(selling.business.id, voiding.business.id, "two tills of one business");
    let sale = Document::Sale(selling.sale_document(&[(0, 1)], None));
    let sale_id = tillbook_core::documents::document_id(&sale).unwrap();
    // The voiding till knows the sale as it would after pulling it.
    let entry = sale.post(&voiding.business, &voiding.lookup, tillbook_core::ids::EntryId::new()).unwrap().unwrap();
    voiding.lookup.record(sale_id, entry);
    let event = selling.event(sale);
    assert_eq!(ack_statuses(&server.push(&selling, &selling_token, &[event]).await), vec!["posted"]);

    let mut holder = server.owner.begin().await.unwrap();
    let (locked,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM (SELECT 1 FROM sales_day_total WHERE device_id = $1 FOR NO KEY UPDATE) held",
    )
    .bind(selling.device.0)
    .fetch_one(&mut *holder)
    .await
    .unwrap();
    assert_eq!(locked, 1, "the selling till's day");
    tillbook_server::changes::take_entry_numbers(&mut holder, &[(selling.business.id, 0)]).await.unwrap();
    let void = voiding.void(sale_id, "sale.recorded");
    merges_after_waiting(
        &server,
        holder,
        (voiding, voiding_token, void),
        "%sales_day_total%",
        "the void of the other till's sale",
    )
    .await;
}

/// A void is judged against the document it voids (posted, not yet voided), so it waits for a
/// merge judging that same document, and then merges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_void_waits_for_a_merge_judging_the_same_document() {
    let server = std::sync::Arc::new(server().await);
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let sale = retail.sale_document(&[(0, 1)], None);
    let sale_id = sale.sale_id;
    let event = retail.event(Document::Sale(sale));
    assert_eq!(ack_statuses(&server.push(&retail, &token, &[event]).await), vec!["posted"]);

    let mut held = References::default();
    held.judged.insert(sale_id);
    let holder = holding(&server, &held).await;
    let void = retail.void(sale_id, "sale.recorded");
    merges_after_waiting(
        &server,
        holder,
        (retail, token, void),
        "%pg_advisory_xact_lock(key)%",
        "the void of the held sale",
    )
    .await;
}

/// What a supplier is owed is settled oldest invoice first, so a payment to a supplier waits for
/// a merge holding that supplier, and then merges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_payment_waits_for_a_merge_holding_the_supplier() {
    let server = std::sync::Arc::new(server().await);
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let mut held = References::default();
    held.suppliers.insert(tillbook_core::seed::supplier_id(1));
    let holder = holding(&server, &held).await;
    let (_, payment) = retail.supplier_payment(1, "100.00", tillbook_core::documents::PaidFrom::Cash, &[]);
    merges_after_waiting(
        &server,
        holder,
        (retail, token, payment),
        "%pg_advisory_xact_lock(key)%",
        "the payment to the held supplier",
    )
    .await;
}

/// Two tills of one business voiding the same sale at the same moment: it is voided once, and
/// the other void is quarantined `already_voided` — never both posted, never a failed push.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tills_voiding_one_sale_at_once_void_it_once() {
    let server = server().await;
    let (mut first, first_token) = server.till(BusinessKind::Retail).await;
    let (mut second, second_token) = server.till(BusinessKind::Retail).await;
    for round in 0..5 {
        let sale = Document::Sale(first.sale_document(&[(round, 1)], None));
        let sale_id = tillbook_core::documents::document_id(&sale).unwrap();
        // The second till knows the sale as it would after pulling it.
        let entry = sale.post(&second.business, &second.lookup, tillbook_core::ids::EntryId::new()).unwrap().unwrap();
        second.lookup.record(sale_id, entry);
        let event = first.event(sale);
        assert_eq!(ack_statuses(&server.push(&first, &first_token, &[event]).await), vec!["posted"]);
        let void = |till: &mut TillEvents| till.void(sale_id, "sale.recorded");
        one_posted_of_two_at_once(
            &server,
            (&mut first, &first_token),
            (&mut second, &second_token),
            void,
            "already_voided",
            round,
        )
        .await;
    }
    server.verify_clean().await;
}

/// One new sale sent by two tills of one business at the same moment (a store copied onto a
/// second machine): both merges find its id unused, and the one that loses the race on the
/// ledger's key is judged again after the other's commit. The sale is posted once, the copy is
/// quarantined `document_id_reused`, and both pushes are answered — never a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sale_sent_by_two_tills_at_once_is_posted_once() {
    let server = server().await;
    let (mut first, first_token) = server.till(BusinessKind::Retail).await;
    let (mut second, second_token) = server.till(BusinessKind::Retail).await;
    for round in 0..5 {
        let sale = Document::Sale(first.sale_document(&[(round, 1)], None));
        let copy = |till: &mut TillEvents| till.event(sale.clone());
        one_posted_of_two_at_once(
            &server,
            (&mut first, &first_token),
            (&mut second, &second_token),
            copy,
            "document_id_reused",
            round,
        )
        .await;
    }
    server.verify_clean().await;
}

/// Pushes at the same moment, from each of two tills, a batch with `middle(till)` between ten
/// of that till's own sales; both are answered 200, and of the two middle events exactly one is
/// posted and the other quarantined with `code`.
async fn one_posted_of_two_at_once(
    server: &TestServer,
    (first, first_token): (&mut TillEvents, &str),
    (second, second_token): (&mut TillEvents, &str),
    middle: impl Fn(&mut TillEvents) -> Event,
    code: &str,
    round: usize,
) {
    let batch = |till: &mut TillEvents| {
        let mut events: Vec<_> = (0..10).map(|i| till.sale(&[(i, 1)])).collect();
        events.push(middle(till));
        events.extend((0..10).map(|i| till.sale(&[(i, 1)])));
        events
    };
    let (first_events, second_events) = (batch(first), batch(second));
    let (one, other) =
        tokio::join!(server.push(first, first_token, &first_events), server.push(second, second_token, &second_events));
    assert_eq!((one.status, other.status), (200, 200), "round {round}: {} {}", one.body, other.body);
    let acks = [&one.body["acks"][10], &other.body["acks"][10]];
    let posted = acks.iter().filter(|ack| ack["status"] == "posted").count();
    let refused: Vec<_> = acks.iter().filter(|ack| ack["status"] == "quarantined").collect();
    assert_eq!((posted, refused.len()), (1, 1), "round {round}: {acks:?}");
    assert_eq!(refused[0]["reason"]["code"], code, "round {round}");
}
