//! M-Pesa reconciliation (DESIGN §5): the statement a business downloads from M-Pesa (receipt
//! number, completion time, details, paid in, balance), matched against the codes its tills
//! recorded — by code, then amount, then time. What does not match becomes an item of the
//! owner's review queue with its amounts: a code recorded but never received, a receipt no till
//! recorded, a code whose amount differs, or one received more than a day from when it was
//! recorded (the same code typed for another sale). Importing the same statement again adds
//! nothing; a file with a bad row is refused whole, every bad row named.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::Money;
use uuid::Uuid;

use crate::audit::audit;

/// A receipt and a till's record of it further apart than this are told to the owner.
pub const TIME_TOLERANCE_HOURS: i64 = 24;
/// Recorded codes this close to either end of the statement are not judged missing: the money
/// may have completed just outside the period the file covers.
pub const EDGE_MINUTES: i64 = 10;

#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// The file has bad rows; nothing was stored.
    #[error("the statement has {} bad row(s): {}", .0.len(), describe(.0))]
    BadRows(Vec<RowProblem>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("an amount in the books is out of range: {0}")]
    Amount(#[from] tillbook_core::money::AmountError),
}

/// One bad row of a statement file: its line in the file, the column, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: u64,
    pub column: &'static str,
    pub reason: String,
}

fn describe(problems: &[RowProblem]) -> String {
    let mut text: Vec<String> =
        problems.iter().take(20).map(|p| format!("line {} {}: {}", p.line, p.column, p.reason)).collect();
    if problems.len() > 20 {
        text.push(format!("and {} more", problems.len() - 20));
    }
    text.join("; ")
}

/// Money received, one row of the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub line: u64,
    pub receipt_no: String,
    pub completed_at: DateTime<Utc>,
    pub details: String,
    pub paid_in: Money,
    pub balance: Option<Decimal>,
}

/// The columns a statement must have, by the names M-Pesa gives them.
const RECEIPT: &str = "receipt no";
const COMPLETED: &str = "completion time";
const DETAILS: &str = "details";
const PAID_IN: &str = "paid in";
const BALANCE: &str = "balance";
const STATUS: &str = "transaction status";

/// Lower case, letters and digits only, single spaces: "Receipt No." → "receipt no".
fn header_name(cell: &str) -> String {
    let kept: String = cell.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect();
    let name = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if name == "receipt number" || name == "receipt" { RECEIPT.to_string() } else { name }
}

fn parse_time(text: &str, zone: Tz) -> Option<DateTime<Utc>> {
    const FORMATS: [&str; 6] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d-%m-%Y %H:%M:%S",
        "%d-%m-%Y %H:%M",
    ];
    let local = FORMATS.iter().find_map(|format| NaiveDateTime::parse_from_str(text.trim(), format).ok())?;
    zone.from_local_datetime(&local).earliest().map(|at| at.with_timezone(&Utc))
}

/// "1,250.00", "KES 1,250.00" → "1250.00".
fn amount_text(text: &str) -> String {
    text.trim()
        .trim_start_matches("KES")
        .trim_start_matches("Ksh")
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect()
}

