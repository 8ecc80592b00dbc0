//! KRA eTIMS from offline tills, end to end: tills sell through an outage, head office comes up
//! while eTIMS is down, and once eTIMS is back every VAT sale and refund is transmitted once, in
//! its business's order, and KRA's answer reaches the reprint at the till that recorded it. And
//! a head office process killed between sending an invoice and saving KRA's answer still leaves
//! KRA holding each sale once.

use std::collections::BTreeMap;
use std::time::Duration;

use tillbook_core::documents::TenderMethod;
use tillbook_core::ids::{BusinessId, DocumentId};
use tillbook_e2e::oscu::{Behaviour, Oscu, Stored};
use tillbook_e2e::{Central, Scratch, TestTill, fast_sync, run, wait_until};
use tillbook_server::etims::KeyStore;
use tillbook_till::receipt::ReceiptView;
use tillbook_till::{RefundLineRequest, RefundRequest};

const SIGNED: Duration = Duration::from_secs(90);

/// Each seeded business set up with eTIMS against `oscu`, with its own KRA PIN.
async fn transmitting(central: &Central, oscu: &Oscu, keys: &KeyStore) -> BTreeMap<String, String> {
    let mut pins = BTreeMap::new();
    for business in tillbook_core::seed::demo().businesses {
        oscu.set_up(&central.owner, &business.code, &business.profile.kra_pin, keys).await;
        pins.insert(business.code, business.profile.kra_pin);
    }
    pins
}

/// What the queue holds for one business: `(invoice, document, state, signature)` in order.
async fn queue_of(central: &Central, business: &str) -> Vec<(i64, uuid::Uuid, String, Option<String>)> {
    sqlx::query_as(
        "SELECT x.invoice_number, x.document_id, x.state, x.receipt_signature
           FROM etims_invoice x JOIN business b ON b.id = x.business_id WHERE b.code = $1 ORDER BY x.invoice_number",
    )
    .bind(business)
    .fetch_all(&central.owner)
    .await
    .expect("the eTIMS queue")
}

async fn unsettled(central: &Central) -> i64 {
    central.scalar_i64("SELECT count(*) FROM etims_invoice WHERE state IN ('waiting', 'sending')").await
}

/// Gives back one of the first line of the sale `receipt`, in cash.
fn refund(till: &mut TestTill, receipt: &str) -> tillbook_till::RefundOutcome {
    let request = RefundRequest {
        receipt_number: receipt.to_string(),
        lines: vec![RefundLineRequest { line_no: 0, quantity: tillbook_core::Quantity::whole(1) }],
        method: TenderMethod::Cash,
        mpesa_code: None,
        reason: "not wanted".into(),
    };
    let session = till.session.clone();
    let outcome = till.till.refund_sale(&session, &session, &request).expect("the refund is recorded");
    till.nudge();
    outcome
}

