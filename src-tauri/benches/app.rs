//! The counter app as a cashier feels it, measured through the real window under Xvfb:
//! cold start to the PIN screen, memory of the running app (its own process and the WebKit
//! processes that draw it), and the time from pressing "pay" to the receipt on screen. Each is
//! set against the target of the counter-app issue in the same run. Prints a Markdown section
//! for docs/benchmarks.md (`cargo xtask bench` writes it there).

use std::time::Duration;

// The end-to-end tests' driver; not all of its helpers are needed here.
#[allow(dead_code)]
#[path = "../tests/it/driver.rs"]
mod driver;

use driver::Driver;

const STARTS: usize = 5;
const SALES: usize = 50;

/// The app's processes: every descendant of tauri-driver but WebKitWebDriver itself.
fn app_processes(root: u32) -> Vec<(u32, String)> {
    let mut children: Vec<(u32, u32, String)> = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
        let Some((head, tail)) = stat.rsplit_once(')') else { continue };
        let name = head.split_once('(').map(|(_, name)| name.to_string()).unwrap_or_default();
        let Some(ppid) = tail.split_whitespace().nth(1).and_then(|p| p.parse().ok()) else { continue };
        children.push((pid, ppid, name));
    }
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for (pid, ppid, name) in &children {
            if *ppid == parent {
                frontier.push(*pid);
                if name != "WebKitWebDriver" {
                    found.push((*pid, name.clone()));
                }
            }
        }
    }
    found
}

/// A field of /proc/PID/status or smaps_rollup, in KiB.
fn kib(path: &str, field: &str) -> u64 {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

fn ms(duration: Duration) -> String {
    format!("{:.0}", duration.as_secs_f64() * 1000.0)
}

async fn log_in_and_open_drawer(app: &Driver) {
    app.log_in("Achieng", "1357").await;
    app.fill("[data-testid=float]", "1000").await;
    app.click("[data-testid=open-shift]").await;
}

/// Presses "pay" from inside the page and reports when the receipt is in the DOM: the time a
/// cashier waits, without WebDriver's own round trips.
const PAY_TO_RECEIPT: &str = r#"
    const done = arguments[arguments.length - 1];
    const start = performance.now();
    const seen = () => document.querySelector('[data-testid=receipt]') !== null;
    const observer = new MutationObserver(() => {
        if (seen()) { observer.disconnect(); done(performance.now() - start); }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    document.querySelector('[data-testid=pay]').click();
"#;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // Cold start: a new store, display and app each time; the clock runs from the session
    // request that launches the app to the staff buttons of the PIN screen.
    let mut starts = Vec::with_capacity(STARTS);
    for run in 0..STARTS {
        let app = Driver::start_demo(&format!("bench-start-{run}")).await;
        app.find("[data-testid=staff]").await;
        starts.push(app.launched_at.elapsed());
        app.client.clone().close().await.unwrap();
    }
    starts.sort();

    // Pay to receipt, then memory after those sales.
    let app = Driver::start_demo("bench-pay").await;
    log_in_and_open_drawer(&app).await;
    let mut pays = Vec::with_capacity(SALES);
    for _ in 0..SALES {
        app.click_xpath("//button[@data-testid='product'][contains(., 'Refill 20 L')]").await;
        app.wait_text("[data-testid=total]", "KES 70.00").await;
        let waited = app.client.execute_async(PAY_TO_RECEIPT, vec![]).await.expect("the receipt appears");
        let waited = waited.as_f64().expect("a duration in milliseconds");
        pays.push(Duration::from_secs_f64(waited / 1000.0));
        app.click("[data-testid=next-sale]").await;
    }
    pays.sort();
    assert_eq!(app.count("SELECT count(*) FROM sale"), i64::try_from(SALES).unwrap(), "every timed sale was recorded");

    let processes = app_processes(app.driver_pid());
    let mut rows = Vec::new();
    let (mut total_rss, mut total_pss) = (0, 0);
    for (pid, name) in &processes {
        let rss = kib(&format!("/proc/{pid}/status"), "VmRSS:");
        let pss = kib(&format!("/proc/{pid}/smaps_rollup"), "Pss:");
        total_rss += rss;
        total_pss += pss;
        rows.push(format!("| {name} | {} | {} |", rss / 1024, pss / 1024));
    }
    app.client.clone().close().await.unwrap();

    let pay_p50 = pays[pays.len() / 2];
    let pay_p95 = pays[pays.len() * 95 / 100];
    let start_median = starts[starts.len() / 2];
    let verdict = |ok: bool| if ok { "met" } else { "**not met**" };
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("Command: `cargo xtask bench app` (runs `cargo bench -p tillbook-app --bench app`): release build,");
    println!("Xvfb 1280×1024, WebKitGTK through tauri-driver, a fresh demo store for each start.");
    println!("Machine: {cores} cores, {} {}.", std::env::consts::OS, std::env::consts::ARCH);
    println!();
    println!("| measure | result | target | |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| cold start to the PIN screen, median of {STARTS} (min {} ms, max {} ms) | {} ms | under 2,000 ms | {} |",
        ms(starts[0]),
        ms(starts[starts.len() - 1]),
        ms(start_median),
        verdict(start_median < Duration::from_secs(2))
    );
    println!(
        "| memory after {SALES} sales: proportional set size of the app and its WebKit processes | {} MB | under 250 MB | {} |",
        total_pss / 1024,
        verdict(total_pss / 1024 < 250)
    );
    println!(
        "| \"pay\" pressed to the receipt shown, median of {SALES} (p95 {:.1} ms) | {:.1} ms | under 100 ms | {} |",
        pay_p95.as_secs_f64() * 1000.0,
        pay_p50.as_secs_f64() * 1000.0,
        verdict(pay_p95 < Duration::from_millis(100))
    );
    println!();
    println!(
        "Memory by process (RSS counts shared libraries once per process, so it over-counts; PSS shares them out):"
    );
    println!();
    println!("| process | RSS MB | PSS MB |");
    println!("| --- | --- | --- |");
    for row in rows {
        println!("{row}");
    }
    println!("| total | {} | {} |", total_rss / 1024, total_pss / 1024);
}
