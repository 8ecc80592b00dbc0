//! M-Pesa reconciliation: a statement matched against the codes a retail till recorded, every
//! kind of mismatch raised once as a review item with its amounts, a second import of the same
//! file adding nothing, and a bad file refused whole with its rows named.

use serde_json::{Value, json};
use tillbook_core::Money;
use tillbook_core::chart::BusinessKind;
use tillbook_core::documents::Document;

use crate::common::{TestServer, ack_statuses, server};
use crate::fixtures::TillEvents;

/// An M-Pesa sale of `lines` paid with `code`, and its total.
fn mpesa_sale(till: &mut TillEvents, lines: &[(usize, i64)], code: &str) -> (tillbook_core::protocol::Event, Money) {
    let sale = till.sale_document(lines, Some(code));
    let total = sale.total;
    (till.event(Document::Sale(sale)), total)
}

async fn import(server: &TestServer, token: Option<&str>, query: &str, csv: &str) -> crate::common::Answer {
    server.post(&format!("/api/v1/mpesa/statements?{query}"), token, csv.as_bytes().to_vec()).await
}

fn by_kind<'a>(items: &'a [Value], kind: &str) -> &'a Value {
    items
        .iter()
        .find(|item| item["kind"] == kind || item["code"] == kind)
        .unwrap_or_else(|| panic!("no {kind}: {items:#?}"))
}

