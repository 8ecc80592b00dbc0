//! Who owes what (DESIGN §5, §9). A customer's outstanding is always derived: invoices (credit
//! sales, laundry jobs, opening balances) not voided or cancelled, less what was allocated to
//! them by payments and credit notes not voided. Unapplied payments are the customer's credit.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::Money;
use tillbook_core::receivables::{CREDIT_TERMS_DAYS, invoice_status};
use uuid::Uuid;

use super::{ReportError, Result, money};

/// The invoices still owed on (not cancelled, not fully paid) issued up to `$1`, read through
/// the partial index of open settlements: aging costs what is open, not seven years of history.
const OPEN_INVOICES: &str = "
SELECT i.invoice_id, i.customer_id, b.code AS business_code, i.number, i.kind, i.business_day, i.amount,
       s.paid, s.cancelled
  FROM invoice_settlement s JOIN invoice i USING (invoice_id) JOIN business b ON b.id = i.business_id
 WHERE NOT s.cancelled AND s.paid < s.amount AND i.business_day <= $1
 ORDER BY i.business_day, i.number";

/// Every invoice of customer `$2` issued up to `$1` with what was paid against it, and whether
/// it still stands (`invoice_standing`, the one definition the tills' balances and `verify` use).
const CUSTOMER_INVOICES: &str = "
SELECT i.invoice_id, i.customer_id, b.code AS business_code, i.number, i.kind, i.business_day, i.amount,
       i.paid, i.cancelled
  FROM invoice_standing i JOIN business b ON b.id = i.business_id
 WHERE i.business_day <= $1 AND i.customer_id = $2
 ORDER BY i.business_day, i.number";

