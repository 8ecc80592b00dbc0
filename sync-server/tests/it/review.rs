//! The owner's review queue: quarantined events and flagged postings listed, each resolved once
//! — dismissed with a note or corrected by a balanced head-office entry — audited, and every
//! wrong request refused with the field named and nothing written.

use serde_json::{Value, json};
use tillbook_core::chart::BusinessKind;

use crate::common::{TestServer, ack_statuses, server};

/// Pushes, from one retail till: a sale (stock goes below zero: flagged), the same M-Pesa code
/// again (flagged), and a tampered sale (quarantined).
async fn a_day_with_trouble(server: &TestServer) {
    let (mut retail, token) = server.till(BusinessKind::Retail).await;
    let first = retail.sale_document(&[(1, 2)], Some("QK51DUP001"));
    let first = retail.event(tillbook_core::documents::Document::Sale(first));
    let again = retail.sale_document(&[(3, 1)], Some("QK51DUP001"));
    let again = retail.event(tillbook_core::documents::Document::Sale(again));
    let mut tampered = retail.sale(&[(0, 1)]);
    tampered.journal.as_mut().unwrap().lines[0].debit = tillbook_core::Money::from_cents(1);
    let answer = server.push(&retail, &token, &[first, again, tampered]).await;
    assert_eq!(ack_statuses(&answer), ["posted", "posted", "quarantined"], "{}", answer.body);
}

async fn queue(server: &TestServer, token: &str, status: &str) -> Vec<Value> {
    let (answered, body) = server.get(&format!("/api/v1/reports/review?status={status}"), Some(token)).await;
    assert_eq!(answered, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap().as_array().unwrap().clone()
}

fn item_with<'a>(items: &'a [Value], code: &str) -> &'a Value {
    items.iter().find(|item| item["code"] == code).unwrap_or_else(|| panic!("no {code} in {items:#?}"))
}

async fn resolve(server: &TestServer, token: &str, request: Value) -> crate::common::Answer {
    server.post("/api/v1/review/resolve", Some(token), serde_json::to_vec(&request).unwrap()).await
}

