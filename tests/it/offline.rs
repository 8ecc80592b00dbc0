//! Working through an outage, and business facts that only meet on the server.

use std::time::Duration;

use tillbook_e2e::{Central, Scratch, TestTill, fast_sync, run, wait_until};
use tillbook_till::sync::DeviceStatus;

const SYNCED: Duration = Duration::from_secs(60);

async fn wait_synced(central: &Central, tills: &[&TestTill]) {
    for till in tills {
        wait_until(SYNCED, "every event acknowledged", || async { till.pending() == 0 }).await;
    }
    let _ = central;
}

#[test]
fn a_day_recorded_while_the_server_is_down_is_posted_once_when_it_comes_up() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let mut water = central.enrol(&scratch.0, "water", "WATER").await;
        let mut laundry = central.enrol(&scratch.0, "laundry", "LAUNDRY").await;
        let mut retail = central.enrol(&scratch.0, "retail", "RETAIL").await;
        central.stop().await;
        for till in [&mut water, &mut laundry, &mut retail] {
            till.start_sync(fast_sync());
        }

        // A day's work with the server down.
        retail.receive_stock(40);
        for i in 0..30 {
            water.sell(i, 1 + (i % 3) as i64);
            retail.sell(i, 1);
        }
        for i in 0..10 {
            laundry.work(i, 2);
        }
        wait_until(Duration::from_secs(10), "the badge shows the outage", || async {
            let status = water.status();
            status.online == Some(false) && status.pending > 0 && status.last_error.is_some()
        })
        .await;
        let recorded = water.events() + laundry.events() + retail.events();

        central.start().await;
        wait_synced(&central, &[&water, &laundry, &retail]).await;

        // Every event once, each business's entry numbers 1..n with no gap, the trial balance at zero.
        let entries = central.scalar_i64("SELECT count(*) FROM journal_entry").await;
        assert_eq!(central.scalar_i64("SELECT count(*) FROM inbox").await, recorded);
        assert_eq!(central.scalar_i64("SELECT count(*) FROM quarantine").await, 0);
        central.assert_entry_numbers_gap_free().await;
        let report = central.verify_clean().await;
        assert_eq!(report.entries as i64, entries);
        for till in [&water, &laundry, &retail] {
            assert_eq!(till.local_lines(), central.posted_lines_of(till.device()).await, "{}", till.path.display());
            let status = till.status();
            assert_eq!((status.online, status.pending, status.last_error.as_deref()), (Some(true), 0, None));
            assert!(status.last_push_at.is_some() && status.last_pull_at.is_some());
        }
        central.stop().await;
    });
}

#[test]
fn a_price_changed_while_offline_posts_old_price_sales_flagged_and_the_till_learns_the_new_one() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let mut water = central.enrol(&scratch.0, "water", "WATER").await;
        central.stop().await;
        let product = water.products()[0].clone();
        let sale = water.sell_product(product.id, 2);

        // Head office raises the price while the till is offline.
        let mut tx = central.owner.begin().await.unwrap();
        sqlx::query("UPDATE product SET price = price + 10 WHERE id = $1")
            .bind(product.id.0)
            .execute(&mut *tx)
            .await
            .unwrap();
        tillbook_server::changes::lock(&mut tx).await.unwrap();
        tillbook_server::changes::publish(&mut tx, tillbook_server::changes::Entity::Product, Some(&[product.id.0]))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        central.start().await;
        water.start_sync(fast_sync());
        wait_synced(&central, &[&water]).await;
        let (code,): (String,) = sqlx::query_as(
            "SELECT f.code FROM posting_flag f JOIN sale s ON s.event_id = f.event_id WHERE s.sale_id = $1",
        )
        .bind(sale.sale_id.0)
        .fetch_one(&central.owner)
        .await
        .expect("the old-price sale is flagged");
        assert_eq!(code, "old_price");
        assert_eq!(central.scalar_i64("SELECT count(*) FROM quarantine").await, 0, "posted, not refused");
        let new_price = product.price.cents() + 1000;
        wait_until(SYNCED, "the till pulls the new price", || async {
            let cents: i64 = water
                .till
                .connection()
                .query_row("SELECT price_cents FROM product WHERE id = ?1", [product.id.to_string()], |row| row.get(0))
                .unwrap();
            cents == new_price
        })
        .await;
        central.verify_clean().await;
        central.stop().await;
    });
}

