//! `tillbook-server import`: starting from existing books. A file of opening balances (a trial
//! balance per business), customers with what they owe, and products with their stock and
//! cost becomes one balanced opening entry per business against 3900 (opening balance
//! equity), opening invoices for what customers owe, and opening stock.
//!
//! The file is checked whole first: every bad row is listed with its reason, and a business
//! whose balances do not balance names its rows. A dry run stops there and shows the totals it
//! would post; a real run posts everything in one transaction or nothing at all.
//!
//! JSON: `{"balances": [{business, account, debit?, credit?}], "customers": [{business, name,
//! phone?, owes, reference?}], "stock": [{business, product, quantity, unit_cost}]}`, amounts and
//! quantities as decimal strings. CSV: one file with a `section` column (`balance`,
//! `customer`, `stock`) and the same fields as columns, blank where they do not apply.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use tillbook_core::chart::AccountCode;
use tillbook_core::ids::EntryId;
use tillbook_core::{AmountError, JournalEntry, JournalError, Money, Quantity};
use uuid::Uuid;

use crate::audit::audit;
use crate::changes::{self, Entity};
use crate::head_office::{self, HeadOfficeEntry};
use crate::journal::account_number;

/// The event type of the opening entries; a business that has one is not imported again.
pub const OPENING_EVENT_TYPE: &str = "opening.imported";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningFile {
    #[serde(default)]
    pub balances: Vec<BalanceRow>,
    #[serde(default)]
    pub customers: Vec<CustomerRow>,
    #[serde(default)]
    pub stock: Vec<StockRow>,
}

/// Fields are text, so that a bad amount is a row's problem, not the whole file's.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BalanceRow {
    pub business: String,
    pub account: String,
    #[serde(default)]
    pub debit: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CustomerRow {
    pub business: String,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub owes: String,
    #[serde(default)]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StockRow {
    pub business: String,
    pub product: String,
    pub quantity: String,
    pub unit_cost: String,
}

/// A row of the CSV form: every section's columns, blank where they do not apply.
#[derive(Debug, Deserialize)]
struct CsvRow {
    section: String,
    business: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    debit: String,
    #[serde(default)]
    credit: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    owes: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    unit_cost: String,
}

/// Where a problem is: `balances[2]` in JSON, `line 4` in CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub row: String,
    pub field: &'static str,
    pub reason: String,
}

/// One line of an opening entry, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanLine {
    pub account: i16,
    pub debit: Money,
    pub credit: Money,
}