/// Credit held by customers (those `{customer}` lets through): payments beyond their invoices,
/// and what was paid on invoices since cancelled or voided. Both sets are small and indexed
/// (`payment_unapplied`, `invoice_settlement_cancelled_paid`).
const CREDITS: &str = "
SELECT customer_id, sum(amount) FROM (
    SELECT p.customer_id, p.unapplied AS amount FROM payment p
     WHERE p.unapplied > 0 AND {customer}
       AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = p.payment_id)
    UNION ALL
    SELECT i.customer_id, a.amount
      FROM invoice_settlement s JOIN invoice i USING (invoice_id) JOIN allocation a ON a.invoice_id = s.invoice_id
     WHERE s.cancelled AND s.paid > 0 AND {customer}
       AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = a.document_id)
) credits GROUP BY customer_id";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgingLine {
    pub customer_id: Uuid,
    pub name: String,
    pub days_0_30: Money,
    pub days_31_60: Money,
    pub days_61_90: Money,
    pub over_90: Money,
    pub outstanding: Money,
    pub credit: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Aging {
    pub as_of: NaiveDate,
    pub customers: Vec<AgingLine>,
    pub total: AgingLine,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementInvoice {
    pub invoice_id: Uuid,
    pub business_code: String,
    pub number: String,
    /// `credit_sale`, `laundry` or `opening`.
    pub kind: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub amount: Money,
    pub paid: Money,
    pub outstanding: Money,
    /// `open`, `partially_paid`, `paid`, `overdue` or `cancelled`, as of the statement's day.
    pub status: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub customer_id: Uuid,
    pub name: String,
    pub as_of: NaiveDate,
    pub credit_limit: Money,
    pub invoices: Vec<StatementInvoice>,
    pub outstanding: Money,
    pub credit: Money,
    /// Outstanding less credit: what the customer owes on balance.
    pub balance: Money,
}

struct InvoiceRow {
    invoice_id: Uuid,
    customer_id: Uuid,
    business_code: String,
    number: String,
    kind: String,
    business_day: NaiveDate,
    amount: Decimal,
    paid: Decimal,
    cancelled: bool,
}

/// Without a customer: everyone's open invoices (all aging needs). With one: all of that
/// customer's invoices, paid and cancelled ones too (the statement lists them).
async fn invoices(pool: &PgPool, as_of: NaiveDate, customer: Option<Uuid>) -> Result<Vec<InvoiceRow>> {
    type Row = (Uuid, Uuid, String, String, String, NaiveDate, Decimal, Decimal, bool);
    let rows: Vec<Row> = match customer {
        None => sqlx::query_as(OPEN_INVOICES).bind(as_of).fetch_all(pool).await?,
        Some(customer) => sqlx::query_as(CUSTOMER_INVOICES).bind(as_of).bind(customer).fetch_all(pool).await?,
    };
    Ok(rows
        .into_iter()
        .map(|(invoice_id, customer_id, business_code, number, kind, business_day, amount, paid, cancelled)| {
            InvoiceRow { invoice_id, customer_id, business_code, number, kind, business_day, amount, paid, cancelled }
        })
        .collect())
}

/// Each customer's credit; one customer's, or everyone's. Two statements rather than one with
/// `$1 IS NULL OR ...`, which a cached generic plan cannot answer from the indexes.
async fn credits(pool: &PgPool, customer: Option<Uuid>) -> Result<Vec<(Uuid, Money)>> {
    let rows: Vec<(Uuid, Decimal)> = match customer {
        None => sqlx::query_as(sqlx::AssertSqlSafe(CREDITS.replace("{customer}", "TRUE"))).fetch_all(pool).await?,
        Some(customer) => {
            sqlx::query_as(sqlx::AssertSqlSafe(CREDITS.replace("{customer}", "customer_id = $1")))
                .bind(customer)
                .fetch_all(pool)
                .await?
        }
    };
    rows.into_iter().map(|(customer, amount)| Ok((customer, money(amount)?))).collect()
}

fn empty_line(customer_id: Uuid, name: String) -> AgingLine {
    AgingLine {
        customer_id,
        name,
        days_0_30: Money::ZERO,
        days_31_60: Money::ZERO,
        days_61_90: Money::ZERO,
        over_90: Money::ZERO,
        outstanding: Money::ZERO,
        credit: Money::ZERO,
    }
}

fn add_to_bucket(line: &mut AgingLine, age_days: i64, owed: Money) {
    let bucket = match age_days {
        ..=30 => &mut line.days_0_30,
        31..=60 => &mut line.days_31_60,
        61..=90 => &mut line.days_61_90,
        _ => &mut line.over_90,
    };
    *bucket += owed;
    line.outstanding += owed;
}

/// Every customer who owes anything or holds credit, with what they owe by age of invoice
/// (days since it was issued, as of `as_of`), and the totals.
pub async fn aging(pool: &PgPool, as_of: NaiveDate) -> Result<Aging> {
    let names: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, name FROM customer").fetch_all(pool).await?;
    let names: HashMap<Uuid, String> = names.into_iter().collect();
    let line_of = |id: Uuid| empty_line(id, names.get(&id).cloned().unwrap_or_default());
    let mut kept = Vec::new();
    for invoice in invoices(pool, as_of, None).await? {
        let owed = money(invoice.amount - invoice.paid)?;
        if invoice.cancelled || !owed.is_positive() {
            continue;
        }
        kept.push((invoice.customer_id, (as_of - invoice.business_day).num_days(), owed));
    }
    let credits = credits(pool, None).await?;
    let mut by_customer: BTreeMap<Uuid, AgingLine> = BTreeMap::new();
    for (customer, age_days, owed) in kept {
        let line = by_customer.entry(customer).or_insert_with(|| line_of(customer));
        add_to_bucket(line, age_days, owed);
    }
    for (customer, credit) in credits {
        by_customer.entry(customer).or_insert_with(|| line_of(customer)).credit += credit;
    }
    let mut customers: Vec<AgingLine> = by_customer.into_values().collect();
    customers.sort_by(|a, b| b.outstanding.cmp(&a.outstanding).then_with(|| a.name.cmp(&b.name)));
    let mut total = empty_line(Uuid::nil(), "Total".into());
    for line in &customers {
        total.days_0_30 += line.days_0_30;
        total.days_31_60 += line.days_31_60;
        total.days_61_90 += line.days_61_90;
        total.over_90 += line.over_90;
        total.outstanding += line.outstanding;
        total.credit += line.credit;
    }
    Ok(Aging { as_of, customers, total })
}

/// One customer's invoices across every business with their status, and the balance.
pub async fn statement(pool: &PgPool, customer_id: Uuid, as_of: NaiveDate) -> Result<Statement> {
    let customer: Option<(String, Decimal)> = sqlx::query_as("SELECT name, credit_limit FROM customer WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(pool)
        .await?;
    let (name, credit_limit) = customer.ok_or_else(|| ReportError::Invalid {
        field: "customer_id",
        message: format!("no customer with id {customer_id}"),
    })?;
    let mut lines = Vec::new();
    for invoice in invoices(pool, as_of, Some(customer_id)).await? {
        let amount = money(invoice.amount)?;
        let paid = money(invoice.paid)?;
        let due_on = invoice.business_day.checked_add_days(Days::new(CREDIT_TERMS_DAYS)).unwrap_or(NaiveDate::MAX);
        let outstanding = if invoice.cancelled { Money::ZERO } else { (amount - paid).max(Money::ZERO) };
        lines.push(StatementInvoice {
            invoice_id: invoice.invoice_id,
            business_code: invoice.business_code,
            number: invoice.number,
            kind: invoice.kind,
            issued_on: invoice.business_day,
            due_on,
            amount,
            paid,
            outstanding,
            status: invoice_status(amount, paid, invoice.cancelled, due_on, as_of).as_str(),
        });
    }
    let outstanding: Money = lines.iter().map(|line| line.outstanding).sum();
    let credit: Money = credits(pool, Some(customer_id)).await?.into_iter().map(|(_, amount)| amount).sum();
    Ok(Statement {
        customer_id,
        name,
        as_of,
        credit_limit: money(credit_limit)?,
        invoices: lines,
        outstanding,
        credit,
        balance: outstanding - credit,
    })
}
