//! One bad batch from a real till (DESIGN §7: "a till must never block behind one bad event"):
//! events whose amounts overflow, one stamped 1999 by a clock reset to its factory date, and a
//! payment allocated to another business's invoice, between good events, in one push. Each bad
//! one is quarantined with its code, the good ones post, the till's pending count reaches 0, the
//! server never panics and `verify` is clean.

use std::time::Duration;

use serde_json::{Value, json};
use tillbook_core::Money;
use tillbook_core::documents::{TenderInput, TenderMethod};
use tillbook_e2e::{Central, Scratch, TestTill, fast_sync, run, wait_until};

/// A copy of the till's event `device_seq` under new ids, changed by `change`, put in the
/// outbox as the till's next event (what a till with a bug, or a tampered store, would send).
fn inject(till: &TestTill, device_seq: i64, change: impl FnOnce(&mut Value)) {
    let connection = till.till.connection();
    let payload: String = connection
        .query_row("SELECT payload FROM outbox WHERE device_seq = ?1", [device_seq], |row| row.get(0))
        .unwrap();
    let mut event: Value = serde_json::from_str(&payload).unwrap();
    let event_id = uuid::Uuid::now_v7().to_string();
    event["event_id"] = json!(event_id);
    for id in ["sale_id", "payment_id"] {
        if event["document"].get(id).is_some() {
            event["document"][id] = json!(uuid::Uuid::now_v7());
        }
    }
    if event["journal"].is_object() {
        event["journal"]["entry_id"] = json!(uuid::Uuid::now_v7());
    }
    change(&mut event);
    let next: i64 = connection
        .query_row(
            "UPDATE counter SET last_value = last_value + 1 WHERE name = 'device_seq' RETURNING last_value",
            [],
            |row| row.get(0),
        )
        .unwrap();
    event["device_seq"] = json!(next);
    connection
        .execute(
            "INSERT INTO outbox (device_seq, event_id, event_type, business_id, business_day, payload)
             SELECT ?1, ?2, event_type, business_id, business_day, ?3 FROM outbox WHERE device_seq = ?4",
            rusqlite::params![next, event_id, event.to_string(), device_seq],
        )
        .unwrap();
}

fn last_seq(till: &TestTill) -> i64 {
    till.till.connection().query_row("SELECT MAX(device_seq) FROM outbox", [], |row| row.get(0)).unwrap()
}