#[tokio::test]
async fn the_owner_dismisses_or_corrects_each_item_once_and_every_decision_is_kept() {
    let server = server().await;
    a_day_with_trouble(&server).await;
    let token = server.owner_token("wanjiru@example.com").await;

    let open = queue(&server, &token, "open").await;
    let codes: Vec<&str> = open.iter().map(|item| item["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"unbalanced") && codes.contains(&"duplicate_mpesa_code"), "{codes:?}");
    assert!(codes.contains(&"negative_stock"), "{codes:?}");
    let quarantined = item_with(&open, "unbalanced");
    assert_eq!((quarantined["kind"].as_str(), quarantined["status"].as_str()), (Some("quarantine"), Some("open")));
    assert_eq!(
        (quarantined["business_code"].as_str(), quarantined["event_type"].as_str()),
        (Some("RETAIL"), Some("sale.recorded"))
    );
    let quarantined_item = quarantined["item"].as_str().unwrap().to_string();
    let quarantined_amount = quarantined["amount"].as_str().unwrap().to_string();
    let duplicate_item = item_with(&open, "duplicate_mpesa_code")["item"].as_str().unwrap().to_string();

    // Wrong requests: each refused with its field named, and nothing written.
    let before =
        (server.count("review_resolution").await, server.count("journal_entry").await, server.count("audit_log").await);
    let correction = |lines: Value| json!({ "business": "RETAIL", "lines": lines });
    let balanced = json!([{ "account": "1130", "debit": "100.00", "credit": "0.00" },
                          { "account": "4300", "debit": "0.00", "credit": "100.00" }]);
    for (request, status, field) in [
        (json!({ "item": "sale:42", "action": "dismiss", "note": "x" }), 400, Some("item")),
        (json!({ "item": duplicate_item, "action": "dismiss", "note": "   " }), 400, Some("note")),
        (json!({ "item": duplicate_item, "action": "forget", "note": "x" }), 400, Some("action")),
        (json!({ "item": duplicate_item, "action": "correct", "note": "x" }), 400, Some("correction")),
        (
            json!({ "item": duplicate_item, "action": "dismiss", "note": "x", "correction": correction(balanced.clone()) }),
            400,
            Some("correction"),
        ),
        (
            json!({ "item": quarantined_item, "action": "correct", "note": "x",
                 "correction": { "business": "BAKERY", "lines": balanced } }),
            400,
            Some("correction.business"),
        ),
        (
            json!({ "item": quarantined_item, "action": "correct", "note": "x",
                 "correction": { "business": "RETAIL", "business_day": "2999-01-01", "lines": balanced } }),
            400,
            Some("correction.business_day"),
        ),
        (
            json!({ "item": quarantined_item, "action": "correct", "note": "x", "correction": correction(json!([
            { "account": "1130", "debit": "100.00", "credit": "0.00" },
            { "account": "4300", "debit": "0.00", "credit": "99.00" }])) }),
            400,
            Some("correction.lines"),
        ),
        (
            json!({ "item": quarantined_item, "action": "correct", "note": "x", "correction": correction(json!([
            { "account": "1110", "debit": "100.00", "credit": "0.00" },
            { "account": "4300", "debit": "0.00", "credit": "100.00" }])) }),
            400,
            Some("correction.lines[0].account"),
        ),
        (
            json!({ "item": quarantined_item, "action": "correct", "note": "x", "correction": correction(json!([
            { "account": "1130", "debit": "100.00", "credit": "0.00" },
            { "account": "1330", "debit": "0.00", "credit": "100.00" }])) }),
            400,
            Some("correction.lines[1].account"),
        ),
        (
            json!({ "item": quarantined_item, "action": "correct", "note": "x", "correction": correction(json!([
            { "account": "1130", "debit": "100.00", "credit": "0.00" },
            { "account": "4999", "debit": "0.00", "credit": "100.00" }])) }),
            400,
            Some("correction.lines[1].account"),
        ),
        (json!({ "item": "flag:999999", "action": "dismiss", "note": "x" }), 404, None),
        (json!({ "item": duplicate_item, "action": "dismiss" }), 400, Some("body")),
    ] {
        let answer = resolve(&server, &token, request.clone()).await;
        assert_eq!(
            (answer.status, answer.body["error"]["field"].as_str()),
            (status, field),
            "{request}: {}",
            answer.body
        );
    }
    let after =
        (server.count("review_resolution").await, server.count("journal_entry").await, server.count("audit_log").await);
    assert_eq!(before, after, "a refused decision writes nothing");
    let unsigned =
        resolve(&server, "tbo_not-a-session", json!({ "item": duplicate_item, "action": "dismiss", "note": "x" }))
            .await;
    assert_eq!(unsigned.status, 401);

    // Dismissed once; the second attempt is refused, even when both arrive together.
    let dismiss = json!({ "item": duplicate_item, "action": "dismiss",
                          "note": "Same customer paid twice by mistake; refunded in cash" });
    let (one, two) = tokio::join!(resolve(&server, &token, dismiss.clone()), resolve(&server, &token, dismiss.clone()));
    let mut statuses = [one.status, two.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", one.body, two.body);
    let done = if one.status == 200 { &one } else { &two };
    assert_eq!((done.body["status"].as_str(), done.body["entry_number"].as_i64()), (Some("dismissed"), None));
    let again = resolve(&server, &token, dismiss).await;
    assert_eq!((again.status, again.body["error"]["code"].as_str()), (409, Some("already_resolved")));

    // Corrected: the quarantined sale's takings posted by hand, as a balanced entry.
    let entries_before = server.count("journal_entry").await;
    let corrected = resolve(&server, &token, json!({
        "item": quarantined_item, "action": "correct", "note": "Till sent a broken entry; cash was counted in the drawer",
        "correction": { "business": "retail", "lines": [
            { "account": "1130", "debit": quarantined_amount, "credit": "0.00" },
            { "account": "4300", "debit": "0.00", "credit": quarantined_amount }] } })).await;
    assert_eq!(corrected.status, 200, "{}", corrected.body);
    let entry_number = corrected.body["entry_number"].as_i64().unwrap();
    assert_eq!(server.count("journal_entry").await, entries_before + 1);
    let (kind, debit): (String, rust_decimal::Decimal) = sqlx::query_as(
        "SELECT e.event_type, sum(l.debit) FROM journal_entry e JOIN journal_line l USING (business_id, entry_number)
          WHERE e.entry_number = $1 AND e.business_id = (SELECT id FROM business WHERE code = 'RETAIL') GROUP BY 1",
    )
    .bind(entry_number)
    .fetch_one(&server.owner)
    .await
    .unwrap();
    assert_eq!((kind.as_str(), debit.to_string()), ("review.corrected", quarantined_amount.clone()));
    server.verify_clean().await;

    // Kept: the resolved list says who decided what, and why; the open list no longer has them.
    let resolved = queue(&server, &token, "resolved").await;
    assert_eq!(resolved.len(), 2, "{resolved:#?}");
    let kept = item_with(&resolved, "unbalanced");
    assert_eq!((kept["status"].as_str(), kept["entry_number"].as_i64()), (Some("corrected"), Some(entry_number)));
    assert_eq!(kept["resolved_by"].as_str(), Some("wanjiru@example.com"));
    assert!(kept["note"].as_str().unwrap().starts_with("Till sent a broken entry"));
    let open_now = queue(&server, &token, "open").await;
    assert_eq!(open_now.len(), open.len() - 2);
    assert_eq!(queue(&server, &token, "all").await.len(), open.len());
    let audited: Vec<(String, String, String)> =
        sqlx::query_as("SELECT actor, action, subject FROM audit_trail WHERE action LIKE 'review.%' ORDER BY id")
            .fetch_all(&server.owner)
            .await
            .unwrap();
    assert_eq!(
        audited,
        [
            ("wanjiru@example.com".to_string(), "review.dismissed".to_string(), duplicate_item.clone()),
            ("wanjiru@example.com".to_string(), "review.corrected".to_string(), quarantined_item.clone()),
        ]
    );
    let (status, csv) = server.get("/api/v1/reports/review?status=resolved&format=csv", Some(&token)).await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("item,kind,code,message,business_code,till_code,event_type,"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let (status, body) = server.get("/api/v1/reports/review?status=maybe", Some(&token)).await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("status")));

    // A decision is final in the database itself.
    let changed = sqlx::query("UPDATE review_resolution SET note = 'rewritten'").execute(&server.owner).await;
    assert!(changed.is_err(), "a kept decision cannot be edited");
}
