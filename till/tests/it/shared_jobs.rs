//! Laundry jobs pulled from the server: a job dropped off at another till can be paid for and
//! collected here, and a job's pulled state never undoes what this till did or counts a
//! payment twice.

use serde_json::json;
use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::documents::JobStatus;
use tillbook_core::ids::DocumentId;
use tillbook_core::protocol::Change;
use tillbook_core::seed;
use tillbook_till::demo::cash;
use tillbook_till::sync::store::apply_changes;

use crate::common::*;

/// A job as the server publishes it (docs/protocol.md), dropped off at another till.
fn published(job_id: DocumentId, status: &str, payments: serde_json::Value) -> serde_json::Value {
    let data = data();
    let service = data.laundry_services.iter().find(|s| s.name == "Wash & fold").unwrap();
    let njeri = data.customers.iter().find(|c| c.name == "Mama Njeri").unwrap();
    json!({
        "job_id": job_id, "business_id": seed::business_id(BusinessKind::Laundry), "ticket_number": "L9-000007",
        "customer_id": njeri.id, "total": "600.00", "promised_at": "2026-11-22T17:00:00+03:00",
        "dropped_off_at": "2026-11-20T09:15:00+03:00", "business_day": "2026-11-20", "notes": "",
        "status": status, "status_at": "2026-11-21T07:00:00+03:00", "cancel_event_id": null,
        "items": [{"service_id": service.id, "description": "Family wash", "quantity": "3.000",
                   "unit_price": "200.00", "line_total": "600.00"}],
        "payments": payments, "paid": "0.00",
    })
}

fn pull(till: &mut tillbook_till::Till, seq: u64, data: serde_json::Value) {
    let change = Change { seq, entity: "laundry_job".into(), op: "upsert".into(), data };
    apply_changes(till.connection_mut(), &[change], seq, "2026-11-21T08:00:00+03:00").unwrap();
}

#[test]
fn a_job_dropped_off_elsewhere_is_paid_and_collected_here_without_counting_a_payment_twice() {
    let dir = TempDir::new("shared-jobs");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Laundry);
    till.open_shift(&cashier, money("0")).unwrap();
    let job_id = DocumentId::new();
    let deposit_elsewhere = DocumentId::new();
    pull(&mut till, 1, published(job_id, "ready", json!([{"document_id": deposit_elsewhere, "amount": "250.00"}])));

    let board = till.open_laundry_jobs(seed::business_id(BusinessKind::Laundry)).unwrap();
    assert_eq!(board.len(), 1);
    assert_eq!(
        (board[0].ticket_number.as_str(), board[0].status, board[0].paid, board[0].balance),
        ("L9-000007", JobStatus::Ready, money("250.00"), money("350.00"))
    );

    // Collected here, the balance paid in cash with change.
    let collection = till.laundry_collect(&cashier, "l9-000007", &[cash("400")]).unwrap();
    let payment = collection.payment.unwrap();
    assert_eq!(
        (payment.total, payment.change, collection.balance_left),
        (money("350.00"), money("50.00"), money("0.00"))
    );
    assert_entry(&till, payment.recorded.entry_id, &[(1120, "Dr", "350.00"), (1320, "Cr", "350.00")]);

    // An older published state arrives after: the server now lists this till's payment too,
    // and still has the job `ready`. Neither the status nor the balance goes back.
    let both = json!([{"document_id": deposit_elsewhere, "amount": "250.00"},
                      {"document_id": payment.payment_id, "amount": "350.00"}]);
    pull(&mut till, 2, published(job_id, "ready", both.clone()));
    let status: String = till
        .connection()
        .query_row("SELECT status FROM laundry_job WHERE id = ?1", [job_id.to_string()], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "collected");
    assert_eq!(tillbook_till::reports::invoice_outstanding(till.connection(), job_id).unwrap(), money("0.00"));
    let njeri = data().customers.into_iter().find(|c| c.name == "Mama Njeri").unwrap().id;
    assert_eq!(till.customer_account(njeri).unwrap().outstanding, money("0.00"));

    // Pulled again, the same state changes nothing.
    let before = footprint(till.connection());
    pull(&mut till, 3, published(job_id, "collected", both));
    assert_eq!(footprint(till.connection()), before);
    assert_store_consistent(till.connection());
}

#[test]
fn a_job_cancelled_at_another_till_leaves_the_board_and_owes_nothing_here() {
    let dir = TempDir::new("shared-jobs-cancel");
    let mut till = demo_till(&dir);
    let job_id = DocumentId::new();
    pull(&mut till, 1, published(job_id, "received", json!([])));
    assert_eq!(till.open_laundry_jobs(seed::business_id(BusinessKind::Laundry)).unwrap().len(), 1);
    let mut cancelled = published(job_id, "cancelled", json!([]));
    cancelled["cancel_event_id"] = json!(uuid::Uuid::now_v7());
    pull(&mut till, 2, cancelled);
    assert!(till.open_laundry_jobs(seed::business_id(BusinessKind::Laundry)).unwrap().is_empty());
    assert_eq!(tillbook_till::reports::invoice_outstanding(till.connection(), job_id).unwrap(), money("0.00"));
}
