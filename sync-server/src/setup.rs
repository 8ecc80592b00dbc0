//! Setting up a group from nothing (DESIGN §10): its businesses with their accounts from the
//! chart template, the laundry services and LPG cylinders they sell, and the customers they
//! give credit to. The owner's screens, the `setup` command and the demo seed all come here;
//! each change is checked field by field, audited, and published to the tills in the caller's
//! transaction, which holds the master-data lock ([`changes::lock`]).
//!
//! A change names its record by `id`. An id head office does not know yet creates the record
//! with that id, so a data set with fixed ids (the demo) loads through the same path, and a
//! screen that sends its new record twice gets one record.

use std::collections::BTreeSet;

use serde::Serialize;
use sqlx::PgConnection;
use tillbook_core::catalog::{Customer, CylinderType, LaundryService, Supplier, checked_kra_pin, checked_phone};
use tillbook_core::chart::{
    Account, AccountCode, Business, BusinessAccounts, BusinessKind, business_chart, shared_chart,
};
use tillbook_core::protocol::{
    BusinessChange, CustomerChange, CylinderTypeChange, LaundryServiceChange, ProductChange, StaffChange,
    SupplierChange,
};
use tillbook_core::{Money, Quantity};
use uuid::Uuid;

use crate::audit::{Actor, audit};
use crate::changes::{self, Entity};
use crate::db;
use crate::maintenance::{self, MaintenanceError, ProductLine, StaffLine, invalid, text};

type Result<T> = std::result::Result<T, MaintenanceError>;

/// A group's master data as a set-up file gives it (`tillbook-server setup FILE`), and as the
/// demo seed is: changes of each kind, applied in this order (a product needs its business).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSetup {
    #[serde(default)]
    pub businesses: Vec<BusinessChange>,
    #[serde(default)]
    pub products: Vec<ProductChange>,
    #[serde(default)]
    pub laundry_services: Vec<LaundryServiceChange>,
    #[serde(default)]
    pub cylinder_types: Vec<CylinderTypeChange>,
    #[serde(default)]
    pub customers: Vec<CustomerChange>,
    #[serde(default)]
    pub suppliers: Vec<SupplierChange>,
    /// With their PINs in the clear: keep such a file only until it is applied.
    #[serde(default)]
    pub staff: Vec<StaffChange>,
}

/// What applying a [`GroupSetup`] saved, in its order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub businesses: Vec<BusinessLine>,
    pub products: Vec<ProductLine>,
    pub laundry_services: Vec<LaundryService>,
    pub cylinder_types: Vec<CylinderType>,
    pub customers: Vec<Customer>,
    pub suppliers: Vec<Supplier>,
    pub staff: Vec<StaffLine>,
}

/// A change of a set-up file that was refused: which one, and why.
#[derive(Debug, thiserror::Error)]
#[error("{what} {number}: {error}")]
pub struct SetupError {
    pub what: &'static str,
    /// Counted from 1, in the file's list of its kind.
    pub number: usize,
    #[source]
    pub error: MaintenanceError,
}

/// Applies every change of `group` in the caller's transaction (which holds
/// [`changes::lock`]), each through the same function as the owner's screens; the first
/// refused change is named, and the caller rolls back all of them.
pub async fn apply(
    tx: &mut PgConnection,
    actor: Actor,
    group: &GroupSetup,
) -> std::result::Result<Applied, SetupError> {
    let named = |what: &'static str, number: usize| move |error| SetupError { what, number: number + 1, error };
    let mut applied = Applied::default();
    for (number, change) in group.businesses.iter().enumerate() {
        applied.businesses.push(save_business(&mut *tx, actor, change).await.map_err(named("business", number))?);
    }
    for (number, change) in group.products.iter().enumerate() {
        let saved = maintenance::save_product_in(&mut *tx, actor, change).await.map_err(named("product", number))?;
        applied.products.push(saved);
    }
    for (number, change) in group.laundry_services.iter().enumerate() {
        let saved = save_laundry_service(&mut *tx, actor, change).await.map_err(named("laundry service", number))?;
        applied.laundry_services.push(saved);
    }
    for (number, change) in group.cylinder_types.iter().enumerate() {
        let saved = save_cylinder_type(&mut *tx, actor, change).await.map_err(named("cylinder type", number))?;
        applied.cylinder_types.push(saved);
    }
    for (number, change) in group.customers.iter().enumerate() {
        applied.customers.push(save_customer(&mut *tx, actor, change).await.map_err(named("customer", number))?);
    }
    for (number, change) in group.suppliers.iter().enumerate() {
        applied.suppliers.push(save_supplier(&mut *tx, actor, change).await.map_err(named("supplier", number))?);
    }
    for (number, change) in group.staff.iter().enumerate() {
        let saved = maintenance::save_staff_in(&mut *tx, actor, change, None)
            .await
            .map_err(named("member of staff", number))?;
        applied.staff.push(saved);
    }
    Ok(applied)
}

