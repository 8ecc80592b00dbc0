//! The till's own figures, read offline from the local store (DESIGN §6): today's sales, cash
//! expected in the drawer, open laundry jobs, stock, a customer's account, the local trial
//! balance and the outbox. Voided and cancelled documents drop out of everything but the journal,
//! where their reversal entries cancel them.

use chrono::NaiveDate;
use rusqlite::{Connection, params};
use serde::Serialize;
use tillbook_core::chart::AccountCode;
use tillbook_core::documents::JobStatus;
use tillbook_core::ids::{BusinessId, CustomerId, CylinderTypeId, DocumentId, ProductId, ShiftId};
use tillbook_core::receivables::{InvoiceStatus, OpenInvoice, invoice_status};
use tillbook_core::{Money, Quantity};

use crate::error::{Result, TillError};
use crate::master;
use crate::sql::{cents_to_money, conversion_error, in_range, money, parsed, quantity};
use crate::till::Till;

/// Money applied to invoice `i`: at other tills, as last pulled, and here by sources that still
/// stand (not voided) — one index lookup per invoice, so a customer's balance costs the same
/// however long the store's history.
const APPLIED: &str = "(i.paid_elsewhere_cents + (SELECT COALESCE(SUM(a.amount_cents), 0) FROM allocation a
    WHERE a.invoice_id = i.id AND a.source_id NOT IN (SELECT document_id FROM reversed_document)))";

pub fn invoice_outstanding(connection: &Connection, invoice_id: DocumentId) -> Result<Money> {
    let cents: Option<i64> = connection
        .query_row(
            &format!(
                "SELECT i.total_cents - {APPLIED}
             FROM invoice i
             WHERE i.id = ?1 AND i.id NOT IN (SELECT document_id FROM reversed_document)"
            ),
            [invoice_id.to_string()],
            |row| row.get(0),
        )
        .or_else(|error| if error == rusqlite::Error::QueryReturnedNoRows { Ok(Some(0)) } else { Err(error) })?;
    cents_to_money(cents)
}

/// Everything a customer owes across businesses: derived, never stored.
pub fn customer_outstanding(connection: &Connection, customer_id: CustomerId) -> Result<Money> {
    let cents: Option<i64> = connection.query_row(
        &format!(
            "SELECT SUM(i.total_cents - {APPLIED})
             FROM invoice i
             WHERE i.customer_id = ?1 AND i.id NOT IN (SELECT document_id FROM reversed_document)"
        ),
        [customer_id.to_string()],
        |row| row.get(0),
    )?;
    cents_to_money(cents)
}

/// A customer's invoices with money still owing, at one business or all.
/// The credit this till holds for a customer (2300): what they paid beyond their invoices here
/// and what they had paid on invoices since cancelled, less the credit applied or paid back
/// here; nothing reversed counts. Credit taken at other tills or used at head office is head
/// office's to know; its merge refuses more than the customer holds across the group.
pub fn customer_credit(connection: &Connection, customer_id: CustomerId) -> Result<Money> {
    let cents: Option<i64> = connection.query_row(
        "SELECT COALESCE((SELECT SUM(p.unapplied_cents) FROM payment p
                          WHERE p.customer_id = ?1 AND p.id NOT IN (SELECT document_id FROM reversed_document)), 0)
              + COALESCE((SELECT SUM(a.amount_cents) FROM allocation a JOIN invoice i ON i.id = a.invoice_id
                          WHERE i.customer_id = ?1 AND i.id IN (SELECT document_id FROM reversed_document)
                            AND a.source_id NOT IN (SELECT document_id FROM reversed_document)), 0)
              - COALESCE((SELECT SUM(u.amount_cents) FROM credit_use u
                          WHERE u.customer_id = ?1 AND u.document_id NOT IN (SELECT document_id FROM reversed_document)), 0)",
        [customer_id.to_string()],
        |row| row.get(0),
    )?;
    cents_to_money(cents)
}

