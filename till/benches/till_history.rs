//! The till at year seven (issue "Year seven at full speed"): a store holding seven years of one
//! busy till — about 1.3 M sales with their outbox events — beside a fresh store, in the same
//! run. Reports `record_sale` median and p99 on both, opening the store and the first screen's
//! figures (today's sales, the cash expected in the drawer, stock), and the size on disk per sale
//! — kept whole, and then pruned as the nightly prune does (`store::prune`), which is what a till
//! at year seven holds.
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
use common::{bare_baseline, percentile_of, rows_of_last_sale, sale_request};

/// Sales recorded through `record_sale`, the pattern the history copies.
const PATTERN_SALES: usize = 12_000;
/// Copies of the pattern: 12,000 × 109 = 1.31 M sales, 513 a day for seven years.
const COPIES: usize = 108;
const SALES_A_DAY: usize = 513;
const TIMED_SALES: usize = 4_000;
/// The timed sales alternate between the two stores in this many rounds.
const ROUNDS: usize = 20;

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

/// Pages in use, free pages, and the page size: what the file holds beyond its free list.
fn pages(path: &Path) -> (u64, u64) {
    let connection = Connection::open(path).expect("the store");
    let (count, free, size): (i64, i64, i64) = connection
        .query_row(
            "SELECT (SELECT page_count FROM pragma_page_count()), (SELECT freelist_count FROM pragma_freelist_count()),
                    (SELECT page_size FROM pragma_page_size())",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("page counts");
    (u64::try_from((count - free) * size).expect("bytes"), u64::try_from(free * size).expect("bytes"))
}

struct Run {
    label: &'static str,
    each: Vec<Duration>,
    open: Duration,
    figures: Duration,
    /// The bare transaction writing one sale's rows (`bare_rows` of them) into this store,
    /// timed in the same rounds.
    bare: Vec<Duration>,
    bare_rows: usize,
}

/// Opens the fresh store and `path` as the counter does, each showing its first screen, then
/// times `TIMED_SALES` sales on each after 50 warm-up sales, in rounds that take turns between
/// the two stores, so that the machine's slower minutes fall on both alike; and in the same
/// rounds the bare rusqlite transaction writing the rows of one sale into `path` (the
/// `record_sale` benchmark's floor), for the ratio at year seven.
fn compare(fresh: &Path, path: &Path, label: &'static str, products: &[tillbook_core::ids::ProductId]) -> (Run, Run) {
    let (fresh_open, fresh_figures, mut fresh_till) = first_screen(fresh);
    let (open, figures, mut till) = first_screen(path);
    let fresh_cashier = demo_login(&fresh_till, Role::Cashier).expect("login");
    let cashier = demo_login(&till, Role::Cashier).expect("login");
    record(&mut fresh_till, &fresh_cashier, products, 50);
    record(&mut till, &cashier, products, 50);
    let sale = rows_of_last_sale(path);
    bare_baseline(path, &sale, 50);
    let (mut fresh_each, mut each, mut bare) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        fresh_each.extend(record(&mut fresh_till, &fresh_cashier, products, TIMED_SALES / ROUNDS));
        each.extend(record(&mut till, &cashier, products, TIMED_SALES / ROUNDS));
        bare.extend(bare_baseline(path, &sale, TIMED_SALES / ROUNDS).0);
    }
    (
        Run {
            label: "fresh",
            each: fresh_each,
            open: fresh_open,
            figures: fresh_figures,
            bare: Vec::new(),
            bare_rows: 0,
        },
        Run { label, each, open, figures, bare, bare_rows: sale.rows() },
    )
}

fn gb(bytes: u64) -> String {
    format!("{:.2} GB", bytes as f64 / 1e9)
}

