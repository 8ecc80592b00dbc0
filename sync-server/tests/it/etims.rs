//! KRA eTIMS from head office against the OSCU simulator (`tests/src/oscu.rs`): every VAT sale
//! and credit note transmitted in its business's order, exactly once, through eTIMS being down,
//! an answer lost after KRA committed, and the worker dying between sending and saving; a
//! refusal kept with KRA's words in the owner's review queue.

use std::time::Duration;

use tillbook_core::chart::BusinessKind;
use tillbook_server::etims::{self, KeyStore, oscu, worker};

use crate::common::{TestServer, ack_statuses, server};

#[path = "../../../tests/src/oscu.rs"]
mod simulator;
use simulator::{Behaviour, Oscu};

const PIN: &str = "P051234567X";

fn pace() -> worker::Pace {
    worker::Pace {
        poll: Duration::from_millis(20),
        retry_min: Duration::from_millis(10),
        retry_max: Duration::from_millis(40),
    }
}

/// RETAIL made VAT-registered with its KRA PIN, its device set up against `oscu` and initialised.
async fn transmitting(server: &TestServer, oscu: &Oscu) -> (KeyStore, tempfile_dir::Dir) {
    let folder = tempfile_dir::Dir::new();
    let keys = KeyStore::new(folder.0.clone());
    oscu.set_up(&server.owner, "RETAIL", PIN, &keys).await;
    (keys, folder)
}

