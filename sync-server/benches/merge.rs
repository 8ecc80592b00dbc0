//! Merge throughput (issue "Sync server"): batches of 500 sale events of 3–4 lines each pushed
//! over HTTP to the real `tillbook-server` process, next to a `COPY` of the same journal lines
//! as plain rows in the same run (the baseline), a `COPY` of as many plain rows as the
//! merge wrote in all its tables (how much of the gap is the number of rows a sale writes), the
//! floor — a binary `COPY` of exactly the rows the merge wrote into tables of the same shape, on
//! as many connections as tills pushed — and the server's memory under that load. The cluster's
//! settings are read back and printed, not assumed.
//!
//! The same run follows on a database that first received seven years of history from the
//! generator of `cargo xtask history` (issue "Year seven at full speed": the merge's checks probe
//! indexes that grow with the ledger), and there a new till's first pull is timed as well.
//! `TILLBOOK_HISTORY_YEARS` makes a smaller history for a quick look.
//!
//! Run by `cargo xtask bench` (which starts a Postgres cluster with default durability settings
//! and writes the table into `docs/benchmarks.md`), or with `DATABASE_URL` set.

use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPool};
use tillbook_core::chart::BusinessKind;
use tillbook_core::ids::CustomerId;
use tillbook_core::money::Money;
use tillbook_core::protocol::{
    BusinessChange, CustomerChange, EnrollRequest, EnrollResponse, ProductChange, PushRequest,
};
use tillbook_core::seed::{MasterData, MemoryLookup};
use tillbook_server::audit::OPERATOR;
use tillbook_server::{admin, changes, db, maintenance, setup};

const HISTORY: &str = include_str!("../../xtask/history.sql");

#[path = "../tests/it/fixtures.rs"]
#[allow(dead_code)] // the tests use more of the fixtures than the benchmark does
mod fixtures;

const BATCH: usize = 500;
const WARM_UP_BATCHES: usize = 2;
const TIMED_BATCHES: usize = 24;
/// Timed merges on each database, each followed by its own floor: the tables show the round
/// whose merge ÷ floor is the median, as one run of this machine varies by a fifth or more
/// (five rounds, not three: the median of three moved by as much as the step to the target).
const MERGE_ROUNDS: usize = 5;
const TILLS: usize = 4;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the release server on the database `options` names, as its runtime role, and waits
/// until it answers: the process (killed when dropped) and its address.
async fn start_server(options: &PgConnectOptions) -> (Server, String) {
    let name = options.get_database().expect("a database name");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    db::runtime_login(options).await.unwrap();
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_tillbook-server"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", db::runtime_url(options, name))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base_url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let started = Instant::now();
    while http.get(format!("{base_url}/api/v1/health")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (server, base_url)
}

/// Pushes a till's serialised batch and insists on a 200.
#[derive(Clone)]
struct Pusher {
    http: reqwest::Client,
    url: String,
}

impl Pusher {
    fn new(http: &reqwest::Client, base_url: &str) -> Pusher {
        Pusher { http: http.clone(), url: format!("{base_url}/api/v1/sync/push") }
    }

    async fn push(&self, token: String, body: Vec<u8>) {
        let response = self
            .http
            .post(&self.url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }
}

fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// What one run of the merge measured.
struct Measured {
    events: usize,
    timed_lines: usize,
    timed_rows: usize,
    merge_time: Duration,
    peak_kib: u64,
    copy_time: Duration,
    copy_all_time: Duration,
    floor: Vec<(&'static str, u64, Duration)>,
    /// Merge ÷ floor in each round, in the order they ran (the fields above are the median's).
    ratios: Vec<f64>,
    /// Each round's merge time, in the order they ran.
    merge_times: Vec<Duration>,
    /// The WAL each round's merge wrote, and the full-page images in it, in the order they ran.
    wal: Vec<Wal>,
    settings: String,
    entries: i64,
    lines: i64,
    /// The history written first: (years, time to write it).
    history: Option<(u32, Duration)>,
    first_pull: Option<FirstPull>,
}

/// What a timed merge wrote to the WAL: a page's first change after a checkpoint starts writes
/// the whole page, so a checkpoint landing on a round shows here (docs/benchmarks.md).
struct Wal {
    bytes: i64,
    full_pages: i64,
}

impl Wal {
    /// The cluster's WAL position and full-page images so far. Backends report the images
    /// within a second or so of their transaction, so a round's count is close, not exact.
    async fn now(owner: &PgPool) -> Wal {
        let (bytes, full_pages): (i64, i64) = sqlx::query_as(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, (SELECT wal_fpi FROM pg_stat_wal)",
        )
        .fetch_one(owner)
        .await
        .unwrap();
        Wal { bytes, full_pages }
    }

