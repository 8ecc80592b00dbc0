//! Who owes what (DESIGN §5, §9). A customer's outstanding is always derived: invoices (credit
//! sales, laundry jobs, opening balances) not voided or cancelled, less what was allocated to
//! them by payments and credit notes not voided. Unapplied payments are the customer's credit.
//!
//! As of a day: when nothing in the books is dated after it (the usual case, today), the running
//! settlement is that day's state and only open invoices are read. For an earlier day (a month
//! end), each invoice is settled again from what was dated up to that day — allocations, voids
//! and cancellations by the business day of their entries — so the aging ties to the balance
//! sheet's receivable accounts on the same day.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::Money;
use tillbook_core::receivables::{CREDIT_TERMS_DAYS, invoice_status};
use uuid::Uuid;

use super::{ReportError, Result, accumulate, money};

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
/// and what was paid on invoices since cancelled or voided, less credit applied or paid back.
/// The sets are small and indexed (`payment_unapplied`, `invoice_settlement_cancelled_paid`,
/// `credit_use_customer`).
pub const CREDITS: &str = "
SELECT customer_id, sum(amount) FROM (
    SELECT p.customer_id, p.unapplied AS amount FROM payment p
     WHERE p.unapplied > 0 AND {customer}
       AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = p.payment_id)
    UNION ALL
    SELECT s.customer_id, a.amount
      FROM invoice_settlement s JOIN allocation a ON a.invoice_id = s.invoice_id
     WHERE s.cancelled AND s.paid > 0 AND {customer}
       AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = a.document_id)
    UNION ALL
    SELECT u.customer_id, -u.amount FROM credit_use u
     WHERE {customer} AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = u.document_id)
) credits GROUP BY customer_id";

/// Whether any business has ledger activity dated after `$1` (one primary-key probe per business).
const BOOKS_MOVE_AFTER: &str = "
SELECT EXISTS (SELECT 1 FROM business b
                WHERE (SELECT max(business_day) FROM account_day_total t WHERE t.business_id = b.id) > $1)";

/// The invoices whose standing on `$1` is worked out again: for aging, those open now or changed
/// after `$1` (`invoice_settlement.last_day`, indexed) — every other invoice was closed then as
/// now; for a statement, all of the customer's.
const OPEN_OR_CHANGED_SINCE: &str = "
  FROM invoice_settlement s JOIN invoice i USING (invoice_id) JOIN business b ON b.id = i.business_id
 WHERE ((NOT s.cancelled AND s.paid < s.amount) OR s.last_day > $1) AND i.business_day <= $1";
const CUSTOMERS_INVOICES: &str = "
  FROM invoice i JOIN business b ON b.id = i.business_id
 WHERE i.customer_id = $2 AND i.business_day <= $1";

/// The documents voided and the invoices cancelled by the end of `$1`, each dated by its
/// entry's business day. Voids and cancellations are few.
const DATED: &str = "
WITH voided AS (
    SELECT v.document_id FROM voided_document v JOIN journal_entry e ON e.event_id = v.event_id
     WHERE e.business_day <= $1),
cancelled AS (
    SELECT x.invoice_id FROM invoice_cancellation x JOIN journal_entry e ON e.event_id = x.event_id
     WHERE e.business_day <= $1
    UNION
    SELECT document_id FROM voided)";

/// What was paid on invoice `i` by the end of `$1`: its allocations by documents not voided by
/// then, dated by their entries. A correlated subquery, so it is answered by index per invoice.
const PAID_AS_OF: &str = "
(SELECT coalesce(sum(a.amount), 0) FROM allocation a JOIN journal_entry e ON e.event_id = a.event_id
  WHERE a.invoice_id = i.invoice_id AND e.business_day <= $1
    AND a.document_id NOT IN (SELECT document_id FROM voided))";

/// The candidate invoices (`{candidates}`), settled as of `$1`.
const INVOICES_AS_OF: &str = "
SELECT i.invoice_id, i.customer_id, b.code AS business_code, i.number, i.kind, i.business_day, i.amount,
       {paid}, i.invoice_id IN (SELECT invoice_id FROM cancelled)
  {candidates}
 ORDER BY i.business_day, i.number";