/// Rounds of the worker until nothing is waiting, within a bound.
async fn drain(server: &TestServer, keys: &KeyStore) {
    let client = oscu::Client::new();
    for _ in 0..200 {
        worker::round(&server.owner, keys, &client, &pace()).await.unwrap();
        let (waiting,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM etims_invoice WHERE state IN ('waiting', 'sending')")
                .fetch_one(&server.owner)
                .await
                .unwrap();
        if waiting == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    panic!("the eTIMS queue did not drain");
}

/// `(invoice, state, result code, signature)` of each queued invoice, in order.
async fn queue(server: &TestServer) -> Vec<(i64, String, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT invoice_number, state, result_code, receipt_signature FROM etims_invoice ORDER BY invoice_number",
    )
    .fetch_all(&server.owner)
    .await
    .unwrap()
}

#[tokio::test]
async fn vat_sales_and_credit_notes_are_signed_in_order_exactly_once_after_etims_comes_back() {
    let server = server().await;
    let mut oscu = Oscu::new().await;
    let (keys, _folder) = transmitting(&server, &oscu).await;
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let (mut water, water_token) = server.till(BusinessKind::Water).await;
    let hotel = tillbook_core::seed::demo().customers[0].id;
    // Maize flour (0%) with sugar (16%); cooking oil (16%) on account, one given back; bread (0%).
    let mut events = vec![retail.stock_receipt(100), retail.sale(&[(0, 2), (3, 1)])];
    let (on_account, sold) = retail.credit_sale(&[(4, 3)], hotel);
    events.push(sold);
    events.push(retail.credit_note(&on_account, 0, 1, hotel));
    events.push(retail.sale(&[(1, 1)]));
    let answer = server.push(&retail, &token, &events).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 5], "{}", answer.body);
    let water_sale = water.sale(&[(0, 1)]);
    let answer = server.push(&water, &water_token, &[water_sale]).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"], "{}", answer.body);
    // The stock receipt is no sale, and WATER is not VAT-registered: four invoices, numbered 1–4.
    let queued = queue(&server).await;
    assert_eq!(queued.iter().map(|row| row.0).collect::<Vec<_>>(), vec![1, 2, 3, 4]);

    // eTIMS is down: nothing is lost, the first invoice waits with the reason.
    oscu.stop().await;
    worker::round(&server.owner, &keys, &oscu::Client::new(), &pace()).await.unwrap();
    let (state, error): (String, Option<String>) =
        sqlx::query_as("SELECT state, last_error FROM etims_invoice WHERE invoice_number = 1")
            .fetch_one(&server.owner)
            .await
            .unwrap();
    assert_eq!(state, "sending");
    assert!(error.unwrap_or_default().contains("could not connect"));
    assert!(queue(&server).await.iter().skip(1).all(|row| row.1 == "waiting"), "nothing after it went first");
    let standing = etims::standing(&server.owner, None).await.unwrap();
    assert_eq!((standing[0].business_code.as_str(), standing[0].signed, standing[0].waiting), ("RETAIL", 0, 4));
    assert!(standing[0].oldest_waiting_seconds.is_some_and(|age| age >= 0));
    assert!(standing[0].last_error.as_deref().is_some_and(|error| error.contains("could not connect")));

    oscu.start().await;
    drain(&server, &keys).await;
    let queued = queue(&server).await;
    assert!(queued.iter().all(|row| row.1 == "signed" && row.3.is_some()), "{queued:?}");
    let sales = oscu.sales();
    assert_eq!(sales.iter().map(|s| s.invoice).collect::<Vec<_>>(), vec![1, 2, 3, 4], "in order");
    assert!(sales.iter().all(|s| s.received == 1 && s.tin == PIN), "each sent once");
    assert_eq!(sales[2].receipt_type, "R", "the refund is a credit note");
    assert_eq!(sales[2].original_invoice, 2, "of the sale on account");
    // The amounts are the books': each invoice's total is its sale's.
    let (books,): (rust_decimal::Decimal,) = sqlx::query_as(
        "SELECT sum(CASE WHEN kind = 'refund' THEN -total ELSE total END) FROM sale WHERE business_id =
            (SELECT id FROM business WHERE code = 'RETAIL')",
    )
    .fetch_one(&server.owner)
    .await
    .unwrap();
    let sent: rust_decimal::Decimal =
        sales.iter().map(|s| if s.receipt_type == "R" { -s.total } else { s.total }).sum();
    assert_eq!(sent, books);
    // And each invoice's VAT is what its entry credited to 2200 (a credit note's, debited).
    let (vat,): (rust_decimal::Decimal,) = sqlx::query_as(
        "SELECT sum(l.credit - l.debit) FROM journal_line l JOIN journal_entry e USING (business_id, entry_number)
           JOIN etims_invoice x ON x.event_id = e.event_id WHERE l.account_code = 2200",
    )
    .fetch_one(&server.owner)
    .await
    .unwrap();
    let sent_vat: rust_decimal::Decimal =
        sales.iter().map(|s| if s.receipt_type == "R" { -s.tax } else { s.tax }).sum();
    assert_eq!(sent_vat, vat);
    assert!(vat > rust_decimal::Decimal::ZERO, "16% goods were sold");
    assert_eq!(oscu.items(PIN).len(), 4, "each product registered once before its first sale");

    // KRA's answers go to the till that recorded the sales, for its reprints; not to another.
    let pulled = |token: String| {
        let server = &server;
        async move {
            let (status, body) = server.get("/api/v1/sync/pull?cursor=1", Some(&token)).await;
            assert_eq!(status, 200, "{body}");
            let page: tillbook_core::protocol::PullResponse = serde_json::from_str(&body).unwrap();
            page.changes.into_iter().filter(|c| c.entity == "etims_receipt").map(|c| c.data).collect::<Vec<_>>()
        }
    };
    let answers = pulled(token.clone()).await;
    assert_eq!(answers.len(), 4, "{answers:?}");
    for (answer, row) in answers.iter().zip(&queued) {
        assert_eq!(answer["invoice_number"], row.0);
        assert_eq!(answer["receipt_signature"].as_str(), row.3.as_deref());
        assert!(answer["qr"].as_str().unwrap().ends_with(&format!("{PIN}00{}", row.3.as_deref().unwrap())));
    }
    assert!(pulled(water_token).await.is_empty(), "the water till hears nothing of the retail shop's sales");
}