/// What one business's opening entry would post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BusinessPlan {
    pub business: String,
    /// The entry's lines, the 3900 line last.
    pub lines: Vec<PlanLine>,
    pub total_debit: Money,
    pub total_credit: Money,
    /// Credited to 3900 (negative: debited).
    pub opening_equity: Money,
    pub customers: usize,
    pub customers_owe: Money,
    pub stock_value: Money,
    /// What posts: core's opening entry (none when every balance is zero).
    #[serde(skip)]
    pub entry: Option<JournalEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub as_of: NaiveDate,
    pub dry_run: bool,
    pub problems: Vec<Problem>,
    pub businesses: Vec<BusinessPlan>,
    /// Entry numbers posted (a real run without problems).
    pub posted_entries: Vec<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file cannot be read as {format}: {message}")]
    Unreadable { format: &'static str, message: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Parses a file by its name's ending (`.json` or `.csv`).
pub fn parse(name: &str, text: &str) -> Result<(OpeningFile, Vec<String>), ImportError> {
    if name.to_ascii_lowercase().ends_with(".csv") {
        parse_csv(text)
    } else {
        let file: OpeningFile = serde_json::from_str(text)
            .map_err(|error| ImportError::Unreadable { format: "JSON", message: error.to_string() })?;
        let refs = json_refs(&file);
        Ok((file, refs))
    }
}

fn json_refs(file: &OpeningFile) -> Vec<String> {
    let refs = |section: &'static str, count: usize| (0..count).map(move |i| format!("{section}[{i}]"));
    refs("balances", file.balances.len())
        .chain(refs("customers", file.customers.len()))
        .chain(refs("stock", file.stock.len()))
        .collect()
}

/// The CSV form, with each row's place as `line N` (the header is line 1).
fn parse_csv(text: &str) -> Result<(OpeningFile, Vec<String>), ImportError> {
    let unreadable = |message: String| ImportError::Unreadable { format: "CSV", message };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut file = OpeningFile::default();
    let (mut balances, mut customers, mut stock) = (Vec::new(), Vec::new(), Vec::new());
    for (index, row) in reader.deserialize::<CsvRow>().enumerate() {
        let line = format!("line {}", index + 2);
        let row = row.map_err(|error| unreadable(format!("{line}: {error}")))?;
        let some = |text: String| Some(text).filter(|t| !t.is_empty());
        match row.section.to_ascii_lowercase().as_str() {
            "balance" => {
                file.balances.push(BalanceRow {
                    business: row.business,
                    account: row.account,
                    debit: some(row.debit),
                    credit: some(row.credit),
                });
                balances.push(line);
            }
            "customer" => {
                file.customers.push(CustomerRow {
                    business: row.business,
                    name: row.name,
                    phone: some(row.phone),
                    owes: row.owes,
                    reference: some(row.reference),
                });
                customers.push(line);
            }
            "stock" => {
                file.stock.push(StockRow {
                    business: row.business,
                    product: row.product,
                    quantity: row.quantity,
                    unit_cost: row.unit_cost,
                });
                stock.push(line);
            }
            other => return Err(unreadable(format!("{line}: section '{other}' is not balance, customer or stock"))),
        }
    }
    Ok((file, balances.into_iter().chain(customers).chain(stock).collect()))
}

/// What the database says about the businesses, accounts and products the file may name.
struct Books {
    businesses: HashMap<String, BusinessInfo>,
    accounts: HashMap<i16, (Option<String>, bool)>,
    /// `(business code, lower-case name)` → product.
    products: HashMap<(String, String), ProductInfo>,
}

struct BusinessInfo {
    id: Uuid,
    receivable: i16,
    already_opened: bool,
}

#[derive(Clone)]
struct ProductInfo {
    id: Uuid,
    inventory: Option<i16>,
}

async fn books(pool: &PgPool) -> Result<Books, sqlx::Error> {
    let businesses: Vec<(String, Uuid, i16, bool)> = sqlx::query_as(
        "SELECT b.code, b.id, (b.accounts ->> 'receivable')::smallint,
                EXISTS (SELECT 1 FROM journal_entry e WHERE e.business_id = b.id AND e.event_type = $1)
           FROM business b WHERE b.active",
    )
    .bind(OPENING_EVENT_TYPE)
    .fetch_all(pool)
    .await?;
    let accounts: Vec<(i16, Option<String>, bool)> =
        sqlx::query_as("SELECT code, business_code, active FROM account").fetch_all(pool).await?;
    let products: Vec<(String, String, Uuid, Option<i16>)> = sqlx::query_as(
        "SELECT b.code, lower(p.name), p.id, p.inventory_account FROM product p JOIN business b ON b.id = p.business_id
          WHERE p.active",
    )
    .fetch_all(pool)
    .await?;
    Ok(Books {
        businesses: businesses
            .into_iter()
            .map(|(code, id, receivable, already_opened)| (code, BusinessInfo { id, receivable, already_opened }))
            .collect(),
        accounts: accounts.into_iter().map(|(code, business, active)| (code, (business, active))).collect(),
        products: products
            .into_iter()
            .map(|(business, name, id, inventory)| ((business, name), ProductInfo { id, inventory }))
            .collect(),
    })
}

/// A checked customer row: who, how much, under which invoice number.
struct CustomerOpening {
    business: String,
    name: String,
    phone: Option<String>,
    owes: Money,
    reference: String,
}

struct StockOpening {
    business: String,
    product: ProductInfo,
    quantity: Quantity,
    unit_cost: Money,
    value: Money,
}

/// Everything checked, ready to post.
struct Checked {
    /// business → account → (debit, credit)
    balances: BTreeMap<String, BTreeMap<i16, (Money, Money)>>,
    customers: Vec<CustomerOpening>,
    stock: Vec<StockOpening>,
}

fn amount(text: Option<&str>) -> Result<Money, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(Money::ZERO),
        Some(text) => match text.parse::<Money>() {
            Ok(value) if value.is_negative() => Err(format!("'{text}' is negative")),
            Ok(value) => Ok(value),
            Err(_) => Err(format!("'{text}' is not an amount with at most two decimal places")),
        },
    }
}

