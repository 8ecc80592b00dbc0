//! Journal lines as Postgres holds them, and the account balances written from exactly those
//! lines in the same statement (DESIGN §8). The merge and head office's own entries both write
//! through here, so the database's checks and the running totals see every entry alike.

use sqlx::PgConnection;

use crate::db::column;
use tillbook_core::chart::AccountCode;
use tillbook_core::ids::BusinessId;
use tillbook_core::journal::{JournalEntry, Side};
use tillbook_core::money::Money;

/// One journal line, as the merge and head office write it.
pub struct LineRow {
    pub entry_number: i64,
    pub line_no: i16,
    pub business_id: BusinessId,
    pub account_code: i16,
    pub debit: Money,
    pub credit: Money,
}

/// The lines of `entry`, numbered `entry_number`, for `business`.
pub fn line_rows(
    entry_number: i64,
    business_id: BusinessId,
    entry: &JournalEntry,
) -> impl Iterator<Item = LineRow> + '_ {
    entry.lines().iter().enumerate().map(move |(index, line)| {
        let (debit, credit) = match line.side {
            Side::Debit => (line.amount, Money::ZERO),
            Side::Credit => (Money::ZERO, line.amount),
        };
        LineRow {
            entry_number,
            line_no: i16::try_from(index).expect("an entry has at most JournalEntry::LINES_MAX lines"),
            business_id,
            account_code: account_number(line.account),
            debit,
            credit,
        }
    })
}

/// Journal lines and, from exactly those lines, the account balances (DESIGN §8: in the same
/// transaction). Head office's entries go in through here too.
pub async fn insert_lines(connection: &mut PgConnection, rows: &[LineRow]) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    sqlx::query(INSERT_LINES_AND_BALANCES)
        .bind(column(rows, |row| row.entry_number))
        .bind(column(rows, |row| row.line_no))
        .bind(column(rows, |row| row.business_id.0))
        .bind(column(rows, |row| row.account_code))
        .bind(column(rows, |row| row.debit.decimal()))
        .bind(column(rows, |row| row.credit.decimal()))
        .execute(connection)
        .await?;
    Ok(())
}

/// Account codes on the wire are four-digit strings; in Postgres they are SMALLINT.
pub fn account_number(code: AccountCode) -> i16 {
    i16::try_from(code.number()).expect("account codes are four digits")
}

/// The lines, and the balances from exactly the lines inserted (DESIGN §8: same transaction).
const INSERT_LINES_AND_BALANCES: &str = "
WITH line AS (
    INSERT INTO journal_line (entry_number, line_no, business_id, account_code, debit, credit)
    SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::uuid[], $4::smallint[], $5::numeric[], $6::numeric[])
    RETURNING business_id, account_code, debit, credit)
INSERT INTO account_balance (business_id, account_code, debit_total, credit_total)
SELECT business_id, account_code, sum(debit), sum(credit) FROM line GROUP BY business_id, account_code
ON CONFLICT (business_id, account_code) DO UPDATE
   SET debit_total = account_balance.debit_total + EXCLUDED.debit_total,
       credit_total = account_balance.credit_total + EXCLUDED.credit_total";
