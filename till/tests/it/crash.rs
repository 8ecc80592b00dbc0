//! Crash safety: a till killed mid-recording (SIGKILL, the real fault) and a recording whose
//! transaction fails half-way (a real SQLite error raised by a trigger) leave the store with
//! whole sales or none, and `device_seq` gap-free.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use rusqlite::Connection;
use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_till::demo::cash;
use tillbook_till::*;

use crate::common::*;

/// Every sale in the store is whole: header, lines, tender, a balanced entry and its event.
fn assert_sales_whole(connection: &Connection) {
    let broken: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM sale s
             WHERE (SELECT COUNT(*) FROM sale_line l WHERE l.sale_id = s.id) <> 3
                OR (SELECT COUNT(*) FROM tender t WHERE t.document_id = s.id) <> 1
                OR (SELECT COUNT(*) FROM journal_entry e WHERE e.document_id = s.id) <> 1
                OR (SELECT COUNT(*) FROM stock_movement m WHERE m.document_id = s.id)
                   <> (SELECT COUNT(*) FROM sale_line l JOIN product p ON p.id = l.product_id
                       WHERE l.sale_id = s.id AND p.inventory_account IS NOT NULL)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(broken, 0, "a sale is only partly in the store");
    let (sales, events): (i64, i64) = connection
        .query_row(
            "SELECT (SELECT COUNT(*) FROM sale), (SELECT COUNT(*) FROM outbox WHERE event_type = 'sale.recorded')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(sales, events, "a sale without its event, or an event without its sale");
    let integrity: String = connection.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
}

/// The till's recorder as its own process, recording until killed, and the lines it prints
/// (each committed sale's `device_seq`).
fn recorder(store: &std::path::Path) -> (std::process::Child, std::io::Lines<BufReader<std::process::ChildStdout>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tillbook-till"))
        .args(["simulate", "--store"])
        .arg(store)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    (child, lines)
}

#[test]
fn a_till_killed_mid_sale_keeps_whole_sales_and_a_gap_free_device_seq() {
    let dir = TempDir::new("crash");
    let store = dir.file("till.sqlite");
    let mut last_seen = 0_i64;
    // Each round kills the recorder after a different number of commits, so the kill lands at
    // different points of the next sale's transaction (most of a sale's time is inside it).
    for round in 0..6_u64 {
        let (mut child, mut lines) = recorder(&store);
        let wanted = 5 + round * 7;
        let mut printed = 0_i64;
        for _ in 0..wanted {
            let line = lines.next().expect("the recorder stopped early").unwrap();
            printed = line.trim().parse().unwrap();
        }
        child.kill().unwrap(); // SIGKILL: no destructor, no rollback, no flush runs.
        child.wait().unwrap();

        let connection = Connection::open(&store).unwrap();
        let max_seq = assert_store_consistent(&connection);
        assert_sales_whole(&connection);
        assert!(max_seq >= printed, "a sale the recorder reported committed is gone ({max_seq} < {printed})");
        assert!(max_seq > last_seen, "round {round} recorded nothing");
        last_seen = max_seq;
    }
}

#[test]
fn a_recording_that_fails_half_way_leaves_nothing_and_gives_its_numbers_back() {
    let dir = TempDir::new("abort");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Water);
    till.open_shift(&cashier, money("0")).unwrap();
    let request = SaleRequest {
        lines: vec![
            SaleLineRequest { product_id: product("Refill 20 L"), quantity: q("1"), discount: money("0") },
            SaleLineRequest { product_id: product("Sealed bottle 1 L"), quantity: q("2"), discount: money("0") },
        ],
        tenders: vec![cash("200")],
    };
    let first = till.record_sale(&cashier, &request).unwrap();
    // A fault after the journal and the outbox are written, at the very end of the transaction:
    // the last row a sale writes is its tender.
    till.connection()
        .execute_batch(
            "CREATE TEMP TRIGGER fail_tender BEFORE INSERT ON tender BEGIN SELECT RAISE(ABORT, 'disk fault'); END;",
        )
        .unwrap();
    let before = footprint(till.connection());
    let error = till.record_sale(&cashier, &request).unwrap_err();
    assert_eq!(error.code(), "store_failed");
    assert_eq!(footprint(till.connection()), before, "the failed sale left rows behind");
    till.connection().execute_batch("DROP TRIGGER fail_tender").unwrap();
    let next = till.record_sale(&cashier, &request).unwrap();
    assert_eq!(next.recorded.device_seq, first.recorded.device_seq + 1, "device_seq skipped the failed sale's number");
    assert_eq!(next.receipt_number, "T1-000002", "the receipt number was given back too");
    assert_store_consistent(till.connection());
}

/// The whole-file check at open runs when it can find something: after a till was killed (its
/// store was not closed cleanly), and after the nightly backup found the store damaged. A store
/// closed cleanly opens without reading every page (docs/till-store.md "At year seven").
#[test]
fn a_store_is_checked_at_open_after_a_crash_or_a_failed_backup_and_not_after_a_clean_close() {
    let dir = TempDir::new("open-check");
    let store = dir.file("till.sqlite");
    let (mut child, mut lines) = recorder(&store);
    for _ in 0..3 {
        lines.next().expect("the recorder stopped early").unwrap();
    }
    child.kill().unwrap(); // SIGKILL: the till never closes its store.
    child.wait().unwrap();

    // Killed: the next open checks, and finds what the disk did meanwhile.
    backup::damage_an_index_page(&store);
    let refused = Till::open(&store).err().expect("a damaged store is refused");
    assert_eq!(refused.code(), "store_damaged", "{refused}");

    // A good store closed cleanly: the next open does not read every page.
    let good = dir.file("good.sqlite");
    let recorded = Command::new(env!("CARGO_BIN_EXE_tillbook-till"))
        .args(["simulate", "--count", "20", "--store"])
        .arg(&good)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(recorded.success(), "the recorder ran to the end and closed its store");
    assert!(!backup::check_if_needed(&good).unwrap(), "a clean close is trusted");
    let till = Till::open(&good).unwrap();
    let second = Till::open(&good).unwrap();
    drop(second);
    assert!(!good.with_extension("sqlite-closed").exists(), "one Till closing while another is open is no clean close");
    drop(till);

    // The disk damages it while the till is closed; the nightly backup reads every page, refuses
    // the copy and marks the store, so the next start refuses it however the till was closed.
    backup::damage_an_index_page(&good);
    let folder = dir.file("backups");
    let failed = backup::back_up_now(&good, &folder).expect_err("a damaged copy does not count");
    assert_eq!(failed.code(), "bad_backup");
    let refused = Till::open(&good).err().expect("the marked store is refused");
    assert_eq!(refused.code(), "store_damaged", "{refused}");
}