fn check(file: &OpeningFile, refs: &[String], books: &Books, problems: &mut Vec<Problem>) -> Checked {
    let mut problem = |row: &str, field: &'static str, reason: String| {
        problems.push(Problem { row: row.to_string(), field, reason });
    };
    let (balance_refs, rest) = refs.split_at(file.balances.len());
    let (customer_refs, stock_refs) = rest.split_at(file.customers.len());
    let mut checked = Checked { balances: BTreeMap::new(), customers: Vec::new(), stock: Vec::new() };
    let business_of = |row: &str, code: &str, problem: &mut dyn FnMut(&str, &'static str, String)| {
        let code = code.trim().to_ascii_uppercase();
        match books.businesses.get(&code) {
            None => {
                problem(row, "business", format!("no business with code '{code}'"));
                None
            }
            Some(info) if info.already_opened => {
                problem(row, "business", format!("{code} already has opening balances"));
                None
            }
            Some(info) => Some((code, info)),
        }
    };
    // Accounts whose detail comes from other sections: what customers owe, and stock at cost.
    let detail_accounts: HashMap<(String, i16), &'static str> = books
        .businesses
        .iter()
        .map(|(code, info)| ((code.clone(), info.receivable), "give what customers owe under customers"))
        .chain(books.products.iter().filter_map(|((business, _), product)| {
            product.inventory.map(|account| ((business.clone(), account), "give stock under stock"))
        }))
        .collect();
    // Rows of each business, to name them when the business does not balance.
    let mut rows_of: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (row, line) in balance_refs.iter().zip(&file.balances) {
        let Some((business, _)) = business_of(row, &line.business, &mut problem) else { continue };
        rows_of.entry(business.clone()).or_default().push(row);
        let account = match line.account.trim().parse::<i16>() {
            Ok(code) => code,
            Err(_) => {
                problem(row, "account", format!("'{}' is not an account code", line.account));
                continue;
            }
        };
        match books.accounts.get(&account) {
            None => problem(row, "account", format!("no account {account}")),
            Some((_, false)) => problem(row, "account", format!("account {account} is inactive")),
            Some((Some(owner), _)) if *owner != business => {
                problem(row, "account", format!("account {account} belongs to {owner}, not {business}"))
            }
            Some(_) => {}
        }
        if let Some(reason) = detail_accounts.get(&(business.clone(), account)) {
            problem(row, "account", format!("account {account} is built from the rows below it: {reason}"));
            continue;
        }
        let (debit, credit) = match (amount(line.debit.as_deref()), amount(line.credit.as_deref())) {
            (Err(reason), _) => {
                problem(row, "debit", reason);
                continue;
            }
            (_, Err(reason)) => {
                problem(row, "credit", reason);
                continue;
            }
            (Ok(debit), Ok(credit)) => (debit, credit),
        };
        if debit.is_positive() == credit.is_positive() {
            problem(row, "debit", "give exactly one of debit and credit, above zero".into());
            continue;
        }
        let totals = checked.balances.entry(business).or_default().entry(account).or_insert((Money::ZERO, Money::ZERO));
        match (totals.0.checked_add(debit), totals.1.checked_add(credit)) {
            (Ok(debits), Ok(credits)) => *totals = (debits, credits),
            _ => problem(row, "debit", format!("account {account}'s balances add up past what the ledger holds")),
        }
    }
    for (business, accounts) in &checked.balances {
        let (Ok(debit), Ok(credit)) = (
            Money::sum(accounts.values().map(|(debit, _)| *debit)),
            Money::sum(accounts.values().map(|(_, credit)| *credit)),
        ) else {
            let rows = rows_of.get(business).map(|rows| rows.join(", ")).unwrap_or_default();
            problem(&rows, "debit", format!("{business}'s opening balances add up past what the ledger holds"));
            continue;
        };
        if debit != credit {
            let rows = rows_of.get(business).map(|rows| rows.join(", ")).unwrap_or_default();
            problem(
                &rows,
                "debit",
                format!(
                    "{business}'s opening balances do not balance: debits {debit}, credits {credit}, difference {}",
                    debit.decimal() - credit.decimal()
                ),
            );
        }
    }
    for (index, (row, line)) in customer_refs.iter().zip(&file.customers).enumerate() {
        let Some((business, _)) = business_of(row, &line.business, &mut problem) else { continue };
        let name = line.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            problem(row, "name", "a customer's name needs 1 to 100 characters".into());
            continue;
        }
        let owes = match amount(Some(&line.owes)) {
            Ok(owes) => owes,
            Err(reason) => {
                problem(row, "owes", reason);
                continue;
            }
        };
        checked.customers.push(CustomerOpening {
            business,
            name: name.to_string(),
            phone: line.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string),
            owes,
            reference: line
                .reference
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map_or_else(|| format!("OPENING-{}", index + 1), str::to_string),
        });
    }
    for (row, line) in stock_refs.iter().zip(&file.stock) {
        let Some((business, _)) = business_of(row, &line.business, &mut problem) else { continue };
        let product = match books.products.get(&(business.clone(), line.product.trim().to_lowercase())) {
            None => {
                problem(row, "product", format!("{business} has no product '{}'", line.product.trim()));
                continue;
            }
            Some(product) if product.inventory.is_none() => {
                problem(row, "product", format!("'{}' is not kept in stock", line.product.trim()));
                continue;
            }
            Some(product) => product.clone(),
        };
        let quantity = match line.quantity.trim().parse::<Quantity>() {
            Ok(quantity) if quantity.is_positive() => quantity,
            _ => {
                problem(row, "quantity", format!("'{}' is not a quantity above zero", line.quantity));
                continue;
            }
        };
        let unit_cost = match amount(Some(&line.unit_cost)) {
            Ok(cost) => cost,
            Err(reason) => {
                problem(row, "unit_cost", reason);
                continue;
            }
        };
        let Ok(value) = unit_cost.times(quantity) else {
            problem(row, "quantity", "the stock's value is out of range".into());
            continue;
        };
        checked.stock.push(StockOpening { business, product, quantity, unit_cost, value });
    }
    checked
}

