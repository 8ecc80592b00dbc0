//! `tillbook-server verify` (DESIGN §8): recompute the books from the journal lines and compare.
//! Clean means: every entry balances and has lines, every stored balance equals the sum of its
//! lines, entry numbers run 1..n without a gap, and the trial balance is zero.

use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnbalancedEntry {
    pub entry_number: i64,
    pub debits: Decimal,
    pub credits: Decimal,
    pub lines: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceMismatch {
    pub business_id: Uuid,
    pub account_code: i16,
    pub stored_debit: Decimal,
    pub stored_credit: Decimal,
    pub computed_debit: Decimal,
    pub computed_credit: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub entries: i64,
    pub lines: i64,
    pub unbalanced: Vec<UnbalancedEntry>,
    pub balance_mismatches: Vec<BalanceMismatch>,
    /// Entry numbers missing from 1..=max.
    pub missing_entry_numbers: i64,
    pub total_debits: Decimal,
    pub total_credits: Decimal,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.unbalanced.is_empty()
            && self.balance_mismatches.is_empty()
            && self.missing_entry_numbers == 0
            && self.total_debits == self.total_credits
    }
}

pub async fn verify(pool: &PgPool) -> Result<VerifyReport, sqlx::Error> {
    let unbalanced: Vec<(i64, Decimal, Decimal, i64)> = sqlx::query_as(
        "SELECT e.entry_number, coalesce(sum(l.debit), 0), coalesce(sum(l.credit), 0), count(l.line_no)
           FROM journal_entry e LEFT JOIN journal_line l USING (entry_number)
          GROUP BY e.entry_number
         HAVING coalesce(sum(l.debit), 0) <> coalesce(sum(l.credit), 0) OR count(l.line_no) < 2 OR coalesce(sum(l.debit), 0) = 0
          ORDER BY e.entry_number",
    )
    .fetch_all(pool)
    .await?;
    let mismatches: Vec<(Uuid, i16, Decimal, Decimal, Decimal, Decimal)> = sqlx::query_as(
        "WITH computed AS (
            SELECT business_id, account_code, sum(debit) AS debit, sum(credit) AS credit
              FROM journal_line GROUP BY business_id, account_code)
         SELECT coalesce(c.business_id, b.business_id), coalesce(c.account_code, b.account_code),
                coalesce(b.debit_total, 0), coalesce(b.credit_total, 0), coalesce(c.debit, 0), coalesce(c.credit, 0)
           FROM computed c FULL JOIN account_balance b USING (business_id, account_code)
          WHERE coalesce(b.debit_total, 0) <> coalesce(c.debit, 0) OR coalesce(b.credit_total, 0) <> coalesce(c.credit, 0)
          ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await?;
    let (entries, max_number): (i64, Option<i64>) =
        sqlx::query_as("SELECT count(*), max(entry_number) FROM journal_entry").fetch_one(pool).await?;
    let (lines, total_debits, total_credits): (i64, Decimal, Decimal) =
        sqlx::query_as("SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) FROM journal_line")
            .fetch_one(pool)
            .await?;
    Ok(VerifyReport {
        entries,
        lines,
        unbalanced: unbalanced
            .into_iter()
            .map(|(entry_number, debits, credits, lines)| UnbalancedEntry { entry_number, debits, credits, lines })
            .collect(),
        balance_mismatches: mismatches
            .into_iter()
            .map(|(business_id, account_code, stored_debit, stored_credit, computed_debit, computed_credit)| {
                BalanceMismatch {
                    business_id,
                    account_code,
                    stored_debit,
                    stored_credit,
                    computed_debit,
                    computed_credit,
                }
            })
            .collect(),
        missing_entry_numbers: max_number.unwrap_or(0) - entries,
        total_debits,
        total_credits,
    })
}

/// One row of the trial balance: a business's account, from the stored balances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrialBalanceRow {
    pub business_code: String,
    pub account_code: i16,
    pub account_name: String,
    pub debit_total: Decimal,
    pub credit_total: Decimal,
}

pub async fn trial_balance(pool: &PgPool) -> Result<Vec<TrialBalanceRow>, sqlx::Error> {
    let rows: Vec<(String, i16, String, Decimal, Decimal)> = sqlx::query_as(
        "SELECT b.code, a.code, a.name, ab.debit_total, ab.credit_total
           FROM account_balance ab JOIN business b ON b.id = ab.business_id JOIN account a ON a.code = ab.account_code
          ORDER BY b.code, a.code",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(business_code, account_code, account_name, debit_total, credit_total)| TrialBalanceRow {
            business_code,
            account_code,
            account_name,
            debit_total,
            credit_total,
        })
        .collect())
}