/// The receipts of a statement file, or every row that is wrong. Rows before the header (the
/// statement's title, the account) are skipped; rows that received nothing (withdrawals,
/// charges) and rows not completed are not receipts.
pub fn parse_statement(text: &str, zone: Tz) -> Result<Vec<Receipt>, StatementError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut columns: Option<HashMap<String, usize>> = None;
    let mut receipts = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                problems.push(RowProblem { line, column: "row", reason: error.to_string() });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let Some(columns) = &columns else {
            let names: HashMap<String, usize> =
                record.iter().enumerate().map(|(index, cell)| (header_name(cell), index)).collect();
            if names.contains_key(RECEIPT) {
                let missing: Vec<&str> =
                    [COMPLETED, DETAILS, PAID_IN].into_iter().filter(|name| !names.contains_key(*name)).collect();
                if !missing.is_empty() {
                    return Err(StatementError::Invalid {
                        field: "file",
                        message: format!("the header on line {line} has no column {}", missing.join(", ")),
                    });
                }
                columns = Some(names);
            }
            continue;
        };
        let cell = |name: &str| columns.get(name).and_then(|index| record.get(*index)).unwrap_or("").trim();
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if columns.contains_key(STATUS) && !cell(STATUS).eq_ignore_ascii_case("completed") {
            continue;
        }
        let paid_in = match cell(PAID_IN) {
            "" => continue,
            text => match amount_text(text).parse::<Money>() {
                Ok(amount) if amount.is_zero() => continue,
                Ok(amount) if amount.is_positive() => amount,
                _ => {
                    problems.push(RowProblem { line, column: "paid in", reason: format!("'{text}' is not an amount") });
                    continue;
                }
            },
        };
        let receipt_no = cell(RECEIPT).to_uppercase();
        if receipt_no.len() != 10 || !receipt_no.chars().all(|c| c.is_ascii_alphanumeric()) {
            problems.push(RowProblem {
                line,
                column: "receipt no",
                reason: format!("'{}' is not an M-Pesa receipt number (10 letters and digits)", cell(RECEIPT)),
            });
            continue;
        }
        if !seen.insert(receipt_no.clone()) {
            problems.push(RowProblem { line, column: "receipt no", reason: format!("{receipt_no} appears twice") });
            continue;
        }
        let Some(completed_at) = parse_time(cell(COMPLETED), zone) else {
            problems.push(RowProblem {
                line,
                column: "completion time",
                reason: format!("'{}' is not a time like 2026-11-20 14:03:11", cell(COMPLETED)),
            });
            continue;
        };
        let balance = match cell(BALANCE) {
            "" => None,
            text => match amount_text(text).parse::<Decimal>() {
                Ok(balance) => Some(balance),
                Err(_) => {
                    problems.push(RowProblem { line, column: "balance", reason: format!("'{text}' is not an amount") });
                    continue;
                }
            },
        };
        receipts.push(Receipt { line, receipt_no, completed_at, details: cell(DETAILS).to_string(), paid_in, balance });
    }
    if columns.is_none() {
        return Err(StatementError::Invalid {
            field: "file",
            message: "no header row with Receipt No., Completion Time, Details and Paid In".into(),
        });
    }
    if !problems.is_empty() {
        return Err(StatementError::BadRows(problems));
    }
    if receipts.is_empty() {
        return Err(StatementError::Invalid { field: "file", message: "the statement received no money".into() });
    }
    Ok(receipts)
}

/// A code as the tills recorded it: every standing M-Pesa tender with that code, together.
#[derive(Debug, Clone)]
struct Recorded {
    amount: Money,
    at: DateTime<Utc>,
    document_id: Uuid,
}

/// One thing that did not match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// `mpesa_not_received`, `mpesa_not_recorded`, `mpesa_amount_differs` or `mpesa_time_differs`.
    pub kind: &'static str,
    pub mpesa_code: String,
    pub recorded_amount: Option<Money>,
    pub received_amount: Option<Money>,
    pub recorded_at: Option<DateTime<Utc>>,
    pub received_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub document_id: Option<Uuid>,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedStatement {
    pub statement_id: i64,
    pub business: String,
    pub period_from: DateTime<Utc>,
    pub period_to: DateTime<Utc>,
    pub receipts: usize,
    /// Receipts not in an earlier statement.
    pub new_receipts: u64,
    pub paid_in: Money,
    pub matched: usize,
    /// Every mismatch found, each with `new` false when an earlier import raised it already.
    pub mismatches: Vec<Mismatch>,
    /// Review items this import added.
    pub new_review_items: u64,
}

/// Recorded M-Pesa codes of the business: money in (not refunds paid out), on documents not
/// voided, grouped by code.
const RECORDED: &str = "
SELECT upper(t.mpesa_code), sum(t.amount), min(t.occurred_at), (array_agg(t.document_id ORDER BY t.occurred_at))[1]
  FROM tender t
 WHERE t.business_id = $1 AND t.method = 'mpesa' AND t.mpesa_code IS NOT NULL
   AND (t.occurred_at BETWEEN $2 AND $3 OR upper(t.mpesa_code) = ANY($4))
   AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = t.document_id)
   AND NOT EXISTS (SELECT 1 FROM sale s WHERE s.sale_id = t.document_id AND s.kind = 'refund')
 GROUP BY 1";