/// Each business's opening entry: its balances, Dr receivable for what customers owe, Dr
/// inventory for stock, and 3900 for the difference.
/// `OutOfRange` when the file's amounts add up past what the ledger holds.
fn plans(checked: &Checked, books: &Books) -> Result<Vec<BusinessPlan>, AmountError> {
    let mut net: BTreeMap<String, BTreeMap<i16, Money>> = BTreeMap::new();
    let mut add = |business: &str, account: i16, amount: Money| -> Result<(), AmountError> {
        let total = net.entry(business.to_string()).or_default().entry(account).or_insert(Money::ZERO);
        *total = total.checked_add(amount)?;
        Ok(())
    };
    for (business, accounts) in &checked.balances {
        for (account, (debit, credit)) in accounts {
            add(business, *account, debit.checked_sub(*credit)?)?;
        }
    }
    for customer in &checked.customers {
        add(&customer.business, books.businesses[&customer.business].receivable, customer.owes)?;
    }
    for item in &checked.stock {
        if let Some(inventory) = item.product.inventory {
            add(&item.business, inventory, item.value)?;
        }
    }
    net.into_iter()
        .map(|(business, accounts)| -> Result<BusinessPlan, AmountError> {
            let net: BTreeMap<AccountCode, Money> = accounts
                .into_iter()
                .filter_map(|(account, amount)| Some((AccountCode::new(u16::try_from(account).ok()?), amount)))
                .collect();
            let (entry, opening_equity) = match JournalEntry::opening(&net, EntryId::new()) {
                Ok((entry, opening_equity)) => (Some(entry), opening_equity),
                Err(JournalError::TooFewLines) => (None, Money::ZERO),
                Err(JournalError::OutOfRange(error)) => return Err(error),
                Err(error) => return Err(AmountError::OutOfRange(error.to_string())),
            };
            let lines: Vec<PlanLine> = entry
                .iter()
                .flat_map(JournalEntry::lines)
                .map(|line| PlanLine {
                    account: account_number(line.account),
                    debit: line.debit(),
                    credit: line.credit(),
                })
                .collect();
            let customers: Vec<&CustomerOpening> =
                checked.customers.iter().filter(|c| c.business == business).collect();
            Ok(BusinessPlan {
                total_debit: Money::sum(lines.iter().map(|line| line.debit))?,
                total_credit: Money::sum(lines.iter().map(|line| line.credit))?,
                lines,
                opening_equity,
                customers: customers.len(),
                customers_owe: Money::sum(customers.iter().map(|c| c.owes))?,
                stock_value: Money::sum(checked.stock.iter().filter(|s| s.business == business).map(|s| s.value))?,
                business,
                entry,
            })
        })
        .collect()
}