#[tokio::test]
async fn a_statement_is_matched_by_code_amount_and_time_and_what_differs_is_reviewed() {
    let server = server().await;
    let (mut retail, till_token) = server.till(BusinessKind::Retail).await;
    retail.at("2026-11-18T11:00:00+03:00");
    let (late, late_total) = mpesa_sale(&mut retail, &[(0, 1)], "QK20DDD004");
    retail.at("2026-11-20T09:00:00+03:00");
    let (matched, matched_total) = mpesa_sale(&mut retail, &[(1, 2)], "QK20AAA001");
    retail.at("2026-11-20T10:00:00+03:00");
    let (short, short_total) = mpesa_sale(&mut retail, &[(3, 1)], "QK20BBB002");
    retail.at("2026-11-20T11:00:00+03:00");
    let (missing, missing_total) = mpesa_sale(&mut retail, &[(0, 1)], "QK20CCC003");
    retail.at("2026-11-20T11:30:00+03:00");
    let voided_sale = retail.sale_document(&[(0, 1)], Some("QK20EEE005"));
    let voided_id = voided_sale.sale_id;
    let voided = retail.event(Document::Sale(voided_sale));
    let void = retail.void(voided_id, "sale.recorded");
    let events = [late, matched, short, missing, voided, void];
    let answer = server.push(&retail, &till_token, &events).await;
    assert_eq!(ack_statuses(&answer), vec!["posted"; 6], "{}", answer.body);
    let token = server.owner_token("wanjiru@example.com").await;

    let short_received = short_total.checked_sub(Money::from_cents(1000)).unwrap();
    let statement = format!(
        "Organization Name:,Duka Retail & Gas\n\
         \n\
         Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance\n\
         QK20AAA001,2026-11-20 09:00:40,2026-11-20 09:00:35,Payment from 2547****123,Completed,{matched_total},,1000.00\n\
         QK20BBB002,2026-11-20 10:01:00,,Payment from 2547****456,Completed,{short_received},,1200.00\n\
         QK20DDD004,2026-11-20 12:00:00,,Payment from 2547****789,Completed,{late_total},,1300.00\n\
         QK20FEE777,2026-11-20 12:05:00,,Business charge,Completed,,-30.00,1270.00\n\
         QK20ZZZ999,2026-11-20 13:00:00,,Payment from 2547****000,Completed,\"1,500.00\",,\"2,770.00\"\n\
         QK20EEE005,2026-11-20 13:05:00,,Payment from 2547****111,Failed,90.00,,2770.00\n"
    );

    // Client mistakes first: each named, nothing stored.
    for (query, token, status, field) in [
        ("file_name=nov.csv", Some(token.as_str()), 400, Some("business")),
        ("business=BAKERY", Some(token.as_str()), 400, Some("business")),
        ("business=RETAIL", None, 401, None),
    ] {
        let answer = import(&server, token, query, &statement).await;
        assert_eq!(
            (answer.status, answer.body["error"]["field"].as_str()),
            (status, field),
            "{query}: {}",
            answer.body
        );
    }
    let broken = statement.replace("2026-11-20 10:01:00", "yesterday").replace(",\"1,500.00\",", ",1.500.00,");
    let answer = import(&server, Some(&token), "business=RETAIL", &broken).await;
    assert_eq!((answer.status, answer.body["error"]["field"].as_str()), (400, Some("line 5 completion time")));
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 8 paid in"), "every bad row is named: {message}");
    assert_eq!(server.count("mpesa_statement").await + server.count("mpesa_receipt").await, 0);

    // The real import: one match, four mismatches, each raised as a review item.
    let answer = import(&server, Some(&token), "business=retail&file_name=november.csv", &statement).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = &answer.body;
    assert_eq!(
        (body["receipts"].as_u64(), body["new_receipts"].as_u64(), body["matched"].as_u64()),
        (Some(4), Some(4), Some(1))
    );
    let expected_paid_in =
        Money::sum([matched_total, short_received, late_total, "1500.00".parse::<Money>().unwrap()]).unwrap();
    assert_eq!(body["paid_in"].as_str(), Some(expected_paid_in.to_string().as_str()));
    let mismatches = body["mismatches"].as_array().unwrap();
    let mut kinds: Vec<(&str, &str)> =
        mismatches.iter().map(|m| (m["kind"].as_str().unwrap(), m["mpesa_code"].as_str().unwrap())).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("mpesa_amount_differs", "QK20BBB002"),
            ("mpesa_not_received", "QK20CCC003"),
            ("mpesa_not_recorded", "QK20ZZZ999"),
            ("mpesa_time_differs", "QK20DDD004"),
        ]
    );
    let differs = by_kind(mismatches, "mpesa_amount_differs");
    assert_eq!(differs["recorded_amount"].as_str(), Some(short_total.to_string().as_str()));
    assert_eq!(differs["received_amount"].as_str(), Some(short_received.to_string().as_str()));
    assert_eq!(body["new_review_items"].as_u64(), Some(4));

    // The same file again: nothing new.
    let again = import(&server, Some(&token), "business=RETAIL&file_name=november.csv", &statement).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!((again.body["new_receipts"].as_u64(), again.body["new_review_items"].as_u64()), (Some(0), Some(0)));
    assert_eq!((server.count("mpesa_receipt").await, server.count("mpesa_mismatch").await), (4, 4));

    // In the review queue with their amounts and tills; decided like any other item.
    let (status, text) = server.get("/api/v1/reports/review?status=open", Some(&token)).await;
    assert_eq!(status, 200, "{text}");
    let items: Vec<Value> = serde_json::from_str::<Value>(&text).unwrap().as_array().unwrap().clone();
    let items: Vec<Value> = items.into_iter().filter(|item| item["kind"] == "mpesa").collect();
    assert_eq!(items.len(), 4, "{items:#?}");
    let not_received = by_kind(&items, "mpesa_not_received");
    assert_eq!(not_received["amount"].as_str(), Some(missing_total.to_string().as_str()));
    assert_eq!(not_received["business_code"].as_str(), Some("RETAIL"));
    assert!(not_received["till_code"].is_string(), "the till that recorded the code: {not_received}");
    let not_recorded = by_kind(&items, "mpesa_not_recorded");
    assert_eq!((not_recorded["amount"].as_str(), not_recorded["till_code"].is_null()), (Some("1500.00"), true));
    let decision = json!({ "item": not_recorded["item"], "action": "dismiss",
                           "note": "Customer paid the shop's number for a delivery; invoiced separately" });
    let decided = server.post("/api/v1/review/resolve", Some(&token), serde_json::to_vec(&decision).unwrap()).await;
    assert_eq!((decided.status, decided.body["status"].as_str()), (200, Some("dismissed")), "{}", decided.body);
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'mpesa.statement_imported'")
        .fetch_one(&server.owner)
        .await
        .unwrap();
    assert_eq!(audited, 2);
    server.verify_clean().await;
}
