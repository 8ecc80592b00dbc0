//! Draining the eTIMS queue (issue "KRA eTIMS from an offline till"): a VAT-registered retail
//! shop's till records 5,000 sales with eTIMS set up; they reach head office and are queued by
//! the merge; then the worker transmits them all, in order, to the OSCU simulator
//! (`tests/src/oscu.rs`) on loopback, once answering at once and once taking 20 ms to answer each
//! call, as a slow link to KRA would. Run by `cargo xtask bench etims_drain`.

use std::time::{Duration, Instant};

use tillbook_e2e::oscu::{Behaviour, Oscu};
use tillbook_e2e::{Central, Scratch, fast_sync, run, wait_until};
use tillbook_server::etims::{KeyStore, oscu, worker};

const SALES: usize = 5_000;

/// Queues `SALES` sales, then times the worker until nothing waits: (time, invoices).
async fn drain(answer_delay: Duration) -> (Duration, i64) {
    let scratch = Scratch::new();
    let mut central = Central::new().await;
    central.start().await;
    let mut oscu = Oscu::new().await;
    let keys = KeyStore::new(scratch.0.join("keys"));
    oscu.set_up(&central.owner, "RETAIL", "P051234567X", &keys).await;

    let mut till = central.enrol(&scratch.0, "retail", "RETAIL").await;
    till.receive_stock(100_000);
    for i in 0..SALES {
        till.sell(i, 1 + (i % 3) as i64);
    }
    till.start_sync(fast_sync());
    wait_until(Duration::from_secs(300), "the sales reach head office", || async { till.pending() == 0 }).await;
    let queued: i64 = central.scalar_i64("SELECT count(*) FROM etims_invoice").await;
    assert_eq!(queued as usize, SALES, "every sale queued");

    oscu.behave(Behaviour { answer_delay, ..Behaviour::default() });
    let pace = worker::Pace { poll: Duration::from_millis(10), ..worker::Pace::default() };
    let client = oscu::Client::new();
    let started = Instant::now();
    loop {
        worker::round(&central.owner, &keys, &client, &pace).await.unwrap();
        let waiting = central.scalar_i64("SELECT count(*) FROM etims_invoice WHERE state <> 'signed'").await;
        if waiting == 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(900), "the queue did not drain");
    }
    let elapsed = started.elapsed();
    let sales = oscu.sales();
    assert_eq!(sales.len(), SALES, "each sale at KRA once");
    assert!(sales.windows(2).all(|pair| pair[0].invoice + 1 == pair[1].invoice), "in order");
    oscu.stop().await;
    central.stop().await;
    (elapsed, queued)
}

fn main() {
    run(async {
        let (at_once, invoices) = drain(Duration::ZERO).await;
        let (slow, _) = drain(Duration::from_millis(20)).await;
        let rate = |time: Duration| invoices as f64 / time.as_secs_f64();
        println!("{invoices} sales of one VAT-registered shop, queued by the merge, transmitted by the eTIMS worker");
        println!("to the OSCU simulator on loopback, one call at a time in invoice order (release build,");
        println!("real Postgres); each invoice's payload built, kept, sent and its answer saved.");
        println!();
        println!("| KRA answers | drain time | invoices/s |");
        println!("| --- | --- | --- |");
        println!("| at once | {:.1} s | {:.0} |", at_once.as_secs_f64(), rate(at_once));
        println!("| after 20 ms | {:.1} s | {:.0} |", slow.as_secs_f64(), rate(slow));
        println!();
        println!("Invoices of one business go one after the other, in order, so the drain is bound by KRA's");
        println!("time to answer: at 300 ms a call a day's 500 sales take about 2.5 minutes, and a backlog of");
        println!("5,000 about 25 minutes. Businesses drain side by side, each its own task (`worker::round`).");
        println!(
            "Machine: {} cores, {} {}. Command: `cargo xtask bench etims_drain` (runs `cargo bench -p tillbook-e2e --bench etims_drain`).",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            std::env::consts::OS,
            std::env::consts::ARCH
        );
    });
}
