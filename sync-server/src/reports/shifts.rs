//! Over and short per cashier (the Z reports at head office): each shift closed in the period,
//! with the cash the till expected, what was counted and the difference, under the name of
//! the cashier who opened the shift; and each cashier's totals over the period, so the owner
//! sees who is often short. From `shift_opened` and `shift_closed` (migration 0016).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::Money;

use super::{Period, Result, Scope, money};

/// One shift's Z report as head office keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShiftLine {
    pub business_day: NaiveDate,
    pub business_code: String,
    pub till_code: String,
    /// Who opened the shift (who closed it, for a shift opened before head office kept them).
    pub cashier: String,
    pub closed_at: DateTime<Utc>,
    pub expected: Money,
    pub counted: Money,
    /// Counted less expected: over when positive, short when negative.
    pub difference: Money,
}

/// A cashier's shifts in the period: how many, what was over and short, and the net.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashierTotal {
    pub cashier: String,
    pub shifts: i64,
    pub over: Money,
    pub short: Money,
    pub net: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverShort {
    pub shifts: Vec<ShiftLine>,
    pub cashiers: Vec<CashierTotal>,
}

const SHIFTS: &str = "
SELECT c.business_day, b.code, coalesce(d.till_code, '?'),
       coalesce(opener.name, closer.name, '?'), c.occurred_at, c.expected, c.counted, c.difference
  FROM shift_closed c
  JOIN business b ON b.id = c.business_id
  LEFT JOIN device d ON d.id = c.device_id
  LEFT JOIN LATERAL (SELECT o.opened_by FROM shift_opened o WHERE o.shift_id = c.shift_id
                      ORDER BY o.occurred_at LIMIT 1) o ON true
  LEFT JOIN staff opener ON opener.id = o.opened_by
  LEFT JOIN staff closer ON closer.id = c.closed_by
 WHERE c.business_day BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR c.business_id = $3)
 ORDER BY c.business_day, b.code, 3, c.occurred_at";

type ShiftRow = (NaiveDate, String, String, String, DateTime<Utc>, Decimal, Decimal, Decimal);

pub async fn over_short(pool: &PgPool, scope: &Scope, period: Period) -> Result<OverShort> {
    let rows: Vec<ShiftRow> =
        sqlx::query_as(SHIFTS).bind(period.from).bind(period.to).bind(scope.business_id).fetch_all(pool).await?;
    let mut shifts = Vec::with_capacity(rows.len());
    for (business_day, business_code, till_code, cashier, closed_at, expected, counted, difference) in rows {
        shifts.push(ShiftLine {
            business_day,
            business_code,
            till_code,
            cashier,
            closed_at,
            expected: money(expected)?,
            counted: money(counted)?,
            difference: money(difference)?,
        });
    }
    let mut cashiers: Vec<CashierTotal> = Vec::new();
    for shift in &shifts {
        let index = match cashiers.iter().position(|total| total.cashier == shift.cashier) {
            Some(index) => index,
            None => {
                let zero = Money::ZERO;
                cashiers.push(CashierTotal {
                    cashier: shift.cashier.clone(),
                    shifts: 0,
                    over: zero,
                    short: zero,
                    net: zero,
                });
                cashiers.len() - 1
            }
        };
        let total = &mut cashiers[index];
        total.shifts += 1;
        let difference = shift.difference.decimal();
        if difference.is_sign_positive() {
            total.over = money(total.over.decimal() + difference)?;
        } else {
            total.short = money(total.short.decimal() - difference)?;
        }
        total.net = money(total.net.decimal() + difference)?;
    }
    cashiers.sort_by(|a, b| a.net.cents().cmp(&b.net.cents()).then_with(|| a.cashier.cmp(&b.cashier)));
    Ok(OverShort { shifts, cashiers })
}