#[test]
fn three_offline_tills_sales_and_refunds_are_signed_once_in_order_and_reach_their_reprints() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        let mut oscu = Oscu::new().await;
        let keys = KeyStore::new(scratch.0.join("etims-keys"));
        let pins = transmitting(&central, &oscu, &keys).await;
        central.start().await;
        let mut water = central.enrol(&scratch.0, "water", "WATER").await;
        let mut laundry = central.enrol(&scratch.0, "laundry", "LAUNDRY").await;
        let mut retail = central.enrol(&scratch.0, "retail", "RETAIL").await;
        central.stop().await;
        oscu.stop().await;
        for till in [&mut water, &mut laundry, &mut retail] {
            till.start_sync(fast_sync());
        }

        // A day's work with head office down: sales, refunds of some, laundry jobs; each till's
        // documents in the order it recorded them, as `(business, document, receipt)`.
        retail.receive_stock(40);
        let mut recorded: Vec<(&str, BusinessId, DocumentId, String)> = Vec::new();
        for i in 0..24 {
            let sale = water.sell(i, 1 + (i % 3) as i64);
            recorded.push(("WATER", water.session.business_id, sale.sale_id, sale.receipt_number));
            let sale = retail.sell(i, 1);
            recorded.push(("RETAIL", retail.session.business_id, sale.sale_id, sale.receipt_number.clone()));
            if i % 6 == 5 {
                let refunded = refund(&mut retail, &sale.receipt_number);
                recorded.push(("RETAIL", retail.session.business_id, refunded.refund_id, refunded.receipt_number));
            }
        }
        // Gas for an empty: the LPG sale's reprint carries KRA's answer too.
        let cylinder = tillbook_core::seed::demo()
            .cylinder_types
            .into_iter()
            .find(|c| c.business_id == retail.session.business_id)
            .expect("the shop sells gas");
        let request = tillbook_till::LpgRequest {
            cylinder_type_id: cylinder.id,
            quantity: 1,
            empty_in: Some(cylinder.id),
            new_cylinder: None,
            tenders: vec![tillbook_e2e::cash(100_000_000)],
        };
        let gas = retail.till.lpg_sale(&retail.session, &request).expect("the gas is sold");
        recorded.push(("RETAIL", retail.session.business_id, gas.sale_id, gas.receipt_number));
        let water_refund = refund(&mut water, &recorded[0].3);
        recorded.push(("WATER", water.session.business_id, water_refund.refund_id, water_refund.receipt_number));
        let mut jobs = Vec::new();
        for i in 0..8 {
            let job = laundry.drop_off(i, 2);
            recorded.push(("LAUNDRY", laundry.session.business_id, job.job_id, job.ticket_number.clone()));
            jobs.push(job);
        }

        // Head office comes up, eTIMS still down: every document reaches the ledger once and
        // waits in its business's queue, numbered in the order its till recorded it.
        central.start().await;
        central.start_etims(keys.clone()).await;
        for till in [&water, &laundry, &retail] {
            wait_until(SIGNED, "every event acknowledged", || async { till.pending() == 0 }).await;
        }
        for business in ["WATER", "LAUNDRY", "RETAIL"] {
            let queued = queue_of(&central, business).await;
            let mine: Vec<uuid::Uuid> =
                recorded.iter().filter(|(code, ..)| *code == business).map(|(_, _, id, _)| id.0).collect();
            assert_eq!(queued.iter().map(|row| row.1).collect::<Vec<_>>(), mine, "{business}: in recorded order");
            assert_eq!(queued.iter().map(|row| row.0).collect::<Vec<_>>(), (1..=mine.len() as i64).collect::<Vec<_>>());
            assert!(queued.iter().all(|row| row.2 != "signed"), "{business}: nothing signed while eTIMS is down");
        }
        assert!(oscu.sales().is_empty());
        wait_until(SIGNED, "the worker has tried eTIMS and waits", || async {
            central.scalar_i64("SELECT count(*) FROM etims_invoice WHERE last_error LIKE '%could not connect%'").await
                >= 3
        })
        .await;

        // eTIMS comes back: everything is signed, each once, in order.
        oscu.start().await;
        wait_until(SIGNED, "the eTIMS queue drains", || async { unsettled(&central).await == 0 }).await;
        let sales = oscu.sales();
        assert_eq!(sales.len(), recorded.len(), "one sale at KRA per document");
        for (business, pin) in &pins {
            let at_kra: Vec<&Stored> = sales.iter().filter(|s| &s.tin == pin).collect();
            let queued = queue_of(&central, business).await;
            assert_eq!(
                at_kra.iter().map(|s| s.invoice as i64).collect::<Vec<_>>(),
                queued.iter().map(|row| row.0).collect::<Vec<_>>(),
                "{business}: KRA received the invoices in order"
            );
            let attempts: Vec<(i64, i32, Option<String>)> = sqlx::query_as(
                "SELECT x.invoice_number, x.attempts, x.last_error FROM etims_invoice x JOIN business b ON b.id = x.business_id WHERE b.code = $1 ORDER BY 1",
            ).bind(business).fetch_all(&central.owner).await.unwrap();
            assert!(
                at_kra.iter().all(|s| s.received == 1),
                "{business}: each transmitted exactly once {:?} {attempts:?}",
                at_kra.iter().map(|s| (s.invoice, s.received)).collect::<Vec<_>>()
            );
            assert!(queued.iter().all(|row| row.2 == "signed"), "{business}: {queued:?}");
            // A refund is a credit note of its sale's invoice.
            for credit_note in at_kra.iter().filter(|s| s.receipt_type == "R") {
                let original = at_kra.iter().find(|s| s.invoice == credit_note.original_invoice).expect("its sale");
                assert_eq!(original.receipt_type, "S");
                assert!(credit_note.total <= original.total);
            }
        }
        assert_eq!(sales.iter().filter(|s| s.receipt_type == "R").count(), 5, "four retail refunds and one water");

        // KRA's answers reach the tills: each reprint carries the signature KRA gave that sale.
        let signature_of = |id: DocumentId| {
            let central = &central;
            async move {
                let signature: String =
                    sqlx::query_scalar("SELECT receipt_signature FROM etims_invoice WHERE document_id = $1")
                        .bind(id.0)
                        .fetch_one(&central.owner)
                        .await
                        .expect("a signature");
                signature
            }
        };
        for (business, business_id, id, receipt) in &recorded {
            let till = match *business {
                "WATER" => &water,
                "RETAIL" => &retail,
                _ => &laundry,
            };
            let expected = signature_of(*id).await;
            wait_until(SIGNED, "KRA's answer reaches the till", || async {
                till.till.etims_signature(*id).expect("the store").is_some()
            })
            .await;
            if *business == "LAUNDRY" {
                continue;
            }
            let copy = ReceiptView::reprint(&till.till, *business_id, receipt).expect("the reprint");
            let kra = copy.kra.as_ref().expect("the reprint carries KRA's answer");
            assert_eq!(kra.receipt_signature, expected, "{receipt}");
            assert!(kra.qr.ends_with(&expected), "{receipt}: the QR text carries the signature");
            assert!(!copy.kra_pending, "{receipt}");
        }
        // A laundry job's invoice was signed at drop-off; the customer's collection receipt
        // carries KRA's answer.
        for job in &jobs {
            let expected = signature_of(job.job_id).await;
            let session = laundry.session.clone();
            let collected = laundry.till.laundry_collect(&session, &job.ticket_number, &[]).expect("collected");
            let receipt = ReceiptView::collection(&laundry.till, collected, job.ticket_number.clone()).unwrap();
            assert_eq!(receipt.kra.map(|kra| kra.receipt_signature), Some(expected), "{}", job.ticket_number);
        }
        let verify = central.verify_clean().await;
        assert!(verify.entries > 0);
        central.stop().await;
    });
}

