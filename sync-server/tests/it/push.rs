//! Push: posting, idempotency, ordering, quarantine and refusals (DESIGN §7).

use serde_json::json;
use tillbook_core::chart::{AccountCode, BusinessKind};
use tillbook_core::journal::WireLine;
use tillbook_core::money::Money;

use crate::common::{ack_codes, ack_statuses, entry_numbers, server};

#[tokio::test]
async fn balanced_pushes_post_with_gap_free_entry_numbers() {
    let server = server().await;
    let (mut water, water_token) = server.till(BusinessKind::Water).await;
    let (mut retail, retail_token) = server.till(BusinessKind::Retail).await;
    let mut numbers = Vec::new();
    for (till, token, sales) in [(&mut water, &water_token, 3), (&mut retail, &retail_token, 2)] {
        let events: Vec<_> = (0..sales).map(|i| till.sale(&[(i, 1 + i as i64), (i + 1, 2)])).collect();
        let answer = server.push(till, token, &events).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(ack_statuses(&answer), vec!["posted"; sales]);
        assert_eq!(answer.body["acked_through"], sales as u64);
        numbers.push(entry_numbers(&answer));
    }
    let more = vec![water.sale(&[(0, 5)]), water.sale(&[(1, 1)])];
    numbers.push(entry_numbers(&server.push(&water, &water_token, &more).await));
    // Each business numbers its own entries 1..n, in push order.
    assert_eq!(numbers, vec![vec![1, 2, 3], vec![1, 2], vec![4, 5]], "water 1..=5, retail 1..=2");
    let report = server.verify_clean().await;
    assert_eq!(report.entries, 7);
    assert_eq!(server.count("sale").await, 7);
}

#[tokio::test]
async fn the_same_batch_twice_changes_nothing() {
    let server = server().await;
    let (mut till, token) = server.till(BusinessKind::Retail).await;
    let events: Vec<_> = (0..4).map(|i| till.sale(&[(i, 1), (i + 2, 3), (i + 4, 1)])).collect();
    let first = server.push(&till, &token, &events).await;
    assert_eq!(ack_statuses(&first), vec!["posted"; 4]);
    let before = server.footprint().await;
    let second = server.push(&till, &token, &events).await;
    assert_eq!(second.status, 200);
    assert_eq!(ack_statuses(&second), vec!["duplicate"; 4]);
    assert_eq!(entry_numbers(&second), entry_numbers(&first), "the first answer's entry numbers are repeated");
    assert_eq!(server.footprint().await, before);
    // A batch that overlaps what was merged: the old part is duplicate, the rest posts.
    let next = till.sale(&[(0, 1)]);
    let overlap = server.push(&till, &token, &[events[3].clone(), next]).await;
    assert_eq!(ack_statuses(&overlap), vec!["duplicate", "posted"]);
    assert_eq!(entry_numbers(&overlap), vec![4, 5]);
}

#[tokio::test]
async fn a_gap_is_409_sequence_gap_and_stores_nothing() {
    let server = server().await;
    let (mut till, token) = server.till(BusinessKind::Water).await;
    let events: Vec<_> = (0..4).map(|i| till.sale(&[(i, 1)])).collect();
    assert_eq!(server.push(&till, &token, &events[..2]).await.status, 200);
    let before = server.footprint().await;
    let answer = server.push(&till, &token, &events[3..]).await;
    assert_eq!(answer.status, 409);
    assert_eq!(answer.body["error"]["code"], "sequence_gap");
    assert_eq!(answer.body["error"]["expected_seq"], 3);
    assert_eq!(server.footprint().await, before);
    // Resending from the expected number goes through.
    let answer = server.push(&till, &token, &events[2..]).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 2]);
}

