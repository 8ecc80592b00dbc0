//! Catch-up after a long outage (issue "Background sync"): three tills record three days of
//! work offline (about 5,000 events in all); the time from the server's start to the last event
//! posted, with the tills' real sync loops. Run by `cargo xtask bench`.

use std::time::{Duration, Instant};

use tillbook_e2e::{Central, Scratch, TestTill, run, wait_until};

const EVENTS_PER_TILL: usize = 1_667;

fn main() {
    run(async {
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
        let config = tillbook_till::sync::SyncConfig {
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_millis(200),
            push_delay: Duration::from_millis(10),
            ..tillbook_e2e::fast_sync()
        };
        for till in &mut tills {
            till.start_sync(config.clone());
        }
        // Let every till find the server down first, as after a real outage.
        wait_until(Duration::from_secs(10), "the tills see the outage", || async {
            tills.iter().all(|till| till.status().online == Some(false))
        })
        .await;
        let started = Instant::now();
        central.start().await;
        for till in &tills {
            wait_until(Duration::from_secs(300), "caught up", || async { till.pending() == 0 }).await;
        }
        let elapsed = started.elapsed();
        let report = central.verify_clean().await;
        assert_eq!(report.entries as i64, entries);
        println!("Three tills (water, laundry, retail) record {events} events with the server down; the server");
        println!("starts and the tills' own sync loops push in batches of 500 (release build, real");
        println!("Postgres with default settings, fsync on). Time from the server's start to the last event posted:");
        println!();
        println!("| measure | value |");
        println!("| --- | --- |");
        println!("| events caught up | {events} |");
        println!(
            "| **catch-up time** | **{:.2} s** ({:.0} events/s) |",
            elapsed.as_secs_f64(),
            events as f64 / elapsed.as_secs_f64()
        );
        println!();
        println!("Target: under 5 s. `verify` was clean afterwards ({} entries).", report.entries);
        println!(
            "Machine: {} cores, {} {}. Command: `cargo xtask bench` (runs `cargo bench -p tillbook-e2e --bench catch_up`).",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        central.stop().await;
    });
}