fn local(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// Compares the receipts with the recorded codes. `received_before` are the business's receipts
/// from earlier statements: a code they hold was received, just not in this file.
fn compare(
    receipts: &[Receipt],
    recorded: &BTreeMap<String, Recorded>,
    received_before: &HashSet<String>,
    zone: Tz,
) -> (usize, Vec<Mismatch>) {
    let mut matched = 0;
    let mut mismatches = Vec::new();
    for receipt in receipts {
        let code = &receipt.receipt_no;
        let Some(till) = recorded.get(code) else {
            mismatches.push(Mismatch {
                kind: "mpesa_not_recorded",
                mpesa_code: code.clone(),
                recorded_amount: None,
                received_amount: Some(receipt.paid_in),
                recorded_at: None,
                received_at: Some(receipt.completed_at),
                document_id: None,
                message: format!(
                    "KES {} received on M-Pesa ({code}, {}) was recorded at no till",
                    receipt.paid_in,
                    local(receipt.completed_at, zone)
                ),
            });
            continue;
        };
        let base = Mismatch {
            kind: "",
            mpesa_code: code.clone(),
            recorded_amount: Some(till.amount),
            received_amount: Some(receipt.paid_in),
            recorded_at: Some(till.at),
            received_at: Some(receipt.completed_at),
            document_id: Some(till.document_id),
            message: String::new(),
        };
        if till.amount != receipt.paid_in {
            mismatches.push(Mismatch {
                kind: "mpesa_amount_differs",
                message: format!(
                    "{code} was recorded at the till as KES {} but KES {} was received",
                    till.amount, receipt.paid_in
                ),
                ..base
            });
        } else if (till.at - receipt.completed_at).abs() > Duration::hours(TIME_TOLERANCE_HOURS) {
            mismatches.push(Mismatch {
                kind: "mpesa_time_differs",
                message: format!(
                    "{code} was recorded at the till at {} but received at {}: more than a day apart",
                    local(till.at, zone),
                    local(receipt.completed_at, zone)
                ),
                ..base
            });
        } else {
            matched += 1;
        }
    }
    let in_file: HashSet<&str> = receipts.iter().map(|r| r.receipt_no.as_str()).collect();
    let from = receipts.iter().map(|r| r.completed_at).min().unwrap_or_default() + Duration::minutes(EDGE_MINUTES);
    let to = receipts.iter().map(|r| r.completed_at).max().unwrap_or_default() - Duration::minutes(EDGE_MINUTES);
    for (code, till) in recorded {
        if in_file.contains(code.as_str()) || received_before.contains(code) || till.at < from || till.at > to {
            continue;
        }
        mismatches.push(Mismatch {
            kind: "mpesa_not_received",
            mpesa_code: code.clone(),
            recorded_amount: Some(till.amount),
            received_amount: None,
            recorded_at: Some(till.at),
            received_at: None,
            document_id: Some(till.document_id),
            message: format!(
                "{code} was recorded at a till for KES {} ({}) but is not on the M-Pesa statement",
                till.amount,
                local(till.at, zone)
            ),
        });
    }
    (matched, mismatches)
}

/// Imports a statement of `business` and matches it, in one transaction.
pub async fn import_statement(
    pool: &PgPool,
    business: &str,
    file_name: &str,
    text: &str,
    actor: crate::audit::Actor,
    zone: Tz,
) -> Result<ImportedStatement, StatementError> {
    let business = business.trim().to_uppercase();
    let found: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM business WHERE code = $1 AND active")
        .bind(&business)
        .fetch_optional(pool)
        .await?;
    let (business_id,) = found.ok_or_else(|| StatementError::Invalid {
        field: "business",
        message: format!("no active business '{business}'"),
    })?;
    let receipts = parse_statement(text, zone)?;
    let period_from = receipts.iter().map(|r| r.completed_at).min().unwrap_or_default();
    let period_to = receipts.iter().map(|r| r.completed_at).max().unwrap_or_default();
    let codes: Vec<String> = receipts.iter().map(|r| r.receipt_no.clone()).collect();

    let mut tx = pool.begin().await?;
    let recorded: Vec<(String, Decimal, DateTime<Utc>, Uuid)> = sqlx::query_as(RECORDED)
        .bind(business_id)
        .bind(period_from)
        .bind(period_to)
        .bind(&codes)
        .fetch_all(&mut *tx)
        .await?;
    let recorded: BTreeMap<String, Recorded> = recorded
        .into_iter()
        .map(|(code, amount, at, document_id)| Ok((code, Recorded { amount: Money::round(amount)?, at, document_id })))
        .collect::<Result<_, StatementError>>()?;
    let earlier: Vec<(String,)> =
        sqlx::query_as("SELECT receipt_no FROM mpesa_receipt WHERE business_id = $1 AND receipt_no = ANY($2)")
            .bind(business_id)
            .bind(recorded.keys().cloned().collect::<Vec<_>>())
            .fetch_all(&mut *tx)
            .await?;
    let received_before: HashSet<String> = earlier.into_iter().map(|(code,)| code).collect();
    let (matched, mismatches) = compare(&receipts, &recorded, &received_before, zone);

    let paid_in = Money::sum(receipts.iter().map(|r| r.paid_in))?;
    let (statement_id,): (i64,) = sqlx::query_as(
        "INSERT INTO mpesa_statement (business_id, file_name, period_from, period_to, receipts, paid_in, imported_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(business_id)
    .bind(file_name)
    .bind(period_from)
    .bind(period_to)
    .bind(i32::try_from(receipts.len()).unwrap_or(i32::MAX))
    .bind(paid_in.decimal())
    .bind(actor.to_string())
    .fetch_one(&mut *tx)
    .await?;
    let rows: Vec<serde_json::Value> = receipts
        .iter()
        .map(|r| {
            serde_json::json!({ "business_id": business_id, "receipt_no": r.receipt_no, "statement_id": statement_id,
                                "completed_at": r.completed_at, "details": r.details, "paid_in": r.paid_in,
                                "balance": r.balance })
        })
        .collect();
    let new_receipts = sqlx::query(
        "INSERT INTO mpesa_receipt (business_id, receipt_no, statement_id, completed_at, details, paid_in, balance)
         SELECT business_id, receipt_no, statement_id, completed_at, details, paid_in, balance
           FROM jsonb_populate_recordset(NULL::mpesa_receipt, $1)
         ON CONFLICT (business_id, receipt_no) DO NOTHING",
    )
    .bind(sqlx::types::Json(rows))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let rows: Vec<serde_json::Value> = mismatches
        .iter()
        .map(|m| {
            serde_json::json!({ "business_id": business_id, "statement_id": statement_id, "kind": m.kind,
                                "mpesa_code": m.mpesa_code, "recorded_amount": m.recorded_amount,
                                "received_amount": m.received_amount, "recorded_at": m.recorded_at,
                                "received_at": m.received_at, "document_id": m.document_id, "message": m.message })
        })
        .collect();
    let new_review_items = sqlx::query(
        "INSERT INTO mpesa_mismatch (business_id, statement_id, kind, mpesa_code, recorded_amount, received_amount,
                                     recorded_at, received_at, document_id, message)
         SELECT business_id, statement_id, kind, mpesa_code, recorded_amount, received_amount,
                recorded_at, received_at, document_id, message
           FROM jsonb_populate_recordset(NULL::mpesa_mismatch, $1)
         ON CONFLICT (business_id, kind, mpesa_code) DO NOTHING",
    )
    .bind(sqlx::types::Json(rows))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    audit(
        &mut tx,
        actor,
        "mpesa.statement_imported",
        &business,
        serde_json::json!({ "statement_id": statement_id, "file_name": file_name, "receipts": receipts.len(),
                            "paid_in": paid_in, "matched": matched, "mismatches": mismatches.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(ImportedStatement {
        statement_id,
        business,
        period_from,
        period_to,
        receipts: receipts.len(),
        new_receipts,
        paid_in,
        matched,
        mismatches,
        new_review_items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: Tz = chrono_tz::Africa::Nairobi;

    #[test]
    fn a_statement_is_read_from_its_header_on_and_bad_rows_are_each_named() {
        let text = "Customer Name:,Duka Retail\n\
                    Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance\n\
                    QK41ABC2XY,2026-11-20 14:03:11,2026-11-20 14:03:05,Payment from 2547****123,Completed,\"1,250.00\",,\"5,250.00\"\n\
                    QK41ABC2XZ,2026-11-20 15:00:00,,Charge,Completed,,-30.00,5220.00\n\
                    QK41ABC3AA,20/11/2026 16:10,,Payment,Failed,100.00,,5220.00\n";
        let receipts = parse_statement(text, ZONE).unwrap();
        assert_eq!(receipts.len(), 1, "the charge and the failed payment are not receipts");
        assert_eq!(receipts[0].receipt_no, "QK41ABC2XY");
        assert_eq!(receipts[0].paid_in, "1250.00".parse::<Money>().unwrap());
        assert_eq!(receipts[0].completed_at.to_rfc3339(), "2026-11-20T11:03:11+00:00", "Nairobi is UTC+3");

        let bad = "Receipt No.,Completion Time,Details,Paid In\n\
                   QK41,2026-11-20 14:03,x,10.00\n\
                   QK41ABC2XY,yesterday,x,10.00\n\
                   QK41ABC2XZ,2026-11-20 14:03,x,ten\n\
                   QK41ABC2XW,2026-11-20 14:03,x,10.005\n";
        let StatementError::BadRows(problems) = parse_statement(bad, ZONE).unwrap_err() else { panic!("not bad rows") };
        let named: Vec<(u64, &str)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(named, [(2, "receipt no"), (3, "completion time"), (4, "paid in"), (5, "paid in")]);
        let headless = parse_statement("Code,Amount\nQK41ABC2XY,10\n", ZONE).unwrap_err();
        assert!(matches!(headless, StatementError::Invalid { field: "file", .. }), "{headless}");
        let no_paid_in = parse_statement("Receipt No.,Completion Time,Details\n", ZONE).unwrap_err();
        assert!(no_paid_in.to_string().contains("paid in"), "{no_paid_in}");
    }
}