#[tokio::test]
async fn what_cannot_be_true_is_quarantined_and_nothing_else_is_lost() {
    let server = server().await;
    sqlx::query("UPDATE account SET active = FALSE WHERE code = 1171").execute(&server.owner).await.unwrap();
    let (mut till, token) = server.till(BusinessKind::Water).await;
    let mut events = vec![till.sale(&[(0, 2)])];

    let mut unbalanced = till.sale(&[(0, 1)]);
    let journal = unbalanced.journal.as_mut().unwrap();
    journal.lines[0].debit = journal.lines[0].debit.checked_add(Money::from_cents(100)).unwrap();
    events.push(unbalanced);

    let mut retarget = |account: u16| {
        let mut event = till.sale(&[(1, 1)]);
        let line: &mut WireLine = &mut event.journal.as_mut().unwrap().lines[0];
        line.account = AccountCode::new(account);
        event
    };
    events.push(retarget(9999)); // not in the chart
    events.push(retarget(1171)); // deactivated above
    events.push(retarget(1130)); // Retail's cash, in a Water entry

    let mut short = till.sale(&[(0, 2)]);
    let paid: Money = serde_json::from_value(short.document["tenders"][0]["amount"].clone()).unwrap();
    short.document["tenders"][0]["amount"] = json!(paid.checked_sub(Money::from_cents(500)).unwrap());
    events.push(short);

    let mut unknown_type = till.sale(&[(0, 1)]);
    unknown_type.event_type = "sale.teleported".to_string();
    events.push(unknown_type);

    let mut tampered = till.sale(&[(0, 1)]);
    tampered.document["total"] = json!("999.00");
    tampered.document["tenders"][0]["amount"] = json!("999.00");
    events.push(tampered);

    events.push(till.sale(&[(2, 1)]));
    let answer = server.push(&till, &token, &events).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let codes = ack_codes(&answer);
    assert_eq!(
        codes,
        [
            "posted",
            "unbalanced",
            "unknown_account",
            "inactive_account",
            "wrong_business",
            "tender_total_mismatch",
            "unknown_event_type",
            "total_mismatch",
            "posted"
        ]
    );
    assert_eq!(entry_numbers(&answer), vec![1, 2], "quarantined events take no entry number");
    assert_eq!(server.count("inbox").await, 9, "every event is kept as received");
    assert_eq!(server.count("quarantine").await, 7);
    let (raw,): (String,) = sqlx::query_as("SELECT raw::text FROM inbox WHERE event_id = $1")
        .bind(events[1].event_id.0)
        .fetch_one(&server.owner)
        .await
        .unwrap();
    assert_eq!(raw, serde_json::to_string(&events[1]).unwrap(), "the quarantined event is kept byte for byte");
    server.verify_clean().await;
}

#[tokio::test]
async fn a_journal_that_does_not_match_its_document_is_quarantined() {
    let server = server().await;
    let (mut till, token) = server.till(BusinessKind::Water).await;
    // Money in moved to the receivable instead of cash: balanced, valid accounts, but not what
    // the document says was paid.
    let mut event = till.sale(&[(0, 2)]);
    let journal = event.journal.as_mut().unwrap();
    let total = journal.lines[0].debit;
    journal.lines[0].debit = total.checked_sub(Money::from_cents(100)).unwrap();
    journal.lines.push(WireLine {
        account: AccountCode::new(6100),
        debit: Money::from_cents(100),
        credit: Money::ZERO,
    });
    let answer = server.push(&till, &token, &[event]).await;
    assert_eq!(answer.body["acks"][0]["status"], "quarantined");
    assert_eq!(answer.body["acks"][0]["reason"]["code"], "journal_mismatch");
}

#[tokio::test]
async fn unknown_revoked_and_missing_tokens_are_401_and_store_nothing() {
    let server = server().await;
    let (mut till, token) = server.till(BusinessKind::Water).await;
    let events = vec![till.sale(&[(0, 1)])];
    let before = server.footprint().await;
    let unknown = server.push(&till, "tbd_not-a-token", &events).await;
    assert_eq!((unknown.status, unknown.body["error"]["code"].as_str()), (401, Some("invalid_token")));
    let body = serde_json::to_vec(&json!({ "protocol": 1, "device_id": till.device, "events": [] })).unwrap();
    let missing = server.post("/api/v1/sync/push", None, body).await;
    assert_eq!((missing.status, missing.body["error"]["code"].as_str()), (401, Some("missing_token")));
    tillbook_server::admin::revoke_device(&server.owner, till.device).await.unwrap();
    let revoked = server.push(&till, &token, &events).await;
    assert_eq!((revoked.status, revoked.body["error"]["code"].as_str()), (401, Some("device_revoked")));
    let (status, _) = server.get("/api/v1/sync/pull?cursor=0", Some(&token)).await;
    assert_eq!(status, 401);
    assert_eq!(server.footprint().await, before);
}