pub fn open_invoices(
    connection: &Connection,
    customer_id: CustomerId,
    business: Option<BusinessId>,
) -> Result<Vec<OpenInvoice>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT i.id, i.issued_on, i.total_cents - {APPLIED} AS outstanding_cents
         FROM invoice i
         WHERE i.customer_id = ?1 AND (?2 IS NULL OR i.business_id = ?2)
           AND i.id NOT IN (SELECT document_id FROM reversed_document)
           AND i.total_cents - {APPLIED} > 0
         ORDER BY i.issued_on, i.id"
    ))?;
    let rows = statement.query_map(params![customer_id.to_string(), business.map(|b| b.to_string())], |row| {
        Ok(OpenInvoice {
            invoice_id: parsed(row, "id")?,
            issued_on: parsed(row, "issued_on")?,
            outstanding: money(row, "outstanding_cents")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Cash the drawer should hold: the float plus every cash movement posted in the shift, on the
/// cash account of whichever business the work was for (one drawer may serve several).
pub fn expected_cash(connection: &Connection, shift_id: ShiftId) -> Result<Money> {
    let float: Money =
        connection.query_row("SELECT float_cents FROM shift WHERE id = ?1", [shift_id.to_string()], |row| {
            money(row, "float_cents")
        })?;
    let mut movement = Money::ZERO;
    let mut statement = connection.prepare_cached(
        "SELECT e.business_id, SUM(l.debit_cents - l.credit_cents) AS net_cents
         FROM journal_line l JOIN journal_entry e ON e.id = l.entry_id
         WHERE e.shift_id = ?1 AND l.account = (SELECT json_extract(b.accounts, '$.cash') FROM business b WHERE b.id = e.business_id)
         GROUP BY e.business_id",
    )?;
    let rows = statement.query_map([shift_id.to_string()], |row| money(row, "net_cents"))?;
    for net in rows {
        movement = movement.checked_add(net?)?;
    }
    Ok(float.checked_add(movement)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SalesSummary {
    pub business_day: NaiveDate,
    pub sales_count: u64,
    /// VAT-inclusive sales that stand (voids excluded).
    pub gross_sales: Money,
    pub refunds: Money,
    pub net_sales: Money,
    /// Net takings by tender: sales less refunds paid back that way.
    pub cash: Money,
    pub mpesa: Money,
    pub credit: Money,
    /// Payments received on accounts and laundry jobs (standing, not voided), by method.
    pub received_cash: Money,
    pub received_mpesa: Money,
}

pub fn sales_summary(connection: &Connection, business_id: BusinessId, day: NaiveDate) -> Result<SalesSummary> {
    let (count, gross): (i64, Option<i64>) = connection.query_row(
        "SELECT COUNT(*), SUM(total_cents) FROM sale
         WHERE business_id = ?1 AND business_day = ?2 AND id NOT IN (SELECT document_id FROM reversed_document)",
        params![business_id.to_string(), day.to_string()],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let refunds: Option<i64> = connection.query_row(
        "SELECT SUM(r.total_cents) FROM refund r JOIN sale s ON s.id = r.sale_id
         WHERE s.business_id = ?1 AND r.business_day = ?2",
        params![business_id.to_string(), day.to_string()],
        |row| row.get(0),
    )?;
    // Net takings by method: tenders of the day's standing sales, less those paid back by the
    // day's refunds. Starts from the day's sales (indexed), never from the whole tender table.
    let mut statement = connection.prepare_cached(
        "SELECT t.method, SUM(t.amount_cents) AS cents FROM sale s JOIN tender t ON t.document_id = s.id
         WHERE s.business_id = ?1 AND s.business_day = ?2 AND s.id NOT IN (SELECT document_id FROM reversed_document)
         GROUP BY t.method
         UNION ALL
         SELECT t.method, -SUM(t.amount_cents) FROM refund r JOIN sale s ON s.id = r.sale_id
             JOIN tender t ON t.document_id = r.id
         WHERE s.business_id = ?1 AND r.business_day = ?2
         GROUP BY t.method",
    )?;
    let (mut cash, mut mpesa, mut credit) = (Money::ZERO, Money::ZERO, Money::ZERO);
    let rows = statement.query_map(params![business_id.to_string(), day.to_string()], |row| {
        Ok((row.get::<_, String>("method")?, money(row, "cents")?))
    })?;
    for row in rows {
        let (method, amount) = row?;
        match method.as_str() {
            "cash" => cash = cash.checked_add(amount)?,
            "mpesa" => mpesa = mpesa.checked_add(amount)?,
            "credit" => credit = credit.checked_add(amount)?,
            other => return Err(TillError::Invariant(format!("unknown tender method {other}"))),
        }
    }
    let (received_cash, received_mpesa): (Option<i64>, Option<i64>) = connection.query_row(
        "SELECT SUM(t.amount_cents) FILTER (WHERE t.method = 'cash'), SUM(t.amount_cents) FILTER (WHERE t.method = 'mpesa')
         FROM payment p JOIN tender t ON t.document_id = p.id
         WHERE p.business_id = ?1 AND p.business_day = ?2 AND p.id NOT IN (SELECT document_id FROM reversed_document)",
        params![business_id.to_string(), day.to_string()],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let gross_sales = cents_to_money(gross)?;
    let refunds = cents_to_money(refunds)?;
    Ok(SalesSummary {
        business_day: day,
        sales_count: u64::try_from(count).map_err(|_| TillError::Invariant("negative count".into()))?,
        gross_sales,
        refunds,
        net_sales: gross_sales.checked_sub(refunds)?,
        cash,
        mpesa,
        credit,
        received_cash: cents_to_money(received_cash)?,
        received_mpesa: cents_to_money(received_mpesa)?,
    })
}

pub fn stock_level(connection: &Connection, product_id: ProductId) -> Result<Quantity> {
    let milli: i64 = connection.query_row(
        "SELECT COALESCE((SELECT quantity_milli FROM stock_level WHERE product_id = ?1), 0)",
        [product_id.to_string()],
        |row| row.get(0),
    )?;
    if milli.abs() > Quantity::MILLI_MAX {
        return Err(TillError::Invariant(format!("stock of {product_id} is out of range")));
    }
    Ok(Quantity::from_milli(milli))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StockLevel {
    pub product_id: ProductId,
    pub name: String,
    pub unit: String,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CylinderStock {
    pub cylinder_type_id: CylinderTypeId,
    pub size_kg: Quantity,
    pub brand: String,
    pub full: i64,
    pub empty: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LaundryJobSummary {
    pub job_id: DocumentId,
    pub ticket_number: String,
    pub customer_name: String,
    pub status: JobStatus,
    pub total: Money,
    pub paid: Money,
    pub balance: Money,
    pub promised_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InvoiceLine {
    pub invoice_id: DocumentId,
    pub number: String,
    pub source: String,
    pub total: Money,
    pub paid: Money,
    pub outstanding: Money,
    pub status: InvoiceStatus,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomerAccount {
    pub customer_id: CustomerId,
    pub name: String,
    pub credit_limit: Money,
    pub invoices: Vec<InvoiceLine>,
    /// What the customer owes, all businesses.
    pub outstanding: Money,
    /// Money held for the customer: unapplied payments and payments on cancelled jobs (2300).
    pub credit: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrialBalanceRow {
    pub account: AccountCode,
    pub name: String,
    pub debit: Money,
    pub credit: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrialBalance {
    pub rows: Vec<TrialBalanceRow>,
    pub total_debit: Money,
    pub total_credit: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OutboxCounts {
    pub pending: u64,
    pub posted: u64,
    pub quarantined: u64,
}

impl Till {
    /// Sales at `business` today (the till's business day now).
    pub fn todays_sales(&self, business_id: BusinessId) -> Result<SalesSummary> {
        let today = tillbook_core::time::business_day(self.now(), self.zone);
        sales_summary(&self.connection, business_id, today)
    }

    pub fn sales_on(&self, business_id: BusinessId, day: NaiveDate) -> Result<SalesSummary> {
        sales_summary(&self.connection, business_id, day)
    }

    /// Cash the drawer should hold now, for the open shift.
    pub fn expected_cash_in_drawer(&self) -> Result<Option<Money>> {
        match crate::record::open_shift(&self.connection)? {
            Some((shift_id, _)) => Ok(Some(expected_cash(&self.connection, shift_id)?)),
            None => Ok(None),
        }
    }

    pub fn open_laundry_jobs(&self, business_id: BusinessId) -> Result<Vec<LaundryJobSummary>> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT j.id, j.ticket_number, c.name AS customer_name, j.status, i.total_cents,
                    {APPLIED} AS paid_cents, j.promised_at
             FROM laundry_job j JOIN invoice i ON i.id = j.id JOIN customer c ON c.id = j.customer_id
             WHERE j.business_id = ?1 AND j.status NOT IN ('collected', 'cancelled')
             ORDER BY j.promised_at, j.ticket_number"
        ))?;
        let rows = statement.query_map([business_id.to_string()], |row| {
            let status: String = row.get("status")?;
            let total = money(row, "total_cents")?;
            let paid = money(row, "paid_cents")?;
            Ok(LaundryJobSummary {
                job_id: parsed(row, "id")?,
                ticket_number: row.get("ticket_number")?,
                customer_name: row.get("customer_name")?,
                status: JobStatus::parse(&status).ok_or_else(|| conversion_error("status", status.clone()))?,
                total,
                paid,
                balance: in_range("balance", total.checked_sub(paid))?,
                promised_at: row.get("promised_at")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stock of the stocked products of `business`, negative levels included (never refused).
    pub fn stock_levels(&self, business_id: BusinessId) -> Result<Vec<StockLevel>> {
        let mut statement = self.connection.prepare(
            "SELECT p.id, p.name, p.unit, COALESCE(s.quantity_milli, 0) AS quantity_milli
             FROM product p LEFT JOIN stock_level s ON s.product_id = p.id
             WHERE p.business_id = ?1 AND p.inventory_account IS NOT NULL
             ORDER BY p.name",
        )?;
        let rows = statement.query_map([business_id.to_string()], |row| {
            Ok(StockLevel {
                product_id: parsed(row, "id")?,
                name: row.get("name")?,
                unit: row.get("unit")?,
                quantity: quantity(row, "quantity_milli")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// LPG cylinders, full and empty, by size and brand.
    pub fn cylinder_stock(&self, business_id: BusinessId) -> Result<Vec<CylinderStock>> {
        let mut statement = self.connection.prepare(
            "SELECT t.id, t.size_milli_kg, t.brand, COALESCE(l.full, 0) AS full, COALESCE(l.empty, 0) AS empty
             FROM cylinder_type t LEFT JOIN cylinder_level l ON l.cylinder_type_id = t.id
             WHERE t.business_id = ?1 ORDER BY t.size_milli_kg, t.brand",
        )?;
        let rows = statement.query_map([business_id.to_string()], |row| {
            Ok(CylinderStock {
                cylinder_type_id: parsed(row, "id")?,
                size_kg: quantity(row, "size_milli_kg")?,
                brand: row.get("brand")?,
                full: row.get("full")?,
                empty: row.get("empty")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A customer's invoices, what they owe, and the credit held for them.
    pub fn customer_account(&self, customer_id: CustomerId) -> Result<CustomerAccount> {
        let customer = self
            .connection
            .query_row("SELECT * FROM customer WHERE id = ?1", [customer_id.to_string()], master::customer_row)
            .map_err(|error| match error {
                rusqlite::Error::QueryReturnedNoRows => {
                    TillError::NotFound { what: "customer", number: customer_id.to_string() }
                }
                other => other.into(),
            })?;
        let today = tillbook_core::time::business_day(self.now(), self.zone);
        let mut statement = self.connection.prepare(&format!(
            "SELECT i.*, {APPLIED} AS paid_cents,
                    i.id IN (SELECT document_id FROM reversed_document) AS cancelled
             FROM invoice i
             WHERE i.customer_id = ?1 ORDER BY i.issued_on, i.id"
        ))?;
        let invoices = statement
            .query_map([customer_id.to_string()], |row| {
                let total = money(row, "total_cents")?;
                let paid = money(row, "paid_cents")?;
                let cancelled: bool = row.get("cancelled")?;
                let due_on: NaiveDate = parsed(row, "due_on")?;
                Ok(InvoiceLine {
                    invoice_id: parsed(row, "id")?,
                    number: row.get("number")?,
                    source: row.get("source")?,
                    total,
                    paid,
                    outstanding: if cancelled {
                        Money::ZERO
                    } else {
                        in_range("outstanding", total.checked_sub(paid))?
                    },
                    status: invoice_status(total, paid, cancelled, due_on, today),
                    issued_on: parsed(row, "issued_on")?,
                    due_on,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let credit = customer_credit(&self.connection, customer_id)?;
        Ok(CustomerAccount {
            customer_id,
            name: customer.name,
            credit_limit: customer.credit_limit,
            outstanding: Money::sum(invoices.iter().map(|invoice| invoice.outstanding))?,
            invoices,
            credit,
        })
    }

    /// Every account's debits and credits in the local journal (provisional and posted), with
    /// what pruned entries carried (`store::prune`).
    pub fn trial_balance(&self) -> Result<TrialBalance> {
        let mut statement = self.connection.prepare(
            "SELECT a.code, a.name, SUM(l.debit_cents) AS debit_cents, SUM(l.credit_cents) AS credit_cents
             FROM (SELECT account, debit_cents, credit_cents FROM journal_line
                   UNION ALL SELECT account, debit_cents, credit_cents FROM journal_carried) l
             JOIN account a ON a.code = l.account GROUP BY a.code ORDER BY a.code",
        )?;
        let rows = statement
            .query_map([], |row| {
                let code: i64 = row.get("code")?;
                Ok(TrialBalanceRow {
                    account: AccountCode::try_from(code).map_err(|error| {
                        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, error.into())
                    })?,
                    name: row.get("name")?,
                    debit: money(row, "debit_cents")?,
                    credit: money(row, "credit_cents")?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(TrialBalance {
            total_debit: Money::sum(rows.iter().map(|row| row.debit))?,
            total_credit: Money::sum(rows.iter().map(|row| row.credit))?,
            rows,
        })
    }

    /// Net balance (debit − credit) of one account in the local journal, pruned entries included.
    pub fn account_balance(&self, account: AccountCode) -> Result<Money> {
        let cents: Option<i64> = self.connection.query_row(
            "SELECT SUM(cents) FROM (SELECT debit_cents - credit_cents AS cents FROM journal_line WHERE account = ?1
                                     UNION ALL SELECT debit_cents - credit_cents FROM journal_carried WHERE account = ?1)",
            [account.number()],
            |row| row.get(0),
        )?;
        cents_to_money(cents)
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts> {
        let (pending, posted, quarantined): (i64, i64, i64) = self.connection.query_row(
            "SELECT COUNT(*) FILTER (WHERE status = 'pending'), COUNT(*) FILTER (WHERE status = 'posted'),
                    COUNT(*) FILTER (WHERE status = 'quarantined') FROM outbox",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        let count = |n: i64| u64::try_from(n).map_err(|_| TillError::Invariant("negative count".into()));
        Ok(OutboxCounts { pending: count(pending)?, posted: count(posted)?, quarantined: count(quarantined)? })
    }

    /// Pending events in `device_seq` order, exactly as they will be pushed.
    pub fn pending_events(&self, limit: usize) -> Result<Vec<tillbook_core::protocol::Event>> {
        let limit = i64::try_from(limit).map_err(|_| TillError::Invariant("limit out of range".into()))?;
        let mut statement = self
            .connection
            .prepare_cached("SELECT payload FROM outbox WHERE status = 'pending' ORDER BY device_seq LIMIT ?1")?;
        let payloads =
            statement.query_map([limit], |row| row.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        payloads
            .iter()
            .map(|payload| {
                serde_json::from_str(payload).map_err(|error| TillError::Invariant(format!("outbox payload: {error}")))
            })
            .collect()
    }
}