#[tokio::test]
async fn a_lost_answer_and_a_worker_that_dies_after_sending_still_leave_one_sale_per_invoice() {
    let server = server().await;
    let oscu = Oscu::new().await;
    let (keys, _folder) = transmitting(&server, &oscu).await;
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let events =
        vec![retail.stock_receipt(100), retail.sale(&[(0, 1)]), retail.sale(&[(1, 1)]), retail.sale(&[(2, 1)])];
    let answer = server.push(&retail, &token, &events).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 4], "{}", answer.body);

    // KRA commits invoice 2 and the connection drops before its answer.
    oscu.behave(Behaviour { drop_after_commit: vec![2], ..Behaviour::default() });
    let client = oscu::Client::new();
    worker::round(&server.owner, &keys, &client, &pace()).await.unwrap();
    let queued = queue(&server).await;
    assert_eq!((queued[0].1.as_str(), queued[1].1.as_str()), ("signed", "sending"), "{queued:?}");

    // The worker dies between sending invoice 3 and saving its answer: KRA answers slowly, and
    // the worker's task is ended once KRA holds the sale.
    oscu.behave(Behaviour { answer_delay: Duration::from_secs(5), ..Behaviour::default() });
    let owner = server.owner.clone();
    let dying_keys = keys.clone();
    // Invoice 2 waits out its back-off; made due now, the next round sends it and then 3.
    sqlx::query("UPDATE etims_invoice SET next_attempt_at = now() WHERE invoice_number = 2")
        .execute(&server.owner)
        .await
        .unwrap();
    let dying = tokio::spawn(async move { worker::round(&owner, &dying_keys, &oscu::Client::new(), &pace()).await });
    let started = std::time::Instant::now();
    while !oscu.sales().iter().any(|s| s.invoice == 3) {
        assert!(started.elapsed() < Duration::from_secs(10), "invoice 3 never reached KRA");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    dying.abort();
    let _ = dying.await;
    let (state,): (String,) = sqlx::query_as("SELECT state FROM etims_invoice WHERE invoice_number = 3")
        .fetch_one(&server.owner)
        .await
        .unwrap();
    assert_eq!(state, "sending", "sent, its answer never saved");

    oscu.behave(Behaviour::default());
    drain(&server, &keys).await;
    let queued = queue(&server).await;
    assert!(queued.iter().all(|row| row.1 == "signed" && row.2.as_deref() == Some("000")), "{queued:?}");
    let sales = oscu.sales();
    assert_eq!(sales.iter().map(|s| s.invoice).collect::<Vec<_>>(), vec![1, 2, 3], "one sale each at KRA");
    assert_eq!(sales[1].received, 2, "invoice 2 was sent again after its lost answer");
    assert!(sales[2].received >= 2, "invoice 3 was sent again after the worker died");
    // The signature kept is the one KRA gave when it committed the sale.
    for sale in &sales {
        let signature = sale.answer["data"]["rcptSign"].as_str().unwrap();
        assert!(queued.iter().any(|row| row.0 == sale.invoice as i64 && row.3.as_deref() == Some(signature)));
    }
}