/// A business as the owner's screen lists it: what the tills know of it, and whether it trades.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BusinessLine {
    #[serde(flatten)]
    pub business: Business,
    pub active: bool,
}

/// Each row of a wire view, read as core's type (the shapes the tills pull).
async fn wire<T: serde::de::DeserializeOwned + Send + Unpin + 'static>(
    connection: &mut PgConnection,
    sql: &'static str,
    ids: Option<&[Uuid]>,
) -> Result<Vec<T>> {
    let rows: Vec<(sqlx::types::Json<T>,)> = sqlx::query_as(sql).bind(ids).fetch_all(connection).await?;
    Ok(rows.into_iter().map(|(sqlx::types::Json(value),)| value).collect())
}

const BUSINESSES: &str = "SELECT data FROM business_wire w JOIN business b USING (id)
    WHERE $1::uuid[] IS NULL OR b.id = ANY($1) ORDER BY b.code";

/// Every business, by code, with whether it trades.
pub async fn businesses(connection: &mut PgConnection) -> Result<Vec<BusinessLine>> {
    let list: Vec<Business> = wire(connection, BUSINESSES, None).await?;
    let active: Vec<(Uuid, bool)> = sqlx::query_as("SELECT id, active FROM business").fetch_all(connection).await?;
    Ok(list
        .into_iter()
        .map(|business| {
            let active = active.iter().any(|(id, active)| *id == business.id.0 && *active);
            BusinessLine { business, active }
        })
        .collect())
}

/// The business with `code`, active or not, locked until the transaction ends.
async fn business_by_code(connection: &mut PgConnection, code: &str) -> Result<Option<(Business, bool)>> {
    let found: Option<(Uuid, bool)> = sqlx::query_as("SELECT id, active FROM business WHERE code = $1 FOR UPDATE")
        .bind(code.trim().to_uppercase())
        .fetch_optional(&mut *connection)
        .await?;
    let Some((id, active)) = found else { return Ok(None) };
    let business: Option<Business> = one(connection, BUSINESSES, id).await?;
    Ok(business.map(|business| (business, active)))
}

/// The active business a service or cylinder belongs to, or the field's error.
async fn trading(connection: &mut PgConnection, code: &str) -> Result<Business> {
    match business_by_code(connection, code).await? {
        Some((business, true)) => Ok(business),
        _ => invalid("business", format!("no active business '{}'", code.trim().to_uppercase())),
    }
}

fn business_code(code: &str) -> Result<String> {
    let code = code.trim().to_uppercase();
    let shaped = code.len() >= 2
        && code.len() <= 20
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !shaped {
        return invalid("code", "2 to 20 capital letters, digits or _, starting with a letter (WATER, DUKA2)");
    }
    Ok(code)
}

