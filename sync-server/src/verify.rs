//! `tillbook-server verify` (DESIGN §8): recompute the books from the journal lines and compare.
//! Clean means: every entry balances and has lines, every stored balance equals the sum of its
//! lines, each business's entry numbers run 1..n without a gap, and the trial balance is zero; the reports'
//! running totals (`account_day_total`, `sales_day_total`, `invoice_settlement`) equal what
//! they sum; and each business's receivable account holds exactly what its customers owe on
//! open invoices; and the audit log's chain of hashes is unbroken.

use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnbalancedEntry {
    pub business_id: Uuid,
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

/// A business whose receivable account differs from the sum of its open invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivableMismatch {
    pub business_code: String,
    pub account_balance: Decimal,
    pub open_invoices: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub entries: i64,
    pub lines: i64,
    pub unbalanced: Vec<UnbalancedEntry>,
    pub balance_mismatches: Vec<BalanceMismatch>,
    /// Entry numbers missing from each business's 1..=max, summed over the businesses.
    pub missing_entry_numbers: i64,
    pub total_debits: Decimal,
    pub total_credits: Decimal,
    /// Days of an account (or of a till's sales) whose running total differs from its rows.
    pub day_total_mismatches: i64,
    pub sales_day_mismatches: i64,
    /// Invoices whose running settlement (amount, paid, cancelled) differs from their
    /// allocations, voids and cancellations.
    pub settlement_mismatches: i64,
    pub receivable_mismatches: Vec<ReceivableMismatch>,
    /// Journal lines, sale lines, stock movements, journal entries, VAT lines, inbox rows and
    /// sales whose entry, account, sale, product, event, business or device is missing (checked per
    /// statement on insert, migrations 0009 and 0026, not by foreign keys).
    pub orphaned_rows: i64,
    /// The audit log's chain (migration 0014): its rows, the ids of rows whose content no
    /// longer matches their hash (edited) and of rows whose link to the row before is broken
    /// (a row taken out, or put in), and the newest hash, which the owner can note down to
    /// show later that nothing before it was rewritten.
    pub audit_rows: i64,
    pub audit_edited: Vec<i64>,
    pub audit_broken_links: Vec<i64>,
    pub audit_head: Option<String>,
    /// The counters the merge numbers from, against what the ledger holds: a restore or an
    /// import that left a business's `last_entry` below its highest entry would make the next
    /// merge fail on a duplicate number (and one above it, a gap).
    pub counters: Counters,
}

/// Each business's entry counter and the change feed's counter beside the highest entry
/// number and change sequence actually written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// The businesses whose counter differs from their highest entry (a business with entries
    /// and no counter has 0).
    pub entries_out_of_step: Vec<EntryCounter>,
    pub last_change: i64,
    pub max_change: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryCounter {
    pub business_id: Uuid,
    pub last_entry: i64,
    pub max_entry: i64,
}

impl Counters {
    pub fn agree(&self) -> bool {
        self.entries_out_of_step.is_empty() && self.last_change == self.max_change
    }
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.unbalanced.is_empty()
            && self.balance_mismatches.is_empty()
            && self.missing_entry_numbers == 0
            && self.total_debits == self.total_credits
            && self.day_total_mismatches == 0
            && self.sales_day_mismatches == 0
            && self.settlement_mismatches == 0
            && self.receivable_mismatches.is_empty()
            && self.orphaned_rows == 0
            && self.audit_edited.is_empty()
            && self.audit_broken_links.is_empty()
            && self.counters.agree()
    }
}