/// Checks the file and, unless `dry_run` or anything is wrong, posts it in one transaction.
pub async fn import(
    pool: &PgPool,
    file: &OpeningFile,
    refs: &[String],
    as_of: NaiveDate,
    zone: Tz,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let books = books(pool).await?;
    let mut problems = Vec::new();
    let checked = check(file, refs, &books, &mut problems);
    let businesses = plans(&checked, &books).unwrap_or_else(|error| {
        problems.push(Problem {
            row: "file".into(),
            field: "debit",
            reason: format!("the file's amounts add up past what the ledger holds ({error})"),
        });
        Vec::new()
    });
    let mut report = ImportReport { as_of, dry_run, problems, businesses, posted_entries: Vec::new() };
    if dry_run || !report.problems.is_empty() || report.businesses.is_empty() {
        return Ok(report);
    }
    let mut tx = pool.begin().await?;
    // The ledger's counter row: entry numbers stay gap-free and in commit order, and the
    // change feed is locked as a master-data writer must (changes::lock).
    changes::lock(&mut tx).await?;
    let occurred_at = zone
        .from_local_datetime(&as_of.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|at| at.fixed_offset())
        .unwrap_or_else(|| as_of.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().fixed_offset());
    let mut touched_customers = Vec::new();
    let mut new_customers = Vec::new();
    let mut products = Vec::new();
    for plan in &report.businesses {
        let business = &books.businesses[&plan.business];
        let document_id = Uuid::now_v7();
        let mut entry_number = None;
        if let Some(entry) = &plan.entry {
            let entry = HeadOfficeEntry {
                business_id: business.id,
                kind: OPENING_EVENT_TYPE,
                document_id,
                occurred_at,
                business_day: as_of,
                entry,
            };
            let number = head_office::post(&mut tx, &entry).await?;
            report.posted_entries.push(number);
            entry_number = Some(number);
        }
        for customer in checked.customers.iter().filter(|c| c.business == plan.business) {
            let (id, created) = customer_id(&mut tx, customer).await?;
            if created {
                new_customers.push(id);
            }
            touched_customers.push(id);
            if customer.owes.is_positive() {
                sqlx::query(
                    "INSERT INTO invoice (invoice_id, business_id, customer_id, number, kind, issued_at, business_day, amount)
                     VALUES ($1, $2, $3, $4, 'opening', $5, $6, $7)",
                )
                .bind(Uuid::now_v7())
                .bind(business.id)
                .bind(id)
                .bind(&customer.reference)
                .bind(occurred_at)
                .bind(as_of)
                .bind(customer.owes.decimal())
                .execute(&mut *tx)
                .await?;
            }
        }
        for item in checked.stock.iter().filter(|s| s.business == plan.business) {
            let quantity: rust_decimal::Decimal = item.quantity.to_string().parse().unwrap_or_default();
            sqlx::query(
                "INSERT INTO stock_movement (business_id, product_id, quantity, reason, document_id, occurred_at)
                 VALUES ($1, $2, $3, 'opening', $4, $5)",
            )
            .bind(business.id)
            .bind(item.product.id)
            .bind(quantity)
            .bind(document_id)
            .bind(occurred_at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO stock_level (product_id, quantity) VALUES ($1, $2)
                 ON CONFLICT (product_id) DO UPDATE SET quantity = stock_level.quantity + EXCLUDED.quantity",
            )
            .bind(item.product.id)
            .bind(quantity)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE product SET unit_cost = $2 WHERE id = $1")
                .bind(item.product.id)
                .bind(item.unit_cost.decimal())
                .execute(&mut *tx)
                .await?;
            products.push(item.product.id);
        }
        audit(
            &mut tx,
            crate::audit::OPERATOR,
            "opening.imported",
            &plan.business,
            serde_json::json!({
                "entry_number": entry_number, "as_of": as_of, "opening_equity": plan.opening_equity,
                "customers": plan.customers, "customers_owe": plan.customers_owe, "stock_value": plan.stock_value,
            }),
        )
        .await?;
    }
    changes::publish(&mut tx, Entity::Customer, Some(&new_customers)).await?;
    changes::publish(&mut tx, Entity::CustomerBalance, Some(&touched_customers)).await?;
    changes::publish(&mut tx, Entity::Product, Some(&products)).await?;
    tx.commit().await?;
    Ok(report)
}

/// The customer of that name (any business's: customers are shared), or a new one.
async fn customer_id(tx: &mut PgConnection, customer: &CustomerOpening) -> Result<(Uuid, bool), sqlx::Error> {
    let found: Option<(Uuid,)> =
        sqlx::query_as("SELECT id FROM customer WHERE lower(name) = lower($1) ORDER BY id LIMIT 1")
            .bind(&customer.name)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((id,)) = found {
        return Ok((id, false));
    }
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO customer (id, name, phone, credit_limit) VALUES ($1, $2, $3, 0)")
        .bind(id)
        .bind(&customer.name)
        .bind(&customer.phone)
        .execute(&mut *tx)
        .await?;
    Ok((id, true))
}
