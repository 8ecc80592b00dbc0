//! The owner's reports on seven years of history (issue "The owner's view"): three businesses,
//! about 1.3 M entries and 5 M lines written by the generator `cargo xtask history` uses
//! (`xtask/history.sql`), then each report timed through the same functions the HTTP API calls,
//! next to the naive way of answering it — a full scan of the journal lines (or the sales rows).
//!
//! Run by `cargo xtask bench reports` (a Postgres cluster with default durability), or with
//! `DATABASE_URL` set. `TILLBOOK_HISTORY_YEARS` makes a smaller history for a quick look.

use std::future::Future;
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool};
use tillbook_server::reports::{Period, Scope, customers, ledger, sales, stock, tills};
use tillbook_server::{db, verify};
use uuid::Uuid;

const HISTORY: &str = include_str!("../../xtask/history.sql");
const TIMED_RUNS: usize = 11;
const NAIVE_RUNS: usize = 3;

/// Median and slowest of a set of runs.
type Timing = (Duration, Duration);

/// Median and slowest of `runs` timed runs after one warm-up.
async fn time<F, Fut, T>(runs: usize, mut work: F) -> Timing
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    work().await;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        std::hint::black_box(work().await);
        times.push(started.elapsed());
    }
    times.sort();
    (times[runs / 2], times[runs - 1])
}