#[test]
fn two_tills_selling_the_last_units_offline_both_post_and_the_stock_goes_negative_flagged() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let mut first = central.enrol(&scratch.0, "retail-1", "RETAIL").await;
        let mut second = central.enrol(&scratch.0, "retail-2", "RETAIL").await;
        first.receive_stock(3);
        first.start_sync(fast_sync());
        wait_synced(&central, &[&first]).await;
        central.stop().await;

        let product = first.products().into_iter().find(|p| p.stock.is_some()).expect("a stocked product");
        let one = first.sell_product(product.id, 2);
        let two = second.sell_product(product.id, 2);
        second.start_sync(fast_sync());
        central.start().await;
        wait_synced(&central, &[&first, &second]).await;

        let (level,): (rust_decimal::Decimal,) =
            sqlx::query_as("SELECT quantity FROM stock_level WHERE product_id = $1")
                .bind(product.id.0)
                .fetch_one(&central.owner)
                .await
                .unwrap();
        assert_eq!(level, rust_decimal::Decimal::from(-1), "3 received, 4 sold");
        assert_eq!(central.scalar_i64("SELECT count(*) FROM quarantine").await, 0, "no sale refused");
        let flagged: Vec<(uuid::Uuid,)> = sqlx::query_as(
            "SELECT s.sale_id FROM posting_flag f JOIN sale s ON s.event_id = f.event_id WHERE f.code = 'negative_stock'",
        )
        .fetch_all(&central.owner)
        .await
        .unwrap();
        assert!(!flagged.is_empty(), "the sale that took stock below zero is flagged");
        let sales: Vec<uuid::Uuid> = flagged.into_iter().map(|(id,)| id).collect();
        assert!(sales.iter().all(|id| *id == one.sale_id.0 || *id == two.sale_id.0));
        central.verify_clean().await;
        central.stop().await;
    });
}

#[test]
fn a_revoked_till_keeps_recording_reports_it_and_loses_nothing() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let mut water = central.enrol(&scratch.0, "water", "WATER").await;
        water.sell(0, 1);
        water.start_sync(fast_sync());
        wait_synced(&central, &[&water]).await;

        tillbook_server::admin::revoke_device(&central.owner, water.device()).await.unwrap();
        for i in 0..5 {
            water.sell(i, 1);
        }
        wait_until(SYNCED, "the till reports its revocation", || async {
            water.status().device_status == DeviceStatus::Revoked
        })
        .await;
        let status = water.status();
        assert_eq!(status.pending, 5, "the work done since is kept");
        let before_revocation = water.events() - 5;
        assert!(status.last_error.as_deref().unwrap_or_default().contains("no longer accepts this till"), "{status:?}");
        assert_eq!(
            central.scalar_i64("SELECT count(*) FROM inbox").await,
            before_revocation,
            "nothing was taken after the revocation"
        );
        // Signing out would throw the five away: refused unless the owner confirms.
        let refused = tillbook_till::sync::forget_token(&water.till, false).unwrap_err();
        assert_eq!(refused.code(), "unsynced_events");
        central.stop().await;
    });
}

