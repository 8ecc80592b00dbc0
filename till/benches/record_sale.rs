//! Recording a 3-line sale with `synchronous=FULL`: per-sale latency (median, p99) and sales per
//! second on an empty store and on one that already holds 10,000 sales, in the same run, so the
//! two can be compared. Prints a Markdown section for docs/benchmarks.md
//! (`cargo xtask bench` writes it there).

use std::time::{Duration, Instant};

use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::seed;
use tillbook_till::demo::{cash, create_demo_till, demo_login, money, quantity};
use tillbook_till::{SaleLineRequest, SaleRequest, Session, Till};

const TIMED_SALES: usize = 2_000;
const STORE_SALES: usize = 10_000;

fn sale_request(n: usize, products: &[tillbook_core::ids::ProductId]) -> SaleRequest {
    SaleRequest {
        lines: (0..3)
            .map(|k| SaleLineRequest {
                product_id: products[(n + k) % products.len()],
                quantity: quantity("2"),
                discount: money("0"),
            })
            .collect(),
        tenders: vec![cash("2000")],
    }
}

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

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
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
    let already = 50 + TIMED_SALES;
    timed(&mut till, &cashier, &products, STORE_SALES - already);
    let (full_each, full_total) = timed(&mut till, &cashier, &products, TIMED_SALES);
    let events = till.outbox_counts().expect("counts").pending;
    drop(till);
    std::fs::remove_dir_all(&folder).expect("clean up");

    println!("Recording one 3-line retail sale (stocked items, cash with change) through `Till::record_sale`:");
    println!("one IMMEDIATE transaction writing the sale, its lines, tender, stock movements, a 6-line");
    println!("provisional journal entry and an outbox event, committed with `synchronous=FULL` in WAL mode");
    println!("on a file in `target/`. Each sale is timed on its own.\n");
    println!("| store | sales timed | median ms | p90 ms | p99 ms | max ms | sales/s |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!("{}", row("fresh (after 50 warm-up sales)", empty_each, empty_total));
    println!("{}", row(&format!("holding {STORE_SALES} sales"), full_each, full_total));
    println!(
        "\n{events} events were in the outbox at the end. Target: p99 under 5 ms, no slow-down as the store grows."
    );
    println!(
        "Machine: {}. Command: `cargo xtask bench` (runs `cargo bench -p tillbook-till --bench record_sale`).",
        machine()
    );
}
