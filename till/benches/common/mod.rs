//! What the till's benchmarks share: the sale they record and how they read their timings.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::types::Value;
use rusqlite::{Connection, TransactionBehavior};

use tillbook_till::demo::{cash, money, quantity};
use tillbook_till::{SaleLineRequest, SaleRequest};

/// The benchmarks' sale: three lines of two stocked items each, paid in cash with change.
pub fn sale_request(n: usize, products: &[tillbook_core::ids::ProductId]) -> SaleRequest {
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

/// The `p`th percentile of timings already sorted.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// The `p`th percentile of timings in any order.
pub fn percentile_of(each: &[Duration], p: usize) -> Duration {
    let mut sorted = each.to_vec();
    sorted.sort();
    percentile(&sorted, p)
}

/// The rows of one table that a recorded sale wrote: column names and each row's values.
pub struct TableRows {
    table: &'static str,
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

/// What the last recorded sale wrote, table by table, and the ids that make it that sale.
pub struct SaleRows {
    tables: Vec<TableRows>,
    ids: Vec<String>,
}

impl SaleRows {
    /// How many rows one sale wrote.
    pub fn rows(&self) -> usize {
        self.tables.iter().map(|table| table.rows.len()).sum()
    }
}

/// The rows of the most recent sale in the store at `path`.
pub fn rows_of_last_sale(path: &Path) -> SaleRows {
    let store = Connection::open(path).expect("the bench store");
    let (sale_id, receipt): (String, String) = store
        .query_row("SELECT id, receipt_number FROM sale ORDER BY rowid DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("a recorded sale");
    let (entry_id, event_id): (String, String) = store
        .query_row("SELECT id, event_id FROM journal_entry WHERE document_id = ?1", [&sale_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("its entry");
    let of = |table: &'static str, key: &str, value: &str| {
        let mut statement = store.prepare(&format!("SELECT * FROM {table} WHERE {key} = ?1")).expect("a query");
        let columns: Vec<String> = statement.column_names().iter().map(|c| c.to_string()).collect();
        let rows = statement
            .query_map([value], |row| (0..columns.len()).map(|i| row.get::<_, Value>(i)).collect())
            .expect("rows")
            .collect::<Result<Vec<Vec<Value>>, _>>()
            .expect("values");
        TableRows { table, columns, rows }
    };
    let tables = vec![
        of("sale", "id", &sale_id),
        of("sale_line", "sale_id", &sale_id),
        of("tender", "document_id", &sale_id),
        of("stock_movement", "document_id", &sale_id),
        of("journal_entry", "id", &entry_id),
        of("journal_line", "entry_id", &entry_id),
        of("outbox", "event_id", &event_id),
    ];
    SaleRows { tables, ids: vec![sale_id, receipt, entry_id, event_id] }
}

/// Writes `sale`'s rows again `count` times into the store at `path`, one IMMEDIATE transaction
/// each with the two counters a recording advances, new ids each time; times each.
pub fn bare_baseline(path: &Path, sale: &SaleRows, count: usize) -> (Vec<Duration>, Duration) {
    let mut store = Connection::open(path).expect("the baseline store");
    let mode: String = store.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).expect("WAL");
    assert_eq!(mode, "wal");
    store.pragma_update(None, "synchronous", "FULL").expect("synchronous");
    store.pragma_update(None, "foreign_keys", "ON").expect("foreign keys");
    let last: i64 = store.query_row("SELECT coalesce(max(device_seq), 0) FROM outbox", [], |r| r.get(0)).expect("seq");
    let mut each = Vec::with_capacity(count);
    let started = Instant::now();
    for (n, seq) in (0..count).zip(last + 1..) {
        let fresh: Vec<String> = sale.ids.iter().map(|id| format!("{id}-b{n}-{seq}")).collect();
        let t0 = Instant::now();
        let tx = store.transaction_with_behavior(TransactionBehavior::Immediate).expect("begin");
        for counter in ["receipt", "device_seq"] {
            tx.prepare_cached("UPDATE counter SET last_value = last_value + 1 WHERE name = ?1")
                .and_then(|mut s| s.execute([counter]))
                .expect("counter");
        }
        for table in &sale.tables {
            let marks = vec!["?"; table.columns.len()].join(", ");
            let sql = format!("INSERT INTO {} ({}) VALUES ({marks})", table.table, table.columns.join(", "));
            let mut insert = tx.prepare_cached(&sql).expect("an insert");
            for row in &table.rows {
                let values: Vec<Value> = table
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(column, value)| match (table.table, column.as_str(), value) {
                        ("outbox", "device_seq", _) => Value::Integer(seq),
                        ("stock_movement", "id", _) => Value::Null,
                        (_, _, Value::Text(text)) => match sale.ids.iter().position(|id| id == text) {
                            Some(i) => Value::Text(fresh[i].clone()),
                            None => value.clone(),
                        },
                        _ => value.clone(),
                    })
                    .collect();
                insert.execute(rusqlite::params_from_iter(values)).expect("a row");
            }
        }
        tx.commit().expect("commit");
        each.push(t0.elapsed());
    }
    (each, started.elapsed())
}