pub async fn verify(pool: &PgPool) -> Result<VerifyReport, sqlx::Error> {
    let unbalanced: Vec<(Uuid, i64, Decimal, Decimal, i64)> = sqlx::query_as(
        "SELECT e.business_id, e.entry_number, coalesce(sum(l.debit), 0), coalesce(sum(l.credit), 0), count(l.line_no)
           FROM journal_entry e LEFT JOIN journal_line l USING (business_id, entry_number)
          GROUP BY e.business_id, e.entry_number
         HAVING coalesce(sum(l.debit), 0) <> coalesce(sum(l.credit), 0) OR count(l.line_no) < 2 OR coalesce(sum(l.debit), 0) = 0
          ORDER BY e.business_id, e.entry_number",
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
    let (entries, missing_entry_numbers): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(entries), 0)::bigint, coalesce(sum(max_number - entries), 0)::bigint
           FROM (SELECT count(*) AS entries, max(entry_number) AS max_number FROM journal_entry GROUP BY business_id) b",
    )
    .fetch_one(pool)
    .await?;
    let (lines, total_debits, total_credits): (i64, Decimal, Decimal) =
        sqlx::query_as("SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) FROM journal_line")
            .fetch_one(pool)
            .await?;
    let (day_total_mismatches,): (i64,) = sqlx::query_as(DAY_TOTAL_MISMATCHES).fetch_one(pool).await?;
    let (sales_day_mismatches,): (i64,) = sqlx::query_as(SALES_DAY_MISMATCHES).fetch_one(pool).await?;
    let (settlement_mismatches,): (i64,) = sqlx::query_as(SETTLEMENT_MISMATCHES).fetch_one(pool).await?;
    let receivables: Vec<(String, Decimal, Decimal)> = sqlx::query_as(RECEIVABLE_MISMATCHES).fetch_all(pool).await?;
    let (orphaned_rows,): (i64,) = sqlx::query_as(ORPHANED_ROWS).fetch_one(pool).await?;
    let chain = audit_chain(pool).await?;
    let entries_out_of_step: Vec<(Uuid, i64, i64)> = sqlx::query_as(
        "SELECT business_id, coalesce(c.last_entry, 0), coalesce(e.max_entry, 0)
           FROM business_entry_counter c
           FULL JOIN (SELECT business_id, max(entry_number) AS max_entry FROM journal_entry GROUP BY business_id) e
          USING (business_id)
          WHERE coalesce(c.last_entry, 0) <> coalesce(e.max_entry, 0)
          ORDER BY business_id",
    )
    .fetch_all(pool)
    .await?;
    let (last_change, max_change): (i64, i64) =
        sqlx::query_as("SELECT c.last_change, (SELECT coalesce(max(seq), 0) FROM change_log) FROM ledger_counter c")
            .fetch_one(pool)
            .await?;
    let entries_out_of_step = entries_out_of_step
        .into_iter()
        .map(|(business_id, last_entry, max_entry)| EntryCounter { business_id, last_entry, max_entry })
        .collect();
    Ok(VerifyReport {
        counters: Counters { entries_out_of_step, last_change, max_change },
        audit_rows: chain.rows,
        audit_edited: chain.edited,
        audit_broken_links: chain.broken_links,
        audit_head: chain.head,
        orphaned_rows,
        day_total_mismatches,
        sales_day_mismatches,
        settlement_mismatches,
        receivable_mismatches: receivables
            .into_iter()
            .map(|(business_code, account_balance, open_invoices)| ReceivableMismatch {
                business_code,
                account_balance,
                open_invoices,
            })
            .collect(),
        entries,
        lines,
        unbalanced: unbalanced
            .into_iter()
            .map(|(business_id, entry_number, debits, credits, lines)| UnbalancedEntry {
                business_id,
                entry_number,
                debits,
                credits,
                lines,
            })
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
        missing_entry_numbers,
        total_debits,
        total_credits,
    })
}

struct AuditChain {
    rows: i64,
    edited: Vec<i64>,
    broken_links: Vec<i64>,
    head: Option<String>,
}

/// Recomputes every audit row's hash and checks each links to the row before it in id order.
async fn audit_chain(pool: &PgPool) -> Result<AuditChain, sqlx::Error> {
    let faults: Vec<(i64, bool, bool)> = sqlx::query_as(
        "SELECT id, edited, broken FROM (
            SELECT a.id,
                   a.row_hash IS DISTINCT FROM audit_row_hash(a.prev_hash, a) AS edited,
                   a.prev_hash IS DISTINCT FROM lag(a.row_hash) OVER (ORDER BY a.id) AS broken
              FROM audit_log a) checked
          WHERE edited OR broken ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    let (rows, head): (i64, Option<String>) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM audit_log),
                (SELECT encode(row_hash, 'hex') FROM audit_log ORDER BY id DESC LIMIT 1)",
    )
    .fetch_one(pool)
    .await?;
    Ok(AuditChain {
        rows,
        edited: faults.iter().filter(|(_, edited, _)| *edited).map(|(id, _, _)| *id).collect(),
        broken_links: faults.iter().filter(|(_, _, broken)| *broken).map(|(id, _, _)| *id).collect(),
        head,
    })
}

const ORPHANED_ROWS: &str = "
SELECT (SELECT count(*) FROM journal_line l
         WHERE NOT EXISTS (SELECT 1 FROM journal_entry e
                            WHERE e.business_id = l.business_id AND e.entry_number = l.entry_number)
            OR NOT EXISTS (SELECT 1 FROM account a WHERE a.code = l.account_code))
     + (SELECT count(*) FROM sale_line l
         WHERE NOT EXISTS (SELECT 1 FROM sale s WHERE s.sale_id = l.sale_id)
            OR NOT EXISTS (SELECT 1 FROM product p WHERE p.id = l.product_id))
     + (SELECT count(*) FROM stock_movement m
         WHERE NOT EXISTS (SELECT 1 FROM product p WHERE p.id = m.product_id)
            OR (m.event_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.event_id = m.event_id)))
     + (SELECT count(*) FROM journal_entry e
         WHERE (e.event_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.event_id = e.event_id))
            OR NOT EXISTS (SELECT 1 FROM business b WHERE b.id = e.business_id))
     + (SELECT count(*) FROM vat_line v
         WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.event_id = v.event_id)
            OR NOT EXISTS (SELECT 1 FROM business b WHERE b.id = v.business_id))
     + (SELECT count(*) FROM inbox i WHERE NOT EXISTS (SELECT 1 FROM device d WHERE d.id = i.device_id))
     + (SELECT count(*) FROM sale s WHERE NOT EXISTS (SELECT 1 FROM journal_entry e WHERE e.event_id = s.event_id))";

