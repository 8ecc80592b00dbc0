//! Bank reconciliation (issue "The books a Kenyan owner files"): the group's bank statement, as
//! the bank exports it (a date, a description, a reference, money out, money in, a balance),
//! matched against what the books say went through the bank — account 1170: takings banked,
//! M-Pesa swept, expenses and suppliers paid from the bank, floats drawn. A row and a booked
//! movement match on the same amount, the nearest day within [`DAYS_APART`] (a bank posts a
//! deposit a day or two after the shop banks it). A row the books do not have, and a booked
//! movement the statement does not show, each become an item of the owner's review queue.
//! Importing the same statement again adds nothing; a file with a bad row is refused whole,
//! every bad row named.

use std::collections::HashSet;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::Money;

use crate::audit::{Actor, audit};
use crate::mpesa::RowProblem;

/// A statement row and a booked movement this many days apart still match.
pub const DAYS_APART: u64 = 3;

/// A statement refused, for the same reasons as an M-Pesa statement.
pub use crate::mpesa::StatementError as BankError;

/// One row of the statement: money in positive, money out negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankRow {
    pub line: u64,
    pub day: NaiveDate,
    pub description: String,
    pub reference: String,
    pub amount: Money,
    pub balance: Option<Decimal>,
}

/// The names banks give each column, read lower case with letters and digits only.
fn column_of(name: &str) -> Option<&'static str> {
    let kept: String = name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect();
    match kept.split_whitespace().collect::<Vec<_>>().join(" ").as_str() {
        "date" | "transaction date" | "posting date" | "value date" | "tran date" => Some("date"),
        "description" | "narrative" | "details" | "particulars" | "transaction details" => Some("description"),
        "reference" | "ref" | "reference no" | "cheque no" | "ref no" => Some("reference"),
        "money out" | "debit" | "debits" | "withdrawals" | "withdrawal" | "paid out" => Some("out"),
        "money in" | "credit" | "credits" | "deposits" | "deposit" | "paid in" => Some("in"),
        "balance" | "running balance" | "book balance" => Some("balance"),
        _ => None,
    }
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %b %Y", "%d-%b-%Y", "%d.%m.%Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
}

/// An amount as banks print it: `1,234.50`, `KES 1,234.50`, empty for none.
fn parse_amount(text: &str) -> Result<Option<Money>, String> {
    let kept: String = text.chars().filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-').collect();
    if kept.is_empty() {
        return Ok(None);
    }
    let amount: Money = kept.parse().map_err(|_| format!("'{}' is not an amount", text.trim()))?;
    if amount.is_negative() {
        return Err("amounts are written without a sign, in their column".into());
    }
    Ok(Some(amount))
}

/// Reads a statement from its header row on (banks put a few lines of letterhead above it).
pub fn parse_statement(text: &str) -> Result<Vec<BankRow>, BankError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut header: Option<Vec<Option<&'static str>>> = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (index, record) in records.by_ref().enumerate() {
        let line = index as u64 + 1;
        let record =
            record.map_err(|error| BankError::Invalid { field: "file", message: format!("line {line}: {error}") })?;
        let Some(columns) = &header else {
            let named: Vec<Option<&'static str>> = record.iter().map(column_of).collect();
            let has = |name| named.contains(&Some(name));
            if has("date") && has("out") && has("in") {
                header = Some(named);
            }
            continue;
        };
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let cell = |name: &str| {
            columns.iter().position(|column| *column == Some(name)).and_then(|at| record.get(at)).unwrap_or("")
        };
        let Some(day) = parse_day(cell("date")) else {
            problems.push(RowProblem { line, column: "date", reason: format!("'{}' is not a date", cell("date")) });
            continue;
        };
        let amounts = (parse_amount(cell("in")), parse_amount(cell("out")));
        let amount = match amounts {
            (Ok(Some(paid_in)), Ok(None)) if paid_in.is_positive() => paid_in,
            (Ok(None), Ok(Some(out))) if out.is_positive() => -out,
            (Err(reason), _) => {
                problems.push(RowProblem { line, column: "money in", reason });
                continue;
            }
            (_, Err(reason)) => {
                problems.push(RowProblem { line, column: "money out", reason });
                continue;
            }
            _ => {
                problems.push(RowProblem {
                    line,
                    column: "amount",
                    reason: "money in or money out, one of them".into(),
                });
                continue;
            }
        };
        let balance = parse_amount(cell("balance")).ok().flatten().map(Money::decimal);
        rows.push(BankRow {
            line,
            day,
            description: cell("description").trim().chars().take(200).collect(),
            reference: cell("reference").trim().chars().take(64).collect(),
            amount,
            balance,
        });
    }
    if header.is_none() {
        return Err(BankError::Invalid {
            field: "file",
            message: "no header row with a date, money out and money in (or debit and credit)".into(),
        });
    }
    if !problems.is_empty() {
        return Err(BankError::BadRows(problems));
    }
    if rows.is_empty() {
        return Err(BankError::Invalid { field: "file", message: "the statement has no rows".into() });
    }
    Ok(rows)
}

