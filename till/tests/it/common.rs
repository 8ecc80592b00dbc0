//! Shared fixtures: a folder removed on drop, demo tills copied from one seeded template (PIN
//! hashing is deliberately slow, so it is done once), and helpers to read the store.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, FixedOffset};
use rusqlite::Connection;
use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::ids::EntryId;
use tillbook_core::seed::{self, MasterData};
use tillbook_core::{Money, Quantity};
use tillbook_till::demo::create_demo_till;
use tillbook_till::{Session, Till};

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tillbook-{label}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A seeded all-businesses till file, made once per test run and copied for each test.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tillbook-template-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("template.sqlite");
        let till =
            create_demo_till(&path, "T1", &[BusinessKind::Water, BusinessKind::Laundry, BusinessKind::Retail]).unwrap();
        // Fold the WAL into the main file so one file copy carries everything.
        till.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        drop(till);
        path
    })
}

/// A fresh demo till (in `target/tmp`, never shared between tests) serving all three businesses, with its clock at a fixed Nairobi morning
/// that moves a minute per reading.
pub fn demo_till(dir: &TempDir) -> Till {
    let path = dir.file("till.sqlite");
    std::fs::copy(template(), &path).unwrap();
    let mut till = Till::open(&path).unwrap();
    let start = DateTime::parse_from_rfc3339("2026-11-21T08:00:00+03:00").unwrap();
    let ticks = Arc::new(std::sync::atomic::AtomicI64::new(0));
    till.set_clock(Arc::new(move || {
        start + Duration::minutes(ticks.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    }));
    till
}

pub fn now_fixed() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-21T08:00:00+03:00").unwrap()
}

pub fn login(till: &Till, role: Role, kind: BusinessKind) -> Session {
    let member = seed::demo_staff().into_iter().find(|m| m.role == role).unwrap();
    let session = till.login(member.id, member.pin).unwrap();
    till.switch_business(&session, seed::business_id(kind)).unwrap()
}

pub fn data() -> MasterData {
    seed::demo()
}

pub fn product(name: &str) -> tillbook_core::ids::ProductId {
    data().products.into_iter().find(|p| p.name == name).unwrap().id
}

pub fn money(text: &str) -> Money {
    text.parse().unwrap()
}

pub fn q(text: &str) -> Quantity {
    text.parse().unwrap()
}

/// An entry's lines as `(account, "Dr"/"Cr", amount)`, sorted.
pub fn entry_lines(till: &Till, entry_id: EntryId) -> Vec<(u16, &'static str, Money)> {
    let mut statement = till
        .connection()
        .prepare("SELECT account, debit_cents, credit_cents FROM journal_line WHERE entry_id = ?1")
        .unwrap();
    let mut lines: Vec<(u16, &'static str, Money)> = statement
        .query_map([entry_id.to_string()], |row| {
            let (account, debit, credit): (u16, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            Ok(if debit > 0 {
                (account, "Dr", Money::from_cents(debit))
            } else {
                (account, "Cr", Money::from_cents(credit))
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    lines.sort();
    lines
}

#[track_caller]
pub fn assert_entry(till: &Till, entry_id: Option<EntryId>, expected: &[(u16, &str, &str)]) {
    let mut wanted: Vec<(u16, &str, Money)> = expected.iter().map(|&(a, s, m)| (a, s, money(m))).collect();
    wanted.sort();
    let actual = entry_lines(till, entry_id.expect("the document posted an entry"));
    let actual: Vec<(u16, &str, Money)> = actual.into_iter().collect();
    assert_eq!(actual, wanted);
}

/// The document id of the (one) `sale.voided` the till recorded: the void itself, to try voiding.
pub fn voiding_document(till: &Till) -> tillbook_core::ids::DocumentId {
    let id: String = till
        .connection()
        .query_row("SELECT document_id FROM journal_entry WHERE event_type = 'sale.voided'", [], |r| r.get(0))
        .unwrap();
    id.parse().unwrap()
}

/// Row counts of every table a recording writes, and the counters: equal before and after a
/// refused action means it wrote nothing.
pub fn footprint(connection: &Connection) -> Vec<(String, i64)> {
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut counts: Vec<(String, i64)> = tables
        .into_iter()
        .map(|table| {
            let count =
                connection.query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |row| row.get(0)).unwrap();
            (table, count)
        })
        .collect();
    let mut counters = connection.prepare("SELECT name, last_value FROM counter ORDER BY name").unwrap();
    counts.extend(
        counters
            .query_map([], |row| Ok((format!("counter {}", row.get::<_, String>(0)?), row.get(1)?)))
            .unwrap()
            .map(Result::unwrap),
    );
    counts
}

/// Checks the store's invariants: device_seq runs 1..=n without a gap and matches its counter,
/// every entry balances with one-sided positive lines, and each entry has its outbox event.
#[track_caller]
pub fn assert_store_consistent(connection: &Connection) -> i64 {
    let (count, max): (i64, i64) = connection
        .query_row("SELECT COUNT(*), COALESCE(MAX(device_seq), 0) FROM outbox", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(count, max, "device_seq has a gap");
    let counter: i64 = connection
        .query_row("SELECT COALESCE((SELECT last_value FROM counter WHERE name = 'device_seq'), 0)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(counter, max, "the device_seq counter disagrees with the outbox");
    let unbalanced: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM (SELECT entry_id FROM journal_line GROUP BY entry_id HAVING SUM(debit_cents) <> SUM(credit_cents))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unbalanced, 0, "an entry does not balance");
    let orphans: i64 = connection
        .query_row("SELECT COUNT(*) FROM journal_entry e LEFT JOIN outbox o ON o.event_id = e.event_id WHERE o.event_id IS NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(orphans, 0, "an entry has no outbox event");
    let wrongly_pruned: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM outbox WHERE (payload = '' OR pruned_on IS NOT NULL)
                AND NOT (payload = '' AND pruned_on IS NOT NULL AND status = 'posted')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(wrongly_pruned, 0, "an event head office had not posted lost its JSON");
    let empty_entries: i64 = connection
        .query_row("SELECT COUNT(*) FROM journal_entry e WHERE (SELECT COUNT(*) FROM journal_line l WHERE l.entry_id = e.id) < 2", [], |r| r.get(0))
        .unwrap();
    assert_eq!(empty_entries, 0, "an entry lost its lines");
    let (debits, credits): (i64, i64) = connection
        .query_row(
            "SELECT COALESCE(SUM(debit_cents), 0), COALESCE(SUM(credit_cents), 0)
                      FROM (SELECT debit_cents, credit_cents FROM journal_line
                            UNION ALL SELECT debit_cents, credit_cents FROM journal_carried)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(debits, credits, "the local trial balance is not zero");
    let drifted: i64 = connection
        .query_row(
            "SELECT (SELECT COUNT(*) FROM (SELECT product_id, SUM(quantity_milli) AS total
                                            FROM (SELECT product_id, quantity_milli FROM stock_movement
                                                  UNION ALL SELECT product_id, quantity_milli FROM stock_carried)
                                           GROUP BY product_id) m
                     LEFT JOIN stock_level l USING (product_id) WHERE l.quantity_milli IS NOT m.total)
                  + (SELECT COUNT(*) FROM (SELECT cylinder_type_id, SUM(full_delta) AS f, SUM(empty_delta) AS e
                                           FROM cylinder_movement GROUP BY cylinder_type_id) m
                     LEFT JOIN cylinder_level l USING (cylinder_type_id) WHERE l.full IS NOT m.f OR l.empty IS NOT m.e)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(drifted, 0, "a running stock level differs from the sum of its movements and what pruning carried");
    max
}