#[test]
fn one_bad_batch_quarantines_each_bad_event_and_posts_the_rest() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let data = tillbook_core::seed::demo();
        let hotel = data.customers.iter().find(|c| c.name == "Hotel Kilimanjaro").expect("a demo customer");

        // The water business's invoice, that a retail till will try to settle.
        let mut water = central.enrol(&scratch.0, "water", "WATER").await;
        let lines = vec![tillbook_till::SaleLineRequest {
            product_id: water.products()[0].id,
            quantity: tillbook_core::Quantity::whole(2),
            discount: Money::ZERO,
        }];
        let total = water.till.quote_sale(&water.session, &lines).expect("a quote").total;
        let credit =
            TenderInput { method: TenderMethod::Credit, amount: total, mpesa_code: None, customer_id: Some(hotel.id) };
        let request = tillbook_till::SaleRequest { lines, tenders: vec![credit] };
        let water_invoice = water.till.record_sale(&water.session, &request).expect("a credit sale").sale_id;
        water.start_sync(fast_sync());
        wait_until(Duration::from_secs(60), "the water invoice reaches the server", || async { water.pending() == 0 })
            .await;

        let mut retail = central.enrol(&scratch.0, "retail", "RETAIL").await;
        retail.sell(0, 1);
        let good_sale = last_seq(&retail);
        // A real payment on account at the retail till, whose copy will name the water invoice.
        let paid = retail
            .till
            .receive_payment(
                &retail.session,
                hotel.id,
                &[TenderInput {
                    mpesa_code: Some("QK41ABC2XY".into()),
                    method: TenderMethod::Mpesa,
                    amount: Money::from_cents(5_000),
                    customer_id: None,
                }],
                None,
            )
            .expect("a payment");
        let payment = paid.recorded.device_seq as i64;
        let max = Money::from_cents(Money::MAX_CENTS).to_string();
        inject(&retail, good_sale, |event| {
            let account = event["journal"]["lines"][0]["account"].clone();
            event["journal"]["lines"] = json!([
                { "account": account, "debit": max, "credit": "0.00" },
                { "account": account, "debit": max, "credit": "0.00" },
                { "account": "4300", "debit": "0.00", "credit": max },
            ]);
        });
        inject(&retail, good_sale, |event| event["occurred_at"] = json!("1999-12-31T23:59:00+03:00"));
        inject(&retail, payment, |event| {
            let total = event["document"]["total"].clone();
            event["document"]["allocations"] = json!([{ "invoice_id": water_invoice, "amount": total }]);
            event["document"]["unapplied"] = json!("0.00");
        });
        retail.sell(1, 2);
        retail.sell(2, 1);
        let recorded = retail.events();

        retail.start_sync(fast_sync());
        wait_until(Duration::from_secs(60), "the till's pending count reaches 0", || async { retail.pending() == 0 })
            .await;
        let codes: Vec<(String, Option<String>)> = {
            let connection = retail.till.connection();
            let mut statement = connection
                .prepare("SELECT status, reason_code FROM outbox WHERE device_seq > ?1 ORDER BY device_seq")
                .unwrap();
            statement
                .query_map([payment], |row| Ok((row.get(0)?, row.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let codes: Vec<&str> = codes.iter().map(|(status, code)| code.as_deref().unwrap_or(status)).collect();
        assert_eq!(codes, ["amount_out_of_range", "invalid_time", "wrong_business", "posted", "posted"]);
        assert_eq!(
            central.scalar_i64("SELECT count(*) FROM inbox").await,
            water.events() + recorded,
            "every event is kept"
        );
        assert_eq!(central.scalar_i64("SELECT count(*) FROM quarantine").await, 3);
        assert_eq!(retail.local_lines(), central.posted_lines_of(retail.device()).await);
        assert_eq!(central.metric("tillbook_panics_total").await, 0);
        central.assert_entry_numbers_gap_free().await;
        central.verify_clean().await;
        central.stop().await;
    });
}

/// A fault in an event's envelope refuses its whole batch. The till does not resend it every few
/// seconds: it says so in words and holds it back (`refused_retry`), and the owner's tills report
/// shows the till stuck with the server's reason.
#[test]
fn a_batch_refused_whole_is_not_resent_again_and_again_and_shows_the_till_stuck() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let mut water = central.enrol(&scratch.0, "water", "WATER").await;
        water.sell(0, 1);
        let sale = last_seq(&water);
        inject(&water, sale, |event| event["type"] = json!("x".repeat(65)));
        water.start_sync(tillbook_till::sync::SyncConfig { refused_retry: Duration::from_secs(3600), ..fast_sync() });
        wait_until(Duration::from_secs(60), "the till knows it is stuck", || async { water.status().stuck }).await;
        let words = water.status().last_error.unwrap_or_default();
        assert!(
            words.contains("refused this till's last batch as a whole") && words.contains("invalid_type"),
            "{words}"
        );
        let after_refusal = central.metric("tillbook_refused_requests_total").await;
        // New sales nudge the loop and it keeps pulling, but the refused batch is not sent again.
        for round in 0..3 {
            let pulled = water.status().last_pull_at;
            water.sell(round, 1);
            wait_until(Duration::from_secs(30), "the loop goes round", || async {
                water.status().last_pull_at != pulled
            })
            .await;
        }
        assert_eq!(central.metric("tillbook_refused_requests_total").await, after_refusal, "the batch was not resent");
        assert!(water.pending() > 0 && central.scalar_i64("SELECT count(*) FROM inbox").await == 0);
        let stuck = central.stuck_reasons().await.into_iter().find_map(|(_, stuck)| stuck).unwrap_or_default();
        assert!(stuck.starts_with("invalid_type:"), "the tills report shows why: {stuck}");
        central.stop().await;
    });
}