/// What did not match, for the answer and the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankMismatch {
    /// `bank_not_recorded` (on the statement, not in the books) or `bank_not_on_statement`.
    pub kind: &'static str,
    pub day: NaiveDate,
    pub amount: Money,
    pub description: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedBankStatement {
    pub statement_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub rows: usize,
    pub new_rows: u64,
    pub matched: usize,
    pub mismatches: Vec<BankMismatch>,
    pub new_review_items: u64,
}

/// A movement of 1170 in the books: its entry, business, day and amount (in positive).
#[derive(Debug, Clone, sqlx::FromRow)]
struct Booked {
    /// The movement's first entry: its id keys the review item, its number (its business's)
    /// is shown.
    entry_id: uuid::Uuid,
    entry_number: i64,
    business_id: uuid::Uuid,
    business_day: NaiveDate,
    amount: Decimal,
    event_type: String,
}

/// Stores the statement's new rows, matches every row of its period against the books, and
/// raises what does not match (each once, however often the statement comes).
pub async fn import_statement(
    pool: &PgPool,
    actor: Actor,
    file_name: &str,
    text: &str,
) -> Result<ImportedBankStatement, BankError> {
    let rows = parse_statement(text)?;
    let period_from = rows.iter().map(|row| row.day).min().unwrap_or_default();
    let period_to = rows.iter().map(|row| row.day).max().unwrap_or_default();
    let mut tx = pool.begin().await?;
    crate::changes::lock(&mut tx).await?;
    let (statement_id,): (i64,) = sqlx::query_as(
        "INSERT INTO bank_statement (file_name, period_from, period_to, rows, imported_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(file_name.chars().take(200).collect::<String>())
    .bind(period_from)
    .bind(period_to)
    .bind(rows.len() as i32)
    .bind(actor.to_string())
    .fetch_one(&mut *tx)
    .await?;
    let mut new_rows = 0;
    for row in &rows {
        new_rows += sqlx::query(
            "INSERT INTO bank_line (statement_id, day, description, reference, amount, balance)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(statement_id)
        .bind(row.day)
        .bind(&row.description)
        .bind(&row.reference)
        .bind(row.amount.decimal())
        .bind(row.balance)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    // Every row of the period, from this file and any before it, against the books.
    let lines: Vec<(i64, NaiveDate, String, Decimal)> = sqlx::query_as(
        "SELECT id, day, description, amount FROM bank_line WHERE day BETWEEN $1 AND $2 ORDER BY day, id",
    )
    .bind(period_from)
    .bind(period_to)
    .fetch_all(&mut *tx)
    .await?;
    let window_from = period_from.checked_sub_days(Days::new(DAYS_APART)).unwrap_or(period_from);
    let window_to = period_to.checked_add_days(Days::new(DAYS_APART)).unwrap_or(period_to);
    // One bank movement may be several entries: a cost head office shared across businesses is
    // an expense per business, all recorded by one request (one merge: one `received_at`).
    let booked: Vec<Booked> = sqlx::query_as(
        "SELECT (array_agg(e.entry_id ORDER BY e.posted_at, e.entry_id))[1] AS entry_id,
                (array_agg(e.entry_number ORDER BY e.posted_at, e.entry_id))[1] AS entry_number,
                (array_agg(e.business_id ORDER BY e.posted_at, e.entry_id))[1] AS business_id,
                min(e.business_day) AS business_day, sum(l.debit - l.credit) AS amount, min(e.event_type) AS event_type
           FROM journal_line l JOIN journal_entry e USING (business_id, entry_number) LEFT JOIN inbox i ON i.event_id = e.event_id
          WHERE l.account_code = 1170 AND e.business_day BETWEEN $1 AND $2
          GROUP BY CASE WHEN i.device_id = $3 THEN 'office:' || i.received_at::text ELSE 'entry:' || e.entry_id END
         HAVING sum(l.debit - l.credit) <> 0
          ORDER BY 4, 1",
    )
    .bind(window_from)
    .bind(window_to)
    .bind(crate::office::OFFICE_DEVICE.0)
    .fetch_all(&mut *tx)
    .await?;
    let mut taken: HashSet<uuid::Uuid> = HashSet::new();
    let mut matched = 0;
    let mut mismatches = Vec::new();
    let mut new_review_items = 0;
    for (line_id, day, description, amount) in &lines {
        let best = booked
            .iter()
            .filter(|b| !taken.contains(&b.entry_id) && b.amount == *amount)
            .map(|b| (b.business_day.signed_duration_since(*day).num_days().abs(), b))
            .filter(|(apart, _)| *apart <= DAYS_APART as i64)
            .min_by_key(|(apart, b)| (*apart, b.business_day, b.entry_id));
        if let Some((_, booked)) = best {
            taken.insert(booked.entry_id);
            matched += 1;
            continue;
        }
        let amount = Money::round(*amount)?;
        let message = format!("{day}: {amount} '{description}' on the bank statement, not in the books");
        let mismatch =
            BankMismatch { kind: "bank_not_recorded", day: *day, amount, description: description.clone(), message };
        new_review_items += raise(&mut tx, statement_id, &format!("line:{line_id}"), None, &mismatch).await?;
        mismatches.push(mismatch);
    }
    // A movement near the end of the period may reach the bank after it: not yet missing.
    let settled_by = period_to.checked_sub_days(Days::new(DAYS_APART)).unwrap_or(period_to);
    for booked in booked.iter().filter(|b| !taken.contains(&b.entry_id)) {
        if booked.business_day < period_from || booked.business_day > settled_by {
            continue;
        }
        let amount = Money::round(booked.amount)?;
        let description = format!("{} (entry {})", booked.event_type, booked.entry_number);
        let message = format!(
            "{}: {amount} through the bank in the books ({description}), not on the statement",
            booked.business_day
        );
        let key = format!("entry:{}", booked.entry_id);
        let mismatch =
            BankMismatch { kind: "bank_not_on_statement", day: booked.business_day, amount, description, message };
        new_review_items += raise(&mut tx, statement_id, &key, Some(booked.business_id), &mismatch).await?;
        mismatches.push(mismatch);
    }
    let details = serde_json::json!({
        "file_name": file_name, "rows": rows.len(), "new_rows": new_rows, "matched": matched,
        "mismatches": mismatches.len(), "new_review_items": new_review_items,
    });
    audit(&mut tx, actor, "bank.imported", &statement_id.to_string(), details).await?;
    tx.commit().await?;
    Ok(ImportedBankStatement {
        statement_id,
        period_from,
        period_to,
        rows: rows.len(),
        new_rows,
        matched,
        mismatches,
        new_review_items,
    })
}

/// A review item for a mismatch, unless the same one was raised before; answers 1 when new.
async fn raise(
    tx: &mut sqlx::PgConnection,
    statement_id: i64,
    key: &str,
    business_id: Option<uuid::Uuid>,
    mismatch: &BankMismatch,
) -> Result<u64, sqlx::Error> {
    let BankMismatch { kind, day, amount, description, message } = mismatch;
    Ok(sqlx::query(
        "INSERT INTO bank_mismatch (statement_id, kind, key, day, amount, description, business_id, message)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kind, key) DO NOTHING",
    )
    .bind(statement_id)
    .bind(kind)
    .bind(key)
    .bind(day)
    .bind(amount.decimal())
    .bind(description)
    .bind(business_id)
    .bind(message)
    .execute(tx)
    .await?
    .rows_affected())
}
