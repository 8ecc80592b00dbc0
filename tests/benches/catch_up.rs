//! Catch-up after a long outage (issues "Background sync" and "Year seven at full speed"): three
//! tills record three days of work offline (about 5,000 events in all); the server starts and
//! the tills' real sync loops send everything. Two runs in one invocation:
//!
//! - **the defaults a shop runs** (`SyncConfig::default()`): the outage lasts long enough for
//!   every till to back off to its longest wait, so the time from the server's start to each
//!   till's first push is the wait a shop sees, against the worst case the back-off allows;
//! - **tills that try again every 100–200 ms**, so the time from the server's start is the
//!   sending itself: what 5,000 events cost once the first push is through.
//!
//! Run by `cargo xtask bench catch_up`.

use std::time::{Duration, Instant};

use tillbook_e2e::{Central, Scratch, TestTill, run, wait_until};
use tillbook_till::sync::SyncConfig;

const EVENTS_PER_TILL: usize = 1_667;

/// What one run measured.
struct CatchUp {
    events: i64,
    /// From the server's start to each till's first event acknowledged.
    first_push: Vec<Duration>,
    /// From the server's start to the last event posted.
    all: Duration,
    entries: i64,
    settings: String,
}

/// Records the work offline, lets the tills fail for `outage` with `config`, starts the server
/// and times the catch-up.
async fn catch_up(config: SyncConfig, outage: Duration) -> CatchUp {
    let scratch = Scratch::new();
    let mut central = Central::new().await;
    central.start().await;
    let mut tills = Vec::new();
    for (name, business) in [("water", "WATER"), ("laundry", "LAUNDRY"), ("retail", "RETAIL")] {
        tills.push(central.enrol(&scratch.0, name, business).await);
    }
    central.stop().await;
    tills[2].receive_stock(10_000);
    for till in &mut tills {
        while (till.events() as usize) < EVENTS_PER_TILL {
            let i = till.events() as usize;
            till.work(i, 1 + (i % 3) as i64);
        }
    }
    let events: i64 = tills.iter().map(TestTill::events).sum();
    let entries: i64 = tills.iter().map(TestTill::entries).sum();
    for till in &mut tills {
        till.start_sync(config.clone());
    }
    wait_until(Duration::from_secs(10), "the tills see the outage", || async {
        tills.iter().all(|till| till.status().online == Some(false))
    })
    .await;
    // The outage goes on while the tills back off (a closed shop records nothing to wake them).
    tokio::time::sleep(outage).await;
    let started = Instant::now();
    central.start().await;
    let pending_at_start: Vec<i64> = tills.iter().map(TestTill::pending).collect();
    let mut first_push = vec![None; tills.len()];
    let bound = config.backoff_max * 2 + Duration::from_secs(120);
    while first_push.iter().any(Option::is_none) || tills.iter().any(|till| till.pending() > 0) {
        assert!(started.elapsed() < bound, "the tills did not catch up within {bound:?}");
        for (index, till) in tills.iter().enumerate() {
            if first_push[index].is_none() && till.pending() < pending_at_start[index] {
                first_push[index] = Some(started.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let all = started.elapsed();
    let report = central.verify_clean().await;
    assert_eq!(report.entries as i64, entries);
    let settings = settings(&central.owner).await;
    central.stop().await;
    let first_push = first_push.into_iter().map(Option::unwrap_or_default).collect();
    CatchUp { events, first_push, all, entries: report.entries, settings }
}

fn main() {
    run(async {
        let defaults = SyncConfig::default();
        let outage = Duration::from_secs(75);
        let real = catch_up(defaults.clone(), outage).await;
        let fast = SyncConfig {
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_millis(200),
            push_delay: Duration::from_millis(10),
            ..tillbook_e2e::fast_sync()
        };
        let sending = catch_up(fast, Duration::ZERO).await;
        let settings = &real.settings;

        let worst = defaults.backoff_max * 2;
        let seconds = |d: Duration| format!("{:.2} s", d.as_secs_f64());
        let waits: Vec<String> = real.first_push.iter().copied().map(seconds).collect();
        println!("Three tills (water, laundry, retail) record {} events with the server down; the server", real.events);
        println!(
            "starts and the tills' own sync loops push in batches of {} (release build, {settings}).",
            defaults.batch_size
        );
        println!();
        println!("| run | first push after the server's start (water, laundry, retail) | last event posted |");
        println!("| --- | --- | --- |");
        println!(
            "| the defaults a shop runs: back-off {}–{} s with jitter, push delay {} s; a {} s outage first | {} | {} |",
            defaults.backoff_min.as_secs(),
            defaults.backoff_max.as_secs(),
            defaults.push_delay.as_secs(),
            outage.as_secs(),
            waits.join(", "),
            seconds(real.all)
        );
        println!(
            "| tills trying every 100–200 ms: the sending itself | {} | **{}** ({:.0} events/s) |",
            sending.first_push.iter().copied().map(seconds).collect::<Vec<_>>().join(", "),
            seconds(sending.all),
            sending.events as f64 / sending.all.as_secs_f64()
        );
        println!();
        println!(
            "**Worst case:** a till that has backed off to its longest wait tries again at most {} s after its",
            worst.as_secs()
        );
        println!(
            "last try ({} s, plus up to as much again of jitter), so it is back at most {} s after head office; a sale",
            defaults.backoff_max.as_secs(),
            worst.as_secs()
        );
        println!(
            "recorded meanwhile wakes it sooner (after the {} s push delay). Once its first push is through, the",
            defaults.push_delay.as_secs()
        );
        println!("sending itself is the second row: target under 2 s for 5,000 events. `verify` was clean after both");
        println!("runs ({} and {} entries).", real.entries, sending.entries);
        println!(
            "Machine: {} cores, {} {}. Command: `cargo xtask bench catch_up` (runs `cargo bench -p tillbook-e2e --bench catch_up`).",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            std::env::consts::OS,
            std::env::consts::ARCH
        );
    });
}

/// The cluster's durability settings, read back rather than assumed.
async fn settings(owner: &sqlx::PgPool) -> String {
    let mut shown = Vec::new();
    for name in ["fsync", "synchronous_commit", "full_page_writes"] {
        let (value,): (String,) =
            sqlx::query_as("SELECT current_setting($1)").bind(name).fetch_one(owner).await.unwrap();
        shown.push(format!("`{name}={value}`"));
    }
    format!("Postgres with {}", shown.join(", "))
}
