//! The monthly VAT return (issue "The books a Kenyan owner files"): output VAT by rate on sales,
//! laundry and LPG (net of refunds, credit notes, voids and cancelled jobs), input VAT by rate on
//! purchases, and what is payable, from `vat_line` — the lines core declared with each posting.
//! Beside it, 2200's movement over the same days and businesses, which it must equal.
//!
//! A KRA PIN may cover several businesses (one company, three shops): the return is filed per
//! PIN, so the report also totals the businesses that share each PIN (their profile's KRA PIN),
//! and lists the purchase invoices for the VAT3 purchases schedule.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::Money;

use super::{Period, Result, Scope, money};

/// VAT at one rate: what it was charged on (net) and the VAT itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateLine {
    /// `0.16`, `0`, …
    pub rate: Decimal,
    pub net: Money,
    pub vat: Money,
}

/// The return of the businesses that file under one KRA PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinReturn {
    /// Empty for businesses with no PIN in their profile yet.
    pub kra_pin: String,
    pub businesses: Vec<String>,
    pub output_vat: Money,
    pub input_vat: Money,
    pub net_payable: Money,
}

/// A purchase with input VAT, as the VAT3 purchases schedule lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseInvoice {
    pub business_code: String,
    pub invoice_date: NaiveDate,
    pub supplier_pin: String,
    pub supplier_name: String,
    pub invoice_number: String,
    pub net: Money,
    pub vat: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VatReturn {
    /// The business's code, or `ALL`.
    pub scope: String,
    pub period: Period,
    /// Output VAT by rate, highest first: sales less what was given back.
    pub sales: Vec<RateLine>,
    /// Input VAT by rate, highest first.
    pub purchases: Vec<RateLine>,
    pub output_vat: Money,
    pub input_vat: Money,
    /// Output less input: what is owed to KRA (negative: a credit to carry forward).
    pub net_payable: Money,
    /// Account 2200's credit less debit over the period in the same scope: equal to
    /// `net_payable`, every posting to 2200 being a document's VAT.
    pub ledger_2200: Money,
    pub by_pin: Vec<PinReturn>,
    pub purchase_invoices: Vec<PurchaseInvoice>,
}

const LINES: &str = "
SELECT b.code, b.kra_pin, l.input, l.rate, sum(l.net), sum(l.vat)
  FROM vat_line l JOIN business b ON b.id = l.business_id
 WHERE l.business_day BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR l.business_id = $3)
 GROUP BY b.code, b.kra_pin, l.input, l.rate";

const PURCHASES: &str = "
SELECT b.code, p.business_day, coalesce(s.kra_pin, ''), p.supplier_name, p.reference, p.net, p.vat
  FROM purchase p JOIN business b ON b.id = p.business_id LEFT JOIN supplier s ON s.id = p.supplier_id
 WHERE p.business_day BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR p.business_id = $3) AND p.vat <> 0
   AND NOT EXISTS (SELECT 1 FROM voided_document v JOIN journal_entry e ON e.event_id = v.event_id
                    WHERE v.document_id = p.purchase_id AND e.business_day <= $2)
 ORDER BY p.business_day, p.supplier_name, p.reference";

type Line = (String, String, bool, Decimal, Decimal, Decimal);

/// The VAT return of `scope` over `period` (a calendar month, as KRA's returns are).
pub async fn vat_return(pool: &PgPool, scope: &Scope, period: Period) -> Result<VatReturn> {
    let rows: Vec<Line> =
        sqlx::query_as(LINES).bind(period.from).bind(period.to).bind(scope.business_id).fetch_all(pool).await?;
    let mut sales: BTreeMap<Decimal, (Money, Money)> = BTreeMap::new();
    let mut purchases: BTreeMap<Decimal, (Money, Money)> = BTreeMap::new();
    let mut pins: BTreeMap<String, PinReturn> = BTreeMap::new();
    for (code, pin, input, rate, net, vat) in rows {
        let (net, vat) = (money(net)?, money(vat)?);
        let side = if input { &mut purchases } else { &mut sales };
        let line = side.entry(rate.normalize()).or_insert((Money::ZERO, Money::ZERO));
        *line = (line.0.checked_add(net)?, line.1.checked_add(vat)?);
        let filer = pins.entry(pin.clone()).or_insert_with(|| PinReturn {
            kra_pin: pin,
            businesses: Vec::new(),
            output_vat: Money::ZERO,
            input_vat: Money::ZERO,
            net_payable: Money::ZERO,
        });
        if !filer.businesses.contains(&code) {
            filer.businesses.push(code);
        }
        if input {
            filer.input_vat = filer.input_vat.checked_add(vat)?;
        } else {
            filer.output_vat = filer.output_vat.checked_add(vat)?;
        }
        filer.net_payable = filer.output_vat.checked_sub(filer.input_vat)?;
    }
    for filer in pins.values_mut() {
        filer.businesses.sort();
    }
    let by_rate = |lines: BTreeMap<Decimal, (Money, Money)>| -> Vec<RateLine> {
        lines.into_iter().rev().map(|(rate, (net, vat))| RateLine { rate, net, vat }).collect()
    };
    let (sales, purchases) = (by_rate(sales), by_rate(purchases));
    let output_vat = Money::sum(sales.iter().map(|line| line.vat))?;
    let input_vat = Money::sum(purchases.iter().map(|line| line.vat))?;
    let (ledger,): (Decimal,) = sqlx::query_as(
        "SELECT coalesce(sum(credit_total - debit_total), 0) FROM account_day_total
          WHERE account_code = 2200 AND business_day BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR business_id = $3)",
    )
    .bind(period.from)
    .bind(period.to)
    .bind(scope.business_id)
    .fetch_one(pool)
    .await?;
    let invoices: Vec<(String, NaiveDate, String, String, String, Decimal, Decimal)> =
        sqlx::query_as(PURCHASES).bind(period.from).bind(period.to).bind(scope.business_id).fetch_all(pool).await?;
    let mut purchase_invoices = Vec::with_capacity(invoices.len());
    for (business_code, invoice_date, supplier_pin, supplier_name, invoice_number, net, vat) in invoices {
        purchase_invoices.push(PurchaseInvoice {
            business_code,
            invoice_date,
            supplier_pin,
            supplier_name,
            invoice_number,
            net: money(net)?,
            vat: money(vat)?,
        });
    }
    Ok(VatReturn {
        scope: scope.label.clone(),
        period,
        sales,
        purchases,
        output_vat,
        input_vat,
        net_payable: output_vat.checked_sub(input_vat)?,
        ledger_2200: money(ledger)?,
        by_pin: pins.into_values().collect(),
        purchase_invoices,
    })
}
