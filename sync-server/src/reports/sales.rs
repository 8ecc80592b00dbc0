//! Sales per business day, per business and per till (the owner's chart), from
//! `sales_day_total`: sales of goods and gas less refunds, voided sales left out. And revenue
//! the way the owner thinks of it: every kind a business earns (goods, laundry, LPG gas and
//! cylinders) from the ledger's revenue accounts, so a laundry's takings are in it too.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::Money;

use super::{Period, Result, Scope, money};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SalesDay {
    pub business_day: NaiveDate,
    pub business_code: String,
    pub till_code: String,
    pub sales_count: i64,
    pub gross: Money,
    pub refunds: Money,
    pub net: Money,
}

/// One row per day, business and till that sold anything in the period, oldest first.
pub async fn sales_by_day(pool: &PgPool, scope: &Scope, period: Period) -> Result<Vec<SalesDay>> {
    let rows: Vec<(NaiveDate, String, String, i64, Decimal, Decimal)> = sqlx::query_as(
        "SELECT t.business_day, b.code, coalesce(d.till_code, '?'), sum(t.sales_count)::bigint,
                sum(t.gross), sum(t.refunds)
           FROM sales_day_total t
           JOIN business b ON b.id = t.business_id
           LEFT JOIN device d ON d.id = t.device_id
          WHERE t.business_day BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR t.business_id = $3)
          GROUP BY t.business_day, b.code, d.till_code
         HAVING sum(t.sales_count) <> 0 OR sum(t.gross) <> 0 OR sum(t.refunds) <> 0
          ORDER BY t.business_day, b.code, 3",
    )
    .bind(period.from)
    .bind(period.to)
    .bind(scope.business_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(business_day, business_code, till_code, sales_count, gross, refunds)| {
            Ok(SalesDay {
                business_day,
                business_code,
                till_code,
                sales_count,
                gross: money(gross)?,
                refunds: money(refunds)?,
                net: money(gross - refunds)?,
            })
        })
        .collect()
}

/// One business's revenue on one day, by kind, net of VAT, from its revenue accounts: what the
/// P&L shows for those days, split the way the owner runs the business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevenueDay {
    pub business_day: NaiveDate,
    pub business_code: String,
    /// Water and retail goods (the business's sales account).
    pub goods: Money,
    /// Laundry services, recognised when a job is taken in.
    pub laundry: Money,
    pub lpg_gas: Money,
    pub lpg_cylinders: Money,
    /// Any other revenue account (other income: cash over).
    pub other: Money,
    /// All of it: the day's bar in the owner's chart.
    pub net: Money,
}

/// Revenue per day and business in the period, oldest first, from `account_day_total` (each
/// business's running totals: as fast at year seven as in week one).
pub async fn revenue_by_day(pool: &PgPool, scope: &Scope, period: Period) -> Result<Vec<RevenueDay>> {
    let rows: Vec<(NaiveDate, String, sqlx::types::Json<tillbook_core::chart::BusinessAccounts>, i16, Decimal)> =
        sqlx::query_as(
            "SELECT t.business_day, b.code, b.accounts, t.account_code, sum(t.credit_total - t.debit_total)
               FROM account_day_total t
               JOIN account a ON a.code = t.account_code AND a.kind = 'revenue'
               JOIN business b ON b.id = t.business_id
              WHERE t.business_day BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR t.business_id = $3)
              GROUP BY t.business_day, b.code, b.accounts, t.account_code
             HAVING sum(t.credit_total - t.debit_total) <> 0
              ORDER BY t.business_day, b.code, t.account_code",
        )
        .bind(period.from)
        .bind(period.to)
        .bind(scope.business_id)
        .fetch_all(pool)
        .await?;
    let mut days: Vec<RevenueDay> = Vec::new();
    for (business_day, business_code, accounts, account, amount) in rows {
        let amount = money(amount)?;
        let is = |code: Option<tillbook_core::chart::AccountCode>| {
            code.is_some_and(|code| i32::from(code.number()) == i32::from(account))
        };
        let lpg = accounts.lpg.as_ref();
        let same_day =
            days.last().is_some_and(|day| day.business_day == business_day && day.business_code == business_code);
        if !same_day {
            days.push(RevenueDay {
                business_day,
                business_code,
                goods: Money::ZERO,
                laundry: Money::ZERO,
                lpg_gas: Money::ZERO,
                lpg_cylinders: Money::ZERO,
                other: Money::ZERO,
                net: Money::ZERO,
            });
        }
        let Some(day) = days.last_mut() else { continue };
        let kind = if is(accounts.laundry_revenue) {
            &mut day.laundry
        } else if is(lpg.map(|lpg| lpg.gas_revenue)) {
            &mut day.lpg_gas
        } else if is(lpg.map(|lpg| lpg.cylinder_revenue)) {
            &mut day.lpg_cylinders
        } else if is(accounts.goods.as_ref().map(|goods| goods.revenue)) || is_own_sales(account, &accounts) {
            &mut day.goods
        } else {
            &mut day.other
        };
        *kind = money(kind.decimal() + amount.decimal())?;
        day.net = money(day.net.decimal() + amount.decimal())?;
    }
    Ok(days)
}

/// A business made before the chart template named its goods account: its own revenue account
/// that is neither laundry nor LPG is its sales (4100, 4300 in the demo).
fn is_own_sales(account: i16, accounts: &tillbook_core::chart::BusinessAccounts) -> bool {
    accounts.goods.is_none() && (4000..4900).contains(&account)
}