#[tokio::test]
async fn a_refused_invoice_keeps_kras_words_shows_in_review_and_the_rest_go_on() {
    let server = server().await;
    let oscu = Oscu::new().await;
    let (keys, _folder) = transmitting(&server, &oscu).await;
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let events = vec![retail.stock_receipt(100), retail.sale(&[(0, 1)]), retail.sale(&[(1, 1)])];
    let answer = server.push(&retail, &token, &events).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 3], "{}", answer.body);
    // 910: a parameter KRA will not take. 994 to a first attempt: the number was used already.
    oscu.behave(Behaviour { reject: [(1, "910"), (2, "994")].into_iter().collect(), ..Behaviour::default() });
    let events = vec![retail.sale(&[(2, 1)])];
    let answer = server.push(&retail, &token, &events).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"], "{}", answer.body);
    drain(&server, &keys).await;
    let queued = queue(&server).await;
    assert_eq!((queued[0].1.as_str(), queued[0].2.as_deref()), ("rejected", Some("910")));
    assert_eq!((queued[1].1.as_str(), queued[1].2.as_deref()), ("rejected", Some("994")));
    assert_eq!(queued[2].1, "signed");
    let items = tillbook_server::review::items(&server.owner, tillbook_server::review::Listing::parse(None).unwrap())
        .await
        .unwrap();
    let refused = items.iter().find(|item| item.code == "etims_910").expect("the refusal is in the review queue");
    assert_eq!(refused.kind, "etims");
    assert_eq!(refused.message, "Request parameter error");
    assert_eq!(refused.business_code.as_deref(), Some("RETAIL"));
    assert!(items.iter().any(|item| item.code == "etims_994"), "the reused number is in review too");
    let standing = etims::standing(&server.owner, None).await.unwrap();
    assert_eq!((standing[0].signed, standing[0].waiting, standing[0].rejected), (1, 0, 2));

    // The owner decides over HTTP. The 994 cannot succeed under its number: sending it again is
    // refused, naming the action; it is dismissed with a note, and then decided for good.
    let token = server.owner_token("wanjiru@example.com").await;
    let retail_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM business WHERE code = 'RETAIL'").fetch_one(&server.owner).await.unwrap();
    let decide = |item: String, action: &'static str| {
        let (server, token) = (&server, &token);
        async move {
            let request = serde_json::json!({ "item": item, "action": action, "note": "KRA's number clash, checked" });
            server.post("/api/v1/review/resolve", Some(token), serde_json::to_vec(&request).unwrap()).await
        }
    };
    let reused = format!("etims:{retail_id}:2");
    let answer = decide(reused.clone(), "resend").await;
    assert_eq!((answer.status, answer.body["error"]["field"].as_str()), (400, Some("action")), "{}", answer.body);
    let answer = decide(reused.clone(), "dismiss").await;
    assert_eq!((answer.status, answer.body["status"].as_str()), (200, Some("dismissed")), "{}", answer.body);
    let answer = decide(reused, "resend").await;
    assert_eq!(answer.status, 409, "decided already: {}", answer.body);

    // The 910 is sent again once KRA's objection is put right: back in the queue, signed, and
    // gone from the open review items.
    oscu.behave(Behaviour::default());
    let answer = decide(format!("etims:{retail_id}:1"), "resend").await;
    assert_eq!((answer.status, answer.body["status"].as_str()), (200, Some("resent")), "{}", answer.body);
    drain(&server, &keys).await;
    let queued = queue(&server).await;
    assert_eq!((queued[0].1.as_str(), queued[0].2.as_deref()), ("signed", Some("000")), "{queued:?}");
    let open = tillbook_server::review::items(&server.owner, tillbook_server::review::Listing::parse(None).unwrap())
        .await
        .unwrap();
    assert!(!open.iter().any(|item| item.kind == "etims"), "{open:?}");
    let sales = oscu.sales();
    assert_eq!(sales.iter().filter(|s| s.invoice == 1).count(), 1, "KRA holds invoice 1 once");
}

