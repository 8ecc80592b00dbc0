//! The owner's reports (DESIGN §9), read from the running totals the database keeps
//! (`account_day_total`, `sales_day_total`, stock levels) and from the invoices and allocations,
//! never from a scan of every journal line. Every amount is `Money`; every report has a CSV form
//! ([`csv`]) for the accountant.
//!
//! - [`ledger`] — trial balance, profit and loss, balance sheet, cash and M-Pesa position.
//! - [`sales`] — sales per business day, per business and per till.
//! - [`stock`] — goods and LPG cylinders on hand, with what is below zero.
//! - [`tills`] — each till's last sync and how far behind it is.
//! - [`customers`] — what each customer owes with its age, and a customer's statement.
//! - [`suppliers`] — what the group owes each supplier with its age, and a supplier's statement.
//! - [`vat`] — the monthly VAT return, per business and per KRA PIN, tied to 2200.

pub mod csv;
pub mod customers;
pub mod ledger;
pub mod sales;
pub mod shifts;
pub mod stock;
pub mod suppliers;
pub mod tills;
pub mod vat;

use rust_decimal::Decimal;
use sqlx::PgPool;
use tillbook_core::Money;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The caller named something that is not there: a 4xx, naming the field.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("an amount in the books is out of range: {0}")]
    OutOfRange(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub type Result<T> = std::result::Result<T, ReportError>;

impl From<tillbook_core::AmountError> for ReportError {
    fn from(error: tillbook_core::AmountError) -> ReportError {
        ReportError::OutOfRange(error.to_string())
    }
}

/// `*total += amount`, or `OutOfRange`.
pub fn accumulate(total: &mut Money, amount: Money) -> Result<()> {
    *total = total.checked_add(amount)?;
    Ok(())
}

/// A sum from Postgres as `Money`: sums of `NUMERIC(14,2)` keep two places.
pub fn money(value: Decimal) -> Result<Money> {
    Money::round(value).map_err(|_| ReportError::OutOfRange(value.to_string()))
}

/// One business (by its code) or all of them together (consolidated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub business_id: Option<Uuid>,
    /// The business's code, or `ALL` for the consolidated report.
    pub label: String,
}

impl Scope {
    pub fn consolidated() -> Scope {
        Scope { business_id: None, label: "ALL".into() }
    }

    /// `None` or `ALL` is every business; otherwise a business code that must exist.
    pub async fn of(pool: &PgPool, business: Option<&str>) -> Result<Scope> {
        let code = match business.map(str::trim) {
            None | Some("") => return Ok(Scope::consolidated()),
            Some(code) if code.eq_ignore_ascii_case("ALL") => return Ok(Scope::consolidated()),
            Some(code) => code.to_ascii_uppercase(),
        };
        let found: Option<(Uuid,)> =
            sqlx::query_as("SELECT id FROM business WHERE code = $1").bind(&code).fetch_optional(pool).await?;
        match found {
            Some((id,)) => Ok(Scope { business_id: Some(id), label: code }),
            None => Err(ReportError::Invalid { field: "business", message: format!("no business with code '{code}'") }),
        }
    }
}

/// A report period, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

impl Period {
    pub fn new(from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Period> {
        if from > to {
            return Err(ReportError::Invalid { field: "from", message: format!("{from} is after {to}") });
        }
        Ok(Period { from, to })
    }
}
