//! What the group owes its suppliers (DESIGN §5, §9): goods received on account (`purchase`)
//! less what payments not voided allocated to them, aged by how long past due each invoice is;
//! and a supplier's statement. Both are dated by business day, voids by their own entry's day,
//! so an aging as of a month end ties to account 2110 on that day (`ledger_2110`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::Money;
use uuid::Uuid;

use super::{Period, ReportError, Result, Scope, accumulate, money};

/// The documents voided by the end of `$1`, each dated by its void's entry.
const VOIDED: &str = "
WITH voided AS (
    SELECT v.document_id FROM voided_document v JOIN journal_entry e ON e.event_id = v.event_id
     WHERE e.business_day <= $1)";

/// Each invoice on account dated up to `$1` (in business `$2`, or all) and not voided by then,
/// with what was still owed on it that day.
const OPEN_AS_OF: &str = "
SELECT p.supplier_id, p.supplier_name, p.due_on, p.business_day,
       p.total - coalesce((SELECT sum(a.amount) FROM supplier_allocation a JOIN supplier_payment s USING (payment_id)
                            WHERE a.purchase_id = p.purchase_id AND s.business_day <= $1
                              AND s.payment_id NOT IN (SELECT document_id FROM voided)), 0) AS open
  FROM purchase p
 WHERE p.paid_by = 'on_account' AND p.business_day <= $1 AND ($2::uuid IS NULL OR p.business_id = $2)
   AND p.purchase_id NOT IN (SELECT document_id FROM voided)";

/// What each payment dated up to `$1` and not voided by then paid beyond the invoices it was
/// allocated to (still standing): money the supplier holds in advance.
const ADVANCES_AS_OF: &str = "
SELECT s.supplier_id, sup.name,
       s.amount - coalesce((SELECT sum(a.amount) FROM supplier_allocation a JOIN purchase p USING (purchase_id)
                             WHERE a.payment_id = s.payment_id AND p.business_day <= $1
                               AND p.purchase_id NOT IN (SELECT document_id FROM voided)), 0) AS advance
  FROM supplier_payment s JOIN supplier sup ON sup.id = s.supplier_id
 WHERE s.business_day <= $1 AND ($2::uuid IS NULL OR s.business_id = $2)
   AND s.payment_id NOT IN (SELECT document_id FROM voided)";

/// One supplier's line of the aging: what is owed by days past due, less what they hold in
/// advance. `owed` is the sum of the buckets less `advance`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PayablesLine {
    /// None for receipts recorded before suppliers were kept (named by the receipt's text).
    pub supplier_id: Option<Uuid>,
    pub name: String,
    /// Not yet due.
    pub current: Money,
    pub days_1_30: Money,
    pub days_31_60: Money,
    pub days_61_90: Money,
    pub over_90: Money,
    pub advance: Money,
    pub owed: Money,
}

impl PayablesLine {
    fn add_open(&mut self, days_past_due: i64, open: Money) -> Result<()> {
        let bucket = match days_past_due {
            ..=0 => &mut self.current,
            1..=30 => &mut self.days_1_30,
            31..=60 => &mut self.days_31_60,
            61..=90 => &mut self.days_61_90,
            _ => &mut self.over_90,
        };
        accumulate(bucket, open)?;
        accumulate(&mut self.owed, open)
    }

    fn add_advance(&mut self, advance: Money) -> Result<()> {
        accumulate(&mut self.advance, advance)?;
        self.owed = self.owed.checked_sub(advance)?;
        Ok(())
    }