    fn since(&self, before: &Wal) -> Wal {
        Wal { bytes: self.bytes - before.bytes, full_pages: self.full_pages - before.full_pages }
    }
}

/// One timed merge of [`TIMED_BATCHES`] and the floors timed right after it.
struct Round {
    timed_lines: usize,
    timed_rows: usize,
    merge_time: Duration,
    copy_time: Duration,
    copy_all_time: Duration,
    floor: Vec<(&'static str, u64, Duration)>,
}

impl Round {
    fn ratio(&self) -> f64 {
        let floor: Duration = self.floor.iter().map(|(_, _, time)| *time).sum();
        self.merge_time.as_secs_f64() / floor.as_secs_f64()
    }
}

impl Measured {
    fn floor_time(&self) -> Duration {
        self.floor.iter().map(|(_, _, time)| *time).sum()
    }

    fn events_per_s(&self) -> f64 {
        self.events as f64 / self.merge_time.as_secs_f64()
    }
}

/// A new till's first pull into the group: time, bytes, changes, and what the feed holds.
struct FirstPull {
    time: Duration,
    bytes: usize,
    changes: usize,
    open_jobs: usize,
    balances: usize,
    feed_rows: i64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL (cargo xtask bench starts a cluster)");
    let years: u32 = std::env::var("TILLBOOK_HISTORY_YEARS").ok().and_then(|y| y.parse().ok()).unwrap_or(7);
    let base = PgConnectOptions::from_str(&url).unwrap();
    // Both databases set up first, then their rounds taken in turn (fresh, seven years, fresh,
    // …), so that a slower minute of the machine falls on both: run one after the other, the
    // year-7 median moved from 10% faster to 44% slower than the fresh one between invocations
    // on the same code.
    let mut fresh = Bench::prepare(&base, None).await;
    let mut old = Bench::prepare(&base, Some(years)).await;
    for round in 0..MERGE_ROUNDS {
        fresh.round(round).await;
        old.round(round).await;
    }
    let fresh = fresh.finish(&base).await;
    let old = old.finish(&base).await;
    let parallel = four_businesses(&base).await;
    report(&fresh, &old, &parallel);
}

/// A database with its server, enrolled tills and their batches built, warmed up: ready for
/// [`Bench::round`]s, then [`Bench::finish`].
struct Bench {
    years: Option<u32>,
    history: Option<(u32, Duration)>,
    name: String,
    owner: PgPool,
    server: Server,
    base_url: String,
    http: reqwest::Client,
    pusher: Pusher,
    batches: Vec<(String, Vec<u8>)>,
    lines_per_batch: Vec<usize>,
    rounds: Vec<Round>,
    wal: Vec<Wal>,
}

impl Bench {
    /// Sets up a seeded database (with `years` of history written first, when given), starts the
    /// server on it, enrols the tills and builds every batch, and merges the warm-up batches.
    async fn prepare(base: &PgConnectOptions, years: Option<u32>) -> Bench {
        let (options, owner) = db::create_seeded_database(base, "tillbook_bench").await.unwrap();
        let history = match years {
            None => None,
            Some(years) => {
                let started = Instant::now();
                // The script and its setting on one connection, as `cargo xtask history` runs it.
                let mut connection = owner.acquire().await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("SET history.years = {years}")))
                    .execute(&mut *connection)
                    .await
                    .unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(HISTORY))
                    .execute(&mut *connection)
                    .await
                    .expect("the history generates");
                drop(connection);
                sqlx::query("VACUUM ANALYZE").execute(&owner).await.unwrap();
                // The history's gigabytes of WAL otherwise set off checkpoints that land in the
                // year-7 runs and not the fresh ones (a quarter slower in one run of this benchmark):
                // a seven-year ledger was not written a moment ago.
                sqlx::query("CHECKPOINT").execute(&owner).await.unwrap();
                Some((years, started.elapsed()))
            }
        };
        let name = options.get_database().expect("a database name").to_string();
        let (server, base_url) = start_server(&options).await;
        let http = reqwest::Client::new();

        // Tills and their batches, built and serialised before any timing.
        let mut tills = Vec::new();
        for index in 0..TILLS {
            let kind = if index % 2 == 0 { BusinessKind::Retail } else { BusinessKind::Water };
            let (device, token) =
                enrol(&owner, &http, &base_url, if index % 2 == 0 { "RETAIL" } else { "WATER" }).await;
            tills.push((fixtures::TillEvents::new(device, kind), token));
        }
        let pusher = Pusher::new(&http, &base_url);
        // Opening stock, as a shop has: otherwise every sale would take stock below zero and be
        // flagged, which measures the owner's exception list rather than a day's trade.
        for (till, token) in &mut tills {
            let receipt = till.stock_receipt(1_000_000);
            let body = serde_json::to_vec(&PushRequest { protocol: 1, device_id: till.device, events: vec![receipt] })
                .unwrap();
            pusher.push(token.clone(), body).await;
        }
        let customers: Vec<_> = tillbook_core::seed::demo().customers.into_iter().map(|c| c.id).collect();
        let mut batches = Vec::new();
        let mut lines_per_batch = Vec::new();
        for number in 0..WARM_UP_BATCHES + MERGE_ROUNDS * TIMED_BATCHES {
            let (till, token) = &mut tills[number % TILLS];
            let events: Vec<_> = (0..BATCH)
                .map(|i| day_mix_event(till, i, || format!("QB{number:04}{i:04}"), customers[i % customers.len()]))
                .collect();
            lines_per_batch.push(events.iter().map(|event| event.journal.as_ref().unwrap().lines.len()).sum::<usize>());
            let body = serde_json::to_vec(&PushRequest { protocol: 1, device_id: till.device, events }).unwrap();
            batches.push((token.clone(), body));
        }

