//! The till at year seven (issue "Year seven at full speed"): a store holding seven years of one
//! busy till — about 1.3 M sales with their outbox events — beside a fresh store, in the same
//! run. Reports `record_sale` median and p99 on both, opening the store and the first screen's
//! figures (today's sales, the cash expected in the drawer, stock), and the size on disk per sale.
//!
//! The history is written fast, not through `record_sale`: 12,000 sales are recorded through it,
//! then their rows (sale, lines, tender, stock movements, journal entry and lines, outbox event
//! with its JSON) are copied back over the seven years before today by `INSERT … SELECT`, the
//! events marked acknowledged by head office as seven-year-old events are. Prints a Markdown
//! section for docs/benchmarks.md (`cargo xtask bench till_history` writes it there).

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::seed;
use tillbook_till::demo::{create_demo_till, demo_login, money};
use tillbook_till::{Session, Till};

mod common;
use common::{percentile_of, sale_request};

/// Sales recorded through `record_sale`, the pattern the history copies.
const PATTERN_SALES: usize = 12_000;
/// Copies of the pattern: 12,000 × 109 = 1.31 M sales, 513 a day for seven years.
const COPIES: usize = 108;
const SALES_A_DAY: usize = 513;
const TIMED_SALES: usize = 2_000;

fn record(
    till: &mut Till,
    cashier: &Session,
    products: &[tillbook_core::ids::ProductId],
    count: usize,
) -> Vec<Duration> {
    (0..count)
        .map(|n| {
            let request = sale_request(n, products);
            let started = Instant::now();
            till.record_sale(cashier, &request).expect("the benchmark sale records");
            started.elapsed()
        })
        .collect()
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// A till with an open shift, logged in at the retail business, and its stocked products.
fn new_till(path: &Path) -> (Till, Session, Vec<tillbook_core::ids::ProductId>) {
    let mut till = create_demo_till(path, "H1", &[BusinessKind::Retail]).expect("demo till");
    let cashier = demo_login(&till, Role::Cashier).expect("login");
    till.open_shift(&cashier, money("0")).expect("shift");
    let products = seed::demo()
        .products
        .into_iter()
        .filter(|p| p.business_id == cashier.business_id && p.stock.is_some())
        .map(|p| p.id)
        .collect();
    (till, cashier, products)
}

/// Copies the pattern's sales `COPIES` times over the days before today: new ids (the pattern's
/// with `-h<copy>`), dates spread `SALES_A_DAY` a day, no shift (long closed), entries posted and
/// events acknowledged. The counters follow, so the till records on after the history.
fn write_history(path: &Path) -> Duration {
    let store = Connection::open(path).expect("the store");
    store.pragma_update(None, "synchronous", "OFF").expect("a fast generator");
    let pattern: i64 = store.query_row("SELECT max(rowid) FROM sale", [], |r| r.get(0)).expect("the pattern");
    let last_seq: i64 = store.query_row("SELECT max(device_seq) FROM outbox", [], |r| r.get(0)).expect("events");
    let days_back = format!("((s.rowid - 1 + (k.i - 1) * {pattern}) / {SALES_A_DAY} + 1)");
    let day = format!("date(s.business_day, '-' || {days_back} || ' days')");
    let at = |column: &str| format!("{day} || substr({column}, 11)");
    let copies = format!("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {COPIES})");
    let statements = [
        format!(
            "{copies} INSERT INTO sale (id, business_id, kind, receipt_number, occurred_at, business_day, shift_id, staff_id, total_cents)
             SELECT s.id || '-h' || k.i, s.business_id, s.kind, s.receipt_number || '-h' || k.i, {}, {day}, NULL, s.staff_id, s.total_cents
               FROM sale s, k",
            at("s.occurred_at")
        ),
        format!(
            "{copies} INSERT INTO sale_line
             SELECT l.sale_id || '-h' || k.i, l.line_no, l.product_id, l.quantity_milli, l.unit_price_cents, l.discount_cents,
                    l.vat_basis_points, l.line_total_cents, l.unit_cost_cents
               FROM sale_line l JOIN sale s ON s.id = l.sale_id, k"
        ),
        format!(
            "{copies} INSERT INTO tender
             SELECT t.document_id || '-h' || k.i, t.line_no, t.method, t.amount_cents, t.mpesa_code, t.customer_id
               FROM tender t JOIN sale s ON s.id = t.document_id, k"
        ),
        format!(
            "{copies} INSERT INTO stock_movement (product_id, document_id, quantity_milli, reason, occurred_at)
             SELECT m.product_id, m.document_id || '-h' || k.i, m.quantity_milli, m.reason, {}
               FROM stock_movement m JOIN sale s ON s.id = m.document_id, k",
            at("m.occurred_at")
        ),
        format!(
            "{copies} INSERT INTO journal_entry (id, business_id, event_id, event_type, document_id, occurred_at, business_day, shift_id, status)
             SELECT e.id || '-h' || k.i, e.business_id, e.event_id || '-h' || k.i, e.event_type, e.document_id || '-h' || k.i,
                    {}, {day}, NULL, 'posted'
               FROM journal_entry e JOIN sale s ON s.id = e.document_id, k",
            at("e.occurred_at")
        ),
        format!(
            "{copies} INSERT INTO journal_line
             SELECT l.entry_id || '-h' || k.i, l.line_no, l.account, l.debit_cents, l.credit_cents
               FROM journal_line l JOIN journal_entry e ON e.id = l.entry_id JOIN sale s ON s.id = e.document_id, k"
        ),
        format!(
            "{copies} INSERT INTO outbox (device_seq, event_id, event_type, business_id, business_day, payload, status, entry_number, acknowledged_at)
             SELECT o.device_seq + k.i * {last_seq}, o.event_id || '-h' || k.i, o.event_type, o.business_id, {day}, o.payload,
                    'posted', o.device_seq + k.i * {last_seq}, {}
               FROM outbox o JOIN journal_entry e ON e.event_id = o.event_id JOIN sale s ON s.id = e.document_id, k",
            at("s.occurred_at")
        ),
        "UPDATE counter SET last_value = (SELECT max(device_seq) FROM outbox) WHERE name = 'device_seq'".to_string(),
    ];
    let started = Instant::now();
    store.execute_batch("BEGIN").expect("begin");
    for sql in &statements {
        store.execute_batch(sql).unwrap_or_else(|error| panic!("{error}: {sql}"));
    }
    store.execute_batch("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)").expect("commit");
    started.elapsed()
}

/// The store's size on disk: the file and what its write-ahead log holds.
fn size_on_disk(path: &Path) -> u64 {
    let wal = path.with_extension("sqlite-wal");
    [path.to_path_buf(), wal].iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum()
}

/// Opening the store and the first screen's figures, each timed.
fn first_screen(path: &Path) -> (Duration, Duration, Till) {
    let started = Instant::now();
    let till = Till::open(path).expect("the store opens");
    let opened = started.elapsed();
    let cashier = demo_login(&till, Role::Cashier).expect("login");
    let started = Instant::now();
    let sales = till.todays_sales(cashier.business_id).expect("today's sales");
    let expected = till.expected_cash_in_drawer().expect("expected cash");
    let stock = till.stock_levels(cashier.business_id).expect("stock");
    let figures = started.elapsed();
    assert!(sales.sales_count > 0 && expected.is_some() && !stock.is_empty(), "the first screen has its figures");
    (opened, figures, till)
}

fn main() {
    let folder = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("till-history-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("bench folder");

    // The fresh store: warmed, then timed.
    let fresh_path = folder.join("fresh.sqlite");
    let (mut fresh, cashier, products) = new_till(&fresh_path);
    record(&mut fresh, &cashier, &products, 50);
    let fresh_each = record(&mut fresh, &cashier, &products, TIMED_SALES);
    drop(fresh);
    let (fresh_open, fresh_figures, _) = first_screen(&fresh_path);

    // Seven years: the pattern through record_sale, then copied back over the years.
    let old_path = folder.join("seven-years.sqlite");
    let (mut old, cashier, products) = new_till(&old_path);
    record(&mut old, &cashier, &products, PATTERN_SALES);
    drop(old);
    let generated = write_history(&old_path);
    let sales: i64 = Connection::open(&old_path)
        .and_then(|c| c.query_row("SELECT count(*) FROM sale", [], |r| r.get(0)))
        .expect("sales");
    let bytes = size_on_disk(&old_path);
    let (old_open, old_figures, mut old) = first_screen(&old_path);
    let cashier = demo_login(&old, Role::Cashier).expect("login");
    record(&mut old, &cashier, &products, 50);
    let old_each = record(&mut old, &cashier, &products, TIMED_SALES);
    drop(old);
    let per_sale = bytes / u64::try_from(sales).expect("a count");
    let seven_years = per_sale * u64::try_from(SALES_A_DAY * 365 * 7).expect("a count");
    std::fs::remove_dir_all(&folder).expect("clean up");

    let p99_change = percentile_of(&old_each, 99).as_secs_f64() / percentile_of(&fresh_each, 99).as_secs_f64() - 1.0;
    println!("One busy till's store after seven years: {sales} sales ({SALES_A_DAY} a day), each with its lines,");
    println!("tender, stock movements, journal entry and outbox event (the event's JSON kept whole), written by");
    println!(
        "copying {PATTERN_SALES} sales recorded through `record_sale` back over the years ({:.0} s).",
        generated.as_secs_f64()
    );
    println!("Today holds the {PATTERN_SALES} pattern sales in one open shift, far more than a real day, so the");
    println!("first screen's figures are measured on a heavier day than a shop has. Beside it, a fresh store, in");
    println!("the same run. `record_sale` is the 3-line retail sale of the");
    println!("`record_sale` benchmark, {TIMED_SALES} timed after 50 warm-up sales.\n");
    println!("| store | record_sale median ms | p99 ms | open the store ms | first screen ms |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (label, each, open, figures) in
        [("fresh", &fresh_each, fresh_open, fresh_figures), ("seven years", &old_each, old_open, old_figures)]
    {
        println!(
            "| {label} | {} | {} | {} | {} |",
            ms(percentile_of(each, 50)),
            ms(percentile_of(each, 99)),
            ms(open),
            ms(figures)
        );
    }
    println!(
        "\np99 at seven years is {:+.0}% against the fresh store (target: no more than +10%). Opening the store and",
        p99_change * 100.0
    );
    println!(
        "the first screen take {} ms together (target: under 300 ms). On disk: {:.1} GB, {per_sale} bytes a sale,",
        ms(old_open + old_figures),
        bytes as f64 / 1e9
    );
    println!("{:.1} GB for seven years at this rate (target: under 2 GB).", seven_years as f64 / 1e9);
    println!("Command: `cargo xtask bench till_history` (runs `cargo bench -p tillbook-till --bench till_history`).");
}