    fn add(&mut self, other: &PayablesLine) -> Result<()> {
        for (total, part) in [
            (&mut self.current, other.current),
            (&mut self.days_1_30, other.days_1_30),
            (&mut self.days_31_60, other.days_31_60),
            (&mut self.days_61_90, other.days_61_90),
            (&mut self.over_90, other.over_90),
            (&mut self.advance, other.advance),
            (&mut self.owed, other.owed),
        ] {
            accumulate(total, part)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payables {
    pub as_of: NaiveDate,
    /// The business's code, or `ALL`.
    pub business: String,
    pub suppliers: Vec<PayablesLine>,
    pub total: PayablesLine,
    /// Account 2110's credit balance on the same day, in the same scope: equal to
    /// `total.owed` when every entry on 2110 came from a receipt or a supplier payment.
    pub ledger_2110: Money,
}

/// An invoice's supplier (id and name), due day, day and what was open on it.
type OpenInvoice = (Option<Uuid>, String, Option<NaiveDate>, NaiveDate, Decimal);

/// The aging's line of a supplier, by name (then id), made when first needed.
fn line_of(
    by: &mut BTreeMap<(String, Option<Uuid>), PayablesLine>,
    id: Option<Uuid>,
    name: String,
) -> &mut PayablesLine {
    by.entry((name.clone(), id)).or_insert_with(|| PayablesLine { supplier_id: id, name, ..PayablesLine::default() })
}

/// The payables aging as of the end of `as_of`.
pub async fn payables(pool: &PgPool, scope: &Scope, as_of: NaiveDate) -> Result<Payables> {
    let mut by_supplier: BTreeMap<(String, Option<Uuid>), PayablesLine> = BTreeMap::new();
    let open: Vec<OpenInvoice> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{VOIDED} {OPEN_AS_OF}")))
        .bind(as_of)
        .bind(scope.business_id)
        .fetch_all(pool)
        .await?;
    for (id, name, due_on, day, amount) in open {
        let amount = money(amount)?;
        if !amount.is_positive() {
            continue;
        }
        let past_due = (as_of - due_on.unwrap_or(day)).num_days();
        line_of(&mut by_supplier, id, name).add_open(past_due, amount)?;
    }
    let advances: Vec<(Uuid, String, Decimal)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{VOIDED} {ADVANCES_AS_OF}")))
            .bind(as_of)
            .bind(scope.business_id)
            .fetch_all(pool)
            .await?;
    for (id, name, amount) in advances {
        let amount = money(amount)?;
        if amount.is_positive() {
            line_of(&mut by_supplier, Some(id), name).add_advance(amount)?;
        }
    }
    let suppliers: Vec<PayablesLine> = by_supplier.into_values().collect();
    let mut total = PayablesLine { name: "Total".into(), ..Default::default() };
    for line in &suppliers {
        total.add(line)?;
    }
    let (ledger,): (Decimal,) = sqlx::query_as(
        "SELECT coalesce(sum(credit_total - debit_total), 0) FROM account_day_total
          WHERE account_code = 2110 AND business_day <= $1 AND ($2::uuid IS NULL OR business_id = $2)",
    )
    .bind(as_of)
    .bind(scope.business_id)
    .fetch_one(pool)
    .await?;
    Ok(Payables { as_of, business: scope.label.clone(), suppliers, total, ledger_2110: money(ledger)? })
}

/// One line of a supplier's statement: an invoice (owed more), a payment (owed less), or a void
/// of either (the opposite), each on its business day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub day: NaiveDate,
    pub business_code: String,
    /// `invoice`, `payment`, `void of invoice` or `void of payment`.
    pub kind: String,
    /// The supplier's invoice number, or the payment's reference.
    pub reference: String,
    pub invoiced: Money,
    pub paid: Money,
    /// What is owed after this line.
    pub balance: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplierStatement {
    pub supplier_id: Uuid,
    pub name: String,
    pub kra_pin: String,
    pub terms_days: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Owed at the end of the day before `from`; `closing` at the end of `to`.
    pub opening: Money,
    pub lines: Vec<StatementLine>,
    pub closing: Money,
}

/// Invoices, payments and voids of either for supplier `$3` dated in `$1..=$2`, in day order.
const STATEMENT_LINES: &str = "
SELECT day, code, kind, reference, invoiced, paid FROM (
    SELECT p.business_day AS day, b.code, 'invoice' AS kind, p.reference, p.total AS invoiced, 0::numeric AS paid,
           p.event_id
      FROM purchase p JOIN business b ON b.id = p.business_id
     WHERE p.supplier_id = $3 AND p.paid_by = 'on_account' AND p.business_day BETWEEN $1 AND $2
    UNION ALL
    SELECT s.business_day, b.code, 'payment', s.paid_from || CASE WHEN s.reference = '' THEN '' ELSE ' ' || s.reference END,
           0, s.amount, s.event_id
      FROM supplier_payment s JOIN business b ON b.id = s.business_id
     WHERE s.supplier_id = $3 AND s.business_day BETWEEN $1 AND $2
    UNION ALL
    SELECT e.business_day, b.code, 'void of invoice', p.reference, -p.total, 0, e.event_id
      FROM purchase p JOIN voided_document v ON v.document_id = p.purchase_id
      JOIN journal_entry e ON e.event_id = v.event_id JOIN business b ON b.id = p.business_id
     WHERE p.supplier_id = $3 AND p.paid_by = 'on_account' AND e.business_day BETWEEN $1 AND $2
    UNION ALL
    SELECT e.business_day, b.code, 'void of payment', s.reference, 0, -s.amount, e.event_id
      FROM supplier_payment s JOIN voided_document v ON v.document_id = s.payment_id
      JOIN journal_entry e ON e.event_id = v.event_id JOIN business b ON b.id = s.business_id
     WHERE s.supplier_id = $3 AND e.business_day BETWEEN $1 AND $2
) lines ORDER BY day, event_id";

/// A supplier's statement over `period`, across every business: what was owed at its start,
/// each invoice, payment and void in it, and what is owed at its end.
pub async fn statement(pool: &PgPool, supplier_id: Uuid, period: Period) -> Result<SupplierStatement> {
    let found: Option<(String, String, i32)> =
        sqlx::query_as("SELECT name, kra_pin, terms_days FROM supplier WHERE id = $1")
            .bind(supplier_id)
            .fetch_optional(pool)
            .await?;
    let Some((name, kra_pin, terms_days)) = found else {
        return Err(ReportError::Invalid { field: "supplier_id", message: format!("no supplier {supplier_id}") });
    };
    let before = period.from.pred_opt().unwrap_or(period.from);
    let opening = payables(pool, &Scope::consolidated(), before)
        .await?
        .suppliers
        .iter()
        .find(|line| line.supplier_id == Some(supplier_id))
        .map_or(Money::ZERO, |line| line.owed);
    let rows: Vec<(NaiveDate, String, String, String, Decimal, Decimal)> =
        sqlx::query_as(STATEMENT_LINES).bind(period.from).bind(period.to).bind(supplier_id).fetch_all(pool).await?;
    let mut balance = opening;
    let mut lines = Vec::with_capacity(rows.len());
    for (day, business_code, kind, reference, invoiced, paid) in rows {
        let (invoiced, paid) = (money(invoiced)?, money(paid)?);
        balance = balance.checked_add(invoiced)?.checked_sub(paid)?;
        lines.push(StatementLine { day, business_code, kind, reference, invoiced, paid, balance });
    }
    Ok(SupplierStatement {
        supplier_id,
        name,
        kra_pin,
        terms_days,
        from: period.from,
        to: period.to,
        opening,
        lines,
        closing: balance,
    })
}
