//! Recording a 3-line sale with `synchronous=FULL`: per-sale latency (median, p99) and sales per
//! second on an empty store and on one that already holds 10,000 sales, in the same run, so the
//! two can be compared, and beside them the floor: a bare rusqlite transaction writing exactly
//! the rows one recorded sale wrote (same tables, indexes, triggers and PRAGMAs, none of
//! Tillbook's pricing, posting or checks). Prints a Markdown section for docs/benchmarks.md
//! (`cargo xtask bench` writes it there).

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::seed;
use tillbook_till::demo::{create_demo_till, demo_login, money};
use tillbook_till::{Session, Till};

mod common;
use common::{bare_baseline, percentile, percentile_of, rows_of_last_sale, sale_request};

const TIMED_SALES: usize = 2_000;
const STORE_SALES: usize = 10_000;

/// Records `count` sales, timing each one.
fn timed(
    till: &mut Till,
    cashier: &Session,
    products: &[tillbook_core::ids::ProductId],
    count: usize,
) -> (Vec<Duration>, Duration) {
    let mut each = Vec::with_capacity(count);
    let started = Instant::now();
    for n in 0..count {
        let request = sale_request(n, products);
        let t0 = Instant::now();
        till.record_sale(cashier, &request).expect("the benchmark sale records");
        each.push(t0.elapsed());
    }
    (each, started.elapsed())
}

fn row(label: &str, mut each: Vec<Duration>, total: Duration) -> String {
    each.sort();
    let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
    let rate = u128::try_from(each.len()).expect("a small count") * 1_000_000 / total.as_micros().max(1);
    format!(
        "| {label} | {} | {} | {} | {} | {} | {rate} |",
        each.len(),
        ms(percentile(&each, 50)),
        ms(percentile(&each, 90)),
        ms(percentile(&each, 99)),
        ms(*each.last().expect("timed at least one sale")),
    )
}

/// The settings the store actually ran under, read back rather than assumed, and the file
/// system its file is on.
fn settings(path: &Path) -> String {
    let store = Connection::open(path).expect("the bench store");
    let mode: String = store.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("journal_mode");
    let synchronous: i64 = store.query_row("PRAGMA synchronous", [], |r| r.get(0)).expect("synchronous");
    let synchronous = match synchronous {
        0 => "OFF",
        1 => "NORMAL",
        2 => "FULL",
        _ => "EXTRA",
    };
    let filesystem = std::process::Command::new("stat")
        .args(["-f", "-c", "%T"])
        .arg(path)
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|fs| !fs.is_empty())
        .unwrap_or_else(|| "unknown".into());
    format!("journal_mode={mode}, synchronous={synchronous}, on a {filesystem} file system")
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("{cpu}, {cores} cores, {} {}", std::env::consts::OS, std::env::consts::ARCH)
}

fn main() {
    let folder = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("record-sale-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("bench folder");
    let mut till = create_demo_till(&folder.join("till.sqlite"), "B1", &[BusinessKind::Retail]).expect("demo till");
    let cashier = demo_login(&till, Role::Cashier).expect("login");
    till.open_shift(&cashier, money("0")).expect("shift");
    // Stocked retail products: every line writes a stock movement and cost-of-sales lines too.
    let products: Vec<_> = seed::demo()
        .products
        .into_iter()
        .filter(|p| p.business_id == cashier.business_id && p.stock.is_some())
        .map(|p| p.id)
        .collect();

    timed(&mut till, &cashier, &products, 50); // warm the page cache and statement caches
    let (empty_each, empty_total) = timed(&mut till, &cashier, &products, TIMED_SALES);
    // The floor, on a store of its own set up the same way: the last sale's rows written again.
    let sale = rows_of_last_sale(&folder.join("till.sqlite"));
    let written = sale.rows();
    let bare_path = folder.join("bare.sqlite");
    drop(create_demo_till(&bare_path, "B2", &[BusinessKind::Retail]).expect("the baseline's store"));
    bare_baseline(&bare_path, &sale, 50);
    let (bare_each, bare_total) = bare_baseline(&bare_path, &sale, TIMED_SALES);
    let ratio = percentile_of(&empty_each, 50).as_secs_f64() / percentile_of(&bare_each, 50).as_secs_f64().max(1e-9);
    let already = 50 + TIMED_SALES;
    timed(&mut till, &cashier, &products, STORE_SALES - already);
    let (full_each, full_total) = timed(&mut till, &cashier, &products, TIMED_SALES);
    let events = till.outbox_counts().expect("counts").pending;
    let ran_under = settings(&folder.join("till.sqlite"));
    drop(till);
    std::fs::remove_dir_all(&folder).expect("clean up");

    println!("Recording one 3-line retail sale (stocked items, cash with change) through `Till::record_sale`:");
    println!("one IMMEDIATE transaction writing the sale, its lines, tender, stock movements, a 6-line");
    println!("provisional journal entry and an outbox event, on a file in `target/` ({ran_under}).");
    println!("Each sale is timed on its own.\n");
    println!("| store | sales timed | median ms | p90 ms | p99 ms | max ms | sales/s |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!("{}", row("fresh (after 50 warm-up sales)", empty_each, empty_total));
    println!("{}", row(&format!("holding {STORE_SALES} sales"), full_each, full_total));
    println!("{}", row(&format!("bare rusqlite: the same {written} rows and 2 counters"), bare_each, bare_total));
    println!(
        "\n`record_sale` on the fresh store takes {ratio:.2}× the bare transaction's median (target: at most 1.5×)."
    );
    println!(
        "\n{events} events were in the outbox at the end. Target: p99 under 5 ms, no slow-down as the store grows."
    );
    println!(
        "Machine: {}. Command: `cargo xtask bench` (runs `cargo bench -p tillbook-till --bench record_sale`).",
        machine()
    );
}
