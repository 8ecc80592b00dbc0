//! Journal entries and lines as Postgres holds them, and the account balances and day totals
//! written from exactly those lines, all in one statement (DESIGN §8). The merge and head office's own
//! entries both write through here, so the database's checks and the running totals see every
//! entry alike. One statement, because the database checks an entry and its lines together at
//! its end (migration 0026): an entry without lines, or lines that do not balance, are refused
//! there and then.

use chrono::{DateTime, FixedOffset, NaiveDate};
use sqlx::PgConnection;

use crate::db::column;
use tillbook_core::chart::AccountCode;
use tillbook_core::ids::{BusinessId, DocumentId, EntryId, EventId};
use tillbook_core::journal::{JournalEntry, Side};
use tillbook_core::money::Money;

/// One journal entry's head, as the merge and head office write it.
pub struct EntryRow {
    pub entry_number: i64,
    pub entry_id: EntryId,
    pub business_id: BusinessId,
    /// The till's event it posts; none for head office's own entries.
    pub event_id: Option<EventId>,
    pub event_type: String,
    pub document_id: Option<DocumentId>,
    pub occurred_at: DateTime<FixedOffset>,
    pub business_day: NaiveDate,
}

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

/// Journal entries with all their lines and, from exactly those lines, the account balances and
/// day totals, in one statement (DESIGN §8). Head office's entries go in through here too.
pub async fn insert_journal(
    connection: &mut PgConnection,
    entries: &[EntryRow],
    lines: &[LineRow],
) -> Result<(), sqlx::Error> {
    if entries.is_empty() && lines.is_empty() {
        return Ok(());
    }
    sqlx::query(INSERT_JOURNAL)
        .bind(column(entries, |row| row.entry_number))
        .bind(column(entries, |row| row.entry_id.0))
        .bind(column(entries, |row| row.business_id.0))
        .bind(column(entries, |row| row.event_id.map(|id| id.0)))
        .bind(column(entries, |row| row.event_type.as_str()))
        .bind(column(entries, |row| row.document_id.map(|id| id.0)))
        .bind(column(entries, |row| row.occurred_at))
        .bind(column(entries, |row| row.business_day))
        .bind(column(lines, |row| row.entry_number))
        .bind(column(lines, |row| row.line_no))
        .bind(column(lines, |row| row.business_id.0))
        .bind(column(lines, |row| row.account_code))
        .bind(column(lines, |row| row.debit.decimal()))
        .bind(column(lines, |row| row.credit.decimal()))
        .execute(connection)
        .await?;
    Ok(())
}

/// Account codes on the wire are four-digit strings; in Postgres they are SMALLINT.
pub fn account_number(code: AccountCode) -> i16 {
    i16::try_from(code.number()).expect("account codes are four digits")
}

/// The entries, their lines, and from exactly the lines inserted the running totals: each
/// account's balance and its day's totals (the reports' `account_day_total`, dated by the
/// entry's business day; migration 0026 moved them here from a trigger that looked each line's
/// entry up again). A data-modifying `WITH` runs whether or not the rest reads it; the
/// statement-level checks of both tables run at the end of the whole statement and see both.
const INSERT_JOURNAL: &str = "
WITH entry AS (
    INSERT INTO journal_entry (entry_number, entry_id, business_id, event_id, event_type, document_id, occurred_at, business_day)
    SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::timestamptz[],
                         $8::date[])
    RETURNING business_id, entry_number, business_day),
line AS (
    INSERT INTO journal_line (entry_number, line_no, business_id, account_code, debit, credit)
    SELECT * FROM unnest($9::bigint[], $10::smallint[], $11::uuid[], $12::smallint[], $13::numeric[], $14::numeric[])
    RETURNING business_id, entry_number, account_code, debit, credit),
day AS (
    INSERT INTO account_day_total AS t (business_id, account_code, business_day, debit_total, credit_total)
    -- A line's entry is in this statement; were it not, the ledger says its day.
    SELECT l.business_id, l.account_code,
           coalesce(e.business_day, (SELECT j.business_day FROM journal_entry j
                                      WHERE j.business_id = l.business_id AND j.entry_number = l.entry_number)),
           sum(l.debit), sum(l.credit)
      FROM line l LEFT JOIN entry e USING (business_id, entry_number)
     GROUP BY 1, 2, 3
    ON CONFLICT (business_id, business_day, account_code) DO UPDATE
       SET debit_total = t.debit_total + EXCLUDED.debit_total,
           credit_total = t.credit_total + EXCLUDED.credit_total)
INSERT INTO account_balance (business_id, account_code, debit_total, credit_total)
SELECT business_id, account_code, sum(debit), sum(credit) FROM line GROUP BY business_id, account_code
ON CONFLICT (business_id, account_code) DO UPDATE
   SET debit_total = account_balance.debit_total + EXCLUDED.debit_total,
       credit_total = account_balance.credit_total + EXCLUDED.credit_total";