/// Creates a business with its accounts from the chart template (and the shared accounts, for
/// the group's first), or changes one's name, profile or standing; answers it as saved.
pub async fn save_business(tx: &mut PgConnection, actor: Actor, change: &BusinessChange) -> Result<BusinessLine> {
    let code = business_code(&change.code)?;
    let name = text("name", &change.name, 100)?;
    let profile = change.profile.checked().map_err(|(field, message)| MaintenanceError::Invalid { field, message })?;
    let id = change.id.map_or_else(Uuid::now_v7, |id| id.0);
    let before: Option<Business> = one(&mut *tx, BUSINESSES, id).await?;
    let action = match &before {
        Some(before) => {
            if before.code != code {
                return invalid("code", format!("a business's code never changes (it is {})", before.code));
            }
            if before.kind != change.kind {
                return invalid("kind", format!("a business's kind never changes (it is {})", before.kind.as_str()));
            }
            sqlx::query(
                "UPDATE business SET name = $2, kra_pin = $3, address = $4, phone = $5, mpesa_number = $6,
                        vat_registered = $7, active = $8 WHERE id = $1",
            )
            .bind(id)
            .bind(&name)
            .bind(&profile.kra_pin)
            .bind(&profile.address)
            .bind(&profile.phone)
            .bind(&profile.mpesa_number)
            .bind(profile.vat_registered)
            .bind(change.active)
            .execute(&mut *tx)
            .await?;
            "business.changed"
        }
        None => {
            if business_by_code(&mut *tx, &code).await?.is_some() {
                return invalid("code", format!("there is already a business {code}"));
            }
            let (accounts, new) = plan_accounts(&mut *tx, change.kind, &code, &name).await?;
            sqlx::query(
                "INSERT INTO business (id, code, name, kind, accounts, kra_pin, address, phone, mpesa_number,
                                       vat_registered, active)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id)
            .bind(&code)
            .bind(&name)
            .bind(change.kind.as_str())
            .bind(sqlx::types::Json(&accounts))
            .bind(&profile.kra_pin)
            .bind(&profile.address)
            .bind(&profile.phone)
            .bind(&profile.mpesa_number)
            .bind(profile.vat_registered)
            .bind(change.active)
            .execute(&mut *tx)
            .await?;
            insert_accounts(&mut *tx, &new).await?;
            changes::publish(&mut *tx, Entity::Account, None).await?;
            "business.created"
        }
    };
    let after = businesses(&mut *tx).await?.into_iter().find(|line| line.business.id.0 == id);
    let after =
        after.ok_or_else(|| MaintenanceError::NotFound(format!("business {id} vanished while it was saved")))?;
    audit(&mut *tx, actor, action, &code, serde_json::json!({ "before": before, "after": after })).await?;
    changes::publish(&mut *tx, Entity::Business, Some(&[id])).await?;
    Ok(after)
}

/// The accounts a new business needs: the shared ones the chart lacks (for the group's first
/// business), then its own from the template. Answers what each of its roles posts to, and the
/// accounts to insert once the business's row exists (an account refers to its owner's code).
async fn plan_accounts(
    tx: &mut PgConnection,
    kind: BusinessKind,
    code: &str,
    name: &str,
) -> Result<(BusinessAccounts, Vec<Account>)> {
    let taken: Vec<(i16,)> = sqlx::query_as("SELECT code FROM account").fetch_all(&mut *tx).await?;
    let mut taken: BTreeSet<AccountCode> =
        taken.into_iter().filter_map(|(code,)| AccountCode::try_from(i64::from(code)).ok()).collect();
    let mut new = shared_chart();
    new.retain(|account| !taken.contains(&account.code));
    taken.extend(new.iter().map(|account| account.code));
    let (accounts, own) = business_chart(kind, code, name, &taken)
        .map_err(|full| MaintenanceError::Invalid { field: "kind", message: full.to_string() })?;
    new.extend(own);
    Ok((accounts, new))
}

async fn insert_accounts(tx: &mut PgConnection, accounts: &[Account]) -> Result<()> {
    sqlx::query(
        "INSERT INTO account (code, name, kind, business_code, active)
         SELECT * FROM unnest($1::smallint[], $2::text[], $3::text[], $4::text[], $5::boolean[])",
    )
    .bind(db::column(accounts, |account| i16::try_from(account.code.number()).unwrap_or(i16::MAX)))
    .bind(db::column(accounts, |account| account.name.as_str()))
    .bind(db::column(accounts, |account| account.kind.as_str()))
    .bind(db::column(accounts, |account| account.business.as_deref()))
    .bind(db::column(accounts, |account| account.active))
    .execute(tx)
    .await?;
    Ok(())
}