fn main() {
    let folder = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("till-history-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("bench folder");

    // The fresh store: warmed, then timed.
    let fresh_path = folder.join("fresh.sqlite");
    // A few sales, so that its first screen has figures to show, as the old store's has.
    let (mut fresh, cashier, products) = new_till(&fresh_path);
    record(&mut fresh, &cashier, &products, 50);
    drop(fresh);

    // Seven years: the pattern through record_sale, then copied back over the years.
    let old_path = folder.join("seven-years.sqlite");
    let (mut old, cashier, products) = new_till(&old_path);
    record(&mut old, &cashier, &products, PATTERN_SALES);
    drop(old);
    let generated = write_history(&old_path);
    let sales: i64 = Connection::open(&old_path)
        .and_then(|c| c.query_row("SELECT count(*) FROM sale", [], |r| r.get(0)))
        .expect("sales");
    let whole_bytes = size_on_disk(&old_path);
    let started = Instant::now();
    tillbook_till::backup::check_store(&old_path).expect("the whole store passes quick_check");
    let whole_check = started.elapsed();
    let (fresh_whole, whole_run) = compare(&fresh_path, &old_path, "seven years, kept whole", &products);

    // What the nightly prune does, all at once: everything acknowledged before the cut-off.
    let mut till = Till::open(&old_path).expect("the store");
    let today = till.now().date_naive();
    let started = Instant::now();
    let pruned = till.prune_acknowledged(tillbook_till::store::prune::cut_off(today)).expect("the prune");
    let prune_time = started.elapsed();
    drop(till);
    let (in_use, free) = pages(&old_path);
    // A till that pruned every night since its first year never grew past what it keeps: its
    // free pages were filled again by the next days' sales. VACUUM gives that file here.
    let started = Instant::now();
    Connection::open(&old_path).and_then(|c| c.execute_batch("VACUUM")).expect("vacuum");
    let vacuum_time = started.elapsed();
    let pruned_bytes = size_on_disk(&old_path);
    let started = Instant::now();
    tillbook_till::backup::check_store(&old_path).expect("the pruned store passes quick_check");
    let pruned_check = started.elapsed();
    let (fresh_pruned, pruned_run) = compare(&fresh_path, &old_path, "seven years, pruned to 90 days", &products);
    std::fs::remove_dir_all(&folder).expect("clean up");

    let sales_u64 = u64::try_from(sales).expect("a count");
    println!("One busy till's store after seven years: {sales} sales ({SALES_A_DAY} a day), each with its lines,");
    println!("tender, stock movements, journal entry and outbox event (the event's JSON kept whole), written by");
    println!(
        "copying {PATTERN_SALES} sales recorded through `record_sale` back over the years ({:.0} s), every",
        generated.as_secs_f64()
    );
    println!("copy acknowledged by head office. Today holds the {PATTERN_SALES} pattern sales in one open shift, far");
    println!("more than a real day, so the first screen is measured on a heavier day than a shop has. Then the");
    println!("same store pruned as the nightly prune does (`store::prune`: acknowledged sales older than");
    println!(
        "{} days), and beside each a fresh store, in the same run. `record_sale` is the 3-line",
        tillbook_till::store::prune::KEEP_DAYS
    );
    println!(
        "retail sale of the `record_sale` benchmark, {TIMED_SALES} timed on each store after 50 warm-up sales, in"
    );
    println!("{ROUNDS} rounds taking turns with the fresh store (each comparison has its own fresh rows). Opening is");
    println!("after a clean close (no whole-file check); the check, run after an unclean shutdown, is timed apart.\n");
    println!("| store | record_sale median ms | p99 ms | open the store ms | first screen ms |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for run in [&fresh_whole, &whole_run, &fresh_pruned, &pruned_run] {
        println!(
            "| {} | {} | {} | {} | {} |",
            run.label,
            ms(percentile_of(&run.each, 50)),
            ms(percentile_of(&run.each, 99)),
            ms(run.open),
            ms(run.figures)
        );
    }
    let p99 = |run: &Run| percentile_of(&run.each, 99).as_secs_f64();
    println!(
        "\nrecord_sale p99 against the fresh store: {:+.0}% kept whole, {:+.0}% pruned (target: no more than +10%).",
        (p99(&whole_run) / p99(&fresh_whole) - 1.0) * 100.0,
        (p99(&pruned_run) / p99(&fresh_pruned) - 1.0) * 100.0
    );
    let median = |each: &[Duration]| percentile_of(each, 50).as_secs_f64();
    println!(
        "record_sale median against a bare rusqlite transaction writing the same {} rows and 2 counters into the \
         same store, timed in the same rounds: {:.2}× kept whole ({} ms bare), {:.2}× pruned ({} ms bare) (target: \
         at most 1.5×).",
        pruned_run.bare_rows,
        median(&whole_run.each) / median(&whole_run.bare),
        ms(percentile_of(&whole_run.bare, 50)),
        median(&pruned_run.each) / median(&pruned_run.bare),
        ms(percentile_of(&pruned_run.bare, 50))
    );
    println!(
        "Opening and the first screen: {} ms pruned, {} ms kept whole (target: under 300 ms).",
        ms(pruned_run.open + pruned_run.figures),
        ms(whole_run.open + whole_run.figures)
    );
    println!(
        "On disk: kept whole {} ({} bytes a sale); pruned {} for seven years (target: under 2 GB).",
        gb(whole_bytes),
        whole_bytes / sales_u64,
        gb(pruned_bytes)
    );
    println!(
        "The first prune let go of {} sales in {:.0} s (in batches of 2,000, each its own transaction); it left",
        pruned.sales,
        prune_time.as_secs_f64()
    );
    println!(
        "{} in use and {} free in the file, which VACUUM ({:.0} s) gives back; a till pruning nightly reuses them.",
        gb(in_use),
        gb(free),
        vacuum_time.as_secs_f64()
    );
    println!(
        "The whole-file check (`quick_check`, after an unclean shutdown): {} ms pruned, {} ms kept whole.",
        ms(pruned_check),
        ms(whole_check)
    );
    println!("Command: `cargo xtask bench till_history` (runs `cargo bench -p tillbook-till --bench till_history`).");
}