#[test]
fn a_laundry_job_dropped_off_at_one_till_is_paid_and_collected_at_another() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let mut front = central.enrol(&scratch.0, "laundry-front", "LAUNDRY").await;
        let mut back = central.enrol(&scratch.0, "laundry-back", "LAUNDRY").await;
        front.start_sync(fast_sync());
        back.start_sync(fast_sync());

        // Dropped off at the front counter with a cash deposit of 100.00.
        let job = front.drop_off(0, 3);
        let balance = job.balance_due;
        assert!(balance.is_positive(), "{job:?}");
        wait_synced(&central, &[&front]).await;
        wait_until(SYNCED, "the back counter pulls the job", || async {
            back.till.open_laundry_jobs(back.session.business_id).unwrap().iter().any(|j| j.job_id == job.job_id)
        })
        .await;
        let seen = back.till.open_laundry_jobs(back.session.business_id).unwrap();
        let seen = seen.iter().find(|j| j.job_id == job.job_id).unwrap();
        assert_eq!((seen.total, seen.balance), (job.total, balance), "the deposit taken at the front is known");

        // Collected at the back counter, the balance paid there.
        let collection = back
            .till
            .laundry_collect(&back.session, &job.ticket_number, &[tillbook_e2e::cash(balance.cents())])
            .unwrap();
        assert_eq!(collection.balance_left, tillbook_core::Money::ZERO);
        back.nudge();
        wait_synced(&central, &[&back]).await;

        // The server: the job is collected, its invoice paid in full, nothing quarantined or flagged.
        let (status, outstanding): (String, rust_decimal::Decimal) = sqlx::query_as(
            "SELECT (SELECT to_status FROM laundry_status_history WHERE job_id = j.job_id ORDER BY id DESC LIMIT 1),
                    j.total - (SELECT sum(amount) FROM allocation WHERE invoice_id = j.job_id)
               FROM laundry_job j WHERE j.job_id = $1",
        )
        .bind(job.job_id.0)
        .fetch_one(&central.owner)
        .await
        .unwrap();
        assert_eq!((status.as_str(), outstanding), ("collected", rust_decimal::Decimal::ZERO));
        assert_eq!(central.scalar_i64("SELECT count(*) FROM quarantine").await, 0);
        assert_eq!(central.scalar_i64("SELECT count(*) FROM posting_flag").await, 0);
        central.verify_clean().await;

        // The front counter learns it was collected and paid: off its board, nothing owed.
        wait_until(SYNCED, "the front counter sees the collection", || async {
            front.till.open_laundry_jobs(front.session.business_id).unwrap().is_empty()
        })
        .await;
        let owed = tillbook_till::reports::invoice_outstanding(front.till.connection(), job.job_id).unwrap();
        assert_eq!(owed, tillbook_core::Money::ZERO);
        central.stop().await;
    });
}

/// Head office deactivates the account a till still takes cash into: the till's next sale cannot
/// be true in the ledger and is quarantined, and the till calls for attention to it. The owner
/// decides in the review queue; the till hears of the decision on its next pull and stops
/// calling, while the event itself stays as it was.
#[test]
fn a_quarantined_sale_decided_at_head_office_stops_calling_for_attention_at_the_till() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let owner = tillbook_server::admin::create_owner(
            &central.owner,
            "wanjiru@example.co.ke",
            "Wanjiru",
            "kahawa tamu sana",
        )
        .await
        .unwrap();
        let mut water = central.enrol(&scratch.0, "water", "WATER").await;
        sqlx::query("UPDATE account SET active = false WHERE code = 1110").execute(&central.owner).await.unwrap();
        water.start_sync(fast_sync());
        water.sell(0, 1);
        wait_until(SYNCED, "the sale is quarantined at the till", || async { water.status().quarantined == 1 }).await;
        let events = water.till.quarantined_events().unwrap();
        assert_eq!((events.len(), events[0].reason_code.as_deref()), (1, Some("inactive_account")));
        assert_eq!(events[0].resolution, None);

        let open =
            tillbook_server::review::items(&central.owner, tillbook_server::review::Listing::Open).await.unwrap();
        let item = open.iter().find(|item| item.kind == "quarantine").expect("the sale is in the review queue");
        assert_eq!(item.till_code.as_deref(), Some(water.till.info().till_code.as_str()));
        let decision = tillbook_core::protocol::ResolveRequest {
            item: item.item.clone(),
            action: "dismiss".into(),
            note: "Cash account closed by mistake; the sale was entered again".into(),
            correction: None,
        };
        let zone = chrono_tz::Africa::Nairobi;
        let resolved = tillbook_server::review::resolve(&central.owner, owner, None, &decision, zone).await.unwrap();
        assert_eq!(resolved.status, "dismissed");

        wait_until(SYNCED, "the till hears of the decision", || async { water.status().quarantined == 0 }).await;
        let events = water.till.quarantined_events().unwrap();
        assert_eq!(events.len(), 1, "the event stays quarantined");
        assert_eq!(events[0].resolution.as_deref(), Some("dismissed"));
        assert_eq!(
            events[0].resolution_note.as_deref(),
            Some("Cash account closed by mistake; the sale was entered again")
        );
        central.stop().await;
    });
}