/// Credit held as of `$1` by the customers `{customer}` lets through: payments' unapplied parts,
/// and what was paid on invoices cancelled by then (both small sets, reached by index).
const CREDITS_AS_OF: &str = "
SELECT customer_id, sum(amount) FROM (
    SELECT p.customer_id, p.unapplied AS amount FROM payment p JOIN journal_entry e ON e.event_id = p.event_id
     WHERE p.unapplied > 0 AND e.business_day <= $1 AND {customer}
       AND p.payment_id NOT IN (SELECT document_id FROM voided)
    UNION ALL
    SELECT i.customer_id, {paid} FROM invoice i
     WHERE i.invoice_id IN (SELECT invoice_id FROM cancelled) AND {customer}
    UNION ALL
    SELECT u.customer_id, -u.amount FROM credit_use u
     WHERE u.business_day <= $1 AND {customer} AND u.document_id NOT IN (SELECT document_id FROM voided)
) credits GROUP BY customer_id";

/// Where a customer's credit came from and where it went, up to `$1`: the same parts as
/// [`CREDITS_AS_OF`] one by one, so the lines add up to the credit the statement shows.
/// Applied credit names the invoices it paid; a refund its receipt.
const CREDIT_LINES: &str = "
SELECT day, business_code, kind, reference, amount FROM (
    SELECT e.business_day AS day, b.code AS business_code, 'paid_in_advance' AS kind,
           p.receipt_number AS reference, p.unapplied AS amount
      FROM payment p JOIN journal_entry e ON e.event_id = p.event_id JOIN business b ON b.id = p.business_id
     WHERE p.unapplied > 0 AND e.business_day <= $1 AND {customer}
       AND p.payment_id NOT IN (SELECT document_id FROM voided)
    UNION ALL
    SELECT i.business_day, b.code, 'paid_on_cancelled', i.number, {paid}
      FROM invoice i JOIN business b ON b.id = i.business_id
     WHERE i.invoice_id IN (SELECT invoice_id FROM cancelled) AND {customer}
    UNION ALL
    SELECT u.business_day, b.code, u.kind,
           coalesce((SELECT string_agg(n.number, ', ' ORDER BY n.number)
                       FROM allocation a JOIN invoice n ON n.invoice_id = a.invoice_id
                      WHERE a.document_id = u.document_id),
                    (SELECT x.raw -> 'document' ->> 'receipt_number' FROM inbox x WHERE x.event_id = u.event_id),
                    ''),
           -u.amount
      FROM credit_use u JOIN business b ON b.id = u.business_id
     WHERE u.business_day <= $1 AND {customer} AND u.document_id NOT IN (SELECT document_id FROM voided)
) lines WHERE amount <> 0
 ORDER BY day, kind DESC, reference";

/// A movement of a customer's credit: positive received, negative used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditLine {
    pub day: NaiveDate,
    pub business_code: String,
    /// `paid_in_advance`, `paid_on_cancelled`, `applied` or `refunded`.
    pub kind: String,
    pub reference: String,
    pub amount: Money,
}

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
    /// How the credit came and went; the amounts add up to `credit`.
    pub credit_lines: Vec<CreditLine>,
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

/// Whether the running settlement is the state as of `as_of`: nothing is dated after it.
async fn settled_as_of(pool: &PgPool, as_of: NaiveDate) -> Result<bool> {
    let (later,): (bool,) = sqlx::query_as(BOOKS_MOVE_AFTER).bind(as_of).fetch_one(pool).await?;
    Ok(!later)
}

/// The dated settlement and `query` over it, for one customer (`$2`) or everyone.
fn dated_sql(query: &str, customer: Option<Uuid>) -> String {
    let (candidates, filter) = match customer {
        Some(_) => (CUSTOMERS_INVOICES, "customer_id = $2"),
        None => (OPEN_OR_CHANGED_SINCE, "TRUE"),
    };
    let query = query.replace("{candidates}", candidates).replace("{customer}", filter).replace("{paid}", PAID_AS_OF);
    format!("{DATED} {query}")
}

type InvoiceTuple = (Uuid, Uuid, String, String, String, NaiveDate, Decimal, Decimal, bool);