/// Money typed on a form of head office: never negative.
fn amount(field: &'static str, value: Money) -> Result<Money> {
    if value.is_negative() {
        return invalid(field, "never negative");
    }
    Ok(value)
}

const SERVICES: &str = "SELECT data FROM laundry_service_wire w JOIN laundry_service s USING (id)
    JOIN business b ON b.id = s.business_id
    WHERE $1::uuid[] IS NULL OR s.id = ANY($1) ORDER BY b.code, s.name";

/// The laundry services of every business, by business and name.
pub async fn laundry_services(connection: &mut PgConnection) -> Result<Vec<LaundryService>> {
    wire(connection, SERVICES, None).await
}

/// Creates a laundry service of a business that takes laundry jobs, or changes one.
pub async fn save_laundry_service(
    tx: &mut PgConnection,
    actor: Actor,
    change: &LaundryServiceChange,
) -> Result<LaundryService> {
    let business = trading(&mut *tx, &change.business).await?;
    if business.accounts.laundry_revenue.is_none() {
        return invalid("business", format!("{} takes no laundry jobs", business.code));
    }
    let name = text("name", &change.name, 80)?;
    let price = amount("price", change.price)?;
    let id = change.id.map_or_else(Uuid::now_v7, |id| id.0);
    let before: Option<LaundryService> = one(&mut *tx, SERVICES, id).await?;
    if before.as_ref().is_some_and(|before| before.business_id != business.id) {
        return invalid("business", "a service stays with its business");
    }
    let (clash,): (bool,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM laundry_service WHERE business_id = $1 AND active AND lower(name) = lower($2)
                           AND id <> $3)",
    )
    .bind(business.id.0)
    .bind(&name)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if clash && change.active {
        return invalid("name", format!("{} already has a service called {name}", business.code));
    }
    sqlx::query(
        "INSERT INTO laundry_service (id, business_id, name, pricing, price, vat_rate, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, pricing = excluded.pricing, price = excluded.price,
                                        vat_rate = excluded.vat_rate, active = excluded.active",
    )
    .bind(id)
    .bind(business.id.0)
    .bind(&name)
    .bind(change.pricing.as_str())
    .bind(price.decimal())
    .bind(change.vat_rate.decimal())
    .bind(change.active)
    .execute(&mut *tx)
    .await?;
    saved(tx, actor, Saved { entity: Entity::LaundryService, noun: "laundry_service", sql: SERVICES, id }, before).await
}

/// The one row of a wire view with `id`, if there is one.
async fn one<T: serde::de::DeserializeOwned + Send + Unpin + 'static>(
    connection: &mut PgConnection,
    sql: &'static str,
    id: Uuid,
) -> Result<Option<T>> {
    Ok(wire(connection, sql, Some(&[id])).await?.into_iter().next())
}

/// What a save wrote: the entity (for the change feed), its name in the audit log
/// (`laundry_service.created`), the wire view it is read back from, and its id.
struct Saved {
    entity: Entity,
    noun: &'static str,
    sql: &'static str,
    id: Uuid,
}

/// The end of a save of master data: the row read back as the tills see it, audited with what
/// it was before, and published, in the caller's transaction.
async fn saved<T: serde::de::DeserializeOwned + Serialize + Send + Unpin + 'static>(
    tx: &mut PgConnection,
    actor: Actor,
    saved: Saved,
    before: Option<T>,
) -> Result<T> {
    let Saved { entity, noun, sql, id } = saved;
    let after: T = one(&mut *tx, sql, id)
        .await?
        .ok_or_else(|| MaintenanceError::NotFound(format!("{noun} {id} vanished while it was saved")))?;
    let action = format!("{noun}.{}", if before.is_some() { "changed" } else { "created" });
    audit(&mut *tx, actor, &action, &id.to_string(), serde_json::json!({ "before": before, "after": after })).await?;
    changes::publish(&mut *tx, entity, Some(&[id])).await?;
    Ok(after)
}

