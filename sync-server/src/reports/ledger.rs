//! The books as an accountant reads them: trial balance, profit and loss for any period,
//! balance sheet, and the cash and M-Pesa each business holds. All from `account_day_total`,
//! so a report over seven years reads days, not lines.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::Money;
use tillbook_core::chart::shared::{BANK_MAIN, BANK_SAVINGS};

use super::{Period, Result, Scope, money};

/// An account's totals over the report's days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountLine {
    pub account_code: i16,
    pub account_name: String,
    /// `asset`, `liability`, `equity`, `revenue` or `expense`.
    pub kind: String,
    pub debit: Money,
    pub credit: Money,
    /// On the account's normal side: debit − credit for assets and expenses, credit − debit
    /// for liabilities, equity and revenue.
    pub balance: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrialBalance {
    pub scope: String,
    pub as_of: NaiveDate,
    pub lines: Vec<AccountLine>,
    pub total_debit: Money,
    pub total_credit: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfitAndLoss {
    pub scope: String,
    pub period: Period,
    pub revenue: Vec<AccountLine>,
    pub expenses: Vec<AccountLine>,
    pub total_revenue: Money,
    pub total_expenses: Money,
    pub net_profit: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceSheet {
    pub scope: String,
    pub as_of: NaiveDate,
    pub assets: Vec<AccountLine>,
    pub liabilities: Vec<AccountLine>,
    pub equity: Vec<AccountLine>,
    /// Revenue less expenses of every day up to `as_of`, not yet closed into capital.
    pub earnings: Money,
    pub total_assets: Money,
    pub total_liabilities: Money,
    /// Equity accounts plus earnings.
    pub total_equity: Money,
    /// Assets = liabilities + equity; false means the books are broken.
    pub balances: bool,
}

/// Money on hand of one business: its drawer, its M-Pesa till, and its share of the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashPosition {
    pub business_code: String,
    pub business_name: String,
    pub cash: Money,
    pub mpesa: Money,
    pub bank: Money,
    pub total: Money,
}

/// Every account's totals for the days in `from..=to` (`from` None: since the beginning).
async fn account_lines(
    pool: &PgPool,
    scope: &Scope,
    from: Option<NaiveDate>,
    to: NaiveDate,
    kinds: &[&str],
) -> Result<Vec<AccountLine>> {
    let rows: Vec<(i16, String, String, Decimal, Decimal)> = sqlx::query_as(
        "SELECT a.code, a.name, a.kind, sum(t.debit_total), sum(t.credit_total)
           FROM account_day_total t JOIN account a ON a.code = t.account_code
          WHERE t.business_day <= $2 AND ($1::date IS NULL OR t.business_day >= $1)
            AND ($3::uuid IS NULL OR t.business_id = $3) AND a.kind = ANY($4)
          GROUP BY a.code, a.name, a.kind
          ORDER BY a.code",
    )
    .bind(from)
    .bind(to)
    .bind(scope.business_id)
    .bind(kinds.iter().map(|kind| kind.to_string()).collect::<Vec<_>>())
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(account_code, account_name, kind, debit, credit)| {
            let normal_debit = kind == "asset" || kind == "expense";
            let balance = if normal_debit { debit - credit } else { credit - debit };
            Ok(AccountLine {
                account_code,
                account_name,
                kind,
                debit: money(debit)?,
                credit: money(credit)?,
                balance: money(balance)?,
            })
        })
        .filter(|line| line.as_ref().map_or(true, |line| !(line.debit.is_zero() && line.credit.is_zero())))
        .collect()
}

const ALL_KINDS: [&str; 5] = ["asset", "liability", "equity", "revenue", "expense"];