#[test]
fn a_head_office_killed_between_sending_and_saving_kras_answer_leaves_one_sale_per_invoice() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        let oscu = Oscu::new().await;
        let keys_folder = scratch.0.join("etims-keys");
        let keys = KeyStore::new(&keys_folder);
        let pins = transmitting(&central, &oscu, &keys).await;
        // KRA commits each sale and then takes its time to answer.
        oscu.behave(Behaviour { answer_delay: Duration::from_secs(30), ..Behaviour::default() });
        let server = env!("CARGO_BIN_EXE_e2e-server");
        central.start_process_with(server, Some(&keys_folder)).await;
        let mut water = central.enrol(&scratch.0, "water", "WATER").await;
        water.start_sync(fast_sync());
        let receipts: Vec<String> = (0..3).map(|i| water.sell(i, 1).receipt_number).collect();
        wait_until(SIGNED, "the sales reach head office", || async { water.pending() == 0 }).await;

        // KRA holds invoice 1; head office is killed before the answer comes.
        wait_until(SIGNED, "invoice 1 reaches KRA", || async { !oscu.sales().is_empty() }).await;
        central.kill_process().await;
        let state: String = sqlx::query_scalar("SELECT state FROM etims_invoice WHERE invoice_number = 1")
            .fetch_one(&central.owner)
            .await
            .expect("invoice 1");
        assert_eq!(state, "sending", "sent, its answer never saved");

        // Head office comes back; KRA answers at once now.
        oscu.behave(Behaviour::default());
        central.start_process_with(server, Some(&keys_folder)).await;
        wait_until(SIGNED, "the eTIMS queue drains", || async { unsettled(&central).await == 0 }).await;
        let sales = oscu.sales();
        assert_eq!(sales.iter().map(|s| s.invoice).collect::<Vec<_>>(), vec![1, 2, 3], "one sale each at KRA");
        assert!(sales.iter().all(|s| s.tin == pins["WATER"]));
        assert_eq!(sales[0].received, 2, "invoice 1 was sent again after the kill");
        assert!(sales[1..].iter().all(|s| s.received == 1));
        // The signature kept and pulled is the one KRA gave when it committed the sale.
        for (sale, receipt) in sales.iter().zip(&receipts) {
            let signature = sale.answer["data"]["rcptSign"].as_str().expect("KRA's signature").to_string();
            wait_until(SIGNED, "KRA's answer reaches the till", || async {
                ReceiptView::reprint(&water.till, water.session.business_id, receipt)
                    .expect("the reprint")
                    .kra
                    .is_some_and(|kra| kra.receipt_signature == signature)
            })
            .await;
        }
        central.stop_process().await;
    });
}
