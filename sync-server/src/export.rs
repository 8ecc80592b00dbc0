//! `tillbook-server export-ledger --format hledger` (DESIGN §8): the whole ledger as a plain-text
//! journal that hledger and ledger-cli read, so an outside tool can check that it balances.
//!
//! Accounts are `<type>:<code> <name>:<business>` (e.g. `assets:1110 Cash — Water:WATER`), so a
//! shared account still splits per business as in `account_balance`; amounts are `KES` with two
//! decimals; transactions are in business-day order, numbered by entry number.

use std::io::Write;

use rust_decimal::Decimal;
use sqlx::PgPool;
use uuid::Uuid;

/// hledger's account types for our account kinds.
fn top_level(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "asset" => ("assets", "A"),
        "liability" => ("liabilities", "L"),
        "equity" => ("equity", "E"),
        "revenue" => ("revenue", "R"),
        _ => ("expenses", "X"),
    }
}

/// Names may not hold two spaces in a row (hledger's amount separator) or a semicolon.
fn clean(text: &str) -> String {
    text.replace(';', ",").split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn account_name(kind: &str, code: i16, name: &str, business_code: &str) -> String {
    format!("{}:{code} {}:{business_code}", top_level(kind).0, clean(&name.replace(':', " ")))
}

pub async fn export_hledger(pool: &PgPool, out: &mut impl Write) -> anyhow::Result<()> {
    let accounts: Vec<(i16, String, String, String)> = sqlx::query_as(
        "SELECT DISTINCT a.code, a.name, a.kind, b.code FROM account_balance ab
           JOIN account a ON a.code = ab.account_code JOIN business b ON b.id = ab.business_id ORDER BY b.code, a.code",
    )
    .fetch_all(pool)
    .await?;
    writeln!(out, "; Tillbook central ledger, exported by tillbook-server export-ledger")?;
    writeln!(out, "commodity KES 1000.00\n")?;
    for (code, name, kind, business) in &accounts {
        writeln!(out, "account {}  ; type: {}", account_name(kind, *code, name, business), top_level(kind).1)?;
    }
    writeln!(out)?;
    let mut entries = sqlx::query_as::<
        _,
        (i64, chrono::NaiveDate, String, String, Option<Uuid>, Vec<i16>, Vec<Decimal>, Vec<Decimal>),
    >(
        "SELECT e.entry_number, e.business_day, e.event_type, b.code, e.document_id,
                array_agg(l.account_code ORDER BY l.line_no), array_agg(l.debit::numeric ORDER BY l.line_no),
                array_agg(l.credit::numeric ORDER BY l.line_no)
           FROM journal_entry e JOIN business b ON b.id = e.business_id JOIN journal_line l USING (business_id, entry_number)
          GROUP BY e.business_id, e.entry_number, b.code ORDER BY e.business_day, b.code, e.entry_number",
    )
    .fetch(pool);
    let names: std::collections::HashMap<(i16, &str), String> = accounts
        .iter()
        .map(|(code, name, kind, business)| ((*code, business.as_str()), account_name(kind, *code, name, business)))
        .collect();
    use futures_util::TryStreamExt;
    while let Some((number, day, event_type, business, document, codes, debits, credits)) = entries.try_next().await? {
        let document = document.map(|id| format!(" {id}")).unwrap_or_default();
        writeln!(out, "{day} ({number}) {event_type}{document}  ; business: {business}")?;
        for ((code, debit), credit) in codes.iter().zip(&debits).zip(&credits) {
            let account = names.get(&(*code, business.as_str())).ok_or_else(|| {
                anyhow::anyhow!("entry {number} uses account {code} of {business}, which has no balance row")
            })?;
            let amount = if debit.is_zero() { -*credit } else { *debit };
            writeln!(out, "    {account}  KES {:.2}", amount)?;
        }
        writeln!(out)?;
    }
    Ok(())
}