/// Each account's net balance on its debit or credit side, as of the end of `as_of`.
pub async fn trial_balance(pool: &PgPool, scope: &Scope, as_of: NaiveDate) -> Result<TrialBalance> {
    let lines: Vec<AccountLine> = account_lines(pool, scope, None, as_of, &ALL_KINDS)
        .await?
        .into_iter()
        .map(|line| {
            let net = line.debit.checked_sub(line.credit)?;
            Ok(AccountLine {
                debit: if net.is_positive() { net } else { Money::ZERO },
                credit: if net.is_negative() { -net } else { Money::ZERO },
                ..line
            })
        })
        .collect::<Result<_>>()?;
    Ok(TrialBalance {
        scope: scope.label.clone(),
        as_of,
        total_debit: Money::sum(lines.iter().map(|line| line.debit))?,
        total_credit: Money::sum(lines.iter().map(|line| line.credit))?,
        lines,
    })
}

pub async fn profit_and_loss(pool: &PgPool, scope: &Scope, period: Period) -> Result<ProfitAndLoss> {
    let lines = account_lines(pool, scope, Some(period.from), period.to, &["revenue", "expense"]).await?;
    let (revenue, expenses): (Vec<_>, Vec<_>) = lines.into_iter().partition(|line| line.kind == "revenue");
    let total_revenue = Money::sum(revenue.iter().map(|line| line.balance))?;
    let total_expenses = Money::sum(expenses.iter().map(|line| line.balance))?;
    Ok(ProfitAndLoss {
        scope: scope.label.clone(),
        period,
        revenue,
        expenses,
        total_revenue,
        total_expenses,
        net_profit: total_revenue.checked_sub(total_expenses)?,
    })
}

pub async fn balance_sheet(pool: &PgPool, scope: &Scope, as_of: NaiveDate) -> Result<BalanceSheet> {
    let lines = account_lines(pool, scope, None, as_of, &ALL_KINDS).await?;
    let total_of = |kind: &str| Money::sum(lines.iter().filter(|l| l.kind == kind).map(|l| l.balance));
    let earnings = total_of("revenue")?.checked_sub(total_of("expense")?)?;
    let (total_assets, total_liabilities) = (total_of("asset")?, total_of("liability")?);
    let total_equity = total_of("equity")?.checked_add(earnings)?;
    let of_kind = |kind: &str| -> Vec<AccountLine> { lines.iter().filter(|l| l.kind == kind).cloned().collect() };
    Ok(BalanceSheet {
        scope: scope.label.clone(),
        as_of,
        assets: of_kind("asset"),
        liabilities: of_kind("liability"),
        equity: of_kind("equity"),
        earnings,
        total_assets,
        total_liabilities,
        total_equity,
        balances: total_liabilities.checked_add(total_equity).is_ok_and(|total| total == total_assets),
    })
}

/// Cash, M-Pesa and bank of each business at the end of `as_of`. The bank accounts are shared,
/// but every line carries its business, so each business's share is its own lines.
pub async fn cash_position(pool: &PgPool, as_of: NaiveDate) -> Result<Vec<CashPosition>> {
    let rows: Vec<(String, String, Decimal, Decimal, Decimal)> = sqlx::query_as(
        "SELECT b.code, b.name,
                coalesce(sum(t.debit_total - t.credit_total) FILTER (WHERE t.account_code = (b.accounts ->> 'cash')::smallint), 0),
                coalesce(sum(t.debit_total - t.credit_total) FILTER (WHERE t.account_code = (b.accounts ->> 'mpesa')::smallint), 0),
                coalesce(sum(t.debit_total - t.credit_total) FILTER (WHERE t.account_code IN ($2, $3)), 0)
           FROM business b
           LEFT JOIN account_day_total t ON t.business_id = b.id AND t.business_day <= $1
          GROUP BY b.id, b.code, b.name
          ORDER BY b.code",
    )
    .bind(as_of)
    .bind(i16::try_from(BANK_MAIN.number()).unwrap_or(i16::MAX))
    .bind(i16::try_from(BANK_SAVINGS.number()).unwrap_or(i16::MAX))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(business_code, business_name, cash, mpesa, bank)| {
            Ok(CashPosition {
                business_code,
                business_name,
                cash: money(cash)?,
                mpesa: money(mpesa)?,
                bank: money(bank)?,
                total: money(cash + mpesa + bank)?,
            })
        })
        .collect()
}