async fn naive(pool: &PgPool, sql: &str, binds: &[NaiveDate]) -> Timing {
    time(NAIVE_RUNS, || async {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
        for bind in binds {
            query = query.bind(*bind);
        }
        query.fetch_all(pool).await.expect("the naive query runs").len()
    })
    .await
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

// The naive answers: every line (or sale) since the beginning, summed at the time of asking.
const NAIVE_BALANCES: &str = "SELECT l.business_id, l.account_code, sum(l.debit), sum(l.credit)
  FROM journal_line l JOIN journal_entry e USING (business_id, entry_number)
 WHERE e.business_day <= $1 GROUP BY 1, 2";
const NAIVE_PERIOD: &str = "SELECT l.account_code, sum(l.debit), sum(l.credit)
  FROM journal_line l JOIN journal_entry e USING (business_id, entry_number) JOIN account a ON a.code = l.account_code
 WHERE e.business_day BETWEEN $1 AND $2 AND a.kind IN ('revenue', 'expense') GROUP BY 1";
const NAIVE_CASH: &str = "SELECT l.business_id, sum(l.debit - l.credit)
  FROM journal_line l JOIN journal_entry e USING (business_id, entry_number)
 WHERE e.business_day <= $1 AND l.account_code IN (1110, 1120, 1130, 1140, 1141, 1142, 1170, 1171) GROUP BY 1";
const NAIVE_SALES: &str = "SELECT business_id, business_day, device_id, count(*), sum(total)
  FROM sale s WHERE business_day BETWEEN $1 AND $2
   AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = s.sale_id) GROUP BY 1, 2, 3";

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL (cargo xtask bench starts a cluster)");
    let years: u32 = std::env::var("TILLBOOK_HISTORY_YEARS").ok().and_then(|y| y.parse().ok()).unwrap_or(7);
    let base = PgConnectOptions::from_str(&url).unwrap();
    let (options, pool) = db::create_seeded_database(&base, "tillbook_history").await.unwrap();
    // The settings the cluster actually ran under, read back rather than assumed.
    let mut shown = Vec::new();
    for name in ["server_version", "fsync", "synchronous_commit", "shared_buffers", "work_mem", "jit"] {
        let (value,): (String,) =
            sqlx::query_as("SELECT current_setting($1)").bind(name).fetch_one(&pool).await.unwrap();
        shown.push(format!("`{name}={value}`"));
    }
    let postgres = shown.join(", ");

    let started = Instant::now();
    // The script and its setting on one connection.
    let mut connection = pool.acquire().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("SET history.years = {years}"))).execute(&mut *connection).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(HISTORY)).execute(&mut *connection).await.expect("the history generates");
    drop(connection);
    let generated = started.elapsed();
    let (entries, lines, invoices, allocations): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM journal_entry), (SELECT count(*) FROM journal_line),
                (SELECT count(*) FROM invoice), (SELECT count(*) FROM allocation)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let started = Instant::now();
    let checked = verify::verify(&pool).await.unwrap();
    assert!(checked.is_clean(), "the generated history does not verify: {checked:?}");
    let verified = started.elapsed();

    let today = Utc::now().with_timezone(&chrono_tz::Africa::Nairobi).date_naive();
    let first = NaiveDate::from_ymd_opt(today.year() - years as i32, today.month(), 1).unwrap();
    let everything = Period::new(first, today).unwrap();
    let year = Period::new(today - chrono::Days::new(364), today).unwrap();
    let all = Scope::consolidated();
    // A month end in the past: aging and statements are settled again from dated allocations.
    let month_end = today.with_day(1).unwrap() - chrono::Days::new(1);
    let busiest: (Uuid, i64) =
        sqlx::query_as("SELECT customer_id, count(*) FROM invoice GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();

    let p = &pool;
    let rows: Vec<(&str, Timing, Option<Timing>)> = vec![
        (
            "trial balance, all businesses",
            time(TIMED_RUNS, || ledger::trial_balance(p, &all, today)).await,
            Some(naive(p, NAIVE_BALANCES, &[today]).await),
        ),
        (
            "profit and loss, all businesses, the whole history",
            time(TIMED_RUNS, || ledger::profit_and_loss(p, &all, everything)).await,
            Some(naive(p, NAIVE_PERIOD, &[everything.from, everything.to]).await),
        ),
        (
            "balance sheet, all businesses",
            time(TIMED_RUNS, || ledger::balance_sheet(p, &all, today)).await,
            Some(naive(p, NAIVE_BALANCES, &[today]).await),
        ),
        (
            "cash and M-Pesa position",
            time(TIMED_RUNS, || ledger::cash_position(p, today)).await,
            Some(naive(p, NAIVE_CASH, &[today]).await),
        ),
        (
            "sales per day and till, last 365 days",
            time(TIMED_RUNS, || sales::sales_by_day(p, &all, year)).await,
            Some(naive(p, NAIVE_SALES, &[year.from, year.to]).await),
        ),
        ("stock", time(TIMED_RUNS, || stock::stock(p, &all)).await, None),
        ("tills", time(TIMED_RUNS, || tills::tills(p, chrono_tz::Africa::Nairobi, today)).await, None),
        ("aging, every customer", time(TIMED_RUNS, || customers::aging(p, today)).await, None),
        (
            "statement of the busiest customer",
            time(TIMED_RUNS, || customers::statement(p, busiest.0, today)).await,
            None,
        ),
        (
            "aging as of last month's end (settled from dated allocations)",
            time(TIMED_RUNS, || customers::aging(p, month_end)).await,
            None,
        ),
        (
            "statement of the busiest customer as of last month's end",
            time(TIMED_RUNS, || customers::statement(p, busiest.0, month_end)).await,
            None,
        ),
    ];

    println!("{years} years of synthetic history for the three demo businesses, generated by `xtask/history.sql`");
    println!(
        "(the generator of `cargo xtask history`): {entries} entries, {lines} journal lines, {invoices} invoices, \
         {allocations} allocations; generated in {:.0} s, `verify` clean in {:.1} s.",
        generated.as_secs_f64(),
        verified.as_secs_f64()
    );
    println!("Each report through the function its HTTP endpoint calls, one warm-up then {TIMED_RUNS} runs;");
    println!("the naive answer is the same figures summed from every journal line (or sale) at the time of");
    println!("asking, {NAIVE_RUNS} runs. Postgres with {postgres}. Target: every report under 200 ms.");
    println!(
        "Machine: {} cores, {} {}. Command: `cargo xtask bench reports` (runs `cargo bench -p tillbook-server --bench reports`).",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    println!();
    println!("| report | median | slowest | naive full scan (median) | vs naive |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, (median, slowest), scan) in &rows {
        let (naive_median, ratio) = match scan {
            Some((naive_median, _)) => {
                (ms(*naive_median), format!("{:.0}× faster", naive_median.as_secs_f64() / median.as_secs_f64()))
            }
            None => ("— (reads no lines)".to_string(), "—".to_string()),
        };
        println!("| {name} | {} | {} | {naive_median} | {ratio} |", ms(*median), ms(*slowest));
    }
    let slowest = rows.iter().map(|(_, (_, slowest), _)| *slowest).max().unwrap();
    println!();
    println!(
        "Slowest single run of any report: {}; {}.",
        ms(slowest),
        if slowest < Duration::from_millis(200) {
            "every report is under 200 ms"
        } else {
            "**over the 200 ms target**"
        }
    );
    pool.close().await;
    // Seven years take a gigabyte or more: the database goes when the measurement is done.
    let admin = db::connect_owner(base).await.unwrap();
    let name = options.get_database().expect("the history database has a name").to_string();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}"))).execute(&admin).await.unwrap();
}
