//! What the till lets go of at year seven (`store::prune`, docs/till-store.md): sales head office
//! posted before the cut-off lose their rows and their event's JSON; nothing pending,
//! quarantined, on account, refunded or voided is touched; the books and the stock stay the same;
//! and the store's own triggers refuse anything else.

use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::documents::{TenderInput, TenderMethod};
use tillbook_core::protocol::{Ack, AckStatus, PushResponse, Reason};
use tillbook_core::{Money, seed};
use tillbook_till::demo::{cash, mpesa};
use tillbook_till::*;

use crate::common::*;

fn refill_sale(tenders: Vec<TenderInput>) -> SaleRequest {
    SaleRequest {
        lines: vec![SaleLineRequest { product_id: product("Refill 20 L"), quantity: q("2"), discount: Money::ZERO }],
        tenders,
    }
}

fn ack(event_id: tillbook_core::ids::EventId, device_seq: u64, quarantined: bool) -> Ack {
    Ack {
        event_id,
        device_seq,
        status: if quarantined { AckStatus::Quarantined } else { AckStatus::Posted },
        entry_number: (!quarantined).then_some(1000 + device_seq),
        reason: quarantined.then(|| Reason { code: "mpesa_code_reused".into(), message: "seen before".into() }),
    }
}

fn outbox_row(till: &Till, seq: u64) -> (String, String, Option<String>) {
    till.connection()
        .query_row("SELECT status, payload, pruned_on FROM outbox WHERE device_seq = ?1", [seq as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap()
}

fn count(till: &Till, sql: &str) -> i64 {
    till.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn posted_sales_before_the_cut_off_are_pruned_and_nothing_else_while_the_books_stay_the_same() {
    let dir = TempDir::new("prune");
    let mut till = demo_till(&dir);
    let water = login(&till, Role::Cashier, BusinessKind::Water);
    let supervisor = login(&till, Role::Supervisor, BusinessKind::Water);
    till.open_shift(&water, Money::from_cents(100_000)).unwrap();
    let hotel = seed::demo().customers.iter().find(|c| c.name == "Hotel Kilimanjaro").unwrap().id;

    let posted_cash = till.record_sale(&water, &refill_sale(vec![cash("500")])).unwrap();
    let posted_mpesa = till.record_sale(&water, &refill_sale(vec![mpesa("140", "QK41PRUNE1")])).unwrap();
    let quarantined = till.record_sale(&water, &refill_sale(vec![mpesa("140", "QK41PRUNE2")])).unwrap();
    let on_account = till
        .record_sale(
            &water,
            &refill_sale(vec![TenderInput {
                method: TenderMethod::Credit,
                amount: money("140"),
                mpesa_code: None,
                customer_id: Some(hotel),
            }]),
        )
        .unwrap();
    let refunded = till.record_sale(&water, &refill_sale(vec![cash("500")])).unwrap();
    till.refund_sale(
        &water,
        &supervisor,
        &RefundRequest {
            receipt_number: refunded.receipt_number.clone(),
            lines: vec![RefundLineRequest { line_no: 0, quantity: q("1") }],
            method: TenderMethod::Cash,
            mpesa_code: None,
            reason: "leaking bottle".into(),
        },
    )
    .unwrap();
    let voided = till.record_sale(&water, &refill_sale(vec![cash("500")])).unwrap();
    till.void_receipt(&water, &supervisor, &voided.receipt_number, "wrong product").unwrap();
    let pending = till.record_sale(&water, &refill_sale(vec![cash("500")])).unwrap();

    // Head office has every event but the last: it quarantined one and posted the others.
    let events: Vec<(String, i64)> = {
        let mut statement = till.connection().prepare("SELECT event_id, device_seq FROM outbox").unwrap();
        statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let acks = events
        .into_iter()
        .filter(|(_, seq)| (*seq as u64) < pending.recorded.device_seq)
        .map(|(id, seq)| ack(id.parse().unwrap(), seq as u64, seq as u64 == quarantined.recorded.device_seq))
        .collect();
    sync::store::apply_acks(
        till.connection_mut(),
        &PushResponse { acks, acked_through: 0 },
        "2026-11-21T20:00:00+03:00",
    )
    .unwrap();

    let balance = till.trial_balance().unwrap();
    let cash_account = till.account_balance(tillbook_core::chart::AccountCode::new(1110)).unwrap();
    let stock = till.stock_levels(water.business_id).unwrap();
    let events = count(&till, "SELECT count(*) FROM outbox");
    let sale_day = now_fixed().date_naive();

    // The cut-off is the first day kept: a prune up to the sales' own day lets go of nothing.
    let nothing = till.prune_acknowledged(sale_day).unwrap();
    assert_eq!((nothing.sales, nothing.events), (0, 0));

    let pruned = till.prune_acknowledged(sale_day + chrono::Duration::days(1)).unwrap();
    assert_eq!((pruned.sales, pruned.events), (2, 2), "the posted cash and M-Pesa sales");
    assert_store_consistent(till.connection());

    for gone in [&posted_cash, &posted_mpesa] {
        let (status, payload, pruned_on) = outbox_row(&till, gone.recorded.device_seq);
        assert_eq!((status.as_str(), payload.as_str()), ("posted", ""));
        assert!(pruned_on.is_some());
        let error = till.sold_receipt(water.business_id, &gone.receipt_number).unwrap_err();
        assert_eq!(error.code(), "sale_pruned", "{error}");
        assert!(error.to_string().contains("2026-11-21"), "{error}");
    }
    for kept in [&pending, &quarantined, &on_account, &refunded, &voided] {
        let (_, payload, pruned_on) = outbox_row(&till, kept.recorded.device_seq);
        assert!(payload.starts_with('{') && pruned_on.is_none(), "sale {} kept whole", kept.receipt_number);
        till.recorded_sale(water.business_id, &kept.receipt_number).expect("still reprinted at the till");
    }
    assert_eq!(count(&till, "SELECT count(*) FROM outbox"), events, "every event keeps its row");
    assert_eq!(count(&till, "SELECT count(*) FROM sale"), 5);
    assert_eq!(till.trial_balance().unwrap(), balance, "the trial balance is the same");
    assert_eq!(till.account_balance(tillbook_core::chart::AccountCode::new(1110)).unwrap(), cash_account);
    assert_eq!(till.stock_levels(water.business_id).unwrap(), stock, "the stock is the same");

    // A refund of a pruned sale says why, and records nothing.
    let before = footprint(till.connection());
    let request = RefundRequest {
        receipt_number: posted_cash.receipt_number.clone(),
        lines: vec![RefundLineRequest { line_no: 0, quantity: q("1") }],
        method: TenderMethod::Cash,
        mpesa_code: None,
        reason: "old".into(),
    };
    assert_eq!(till.refund_sale(&water, &supervisor, &request).unwrap_err().code(), "sale_pruned");
    assert_eq!(footprint(till.connection()), before);

    // The counter records on, and what is pending is still pushed whole.
    till.record_sale(&water, &refill_sale(vec![cash("500")])).unwrap();
    let device = till.info().device_id;
    let batch = sync::store::next_batch(till.connection(), device, None, 100, 1 << 20).unwrap().expect("a batch");
    assert_eq!(batch.events, 2, "the pending sale and the new one");
    assert!(batch.body.contains(&pending.recorded.event_id.to_string()));
    assert!(!batch.body.contains(&posted_cash.recorded.event_id.to_string()));
    assert_store_consistent(till.connection());
}

#[test]
fn the_store_itself_refuses_to_prune_what_head_office_has_not_posted() {
    let dir = TempDir::new("prune-guard");
    let mut till = demo_till(&dir);
    let water = login(&till, Role::Cashier, BusinessKind::Water);
    till.open_shift(&water, Money::from_cents(100_000)).unwrap();
    let sale = till.record_sale(&water, &refill_sale(vec![cash("500")])).unwrap();
    let retail = login(&till, Role::Cashier, BusinessKind::Retail);
    let stocked =
        data().products.into_iter().find(|p| p.business_id == retail.business_id && p.stock.is_some()).unwrap();
    let line = SaleLineRequest { product_id: stocked.id, quantity: q("1"), discount: Money::ZERO };
    till.record_sale(&retail, &SaleRequest { lines: vec![line], tenders: vec![cash("10000")] }).unwrap();
    assert!(count(&till, "SELECT count(*) FROM stock_movement") > 0, "a sale of stocked goods moved stock");
    let connection = till.connection_mut();

    // Outside a prune, the journal and the stock movements cannot be deleted.
    for sql in ["DELETE FROM journal_line", "DELETE FROM journal_entry", "DELETE FROM stock_movement"] {
        let error = connection.execute(sql, []).unwrap_err();
        assert!(error.to_string().contains("never") || error.to_string().contains("immutable"), "{sql}: {error}");
    }
    // Even inside one, a pending event keeps its JSON.
    let tx = connection.transaction().unwrap();
    tx.execute("INSERT INTO pruning (active) VALUES (1)", []).unwrap();
    let error = tx
        .execute("UPDATE outbox SET payload = '' WHERE device_seq = ?1", [sale.recorded.device_seq as i64])
        .unwrap_err();
    assert!(error.to_string().contains("never changed"), "{error}");
    drop(tx);
    let pruned = till.prune_acknowledged(now_fixed().date_naive() + chrono::Duration::days(365)).unwrap();
    assert_eq!(pruned.sales, 0, "a pending sale is never pruned, however old");
    assert_store_consistent(till.connection());
}
