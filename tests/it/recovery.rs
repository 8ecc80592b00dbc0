//! The till's data survives the machine (DESIGN §6 "Backups and recovery"): a backup, a damaged
//! store refused at open, a restore that numbers on after what head office already holds.

use std::time::Duration;

use tillbook_e2e::{Central, Scratch, TestTill, damage_an_index_page, fast_sync, run, wait_until};
use tillbook_till::backup;

#[test]
fn a_damaged_store_is_refused_and_restored_from_the_last_good_backup_numbering_after_the_server() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let mut water = central.enrol(&scratch.0, "water", "WATER").await;
        water.start_sync(fast_sync());
        for i in 0..10 {
            water.sell(i, 1);
        }
        wait_until(Duration::from_secs(60), "the first sales reach the server", || async { water.pending() == 0 })
            .await;
        let folder = scratch.0.join("usb");
        let now = || chrono::Local::now().fixed_offset();
        let copy = backup::back_up(&water.path, &folder, now()).expect("the nightly backup");
        assert_eq!(copy.last_device_seq as i64, water.events());

        // After the backup: five sales reach the server, then three are recorded offline.
        for i in 0..5 {
            water.sell(i, 2);
        }
        wait_until(Duration::from_secs(60), "the next sales reach the server", || async { water.pending() == 0 }).await;
        water.sync.take().expect("syncing").stop().await;
        for i in 0..3 {
            water.sell(i, 3);
        }
        let at_server = central.scalar_i64("SELECT count(*) FROM inbox").await as u64;
        let recorded = water.events() as u64;
        assert_eq!(recorded - at_server, 3);
        let server_receipts: Vec<(String,)> =
            sqlx::query_as("SELECT receipt_number FROM sale").fetch_all(&central.owner).await.unwrap();

        // The disk damages an index page of the store after the till closed cleanly, so its next
        // start would not read every page; that night's backup does, and finds the damage.
        let path = water.path.clone();
        drop(water);
        damage_an_index_page(&path);
        let failed = backup::back_up(&path, &folder, now()).expect_err("a damaged copy does not count");
        assert_eq!(failed.code(), "bad_backup", "{failed}");

        let refused = tillbook_till::Till::open(&path).err().expect("a damaged store is refused");
        assert_eq!(refused.code(), "store_damaged", "{refused}");
        let offered = backup::last_good(&folder).unwrap().expect("the recovery screen offers a backup");
        assert_eq!(offered.path, copy.path);

        let restored = tillbook_till::sync::restore(&offered.path, &path).await.expect("restored");
        assert_eq!(restored.backup_last_seq, copy.last_device_seq);
        assert_eq!(restored.acked_through, at_server, "head office says how far it got");
        assert_eq!(restored.next_device_seq, at_server + 1);
        assert_eq!(restored.lost_events, Some(3), "the three offline sales are gone, and the till says so");
        assert!(restored.damaged_store.as_ref().is_some_and(|aside| aside.exists()), "the damaged store is kept");

        let mut water = TestTill::open(path);
        let sale = water.sell(0, 1);
        assert_eq!(sale.recorded.device_seq, at_server + 1, "numbering follows what the server holds");
        assert!(
            server_receipts.iter().all(|(number,)| *number != sale.receipt_number),
            "receipt {} is not one head office already holds",
            sale.receipt_number
        );
        water.start_sync(fast_sync());
        wait_until(Duration::from_secs(60), "the new work reaches the server", || async { water.pending() == 0 }).await;
        assert_eq!(central.scalar_i64("SELECT count(*) FROM inbox").await as u64, at_server + 1);
        assert_eq!(central.scalar_i64("SELECT count(*) FROM quarantine").await, 0);
        central.assert_entry_numbers_gap_free().await;
        central.verify_clean().await;
        central.stop().await;
    });
}
