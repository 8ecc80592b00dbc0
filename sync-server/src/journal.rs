//! Journal entries and lines as Postgres holds them, and the account balances and day totals
//! written from exactly those lines (DESIGN §8). The merge and head office's own entries both
//! write through here, so the database's checks and the running totals see every entry alike.
//! Entries and lines go in by binary `COPY`, entries first: each statement's checks prove that a
//! line's entry exists and that an entry's new lines balance, and at commit every number its
//! business's counter handed out must be an entry with lines (migration 0030).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::copy::BinaryCopy;
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
/// day totals (DESIGN §8). Head office's entries go in through here too. Every line's entry is
/// among `entries`, and every entry's number was taken in this transaction
/// ([`crate::changes::take_entry_numbers`]).
pub async fn insert_journal(
    connection: &mut PgConnection,
    entries: &[EntryRow],
    lines: &[LineRow],
) -> Result<(), sqlx::Error> {
    if entries.is_empty() && lines.is_empty() {
        return Ok(());
    }
    let totals = Totals::of(entries, lines)?;
    let mut copy = BinaryCopy::new(8);
    for row in entries {
        copy.row()
            .value(row.entry_number)?
            .value(row.entry_id.0)?
            .value(row.business_id.0)?
            .value(row.event_id.map(|id| id.0))?
            .value(row.event_type.as_str())?
            .value(row.document_id.map(|id| id.0))?
            .value(row.occurred_at)?
            .value(row.business_day)?;
    }
    copy.send(&mut *connection, COPY_ENTRIES).await?;
    let mut copy = BinaryCopy::new(6);
    for row in lines {
        copy.row()
            .value(row.entry_number)?
            .value(row.line_no)?
            .value(row.business_id.0)?
            .value(row.account_code)?
            .value(row.debit.decimal())?
            .value(row.credit.decimal())?;
    }
    copy.send(&mut *connection, COPY_LINES).await?;
    totals.write(connection).await
}

/// What a set of lines adds to each account's day totals and balance, per business, in key order
/// (the order every writer takes those rows in).
#[derive(Default)]
struct Totals {
    days: BTreeMap<DayKey, Sums>,
    balances: BTreeMap<BalanceKey, Sums>,
}

/// Business, account and business day.
type DayKey = (Uuid, i16, NaiveDate);
/// Business and account.
type BalanceKey = (Uuid, i16);
/// Debits and credits.
type Sums = (Decimal, Decimal);

impl Totals {
    fn of(entries: &[EntryRow], lines: &[LineRow]) -> Result<Totals, sqlx::Error> {
        let days: HashMap<(BusinessId, i64), NaiveDate> =
            entries.iter().map(|entry| ((entry.business_id, entry.entry_number), entry.business_day)).collect();
        let mut totals = Totals::default();
        for line in lines {
            let Some(day) = days.get(&(line.business_id, line.entry_number)) else {
                return Err(sqlx::Error::Protocol(format!(
                    "journal line {} of entry {} came without its entry",
                    line.line_no, line.entry_number
                )));
            };
            let (debit, credit) = (line.debit.decimal(), line.credit.decimal());
            add(totals.days.entry((line.business_id.0, line.account_code, *day)).or_default(), debit, credit)?;
            add(totals.balances.entry((line.business_id.0, line.account_code)).or_default(), debit, credit)?;
        }
        Ok(totals)
    }

    async fn write(&self, connection: &mut PgConnection) -> Result<(), sqlx::Error> {
        let (day_keys, day_sums): (Vec<&DayKey>, Vec<&Sums>) = self.days.iter().unzip();
        sqlx::query(ADD_TO_DAY_TOTALS)
            .bind(day_keys.iter().map(|key| key.0).collect::<Vec<_>>())
            .bind(day_keys.iter().map(|key| key.1).collect::<Vec<_>>())
            .bind(day_keys.iter().map(|key| key.2).collect::<Vec<_>>())
            .bind(day_sums.iter().map(|sums| sums.0).collect::<Vec<_>>())
            .bind(day_sums.iter().map(|sums| sums.1).collect::<Vec<_>>())
            .execute(&mut *connection)
            .await?;
        let (keys, sums): (Vec<&BalanceKey>, Vec<&Sums>) = self.balances.iter().unzip();
        sqlx::query(ADD_TO_BALANCES)
            .bind(keys.iter().map(|key| key.0).collect::<Vec<_>>())
            .bind(keys.iter().map(|key| key.1).collect::<Vec<_>>())
            .bind(sums.iter().map(|sums| sums.0).collect::<Vec<_>>())
            .bind(sums.iter().map(|sums| sums.1).collect::<Vec<_>>())
            .execute(connection)
            .await?;
        Ok(())
    }
}

/// Adds a line's debit and credit to a running pair. A ledger's totals fit `NUMERIC(16, 2)`, far
/// inside `Decimal`; an overflow would still be refused, never wrapped.
fn add(sums: &mut Sums, debit: Decimal, credit: Decimal) -> Result<(), sqlx::Error> {
    let overflow = || sqlx::Error::Protocol("a journal total does not fit a decimal".to_string());
    sums.0 = sums.0.checked_add(debit).ok_or_else(overflow)?;
    sums.1 = sums.1.checked_add(credit).ok_or_else(overflow)?;
    Ok(())
}

/// Account codes on the wire are four-digit strings; in Postgres they are SMALLINT.
pub fn account_number(code: AccountCode) -> i16 {
    i16::try_from(code.number()).expect("account codes are four digits")
}

const COPY_ENTRIES: &str = "COPY journal_entry (entry_number, entry_id, business_id, event_id, event_type, document_id,
                           occurred_at, business_day) FROM STDIN (FORMAT binary)";

const COPY_LINES: &str =
    "COPY journal_line (entry_number, line_no, business_id, account_code, debit, credit) FROM STDIN (FORMAT binary)";

/// Each account's day totals (the reports' `account_day_total`, dated by the entry's business
/// day), and below its running balance.
const ADD_TO_DAY_TOTALS: &str = "
INSERT INTO account_day_total AS t (business_id, account_code, business_day, debit_total, credit_total)
SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::date[], $4::numeric[], $5::numeric[])
ON CONFLICT (business_id, business_day, account_code) DO UPDATE
   SET debit_total = t.debit_total + EXCLUDED.debit_total,
       credit_total = t.credit_total + EXCLUDED.credit_total";

const ADD_TO_BALANCES: &str = "
INSERT INTO account_balance AS b (business_id, account_code, debit_total, credit_total)
SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::numeric[], $4::numeric[])
ON CONFLICT (business_id, account_code) DO UPDATE
   SET debit_total = b.debit_total + EXCLUDED.debit_total,
       credit_total = b.credit_total + EXCLUDED.credit_total";