#[tokio::test]
async fn the_owner_sets_etims_up_and_reads_what_is_signed_waiting_and_refused_per_business_and_per_till() {
    let folder = tempfile_dir::Dir::new();
    let keys = KeyStore::new(folder.0.clone());
    let server = crate::common::server_with(|state| state.with_etims_keys(keys.clone())).await;
    let mut oscu = Oscu::new().await;
    let token = server.owner_token("wanjiru@example.com").await;
    let set_up = |body: serde_json::Value| {
        let (server, token) = (&server, &token);
        async move { server.post("/api/v1/admin/etims", Some(token), serde_json::to_vec(&body).unwrap()).await }
    };
    let url = oscu.url();
    let device = |branch: &str| serde_json::json!({ "business": "RETAIL", "branch_id": branch, "device_serial": "TB-RETAIL-1", "oscu_url": url });
    // A mistake names its field, and KRA down is a 502 that leaves the device uninitialised.
    let answer = set_up(device("0")).await;
    assert_eq!((answer.status, answer.body["error"]["field"].as_str()), (400, Some("branch_id")), "{}", answer.body);
    oscu.stop().await;
    let answer = set_up(device("00")).await;
    assert_eq!(
        (answer.status, answer.body["error"]["code"].as_str()),
        (502, Some("etims_unreachable")),
        "{}",
        answer.body
    );
    let initialised: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT initialised_at FROM etims_setup").fetch_one(&server.owner).await.unwrap();
    assert!(initialised.is_none());
    oscu.start().await;
    let answer = set_up(device("00")).await;
    assert_eq!((answer.status, answer.body["initialised"].as_bool()), (200, Some(true)), "{}", answer.body);
    let retail_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM business WHERE code = 'RETAIL'").fetch_one(&server.owner).await.unwrap();
    let key = keys_file(&folder, retail_id);
    assert!(!answer.body.to_string().contains(&key), "the key is never in the answer");
    let audited: String = sqlx::query_scalar("SELECT details::text FROM audit_log WHERE action = 'etims.set_up'")
        .fetch_one(&server.owner)
        .await
        .unwrap();
    assert!(!audited.contains(&key), "nor in the audit log");
    // Saved again (KRA: 902, installed), with the key kept here: still set up.
    let answer = set_up(device("00")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    // Three sales; KRA refuses the second.
    let (mut retail, till_token) = server.till(BusinessKind::Retail).await;
    let events = vec![retail.stock_receipt(50), retail.sale(&[(0, 1)]), retail.sale(&[(1, 1)]), retail.sale(&[(2, 1)])];
    let answer = server.push(&retail, &till_token, &events).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 4], "{}", answer.body);
    oscu.behave(Behaviour { reject: [(2, "910")].into_iter().collect(), ..Behaviour::default() });
    drain(&server, &keys).await;

    let (status, body) = server.get("/api/v1/reports/etims?business=RETAIL", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    let standing = &report["businesses"][0];
    assert_eq!(
        (
            standing["business_code"].as_str(),
            standing["signed"].as_i64(),
            standing["waiting"].as_i64(),
            standing["rejected"].as_i64()
        ),
        (Some("RETAIL"), Some(2), Some(0), Some(1))
    );
    let unsigned = report["unsigned"].as_array().unwrap();
    assert_eq!(unsigned.len(), 1, "{report}");
    assert_eq!(
        (unsigned[0]["invoice_number"].as_i64(), unsigned[0]["state"].as_str(), unsigned[0]["result_code"].as_str()),
        (Some(2), Some("rejected"), Some("910"))
    );
    let refused = events[2].document["receipt_number"].as_str().expect("the sale's receipt number").to_string();
    assert_eq!(unsigned[0]["receipt_number"].as_str(), Some(refused.as_str()));
    let (status, csv) = server.get("/api/v1/reports/etims?format=csv", Some(&token)).await;
    assert_eq!(status, 200);
    assert!(csv.lines().nth(1).is_some_and(|row| row.contains(&refused) && row.contains("910")), "{csv}");

    // The tills report: this till has one sale KRA has not signed, recorded when that sale was.
    let (status, body) = server.get("/api/v1/reports/tills", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let tills: serde_json::Value = serde_json::from_str(&body).unwrap();
    let till = tills.as_array().unwrap().iter().find(|till| till["unsigned"].as_i64() == Some(1)).expect("{tills}");
    let oldest: chrono::DateTime<chrono::Utc> = till["oldest_unsigned_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(oldest.timestamp_micros(), events[2].occurred_at.timestamp_micros(), "Postgres keeps microseconds");
}

#[tokio::test]
async fn a_renamed_product_is_registered_with_kra_again_before_the_next_invoice_that_names_it() {
    let server = server().await;
    let oscu = Oscu::new().await;
    let (keys, _folder) = transmitting(&server, &oscu).await;
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let events = vec![retail.stock_receipt(50), retail.sale(&[(0, 1)])];
    let answer = server.push(&retail, &token, &events).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 2], "{}", answer.body);
    drain(&server, &keys).await;
    let code = oscu.items(PIN).pop().expect("the product was registered");
    let before = oscu.item(PIN, &code).unwrap();

    let product = retail.products()[0].id;
    sqlx::query("UPDATE product SET name = 'Unga wa mahindi 2kg' WHERE id = $1")
        .bind(product.0)
        .execute(&server.owner)
        .await
        .unwrap();
    let renamed = retail.sale(&[(0, 1)]);
    let answer = server.push(&retail, &token, &[renamed]).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"], "{}", answer.body);
    drain(&server, &keys).await;
    assert_eq!(oscu.items(PIN), vec![code.clone()], "the same item, not a new one");
    let after = oscu.item(PIN, &code).unwrap();
    assert_eq!(after["itemNm"], "Unga wa mahindi 2kg", "KRA was told the new name");
    assert_eq!(after["taxTyCd"], before["taxTyCd"]);
    let sales = oscu.sales();
    assert_eq!(sales[1].payload["itemList"][0]["itemNm"], "Unga wa mahindi 2kg", "and the invoice names it so");
}