const CYLINDERS: &str = "SELECT data FROM cylinder_type_wire w JOIN cylinder_type c USING (id)
    JOIN business b ON b.id = c.business_id
    WHERE $1::uuid[] IS NULL OR c.id = ANY($1) ORDER BY b.code, c.size_kg, c.brand";

/// The cylinder types of every business, by business, size and brand.
pub async fn cylinder_types(connection: &mut PgConnection) -> Result<Vec<CylinderType>> {
    wire(connection, CYLINDERS, None).await
}

/// Creates a cylinder type (size and brand, with its gas price and deposit) of a business that
/// exchanges LPG, or changes one.
pub async fn save_cylinder_type(
    tx: &mut PgConnection,
    actor: Actor,
    change: &CylinderTypeChange,
) -> Result<CylinderType> {
    let business = trading(&mut *tx, &change.business).await?;
    if business.accounts.lpg.is_none() {
        return invalid("business", format!("{} exchanges no LPG cylinders", business.code));
    }
    let brand = text("brand", &change.brand, 40)?;
    if !change.size_kg.is_positive() || change.size_kg > Quantity::whole(100) {
        return invalid("size_kg", "a cylinder holds more than 0 and at most 100 kg");
    }
    let prices = [
        ("gas_price", change.gas_price),
        ("gas_cost", change.gas_cost),
        ("cylinder_price", change.cylinder_price),
        ("cylinder_cost", change.cylinder_cost),
        ("deposit", change.deposit),
    ];
    for (field, value) in prices {
        amount(field, value)?;
    }
    let id = change.id.map_or_else(Uuid::now_v7, |id| id.0);
    let before: Option<CylinderType> = one(&mut *tx, CYLINDERS, id).await?;
    if before.as_ref().is_some_and(|before| before.business_id != business.id) {
        return invalid("business", "a cylinder type stays with its business");
    }
    let (clash,): (bool,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM cylinder_type WHERE business_id = $1 AND active AND size_kg = $2
                           AND lower(brand) = lower($3) AND id <> $4)",
    )
    .bind(business.id.0)
    .bind(change.size_kg.decimal())
    .bind(&brand)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if clash && change.active {
        return invalid("brand", format!("{} already has a {} kg {brand} cylinder", business.code, change.size_kg));
    }
    sqlx::query(
        "INSERT INTO cylinder_type (id, business_id, size_kg, brand, gas_price, gas_cost, cylinder_price,
                                    cylinder_cost, deposit, vat_rate, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET size_kg = excluded.size_kg, brand = excluded.brand,
             gas_price = excluded.gas_price, gas_cost = excluded.gas_cost, cylinder_price = excluded.cylinder_price,
             cylinder_cost = excluded.cylinder_cost, deposit = excluded.deposit, vat_rate = excluded.vat_rate,
             active = excluded.active",
    )
    .bind(id)
    .bind(business.id.0)
    .bind(change.size_kg.decimal())
    .bind(&brand)
    .bind(change.gas_price.decimal())
    .bind(change.gas_cost.decimal())
    .bind(change.cylinder_price.decimal())
    .bind(change.cylinder_cost.decimal())
    .bind(change.deposit.decimal())
    .bind(change.vat_rate.decimal())
    .bind(change.active)
    .execute(&mut *tx)
    .await?;
    saved(tx, actor, Saved { entity: Entity::CylinderType, noun: "cylinder_type", sql: CYLINDERS, id }, before).await
}

const CUSTOMERS: &str = "SELECT data FROM customer_wire w JOIN customer c USING (id)
    WHERE $1::uuid[] IS NULL OR c.id = ANY($1) ORDER BY c.name, c.id";

/// Every customer of the group, by name.
pub async fn customers(connection: &mut PgConnection) -> Result<Vec<Customer>> {
    wire(connection, CUSTOMERS, None).await
}