const DAY_TOTAL_MISMATCHES: &str = "
WITH computed AS (
    SELECT l.business_id, l.account_code, e.business_day, sum(l.debit) AS debit, sum(l.credit) AS credit
      FROM journal_line l JOIN journal_entry e USING (business_id, entry_number)
     GROUP BY 1, 2, 3)
SELECT count(*) FROM computed c FULL JOIN account_day_total t USING (business_id, account_code, business_day)
 WHERE coalesce(c.debit, 0) <> coalesce(t.debit_total, 0) OR coalesce(c.credit, 0) <> coalesce(t.credit_total, 0)";

const SALES_DAY_MISMATCHES: &str = "
WITH computed AS (
    SELECT business_id, business_day, device_id,
           count(*) FILTER (WHERE kind <> 'refund') AS sales_count,
           coalesce(sum(total) FILTER (WHERE kind <> 'refund'), 0) AS gross,
           coalesce(sum(total) FILTER (WHERE kind = 'refund'), 0) AS refunds
      FROM sale s
     WHERE NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = s.sale_id)
     GROUP BY 1, 2, 3)
SELECT count(*) FROM computed c FULL JOIN sales_day_total t USING (business_id, business_day, device_id)
 WHERE coalesce(c.sales_count, 0) <> coalesce(t.sales_count, 0)
    OR coalesce(c.gross, 0) <> coalesce(t.gross, 0) OR coalesce(c.refunds, 0) <> coalesce(t.refunds, 0)";

/// Each invoice's running settlement against the definition it keeps (DESIGN §5): paid is what
/// was allocated to it by documents not voided; cancelled, that it was voided or cancelled;
/// last_day, the latest business day of anything that paid, voided or cancelled it.
const SETTLEMENT_MISMATCHES: &str = "
WITH paid AS (
    SELECT a.invoice_id, sum(a.amount) AS paid FROM allocation a
     WHERE NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = a.document_id)
     GROUP BY 1),
days AS (
    SELECT invoice_id, max(day) AS last_day FROM (
        SELECT a.invoice_id, e.business_day AS day FROM allocation a JOIN journal_entry e ON e.event_id = a.event_id
        UNION ALL
        SELECT a.invoice_id, e.business_day FROM allocation a JOIN voided_document v ON v.document_id = a.document_id
          JOIN journal_entry e ON e.event_id = v.event_id
        UNION ALL
        SELECT v.document_id, e.business_day FROM voided_document v JOIN journal_entry e ON e.event_id = v.event_id
        UNION ALL
        SELECT x.invoice_id, e.business_day FROM invoice_cancellation x JOIN journal_entry e ON e.event_id = x.event_id
    ) changes GROUP BY invoice_id),
computed AS (
    SELECT i.invoice_id, i.customer_id, i.amount, coalesce(p.paid, 0) AS paid, d.last_day,
           EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = i.invoice_id)
             OR EXISTS (SELECT 1 FROM invoice_cancellation x WHERE x.invoice_id = i.invoice_id) AS cancelled
      FROM invoice i LEFT JOIN paid p USING (invoice_id) LEFT JOIN days d USING (invoice_id))
SELECT count(*) FROM computed c FULL JOIN invoice_settlement s USING (invoice_id)
 WHERE c.invoice_id IS NULL OR s.invoice_id IS NULL
    OR c.customer_id <> s.customer_id OR c.amount <> s.amount OR c.paid <> s.paid OR c.cancelled <> s.cancelled
    OR c.last_day IS DISTINCT FROM s.last_day";

/// Each business's receivable account against its invoices still standing (not voided, not
/// cancelled) less what was allocated to them by documents not voided (`invoice_standing`).
const RECEIVABLE_MISMATCHES: &str = "
WITH owed AS (
    SELECT business_id, sum(amount - paid) AS outstanding
      FROM invoice_standing WHERE NOT cancelled
     GROUP BY 1),
held AS (
    SELECT b.id AS business_id, b.code, coalesce(sum(ab.debit_total - ab.credit_total), 0) AS balance
      FROM business b
      LEFT JOIN account_balance ab ON ab.business_id = b.id AND ab.account_code = (b.accounts ->> 'receivable')::smallint
     GROUP BY b.id, b.code)
SELECT h.code, h.balance, coalesce(o.outstanding, 0)
  FROM held h LEFT JOIN owed o USING (business_id)
 WHERE h.balance <> coalesce(o.outstanding, 0)
 ORDER BY h.code";

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
