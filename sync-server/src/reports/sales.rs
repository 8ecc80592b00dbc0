//! Sales per business day, per business and per till (the owner's chart), from
//! `sales_day_total`: sales of goods and gas less refunds, voided sales left out.

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