#[tokio::test]
async fn malformed_requests_are_400_naming_the_field_and_store_nothing() {
    let server = server().await;
    let (mut till, token) = server.till(BusinessKind::Water).await;
    let event = serde_json::to_value(till.sale(&[(0, 1)])).unwrap();
    let before = server.footprint().await;
    let mut no_seq = event.clone();
    no_seq["device_seq"] = json!("first");
    let mut bad_time = event.clone();
    bad_time["occurred_at"] = json!("yesterday");
    let cases = [
        (b"not json".to_vec(), 400, "body"),
        (serde_json::to_vec(&json!({ "protocol": 1, "device_id": till.device })).unwrap(), 400, "body"),
        (
            serde_json::to_vec(&json!({ "protocol": 1, "device_id": till.device, "events": [no_seq] })).unwrap(),
            400,
            "events[0].device_seq",
        ),
        (
            serde_json::to_vec(&json!({ "protocol": 1, "device_id": till.device, "events": [bad_time] })).unwrap(),
            400,
            "events[0].occurred_at",
        ),
        (
            serde_json::to_vec(
                &json!({ "protocol": 1, "device_id": tillbook_core::ids::DeviceId::new(), "events": [event] }),
            )
            .unwrap(),
            403,
            "device_id",
        ),
        (vec![b' '; tillbook_server::api::BODY_LIMIT_BYTES + 1], 413, "body"),
    ];
    for (body, status, field) in cases {
        let answer = server.post("/api/v1/sync/push", Some(&token), body).await;
        assert_eq!(answer.status, status, "{}", answer.body);
        assert_eq!(answer.body["error"]["field"], field, "{}", answer.body);
        assert!(answer.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (status, body) = server.get("/api/v1/sync/pull?cursor=minus-one", Some(&token)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(server.footprint().await, before);
}

#[tokio::test]
async fn a_reused_event_id_is_409_and_a_security_event() {
    let server = server().await;
    let (mut till, token) = server.till(BusinessKind::Water).await;
    let first = till.sale(&[(0, 1)]);
    server.push(&till, &token, std::slice::from_ref(&first)).await;
    let mut impostor = till.sale(&[(1, 4)]);
    impostor.event_id = first.event_id;
    let answer = server.push(&till, &token, &[impostor]).await;
    assert_eq!((answer.status, answer.body["error"]["code"].as_str()), (409, Some("event_id_reused")));
    let mut altered = first.clone();
    altered.document["receipt_number"] = json!("W9-999999");
    let answer = server.push(&till, &token, &[altered]).await;
    assert_eq!(answer.status, 409, "the same id and number with other content is refused too");
    let (security,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM audit_log WHERE action = 'security.event_id_reused'")
            .fetch_one(&server.owner)
            .await
            .unwrap();
    assert_eq!(security, 2);
    assert_eq!(server.count("inbox").await, 1);
}

#[tokio::test]
async fn enrolment_codes_work_once_and_pull_serves_master_data() {
    let server = server().await;
    let code = tillbook_server::admin::create_enrollment_code(&server.owner, "LAUNDRY", "Laundry till").await.unwrap();
    let request = |device| {
        serde_json::to_vec(&json!({ "enrollment_code": code, "device_id": device, "device_name": "Laundry till", "app_version": "1.0" })).unwrap()
    };
    let device = tillbook_core::ids::DeviceId::new();
    let answer = server.post("/api/v1/devices/enroll", None, request(device)).await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.body["till_code"], "L1");
    let token = answer.body["device_token"].as_str().unwrap().to_string();
    let again = server.post("/api/v1/devices/enroll", None, request(tillbook_core::ids::DeviceId::new())).await;
    assert_eq!((again.status, again.body["error"]["code"].as_str()), (401, Some("invalid_enrollment_code")));
    let (stored,): (i64,) = sqlx::query_as("SELECT count(*) FROM device WHERE token_hash = $1")
        .bind(token.as_bytes())
        .fetch_one(&server.owner)
        .await
        .unwrap();
    assert_eq!(stored, 0, "the token itself is never stored");

    let (status, body) = server.get("/api/v1/sync/pull", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let page: tillbook_core::protocol::PullResponse = serde_json::from_str(&body).unwrap();
    let entities: std::collections::BTreeSet<&str> = page.changes.iter().map(|c| c.entity.as_str()).collect();
    for entity in ["account", "business", "customer", "laundry_service", "staff"] {
        assert!(entities.contains(entity), "{entity} missing from {entities:?}");
    }
    let products: Vec<_> = page.changes.iter().filter(|c| c.entity == "product").collect();
    assert!(products.is_empty(), "another business's products are not sent to a laundry till");
    let staff = page.changes.iter().find(|c| c.entity == "staff").unwrap();
    assert!(staff.data["pin_hash"].as_str().unwrap().starts_with("$argon2"));
    let (_, body) = server.get(&format!("/api/v1/sync/pull?cursor={}", page.next_cursor), Some(&token)).await;
    let rest: tillbook_core::protocol::PullResponse = serde_json::from_str(&body).unwrap();
    assert!(rest.changes.is_empty() && !rest.more && rest.next_cursor == page.next_cursor);

    let (status, health) = server.get("/api/v1/health", None).await;
    assert_eq!((status, health.as_str()), (200, r#"{"status":"ok","database":"ok"}"#));
    let (status, spec) = server.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, 200);
    let spec: serde_json::Value = serde_json::from_str(&spec).unwrap();
    assert!(spec["paths"]["/api/v1/sync/push"]["post"].is_object());
    let (status, metrics) = server.get("/metrics", None).await;
    assert_eq!(status, 200);
    assert!(metrics.contains("tillbook_pulls_total 2"), "{metrics}");
    let (status, body) = server.get("/api/v1/nothing-here", None).await;
    assert_eq!(status, 404);
    assert!(body.contains("not_found"));
}

#[tokio::test]
async fn stock_is_the_sum_of_movements_and_selling_past_it_posts_and_flags() {
    let server = server().await;
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let stocked = retail.products().iter().position(|product| product.stock.is_some()).expect("a stocked product");
    let product = retail.products()[stocked].id;
    let events = vec![retail.stock_receipt(5), retail.sale(&[(stocked, 3)])];
    let answer = server.push(&retail, &token, &events).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 2], "{}", answer.body);
    let level = || async {
        let (level,): (rust_decimal::Decimal,) =
            sqlx::query_as("SELECT quantity FROM stock_level WHERE product_id = $1")
                .bind(product.0)
                .fetch_one(&server.owner)
                .await
                .unwrap();
        level
    };
    assert_eq!(level().await, rust_decimal::Decimal::from(2));
    assert_eq!(server.count("posting_flag").await, 0, "a sale within stock is not flagged");

    // Three more than the two left: the sale is a fact, so it is posted, and flagged.
    let oversold = vec![retail.sale(&[(stocked, 5)])];
    let answer = server.push(&retail, &token, &oversold).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"]);
    assert_eq!(level().await, rust_decimal::Decimal::from(-3));
    let (code,): (String,) = sqlx::query_as("SELECT code FROM posting_flag WHERE event_id = $1")
        .bind(oversold[0].event_id.0)
        .fetch_one(&server.owner)
        .await
        .unwrap();
    assert_eq!(code, "negative_stock");
    server.verify_clean().await;
}

/// The faults a real shop's till can send, each in one batch with good events around them:
/// every fault is answered for its event alone, the good events post, nothing panics.
#[tokio::test]
async fn each_bad_event_of_a_batch_is_quarantined_alone_and_the_rest_post() {
    let server = server().await;
    let (mut water, water_token) = server.till(BusinessKind::Water).await;
    let hotel = water.lookup.customer("Hotel Kilimanjaro").id;
    let (water_invoice, credit_sale) = water.credit_sale(&[(0, 2)], hotel);
    assert_eq!(ack_statuses(&server.push(&water, &water_token, &[credit_sale]).await), vec!["posted"]);

    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    retail.at("2026-11-21T10:00:00+03:00");
    let mut events = vec![retail.sale(&[(0, 1)])];
    // Two debits of 999,999,999,999.99 and one credit: each line fits NUMERIC(14,2), the sum not.
    let mut overflow = retail.sale(&[(1, 1)]);
    let max = Money::from_cents(Money::MAX_CENTS);
    overflow.journal.as_mut().unwrap().lines = vec![
        WireLine { account: AccountCode::new(1130), debit: max, credit: Money::ZERO },
        WireLine { account: AccountCode::new(1130), debit: max, credit: Money::ZERO },
        WireLine { account: AccountCode::new(4300), debit: Money::ZERO, credit: max },
    ];
    events.push(overflow);
    // A till whose clock reset to its factory date after a flat CMOS battery.
    let mut reset_clock = retail.sale(&[(2, 1)]);
    reset_clock.occurred_at = chrono::DateTime::parse_from_rfc3339("1999-12-31T23:59:00+03:00").unwrap();
    events.push(reset_clock);
    // Paying the water business's invoice from the retail till.
    let (_, other_business) = retail.payment(hotel, "50.00", water_invoice.sale_id, "QK41ABC2XY");
    events.push(other_business);
    // The clock set back an hour against the event before it: posted, flagged.
    retail.at("2026-11-21T09:00:00+03:00");
    events.push(retail.sale(&[(0, 1)]));
    events.push(retail.sale(&[(1, 2)]));
    // A clock two hours ahead of the server's: posted, flagged.
    let ahead = chrono::Utc::now() + chrono::Duration::hours(2);
    retail.at(&ahead.with_timezone(&chrono::FixedOffset::east_opt(3 * 3600).unwrap()).to_rfc3339());
    events.push(retail.sale(&[(2, 1)]));

    let answer = server.push(&retail, &token, &events).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let codes = ack_codes(&answer);
    assert_eq!(
        codes,
        ["posted", "amount_out_of_range", "invalid_time", "wrong_business", "posted", "posted", "posted"]
    );
    assert_eq!(answer.body["acked_through"], 7);
    for (event, what) in [(&events[4], "a clock that went back"), (&events[6], "a clock far ahead")] {
        let (flag,): (String,) = sqlx::query_as("SELECT code FROM posting_flag WHERE event_id = $1")
            .bind(event.event_id.0)
            .fetch_one(&server.owner)
            .await
            .unwrap();
        assert_eq!(flag, "clock_skew", "{what} is noticed");
    }
    let (skews,): (i64,) = sqlx::query_as("SELECT count(*) FROM posting_flag WHERE code = 'clock_skew'")
        .fetch_one(&server.owner)
        .await
        .unwrap();
    assert_eq!(skews, 2, "an old stamp alone is not flagged");
    assert_eq!(server.metric("tillbook_panics_total").await, 0);
    server.verify_clean().await;
}

/// Text Postgres cannot hold inside an event's content is that event's fault, not the batch's;
/// a whole-batch refusal marks the till stuck for the owner until a batch merges again.
#[tokio::test]
async fn unstorable_text_is_quarantined_and_a_refused_batch_shows_the_till_stuck() {
    let server = server().await;
    let (mut till, token) = server.till(BusinessKind::Water).await;
    let good = till.sale(&[(0, 1)]);
    let mut nul = till.sale(&[(1, 1)]);
    nul.document["receipt_number"] = json!("W1-\u{0}01");
    let after = till.sale(&[(0, 1)]);
    let request = tillbook_core::protocol::PushRequest {
        protocol: 1,
        device_id: till.device,
        events: vec![good, nul, after.clone()],
    };
    let body = serde_json::to_string(&request).unwrap();
    // An unpaired surrogate, which serde never writes but a broken client might.
    let body = body.replacen(r#""W1-\u0000"#, r#""W1-\ud800\u0000"#, 1);
    let answer = server.post("/api/v1/sync/push", Some(&token), body.into_bytes()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(ack_statuses(&answer), ["posted", "quarantined", "posted"], "{}", answer.body);
    assert_eq!(answer.body["acks"][1]["reason"]["code"], "invalid_text");

    let mut broken = till.sale(&[(0, 1)]);
    broken.event_type = "x".repeat(65);
    let refused = server.push(&till, &token, &[broken]).await;
    assert_eq!((refused.status, refused.body["error"]["field"].as_str()), (400, Some("events[0].type")));
    let stuck = server.stuck_reasons().await.into_iter().find(|(merged, _)| *merged == 3).and_then(|(_, stuck)| stuck);
    assert!(stuck.is_some_and(|reason| reason.starts_with("invalid_type:")), "the tills report shows it stuck");
    till.next_seq -= 1; // the refused event was never stored: its number is free again
    let next = till.sale(&[(1, 1)]);
    assert_eq!(ack_statuses(&server.push(&till, &token, &[next]).await), ["posted"]);
    assert!(server.stuck_reasons().await.iter().all(|(_, stuck)| stuck.is_none()), "a merged batch clears it");
    server.verify_clean().await;
}

/// A re-enrolment code gives the same till a new token: it works for that device only, once;
/// the old token dies, a revocation is lifted, and the answer says how far the till is merged.
#[tokio::test]
async fn a_reenrolment_code_gives_the_same_till_a_new_token_and_kills_the_old_one() {
    let server = server().await;
    let (mut till, old_token) = server.till(BusinessKind::Water).await;
    let events: Vec<_> = (0..3).map(|i| till.sale(&[(i, 1)])).collect();
    assert_eq!(ack_statuses(&server.push(&till, &old_token, &events).await), ["posted"; 3]);
    tillbook_server::admin::revoke_device(&server.owner, till.device).await.unwrap();
    let (till_code,): (String,) = sqlx::query_as("SELECT till_code FROM device WHERE id = $1")
        .bind(till.device.0)
        .fetch_one(&server.owner)
        .await
        .unwrap();
    let (code, _) = tillbook_server::admin::create_reenrollment_code_by(
        &server.owner,
        tillbook_server::audit::OPERATOR,
        &till_code,
    )
    .await
    .unwrap();
    let request = |device| {
        serde_json::to_vec(&json!({ "enrollment_code": code, "device_id": device, "device_name": "Water till", "app_version": "test" }))
            .unwrap()
    };
    let other = server.post("/api/v1/devices/enroll", None, request(tillbook_core::ids::DeviceId::new())).await;
    assert_eq!((other.status, other.body["error"]["code"].as_str()), (409, Some("code_for_another_till")));
    let answer = server.post("/api/v1/devices/enroll", None, request(till.device)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        (answer.body["till_code"].as_str(), answer.body["acked_through"].as_u64()),
        (Some(till_code.as_str()), Some(3))
    );
    let new_token = answer.body["device_token"].as_str().unwrap().to_string();
    let next = vec![till.sale(&[(0, 1)])];
    let old = server.push(&till, &old_token, &next).await;
    assert_eq!((old.status, old.body["error"]["code"].as_str()), (401, Some("invalid_token")), "the old token died");
    assert_eq!(ack_statuses(&server.push(&till, &new_token, &next).await), ["posted"], "the revocation was lifted");
    let again = server.post("/api/v1/devices/enroll", None, request(till.device)).await;
    assert_eq!((again.status, again.body["error"]["code"].as_str()), (401, Some("invalid_enrollment_code")));
    server.verify_clean().await;
}

/// A till's first pull is the state as it is, not the feed's history: a laundry till enrolled
/// after another has worked gets the open job once, at its latest status, and not the collected
/// one; each customer's balance once; and from its cursor on, only what changes afterwards.
#[tokio::test]
async fn a_new_tills_first_pull_is_the_open_state_not_the_history() {
    use tillbook_core::documents::{Document, JobStatus, LaundryStatusChange};
    let server = server().await;
    let (mut first, token) = server.till(BusinessKind::Laundry).await;
    let (open_job, dropped) = first.drop_off(3);
    let (done_job, dropped_too) = first.drop_off(2);
    let mut events = vec![dropped, dropped_too];
    let status = |till: &mut crate::fixtures::TillEvents, job: &tillbook_core::documents::LaundryDropOff, from, to| {
        till.event(Document::LaundryStatusChange(LaundryStatusChange {
            job_id: job.job_id,
            ticket_number: job.ticket_number.clone(),
            from,
            to,
            reason: String::new(),
            paid: Money::ZERO,
        }))
    };
    events.push(status(&mut first, &open_job, JobStatus::Received, JobStatus::Washing));
    events.push(status(&mut first, &done_job, JobStatus::Received, JobStatus::Ready));
    events.push(first.pay_job(&done_job, done_job.total).1);
    events.push(status(&mut first, &done_job, JobStatus::Ready, JobStatus::Collected));
    // One push each, as the day goes: every push publishes the jobs and balance it touched.
    for event in events {
        let answer = server.push(&first, &token, &[event]).await;
        assert_eq!(ack_statuses(&answer), vec!["posted"], "{}", answer.body);
    }
    let (versions,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM change_log WHERE entity IN ('laundry_job', 'customer_balance')")
            .fetch_one(&server.owner)
            .await
            .unwrap();
    assert!(versions >= 6, "the feed holds every version: {versions}");

    let (_, new_token) = server.enrol("LAUNDRY").await;
    let (status_code, body) = server.get("/api/v1/sync/pull?cursor=0", Some(&new_token)).await;
    assert_eq!(status_code, 200, "{body}");
    let page: tillbook_core::protocol::PullResponse = serde_json::from_str(&body).unwrap();
    assert!(!page.more);
    let (horizon,): (i64,) =
        sqlx::query_as("SELECT last_change FROM ledger_counter").fetch_one(&server.owner).await.unwrap();
    assert_eq!(page.next_cursor, horizon as u64, "the cursor is where the feed stood");
    let jobs: Vec<_> = page.changes.iter().filter(|c| c.entity == "laundry_job").collect();
    assert_eq!(jobs.len(), 1, "only the open job, once: {jobs:?}");
    assert_eq!(jobs[0].data["job_id"], open_job.job_id.to_string());
    assert_eq!(jobs[0].data["status"], "washing");
    let balances: Vec<_> = page.changes.iter().filter(|c| c.entity == "customer_balance").collect();
    assert_eq!(balances.len(), 1, "the one customer who owes, once: {balances:?}");
    assert_eq!(balances[0].data["outstanding"], open_job.total.to_string());
    for entity in ["business", "account", "laundry_service", "customer", "staff"] {
        assert!(page.changes.iter().any(|c| c.entity == entity), "{entity} missing");
    }
    assert!(!page.changes.iter().any(|c| c.entity == "product"), "no other business's products");

    // From there on the feed: the open job moves on, and the new till hears of it.
    let moved = status(&mut first, &open_job, JobStatus::Washing, JobStatus::Ready);
    let answer = server.push(&first, &token, &[moved]).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"], "{}", answer.body);
    let (_, body) = server.get(&format!("/api/v1/sync/pull?cursor={}", page.next_cursor), Some(&new_token)).await;
    let next: tillbook_core::protocol::PullResponse = serde_json::from_str(&body).unwrap();
    let job = next.changes.iter().find(|c| c.entity == "laundry_job").expect("the job's change");
    assert_eq!(job.data["status"], "ready");
}