        for (token, body) in batches.drain(..WARM_UP_BATCHES) {
            pusher.push(token, body).await;
        }
        sqlx::query("ANALYZE").execute(&owner).await.unwrap();
        Bench {
            years,
            history,
            name,
            owner,
            server,
            base_url,
            http,
            pusher,
            batches,
            lines_per_batch,
            rounds: Vec::with_capacity(MERGE_ROUNDS),
            wal: Vec::with_capacity(MERGE_ROUNDS),
        }
    }

    /// Times the merge of the next [`TIMED_BATCHES`], then its floors.
    async fn round(&mut self, round: usize) {
        let (owner, pusher) = (self.owner.clone(), self.pusher.clone());
        let timed_lines: usize =
            self.lines_per_batch[WARM_UP_BATCHES + round * TIMED_BATCHES..][..TIMED_BATCHES].iter().sum();
        let rows_before = rows_written(&owner).await;
        let (first_timed_xid,): (i64,) =
            sqlx::query_as("SELECT pg_current_xact_id()::text::bigint % 4294967296").fetch_one(&owner).await.unwrap();
        let wal_before = Wal::now(&owner).await;
        let started = Instant::now();
        // One client per till, as tills push: each till's batches in order, tills side by side.
        let mut per_till: Vec<Vec<(String, Vec<u8>)>> = vec![Vec::new(); TILLS];
        for (index, batch) in self.batches.drain(..TIMED_BATCHES).enumerate() {
            per_till[index % TILLS].push(batch);
        }
        let tasks: Vec<_> = per_till
            .into_iter()
            .map(|batches| {
                let pusher = pusher.clone();
                tokio::spawn(async move {
                    for (token, body) in batches {
                        pusher.push(token, body).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let merge_time = started.elapsed();
        self.wal.push(Wal::now(&owner).await.since(&wal_before));
        let timed_rows = (rows_written(&owner).await - rows_before) as usize;
        let copy_time = copy_baseline(&owner, &format!("copy_lines_{round}"), timed_lines).await;
        let copy_all_time = copy_baseline(&owner, &format!("copy_all_rows_{round}"), timed_rows).await;
        let floor = copy_into_ledger_shaped_tables(&owner, first_timed_xid, round).await;
        let floor_rows: u64 = floor.iter().map(|(_, rows, _)| rows).sum();
        assert_eq!(floor_rows as usize, timed_rows, "the floor copies exactly the rows the timed merge wrote");
        self.rounds.push(Round { timed_lines, timed_rows, merge_time, copy_time, copy_all_time, floor });
    }

    /// The median round, `verify`, the first pull (on the history), and the database dropped.
    async fn finish(self, base: &PgConnectOptions) -> Measured {
        let Bench { years, history, name, owner, server, base_url, http, mut rounds, wal, .. } = self;
        let peak_kib = memory_kib(server.0.id(), "VmHWM:");
        let events = TIMED_BATCHES * BATCH;
        let report = tillbook_server::verify::verify(&owner).await.unwrap();
        assert!(report.is_clean(), "{report:?}");
        let settings = settings(&owner).await;
        let ratios: Vec<f64> = rounds.iter().map(Round::ratio).collect();
        let merge_times: Vec<Duration> = rounds.iter().map(|round| round.merge_time).collect();
        rounds.sort_by(|a, b| a.ratio().total_cmp(&b.ratio()));
        let Round { timed_lines, timed_rows, merge_time, copy_time, copy_all_time, floor } =
            rounds.swap_remove(MERGE_ROUNDS / 2);
        let first_pull = match years {
            Some(_) => Some(first_pull(&owner, &http, &base_url).await),
            None => None,
        };
        let (entries, lines) = (report.entries, report.lines);
        drop(server);
        owner.close().await;
        let admin_pool = db::connect_owner(base.clone()).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}"))).execute(&admin_pool).await.unwrap();
        Measured {
            events,
            timed_lines,
            timed_rows,
            merge_time,
            peak_kib,
            copy_time,
            copy_all_time,
            floor,
            ratios,
            merge_times,
            wal,
            settings,
            entries,
            lines,
            history,
            first_pull,
        }
    }
}

/// The fresh run in detail, then the run on top of the history beside it.
fn report(m: &Measured, old: &Measured, parallel: &Parallel) {
    let (events, timed_lines, timed_rows) = (m.events, m.timed_lines, m.timed_rows);
    let floor_rows: u64 = m.floor.iter().map(|(_, rows, _)| rows).sum();
    let floor_time = m.floor_time();
    let merge_lines_per_s = timed_lines as f64 / m.merge_time.as_secs_f64();
    let copy_lines_per_s = timed_lines as f64 / m.copy_time.as_secs_f64();
    println!("Pushes over HTTP on loopback to the real `tillbook-server` (release build), each batch merged");
    println!("in one transaction: inbox, validation, journal entries and lines with their balance checks,");
    println!("`account_balance` and day totals, sales, sale lines, tenders, stock movements and levels, VAT lines,");
    println!("invoices, change feed.");
    println!("{}, after a stock receipt per till, {WARM_UP_BATCHES} warm-up batches and `ANALYZE`.", m.settings);
    println!();
    println!("| measure | value |");
    println!("| --- | --- |");
    println!(
        "| events merged (timed) | {events} sales in {TIMED_BATCHES} batches of {BATCH} (1 in 4 by M-Pesa, 1 in 8 on account), {TILLS} tills pushing at once |"
    );
    println!("| journal lines merged (timed) | {timed_lines} |");
    println!("| merge time | {:.2} s |", m.merge_time.as_secs_f64());
    println!("| **merge throughput** | **{:.0} events/s, {:.0} lines/s** |", m.events_per_s(), merge_lines_per_s);
    println!(
        "| `COPY` of the same {timed_lines} lines as plain rows | {:.2} s, {:.0} rows/s |",
        m.copy_time.as_secs_f64(),
        copy_lines_per_s
    );
    println!("| **merge vs `COPY`** | **{:.2}× the `COPY` time** |", copy_lines_per_s / merge_lines_per_s);
    println!(
        "| `COPY` of as many plain rows as the merge wrote in all its tables ({timed_rows}) | {:.2} s; the merge takes {:.2}× that |",
        m.copy_all_time.as_secs_f64(),
        m.merge_time.as_secs_f64() / m.copy_all_time.as_secs_f64()
    );
    println!(
        "| `COPY` of the merge's own {floor_rows} rows into copies of its {} tables with their keys, indexes and checks, on {TILLS} connections at once | {:.2} s = {:.2}× the `COPY` of the lines |",
        MERGED_TABLES.len(),
        floor_time.as_secs_f64(),
        floor_time.as_secs_f64() / m.copy_time.as_secs_f64()
    );
    println!(
        "| **merge vs that floor** | **{:.2}× the floor's time** |",
        m.merge_time.as_secs_f64() / floor_time.as_secs_f64()
    );
    println!("| server memory (peak RSS, `VmHWM`) | {:.1} MiB |", m.peak_kib as f64 / 1024.0);
    println!();
    let ratios = |run: &Measured| run.ratios.iter().map(|r| format!("{r:.2}×")).collect::<Vec<_>>().join(", ");
    println!(
        "The merge ran {MERGE_ROUNDS} times on the database, each run of {TIMED_BATCHES} batches followed by its own floor; merge ÷ floor"
    );
    println!("in each, in order: {}. The tables show the median run.", ratios(m));
    println!();
    println!("The last `COPY` is a floor for any merge that writes these rows: no HTTP, no judgement, no");
    println!("triggers or foreign keys, binary `COPY` straight into tables shaped like the ledger's, each table's");
    println!(
        "rows in {TILLS} parts copied at once on {TILLS} connections, as the merge had {TILLS} tills pushing. Per table:"
    );
    println!();
    println!("| table | rows | `COPY` into its shape |");
    println!("| --- | --- | --- |");
    for (table, rows, time) in &m.floor {
        println!("| `{table}` | {rows} | {:.3} s |", time.as_secs_f64());
    }
    println!();
    println!(
        "`verify` was clean afterwards ({} entries, {} lines). Target: the merge within 1.5× of the floor's time.",
        m.entries, m.lines
    );
    println!();
    let (years, written) = old.history.expect("the second run has its history");
    println!(
        "**At year {years}.** The same merge, in the same invocation, on a database that first received {years} years"
    );
    println!(
        "of the three demo businesses' history from `xtask/history.sql` (the generator of `cargo xtask history`; written"
    );
    println!(
        "in {:.0} s, then `VACUUM ANALYZE` and `CHECKPOINT`; `verify` clean afterwards, {} entries, {} lines):",
        written.as_secs_f64(),
        old.entries,
        old.lines
    );
    println!();
    println!(
        "| database | merge time (median run) | events/s | floor | merge ÷ floor | merge ÷ floor, each run | server peak RSS |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (label, run) in [("fresh", m), ("seven years", old)] {
        println!(
            "| {label} | {:.2} s | {:.0} | {:.2} s | {:.2}× | {} | {:.1} MiB |",
            run.merge_time.as_secs_f64(),
            run.events_per_s(),
            run.floor_time().as_secs_f64(),
            run.merge_time.as_secs_f64() / run.floor_time().as_secs_f64(),
            ratios(run),
            run.peak_kib as f64 / 1024.0
        );
    }
    println!();
    let wal = |run: &Measured| {
        let each = run.wal.iter().map(|wal| format!("{:.0} MB ({} pages)", wal.bytes as f64 / 1e6, wal.full_pages));
        each.collect::<Vec<_>>().join(", ")
    };
    println!("The WAL each round's merge wrote, in order, with the full pages in it (`pg_stat_wal`, close):");
    println!("fresh {}; seven years {}.", wal(m), wal(old));
    println!();
    // Each year-7 round against the fresh round just before it, as they were taken in turn.
    let mut paired: Vec<f64> = old
        .merge_times
        .iter()
        .zip(&m.merge_times)
        .map(|(old, fresh)| (old.as_secs_f64() / fresh.as_secs_f64() - 1.0) * 100.0)
        .collect();
    let each = paired.iter().map(|change| format!("{change:+.0}%")).collect::<Vec<_>>().join(", ");
    paired.sort_by(f64::total_cmp);
    println!(
        "The rounds were taken in turn, a fresh one then a year-{years} one. Each year-{years} merge against the fresh one"
    );
    println!(
        "just before it: {each}; median **{:+.0}%** (target: no more than +15%). Median against median: {:+.0}%.",
        paired[paired.len() / 2],
        (old.merge_time.as_secs_f64() / m.merge_time.as_secs_f64() - 1.0) * 100.0
    );
    println!();
    let times =
        |times: &[Duration]| times.iter().map(|t| format!("{:.2} s", t.as_secs_f64())).collect::<Vec<_>>().join(", ");
    println!(
        "**{SHOPS} businesses at once.** {SHOPS} retail shops set up as head office sets one up, each with its own accounts,"
    );
    println!(
        "products and a customer on account; {} events of the same mix in each run, each till pushing its batches of {BATCH}",
        parallel.events
    );
    println!("in order, {SHOP_ROUNDS} runs of each kind taken in turn on one fresh database:");
    println!();
    println!("| who pushes | times | median | events/s |");
    println!("| --- | --- | --- | --- |");
    for ((label, _, _), runs) in SHOP_RUNS.iter().zip(&parallel.times) {
        let median = Parallel::median(runs);
        println!(
            "| {label} | {} | {:.2} s | {:.0} |",
            times(runs),
            median.as_secs_f64(),
            parallel.events as f64 / median.as_secs_f64()
        );
    }
    println!();
    println!(
        "Four businesses at once are **{:.2}×** as fast as one business's single till pushing the same events alone",
        parallel.speed_up_over_one_till()
    );
    println!(
        "(target: at least 1.6×), and {:.2}× as fast as one business with as many tills pushing: a business's tills",
        parallel.speed_up()
    );
    println!("wait for each other only for its turn (its numbers, balances and stock), not to judge and write their");
    println!("sales and other new documents.");
    if let Some(pull) = &old.first_pull {
        println!();
        println!(
            "**First pull into the {years}-year group.** A laundry till enrolled after the merge asks `GET /api/v1/sync/pull` from"
        );
        println!(
            "cursor 0 until `more` is false: {:.0} ms, {:.1} KB, {} changes ({} open laundry jobs, {} customer balances),",
            pull.time.as_secs_f64() * 1000.0,
            pull.bytes as f64 / 1000.0,
            pull.changes,
            pull.open_jobs,
            pull.balances
        );
        println!(
            "against {} rows of the change feed it may see. Target: under 3 s and 5 MB. The generator writes no feed, so",
            pull.feed_rows
        );
        println!("those rows are what the timed merges published; the first pull reads the state, not the feed.");
    }
    println!();
    println!(
        "Machine: {}, {} cores, {} {}. Command: `cargo xtask bench merge` (runs `cargo bench -p tillbook-server --bench merge`).",
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
}

/// Enrols a new till of `business` over HTTP: its device id and token.
async fn enrol(
    owner: &PgPool,
    http: &reqwest::Client,
    base_url: &str,
    business: &str,
) -> (tillbook_core::ids::DeviceId, String) {
    let code = admin::create_enrollment_code(owner, business, "bench").await.unwrap();
    let device = tillbook_core::ids::DeviceId::new();
    let request = EnrollRequest {
        enrollment_code: code,
        device_id: device,
        device_name: "bench".into(),
        app_version: "bench".into(),
    };
    let answer: EnrollResponse = http
        .post(format!("{base_url}/api/v1/devices/enroll"))
        .json(&request)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (device, answer.device_token)
}

/// Enrols a laundry till into the group and times its first pull, page after page.
async fn first_pull(owner: &PgPool, http: &reqwest::Client, base_url: &str) -> FirstPull {
    let (device, token) = enrol(owner, http, base_url, "LAUNDRY").await;
    let (feed_rows,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM change_log
          WHERE (business_id IS NULL OR business_id IN (SELECT id FROM business WHERE code = 'LAUNDRY'))
            AND (device_id IS NULL OR device_id = $1)",
    )
    .bind(device.0)
    .fetch_one(owner)
    .await
    .unwrap();
    let started = Instant::now();
    let (mut cursor, mut bytes, mut changes, mut open_jobs, mut balances) = (0_u64, 0, 0, 0, 0);
    loop {
        let body = http
            .get(format!("{base_url}/api/v1/sync/pull?cursor={cursor}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        bytes += body.len();
        let page: tillbook_core::protocol::PullResponse = serde_json::from_slice(&body).unwrap();
        changes += page.changes.len();
        open_jobs += page.changes.iter().filter(|c| c.entity.as_str() == "laundry_job").count();
        balances += page.changes.iter().filter(|c| c.entity.as_str() == "customer_balance").count();
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    FirstPull { time: started.elapsed(), bytes, changes, open_jobs, balances, feed_rows }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

/// The settings the cluster actually ran under, read back rather than assumed.
async fn settings(pool: &PgPool) -> String {
    let names = ["server_version", "fsync", "synchronous_commit", "full_page_writes", "shared_buffers"];
    let mut shown = Vec::new();
    for name in names {
        let (value,): (String,) =
            sqlx::query_as("SELECT current_setting($1)").bind(name).fetch_one(pool).await.unwrap();
        shown.push(format!("`{name}={value}`"));
    }
    format!("Postgres with {}", shown.join(", "))
}

/// The rows a merge writes for sales: inbox, journal, sales with their lines, tenders, stock,
/// and the invoices of sales on account.
async fn rows_written(pool: &PgPool) -> i64 {
    let (rows,): (i64,) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM inbox) + (SELECT count(*) FROM journal_entry) + (SELECT count(*) FROM journal_line)
              + (SELECT count(*) FROM sale) + (SELECT count(*) FROM sale_line) + (SELECT count(*) FROM tender)
              + (SELECT count(*) FROM stock_movement) + (SELECT count(*) FROM invoice) + (SELECT count(*) FROM vat_line)
              + (SELECT count(*) FROM invoice_settlement) + (SELECT count(*) FROM mpesa_code_guard)
              + (SELECT count(*) FROM change_log)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    rows
}

/// The tables a merge of sales writes rows into (besides running totals it updates in place):
/// the documents and the journal, each sale's VAT line, a credit sale's invoice and its
/// settlement, each M-Pesa code's guard row, and what the tills will pull from the change feed.
const MERGED_TABLES: [&str; 12] = [
    "inbox",
    "journal_entry",
    "journal_line",
    "sale",
    "sale_line",
    "tender",
    "stock_movement",
    "invoice",
    "vat_line",
    "invoice_settlement",
    "mpesa_code_guard",
    "change_log",
];

/// Each table's rows written since transaction `first_xid`, read out in `TILLS` parts and timed
/// going back in through binary `COPY`, the parts at once on a connection each, into a copy of
/// the table with its keys, indexes, checks and defaults (`LIKE … INCLUDING ALL` leaves out
/// triggers and foreign keys): (table, rows, time).
async fn copy_into_ledger_shaped_tables(
    pool: &PgPool,
    first_xid: i64,
    round: usize,
) -> Vec<(&'static str, u64, Duration)> {
    use futures_util::TryStreamExt;
    let mut floor = Vec::new();
    for table in MERGED_TABLES {
        let select = format!("SELECT * FROM {table} WHERE xmin::text::bigint >= {first_xid}");
        let (rows,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM ({select}) t")))
            .fetch_one(pool)
            .await
            .unwrap();
        let mut parts = Vec::with_capacity(TILLS);
        for part in 0..TILLS {
            let mut connection = pool.acquire().await.unwrap();
            let data: Vec<_> = connection
                .copy_out_raw(&format!(
                    "COPY ({select} AND abs(hashtext(ctid::text)) % {TILLS} = {part}) TO STDOUT (FORMAT binary)"
                ))
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            parts.push(data);
        }
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE TABLE floor_{round}_{table} (LIKE {table} INCLUDING ALL)")))
            .execute(pool)
            .await
            .unwrap();
        let mut connections = Vec::with_capacity(TILLS);
        for _ in 0..TILLS {
            connections.push(pool.acquire().await.unwrap());
        }
        let started = Instant::now();
        let copies = connections.into_iter().zip(parts).map(|(mut connection, data)| async move {
            let mut copy = connection
                .copy_in_raw(&format!("COPY floor_{round}_{table} FROM STDIN (FORMAT binary)"))
                .await
                .unwrap();
            for chunk in data {
                copy.send(chunk).await.unwrap();
            }
            copy.finish().await.unwrap()
        });
        let copied: u64 = futures_util::future::join_all(copies).await.into_iter().sum();
        floor.push((table, copied, started.elapsed()));
        assert_eq!(copied, rows as u64, "{table}");
    }
    floor
}

/// `lines` plain rows of a journal line's columns into a new table `table`, through `COPY`.
async fn copy_baseline(pool: &PgPool, table: &str, lines: usize) -> Duration {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE {table} (entry_number BIGINT, line_no SMALLINT, business_id UUID, account_code SMALLINT,
                               debit NUMERIC(14, 2), credit NUMERIC(14, 2))"
    )))
    .execute(pool)
    .await
    .unwrap();
    let business = uuid::Uuid::now_v7();
    let mut text = String::with_capacity(lines * 80);
    for line in 0..lines {
        let debit = if line % 2 == 0 { "150.00\t0.00" } else { "0.00\t150.00" };
        text.push_str(&format!("{}\t{}\t{business}\t1130\t{debit}\n", line / 4 + 1, line % 4));
    }
    let started = Instant::now();
    let mut connection = pool.acquire().await.unwrap();
    let mut copy = connection.copy_in_raw(&format!("COPY {table} FROM STDIN")).await.unwrap();
    copy.send(text.into_bytes()).await.unwrap();
    copy.finish().await.unwrap();
    started.elapsed()
}

/// Shops of one kind, each a business of its own, pushing at once (issue "Year seven at full
/// speed": entry numbers per business, so that their merges never wait for each other's).
const SHOPS: usize = 4;
/// Batches of [`BATCH`] in each run of [`four_businesses`]: the same number of events in each.
const SHOP_BATCHES: usize = 16;
/// Runs of each kind, taken in turn (alone, at once, one till, alone, at once, …), so that a
/// slower minute of the machine falls on each; five, as the median of three moved by a tenth
/// between invocations on the same code.
const SHOP_ROUNDS: usize = 5;
/// The kinds of run, by their tills: `(what, the first till, how many)`. Tills 0..SHOPS are one
/// of each shop; the others are all the first shop's.
const SHOP_RUNS: [(&str, usize, usize); 3] = [
    ("one business, 4 of its tills side by side", SHOPS, SHOPS),
    ("4 businesses at once, a till each", 0, SHOPS),
    ("one business, one till", 2 * SHOPS, 1),
];

/// What [`four_businesses`] measured: the times of each kind of run in [`SHOP_RUNS`].
struct Parallel {
    events: usize,
    times: [Vec<Duration>; 3],
}

impl Parallel {
    fn median(times: &[Duration]) -> Duration {
        let mut sorted = times.to_vec();
        sorted.sort();
        sorted[sorted.len() / 2]
    }

    /// Four businesses at once against one business alone with as many tills pushing.
    fn speed_up(&self) -> f64 {
        Self::median(&self.times[0]).as_secs_f64() / Self::median(&self.times[1]).as_secs_f64()
    }

    /// Four businesses at once against one business's single till.
    fn speed_up_over_one_till(&self) -> f64 {
        Self::median(&self.times[2]).as_secs_f64() / Self::median(&self.times[1]).as_secs_f64()
    }
}

/// Four retail shops set up as head office sets up a new shop (`setup::save_business`, the
/// products of the demo's shop copied through `save_product_in`, a customer on account each),
/// and the master data as their tills would pull it.
async fn set_up_shops(owner: &PgPool) -> (MasterData, Vec<CustomerId>) {
    let demo = tillbook_core::seed::demo();
    let demo_shop = demo.businesses.iter().find(|b| b.kind == BusinessKind::Retail).expect("the demo's shop");
    let retail = demo_shop.id;
    let mut tx = owner.begin().await.unwrap();
    changes::lock(&mut tx).await.unwrap();
    let mut customers = Vec::new();
    for shop in 1..=SHOPS {
        let code = format!("DUKA{shop}");
        let business = BusinessChange {
            id: None,
            code: code.clone(),
            name: format!("Duka {shop}"),
            kind: BusinessKind::Retail,
            profile: demo_shop.profile.clone(),
            active: true,
        };
        setup::save_business(&mut tx, OPERATOR, &business).await.unwrap();
        for product in demo.products.iter().filter(|p| p.business_id == retail) {
            let change = ProductChange {
                id: None,
                business: code.clone(),
                name: product.name.clone(),
                barcode: None,
                unit: product.unit.clone(),
                price: product.price,
                vat_rate: product.vat_rate,
                unit_cost: Some(product.unit_cost),
                stocked: product.stock.is_some(),
                active: true,
            };
            maintenance::save_product_in(&mut tx, OPERATOR, &change).await.unwrap();
        }
        // Each shop's own customer on account: a customer's credit is the group's, so two shops
        // selling on account to one customer wait for each other, as they must.
        let customer = CustomerChange {
            id: None,
            name: format!("Duka {shop} account"),
            phone: None,
            credit_limit: Money::from_cents(1_000_000_000),
            active: true,
        };
        customers.push(setup::save_customer(&mut tx, OPERATOR, &customer).await.unwrap().id);
    }
    tx.commit().await.unwrap();
    let wire = |view: &'static str| {
        let owner = owner.clone();
        async move {
            let rows: Vec<(serde_json::Value,)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT data::jsonb FROM {view}")))
                    .fetch_all(&owner)
                    .await
                    .unwrap();
            serde_json::Value::Array(rows.into_iter().map(|(data,)| data).collect())
        }
    };
    let data = MasterData {
        businesses: serde_json::from_value(wire("business_wire").await).unwrap(),
        accounts: serde_json::from_value(wire("account_wire").await).unwrap(),
        products: serde_json::from_value(wire("product_wire").await).unwrap(),
        customers: serde_json::from_value(wire("customer_wire").await).unwrap(),
        suppliers: serde_json::from_value(wire("supplier_wire").await).unwrap(),
        ..MasterData::default()
    };
    (data, customers)
}

/// The `i`-th event of a batch of a day's mix: mostly cash, one in four by M-Pesa (`code`, each
/// checked against the codes already merged, under its lock), one in eight on `customer`'s
/// account (an invoice).
fn day_mix_event(
    till: &mut fixtures::TillEvents,
    i: usize,
    code: impl FnOnce() -> String,
    customer: CustomerId,
) -> tillbook_core::protocol::Event {
    let lines: Vec<(usize, i64)> = (0..3 + i % 2).map(|line| (i + line * 3, 1 + (line as i64))).collect();
    match i % 8 {
        1 | 5 => {
            let sale = till.sale_document(&lines, Some(&code()));
            till.event(tillbook_core::documents::Document::Sale(sale))
        }
        3 => till.credit_sale(&lines, customer).1,
        _ => till.sale(&lines),
    }
}

/// A shop's batches of the day's mix ([`day_mix_event`], the M-Pesa sales and sales on account
/// of the shop's customer), serialised before any timing. `tag` (two digits: the till and the
/// round) keeps every M-Pesa code of the run its own.
fn shop_batches(till: &mut fixtures::TillEvents, customer: CustomerId, batches: usize, tag: &str) -> Vec<Vec<u8>> {
    assert_eq!(tag.len(), 2, "an M-Pesa code has room for two characters of tag");
    (0..batches)
        .map(|number| {
            let events: Vec<_> =
                (0..BATCH).map(|i| day_mix_event(till, i, || format!("Q{tag}{number:03}{i:04}"), customer)).collect();
            serde_json::to_vec(&PushRequest { protocol: 1, device_id: till.device, events }).unwrap()
        })
        .collect()
}

/// Four businesses pushing at once against one business pushing the same number of events
/// alone, on one fresh database and server: in both, [`SHOPS`] tills push side by side, each
/// its batches in order; alone they are all the first shop's, at once one till of each shop.
/// Only whether the merges share a business differs.
async fn four_businesses(base: &PgConnectOptions) -> Parallel {
    let (options, owner) = db::create_seeded_database(base, "tillbook_bench").await.unwrap();
    let (data, customers) = set_up_shops(&owner).await;
    let name = options.get_database().expect("a database name").to_string();
    let (server, base_url) = start_server(&options).await;
    let http = reqwest::Client::new();
    let pusher = Pusher::new(&http, &base_url);
    // One till per shop for the runs at once, and SHOPS + 1 more tills of the first shop for the
    // runs alone; each with opening stock and one warm-up batch.
    let mut tills = Vec::new();
    for index in 0..=2 * SHOPS {
        let shop = if index < SHOPS { index } else { 0 };
        let (device, token) = enrol(&owner, &http, &base_url, &format!("DUKA{}", shop + 1)).await;
        let business = data.businesses.iter().find(|b| b.code == format!("DUKA{}", shop + 1)).cloned().unwrap();
        let mut till = fixtures::TillEvents::new(device, BusinessKind::Retail);
        till.business = business;
        till.lookup = MemoryLookup::new(data.clone());
        let receipt = till.stock_receipt(10_000_000);
        pusher
            .push(
                token.clone(),
                serde_json::to_vec(&PushRequest { protocol: 1, device_id: device, events: vec![receipt] }).unwrap(),
            )
            .await;
        for body in shop_batches(&mut till, customers[shop], 1, &format!("{index}9")) {
            pusher.push(token.clone(), body).await;
        }
        tills.push((till, token, shop));
    }
    sqlx::query("ANALYZE").execute(&owner).await.unwrap();

    let mut measured = Parallel { events: SHOP_BATCHES * BATCH, times: Default::default() };
    for round in 0..SHOP_ROUNDS * SHOP_RUNS.len() {
        let kind = round % SHOP_RUNS.len();
        let (_, first, count) = SHOP_RUNS[kind];
        let range = first..first + count;
        let pushing: Vec<(String, Vec<Vec<u8>>)> = tills[range.clone()]
            .iter_mut()
            .zip(range)
            .map(|((till, token, shop), index)| {
                // Two characters, as an M-Pesa code has room for: the till, and the round as a letter.
                let tag = format!("{index}{}", char::from(b'A' + round as u8));
                let batches = shop_batches(till, customers[*shop], SHOP_BATCHES / count, &tag);
                (token.clone(), batches)
            })
            .collect();
        let started = Instant::now();
        let tasks: Vec<_> = pushing
            .into_iter()
            .map(|(token, batches)| {
                let pusher = pusher.clone();
                tokio::spawn(async move {
                    for body in batches {
                        pusher.push(token.clone(), body).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        measured.times[kind].push(started.elapsed());
    }
    let report = tillbook_server::verify::verify(&owner).await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    drop(server);
    owner.close().await;
    let admin_pool = db::connect_owner(base.clone()).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}"))).execute(&admin_pool).await.unwrap();
    measured
}