/// Without a customer: everyone's invoices still owed on as of `as_of` (all aging needs; after
/// `as_of` fully paid ones may come too, aging skips them). With one: all of that customer's
/// invoices, paid and cancelled ones too (the statement lists them).
async fn invoices(pool: &PgPool, as_of: NaiveDate, customer: Option<Uuid>) -> Result<Vec<InvoiceRow>> {
    let rows: Vec<InvoiceTuple> = if settled_as_of(pool, as_of).await? {
        match customer {
            None => sqlx::query_as(OPEN_INVOICES).bind(as_of).fetch_all(pool).await?,
            Some(customer) => sqlx::query_as(CUSTOMER_INVOICES).bind(as_of).bind(customer).fetch_all(pool).await?,
        }
    } else {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(dated_sql(INVOICES_AS_OF, customer))).bind(as_of);
        if let Some(customer) = customer {
            query = query.bind(customer);
        }
        query.fetch_all(pool).await?
    };
    Ok(rows
        .into_iter()
        .map(|(invoice_id, customer_id, business_code, number, kind, business_day, amount, paid, cancelled)| {
            InvoiceRow { invoice_id, customer_id, business_code, number, kind, business_day, amount, paid, cancelled }
        })
        .collect())
}

/// Each customer's credit as of `as_of`; one customer's, or everyone's. Separate statements
/// rather than one with `$1 IS NULL OR ...`, which a cached generic plan cannot answer from the
/// indexes.
async fn credits(pool: &PgPool, as_of: NaiveDate, customer: Option<Uuid>) -> Result<Vec<(Uuid, Money)>> {
    let rows: Vec<(Uuid, Decimal)> = if settled_as_of(pool, as_of).await? {
        match customer {
            None => sqlx::query_as(sqlx::AssertSqlSafe(CREDITS.replace("{customer}", "TRUE"))).fetch_all(pool).await?,
            Some(customer) => {
                sqlx::query_as(sqlx::AssertSqlSafe(CREDITS.replace("{customer}", "customer_id = $1")))
                    .bind(customer)
                    .fetch_all(pool)
                    .await?
            }
        }
    } else {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(dated_sql(CREDITS_AS_OF, customer))).bind(as_of);
        if let Some(customer) = customer {
            query = query.bind(customer);
        }
        query.fetch_all(pool).await?
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

fn add_to_bucket(line: &mut AgingLine, age_days: i64, owed: Money) -> Result<()> {
    let bucket = match age_days {
        ..=30 => &mut line.days_0_30,
        31..=60 => &mut line.days_31_60,
        61..=90 => &mut line.days_61_90,
        _ => &mut line.over_90,
    };
    accumulate(bucket, owed)?;
    accumulate(&mut line.outstanding, owed)
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
    let credits = credits(pool, as_of, None).await?;
    let mut by_customer: BTreeMap<Uuid, AgingLine> = BTreeMap::new();
    for (customer, age_days, owed) in kept {
        let line = by_customer.entry(customer).or_insert_with(|| line_of(customer));
        add_to_bucket(line, age_days, owed)?;
    }
    for (customer, credit) in credits {
        accumulate(&mut by_customer.entry(customer).or_insert_with(|| line_of(customer)).credit, credit)?;
    }
    let mut customers: Vec<AgingLine> = by_customer.into_values().collect();
    customers.sort_by(|a, b| b.outstanding.cmp(&a.outstanding).then_with(|| a.name.cmp(&b.name)));
    let mut total = empty_line(Uuid::nil(), "Total".into());
    for line in &customers {
        accumulate(&mut total.days_0_30, line.days_0_30)?;
        accumulate(&mut total.days_31_60, line.days_31_60)?;
        accumulate(&mut total.days_61_90, line.days_61_90)?;
        accumulate(&mut total.over_90, line.over_90)?;
        accumulate(&mut total.outstanding, line.outstanding)?;
        accumulate(&mut total.credit, line.credit)?;
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
        let outstanding = if invoice.cancelled { Money::ZERO } else { amount.checked_sub(paid)?.max(Money::ZERO) };
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
    let outstanding = Money::sum(lines.iter().map(|line| line.outstanding))?;
    let credit = Money::sum(credits(pool, as_of, Some(customer_id)).await?.into_iter().map(|(_, amount)| amount))?;
    let credit_lines: Vec<(NaiveDate, String, String, String, Decimal)> =
        sqlx::query_as(sqlx::AssertSqlSafe(dated_sql(CREDIT_LINES, Some(customer_id))))
            .bind(as_of)
            .bind(customer_id)
            .fetch_all(pool)
            .await?;
    let credit_lines = credit_lines
        .into_iter()
        .map(|(day, business_code, kind, reference, amount)| {
            Ok(CreditLine { day, business_code, kind, reference, amount: money(amount)? })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Statement {
        customer_id,
        name,
        as_of,
        credit_limit: money(credit_limit)?,
        invoices: lines,
        outstanding,
        credit,
        credit_lines,
        balance: outstanding.checked_sub(credit)?,
    })
}