/// Creates a customer or changes one's name, phone, credit limit or standing. What they owe
/// is never typed here: it follows from their invoices and payments.
pub async fn save_customer(tx: &mut PgConnection, actor: Actor, change: &CustomerChange) -> Result<Customer> {
    let name = text("name", &change.name, 100)?;
    let phone = match change.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(phone) => {
            Some(checked_phone(phone).map_err(|message| MaintenanceError::Invalid { field: "phone", message })?)
        }
    };
    let credit_limit = amount("credit_limit", change.credit_limit)?;
    let id = change.id.map_or_else(Uuid::now_v7, |id| id.0);
    let before: Option<Customer> = one(&mut *tx, CUSTOMERS, id).await?;
    sqlx::query(
        "INSERT INTO customer (id, name, phone, credit_limit, active) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
                                        credit_limit = excluded.credit_limit, active = excluded.active",
    )
    .bind(id)
    .bind(&name)
    .bind(&phone)
    .bind(credit_limit.decimal())
    .bind(change.active)
    .execute(&mut *tx)
    .await?;
    let after: Customer = one(&mut *tx, CUSTOMERS, id)
        .await?
        .ok_or_else(|| MaintenanceError::NotFound(format!("customer {id} vanished while it was saved")))?;
    let action = if before.is_some() { "customer.changed" } else { "customer.created" };
    // The audit keeps the limit and whether the phone changed, never the number itself.
    let details = serde_json::json!({
        "name": after.name, "credit_limit": after.credit_limit, "active": after.active,
        "credit_limit_before": before.as_ref().map(|before| before.credit_limit),
        "phone_changed": before.as_ref().is_none_or(|before| before.phone != after.phone),
    });
    audit(&mut *tx, actor, action, &id.to_string(), details).await?;
    changes::publish(&mut *tx, Entity::Customer, Some(&[id])).await?;
    Ok(after)
}

const SUPPLIERS: &str = "SELECT data FROM supplier_wire w JOIN supplier s USING (id)
    WHERE $1::uuid[] IS NULL OR s.id = ANY($1) ORDER BY s.name, s.id";

/// Every supplier of the group, by name.
pub async fn suppliers(connection: &mut PgConnection) -> Result<Vec<Supplier>> {
    wire(connection, SUPPLIERS, None).await
}

/// Creates a supplier or changes one's name, KRA PIN, phone, terms or standing. What the group
/// owes them is never typed here: it follows from goods received on account and payments.
pub async fn save_supplier(tx: &mut PgConnection, actor: Actor, change: &SupplierChange) -> Result<Supplier> {
    let name = text("name", &change.name, 100)?;
    let kra_pin = match change.kra_pin.trim() {
        "" => String::new(),
        pin => checked_kra_pin(pin).map_err(|message| MaintenanceError::Invalid { field: "kra_pin", message })?,
    };
    let phone = match change.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(phone) => {
            Some(checked_phone(phone).map_err(|message| MaintenanceError::Invalid { field: "phone", message })?)
        }
    };
    if change.terms_days > 365 {
        return invalid("terms_days", "terms of 0 to 365 days");
    }
    let id = change.id.map_or_else(Uuid::now_v7, |id| id.0);
    let before: Option<Supplier> = one(&mut *tx, SUPPLIERS, id).await?;
    sqlx::query(
        "INSERT INTO supplier (id, name, kra_pin, phone, terms_days, active) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, kra_pin = excluded.kra_pin, phone = excluded.phone,
                                        terms_days = excluded.terms_days, active = excluded.active",
    )
    .bind(id)
    .bind(&name)
    .bind(&kra_pin)
    .bind(&phone)
    .bind(i32::from(change.terms_days))
    .bind(change.active)
    .execute(&mut *tx)
    .await?;
    let after: Supplier = one(&mut *tx, SUPPLIERS, id)
        .await?
        .ok_or_else(|| MaintenanceError::NotFound(format!("supplier {id} vanished while it was saved")))?;
    let action = if before.is_some() { "supplier.changed" } else { "supplier.created" };
    // As for customers: whether the phone changed, never the number.
    let details = serde_json::json!({
        "name": after.name, "kra_pin": after.kra_pin, "terms_days": after.terms_days, "active": after.active,
        "phone_changed": before.as_ref().is_none_or(|before| before.phone != after.phone),
    });
    audit(&mut *tx, actor, action, &id.to_string(), details).await?;
    changes::publish(&mut *tx, Entity::Supplier, Some(&[id])).await?;
    Ok(after)
}