#[tokio::test]
async fn a_voided_sale_and_a_cancelled_laundry_job_are_credit_notes_of_their_invoices_and_nothing_else_is() {
    use tillbook_core::documents::{Document, JobStatus, LaundryStatusChange};
    let server = server().await;
    let oscu = Oscu::new().await;
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    // A sale before RETAIL transmits: KRA never hears of it, nor of its void.
    let delivered = retail.stock_receipt(50);
    let before = retail.sale(&[(0, 1)]);
    let events = vec![delivered, before.clone()];
    let answer = server.push(&retail, &token, &events).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 2], "{}", answer.body);
    let (keys, _folder) = transmitting(&server, &oscu).await;
    let laundry_pin = "P051234568L";
    oscu.set_up(&server.owner, "LAUNDRY", laundry_pin, &keys).await;

    let sold = retail.sale(&[(0, 2), (3, 1)]);
    let sold_id = tillbook_core::ids::DocumentId(sold.document["sale_id"].as_str().unwrap().parse().unwrap());
    let sold_receipt = sold.document["receipt_number"].as_str().unwrap().to_string();
    let before_id = tillbook_core::ids::DocumentId(before.document["sale_id"].as_str().unwrap().parse().unwrap());
    let voided = retail.void(sold_id, "sale.recorded");
    let old_void = retail.void(before_id, "sale.recorded");
    let answer = server.push(&retail, &token, &[sold, voided, old_void]).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 3], "{}", answer.body);

    let (mut laundry, laundry_token) = server.till(BusinessKind::Laundry).await;
    let (job, dropped) = laundry.drop_off(3);
    let cancelled = laundry.event(Document::LaundryStatusChange(LaundryStatusChange {
        job_id: job.job_id,
        ticket_number: job.ticket_number.clone(),
        from: JobStatus::Received,
        to: JobStatus::Cancelled,
        reason: "customer changed their mind".into(),
        paid: tillbook_core::Money::ZERO,
    }));
    let answer = server.push(&laundry, &laundry_token, &[dropped, cancelled]).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 2], "{}", answer.body);

    // The void of the sale KRA never had is not queued: RETAIL has the sale and its void.
    let receipts: Vec<(String, Option<uuid::Uuid>)> = sqlx::query_as(
        "SELECT x.receipt_number, x.original_document FROM etims_invoice x JOIN business b ON b.id = x.business_id
          WHERE b.code = 'RETAIL' ORDER BY x.invoice_number",
    )
    .fetch_all(&server.owner)
    .await
    .unwrap();
    assert_eq!(receipts, vec![(sold_receipt.clone(), None), (format!("{sold_receipt}-V"), Some(sold_id.0))]);
    drain(&server, &keys).await;

    let sales = oscu.sales();
    let credit_note = |tin: &str| sales.iter().find(|s| s.tin == tin && s.receipt_type == "R").cloned().unwrap();
    let sale_of = |tin: &str| sales.iter().find(|s| s.tin == tin && s.receipt_type == "S").cloned().unwrap();
    for tin in [PIN, laundry_pin] {
        let (sale, note) = (sale_of(tin), credit_note(tin));
        assert_eq!(note.original_invoice, sale.invoice, "the credit note names the invoice it gives back");
        assert_eq!((note.total, note.tax), (sale.total, sale.tax), "all of it, VAT included");
        assert_eq!(note.payload["itemList"], sale.payload["itemList"], "line for line");
        assert_eq!(note.payload["rfdRsnCd"], "06");
    }
    assert_eq!(credit_note(laundry_pin).payload["trdInvcNo"], format!("{}-C", job.ticket_number));
    assert_eq!(
        sales.len(),
        4,
        "two sales, two credit notes: {:?}",
        sales.iter().map(|s| &s.payload["trdInvcNo"]).collect::<Vec<_>>()
    );
}

/// The communication key kept for `business`.
fn keys_file(folder: &tempfile_dir::Dir, business: uuid::Uuid) -> String {
    let path = folder.0.join(format!("{business}.cmckey"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("the key file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the server's user alone");
    }
    std::fs::read_to_string(path).expect("the key").trim().to_string()
}

/// A folder under the workspace's `target/`, removed when dropped.
mod tempfile_dir {
    pub struct Dir(pub std::path::PathBuf);

    impl Dir {
        pub fn new() -> Dir {
            let path =
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("etims-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
