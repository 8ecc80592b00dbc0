//! Head-office maintenance from the owner's screens (DESIGN §1, §7): products and their prices,
//! staff and their PINs, tills enrolled and revoked. Each change is checked field by field,
//! written to the audit log with the owner's email, and published on the change feed in the
//! same transaction, so every till concerned pulls it (master data is server-wins).

use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use tillbook_core::protocol::{ProductChange, StaffChange, TillEnrolment};
use tillbook_core::{Money, VatRate};
use uuid::Uuid;

use crate::admin::{self, AdminError};
use crate::audit::{Actor, audit};
use crate::changes::{self, Entity};
use crate::secrets::hash_password;

#[derive(Debug, thiserror::Error)]
pub enum MaintenanceError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{field}: {message}")]
    NotAllowed { field: &'static str, message: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("hashing failed: {0}")]
    Hash(String),
}

impl From<AdminError> for MaintenanceError {
    fn from(error: AdminError) -> MaintenanceError {
        match error {
            AdminError::UnknownBusiness(code) => {
                MaintenanceError::Invalid { field: "business", message: format!("no business '{code}'") }
            }
            AdminError::UnknownDevice(device) => MaintenanceError::NotFound(format!("no till {device}")),
            AdminError::Invalid { field, message } => MaintenanceError::Invalid { field, message },
            AdminError::Database(error) => MaintenanceError::Database(error),
            AdminError::Hash(message) => MaintenanceError::Hash(message),
        }
    }
}

type Result<T> = std::result::Result<T, MaintenanceError>;

pub(crate) fn invalid<T>(field: &'static str, message: impl Into<String>) -> Result<T> {
    Err(MaintenanceError::Invalid { field, message: message.into() })
}

/// Trimmed text of 1 to `max` characters.
pub(crate) fn text(field: &'static str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return invalid(field, format!("needs 1 to {max} characters"));
    }
    Ok(value.to_string())
}

/// A product as the owner's screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductLine {
    pub id: Uuid,
    pub business_code: String,
    pub name: String,
    pub barcode: Option<String>,
    pub unit: String,
    pub price: Money,
    pub vat_rate: VatRate,
    pub unit_cost: Money,
    pub stocked: bool,
    pub active: bool,
}

const PRODUCTS: &str = "
SELECT p.id, b.code, p.name, p.barcode, p.unit, p.price, p.vat_rate::text, p.unit_cost,
       p.inventory_account IS NOT NULL, p.active
  FROM product p JOIN business b ON b.id = p.business_id";

type ProductRow =
    (Uuid, String, String, Option<String>, String, rust_decimal::Decimal, String, rust_decimal::Decimal, bool, bool);

fn product_line(row: ProductRow) -> Result<ProductLine> {
    let (id, business_code, name, barcode, unit, price, vat_rate, unit_cost, stocked, active) = row;
    let money = |value: rust_decimal::Decimal| {
        Money::round(value).map_err(|error| MaintenanceError::Invalid { field: "price", message: error.to_string() })
    };
    Ok(ProductLine {
        id,
        business_code,
        name,
        barcode,
        unit,
        price: money(price)?,
        vat_rate: vat_rate
            .parse()
            .map_err(|_| MaintenanceError::Invalid { field: "vat_rate", message: format!("stored rate {vat_rate}") })?,
        unit_cost: money(unit_cost)?,
        stocked,
        active,
    })
}

/// The products of one business (or all), by business and name.
pub async fn products(pool: &PgPool, business: Option<&str>) -> Result<Vec<ProductLine>> {
    let rows: Vec<ProductRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PRODUCTS} WHERE $1::text IS NULL OR b.code = $1 ORDER BY b.code, p.name"
    )))
    .bind(business)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(product_line).collect()
}

/// The accounts a new product of the business takes: the template's for its goods (DESIGN §4),
/// or, for a business made before the template had them, those most of its products use.
async fn usual_accounts(
    tx: &mut PgConnection,
    business_id: Uuid,
    stocked: bool,
) -> Result<(i16, Option<i16>, Option<i16>)> {
    let (accounts,): (sqlx::types::Json<tillbook_core::chart::BusinessAccounts>,) =
        sqlx::query_as("SELECT accounts FROM business WHERE id = $1").bind(business_id).fetch_one(&mut *tx).await?;
    let code = |code: tillbook_core::chart::AccountCode| i16::try_from(code.number()).unwrap_or(i16::MAX);
    if let Some(goods) = &accounts.goods {
        return match (&goods.stock, stocked) {
            (_, false) => Ok((code(goods.revenue), None, None)),
            (Some(stock), true) => {
                Ok((code(goods.revenue), Some(code(stock.inventory)), Some(code(stock.cost_of_sales))))
            }
            (None, true) => invalid("stocked", "this business sells services and keeps no stock"),
        };
    }
    let revenue: Option<(i16,)> = sqlx::query_as(
        "SELECT revenue_account FROM product WHERE business_id = $1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )
    .bind(business_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((revenue,)) = revenue else {
        return invalid("business", "this business has no products to take the accounts from");
    };
    if !stocked {
        return Ok((revenue, None, None));
    }
    let stock: Option<(i16, i16)> = sqlx::query_as(
        "SELECT inventory_account, cost_account FROM product WHERE business_id = $1 AND inventory_account IS NOT NULL
          GROUP BY 1, 2 ORDER BY count(*) DESC, 1 LIMIT 1",
    )
    .bind(business_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((inventory, cost)) = stock else {
        return invalid("stocked", "this business keeps no stock to take the accounts from");
    };
    Ok((revenue, Some(inventory), Some(cost)))
}

/// Creates a product (no `id`, or one head office does not know) or changes one; answers it
/// as saved.
pub async fn save_product(pool: &PgPool, actor: Actor, change: &ProductChange) -> Result<ProductLine> {
    let mut tx = pool.begin().await?;
    changes::lock(&mut tx).await?;
    let saved = save_product_in(&mut tx, actor, change).await?;
    tx.commit().await?;
    Ok(saved)
}

/// As [`save_product`], in the caller's transaction, which holds [`changes::lock`].
pub async fn save_product_in(tx: &mut PgConnection, actor: Actor, change: &ProductChange) -> Result<ProductLine> {
    let business = change.business.trim().to_uppercase();
    let name = text("name", &change.name, 80)?;
    let unit = text("unit", &change.unit, 20)?;
    let barcode = match change.barcode.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) if code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric()) => Some(code.to_string()),
        Some(_) => return invalid("barcode", "up to 32 letters and digits"),
    };
    if change.price.is_negative() {
        return invalid("price", "a price is never negative");
    }
    if change.unit_cost.is_some_and(Money::is_negative) {
        return invalid("unit_cost", "a cost is never negative");
    }
    let found: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM business WHERE code = $1 AND active")
        .bind(&business)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((business_id,)) = found else { return invalid("business", format!("no active business '{business}'")) };
    let before = match change.id {
        None => None,
        Some(id) => {
            let rows: Vec<ProductRow> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("{PRODUCTS} WHERE p.id = $1 FOR UPDATE OF p")))
                    .bind(id.0)
                    .fetch_all(&mut *tx)
                    .await?;
            let before = rows.into_iter().next().map(product_line).transpose()?;
            if let Some(before) = &before
                && before.business_code != business
            {
                return invalid("business", format!("the product belongs to {}", before.business_code));
            }
            before
        }
    };
    let others: Vec<(Uuid, String, Option<String>)> =
        sqlx::query_as("SELECT id, lower(name), barcode FROM product WHERE business_id = $1 AND active")
            .bind(business_id)
            .fetch_all(&mut *tx)
            .await?;
    let others = others.into_iter().filter(|(id, _, _)| Some(*id) != change.id.map(|id| id.0));
    for (_, other_name, other_barcode) in others {
        if change.active && other_name == name.to_lowercase() {
            return invalid("name", format!("{business} already sells a product called {name}"));
        }
        if change.active && barcode.is_some() && other_barcode == barcode {
            return invalid(
                "barcode",
                format!("another product of {business} has barcode {}", barcode.unwrap_or_default()),
            );
        }
    }
    let (id, action) = match (change.id, &before) {
        (Some(id), Some(_)) => {
            sqlx::query(
                "UPDATE product SET name = $2, barcode = $3, unit = $4, price = $5, vat_rate = $6,
                        unit_cost = coalesce($7, unit_cost), active = $8 WHERE id = $1",
            )
            .bind(id.0)
            .bind(&name)
            .bind(&barcode)
            .bind(&unit)
            .bind(change.price.decimal())
            .bind(change.vat_rate.decimal())
            .bind(change.unit_cost.map(Money::decimal))
            .bind(change.active)
            .execute(&mut *tx)
            .await?;
            (id.0, "product.changed")
        }
        (id, _) => {
            let (revenue, inventory, cost) = usual_accounts(&mut *tx, business_id, change.stocked).await?;
            let id = id.map_or_else(Uuid::now_v7, |id| id.0);
            sqlx::query(
                "INSERT INTO product (id, business_id, name, barcode, unit, price, vat_rate, revenue_account,
                                      inventory_account, cost_account, unit_cost, active)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(id)
            .bind(business_id)
            .bind(&name)
            .bind(&barcode)
            .bind(&unit)
            .bind(change.price.decimal())
            .bind(change.vat_rate.decimal())
            .bind(revenue)
            .bind(inventory)
            .bind(cost)
            .bind(change.unit_cost.unwrap_or(Money::ZERO).decimal())
            .bind(change.active)
            .execute(&mut *tx)
            .await?;
            (id, "product.created")
        }
    };
    let rows: Vec<ProductRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{PRODUCTS} WHERE p.id = $1"))).bind(id).fetch_all(&mut *tx).await?;
    let after = rows
        .into_iter()
        .next()
        .map(product_line)
        .transpose()?
        .ok_or_else(|| MaintenanceError::NotFound(format!("product {id} vanished while it was saved")))?;
    audit(&mut *tx, actor, action, &id.to_string(), serde_json::json!({ "before": before, "after": after })).await?;
    changes::publish(&mut *tx, Entity::Product, Some(&[id])).await?;
    Ok(after)
}

/// A member of staff as the owner's screen lists them: never the PIN's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffLine {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    /// The businesses (codes) they work in.
    pub businesses: Vec<String>,
    pub active: bool,
}

const STAFF: &str = "
SELECT s.id, s.name, s.role, s.active,
       coalesce(array_agg(b.code ORDER BY b.code) FILTER (WHERE b.code IS NOT NULL), '{}')
  FROM staff s
  LEFT JOIN staff_business sb ON sb.staff_id = s.id
  LEFT JOIN business b ON b.id = sb.business_id";

type StaffRow = (Uuid, String, String, bool, Vec<String>);

fn staff_line((id, name, role, active, businesses): StaffRow) -> StaffLine {
    StaffLine { id, name, role, businesses, active }
}

pub async fn staff(pool: &PgPool) -> Result<Vec<StaffLine>> {
    let rows: Vec<StaffRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{STAFF} GROUP BY s.id ORDER BY s.name"))).fetch_all(pool).await?;
    Ok(rows.into_iter().map(staff_line).collect())
}

/// Adds a member of staff (no `id`; a PIN and businesses are needed) or changes one (a new PIN
/// or businesses only if given). A manager (`limited_to` their businesses) may only touch staff
/// who work in none but theirs.
pub async fn save_staff(
    pool: &PgPool,
    actor: Actor,
    change: &StaffChange,
    limited_to: Option<&[String]>,
) -> Result<StaffLine> {
    let mut tx = pool.begin().await?;
    changes::lock(&mut tx).await?;
    let saved = save_staff_in(&mut tx, actor, change, limited_to).await?;
    tx.commit().await?;
    Ok(saved)
}

/// As [`save_staff`], in the caller's transaction, which holds [`changes::lock`]. An `id` head
/// office does not know adds someone with that id.
pub async fn save_staff_in(
    tx: &mut PgConnection,
    actor: Actor,
    change: &StaffChange,
    limited_to: Option<&[String]>,
) -> Result<StaffLine> {
    let name = text("name", &change.name, 100)?;
    let role = change.role.trim().to_lowercase();
    let Some(parsed_role) = tillbook_core::catalog::Role::parse(&role) else {
        return invalid("role", format!("'{}' is not cashier, supervisor or owner", change.role));
    };
    let pin = change.pin.as_deref().filter(|pin| !pin.is_empty());
    if let Some(pin) = pin {
        parsed_role.check_pin(pin).map_err(|message| MaintenanceError::Invalid { field: "pin", message })?;
    } else if change.id.is_none() {
        return invalid("pin", "a new member of staff needs a PIN");
    }
    let businesses: Option<Vec<String>> = change.businesses.as_ref().map(|codes| {
        let mut codes: Vec<String> = codes.iter().map(|code| code.trim().to_uppercase()).collect();
        codes.sort();
        codes.dedup();
        codes
    });
    match &businesses {
        Some(codes) if codes.is_empty() => return invalid("businesses", "name at least one business they work in"),
        None if change.id.is_none() => return invalid("businesses", "name the businesses they work in"),
        _ => {}
    }
    let outside = |codes: &[String]| -> Option<String> {
        let own = limited_to?;
        codes.iter().find(|code| !own.contains(code)).cloned()
    };
    if let Some(code) = businesses.as_deref().and_then(outside) {
        return Err(MaintenanceError::NotAllowed { field: "businesses", message: format!("you do not manage {code}") });
    }
    let pin_hash = match pin {
        Some(pin) => {
            let pin = pin.to_string();
            let hashed = tokio::task::spawn_blocking(move || hash_password(&pin))
                .await
                .map_err(|error| MaintenanceError::Hash(error.to_string()))?;
            Some(hashed.map_err(|error| MaintenanceError::Hash(error.to_string()))?)
        }
        None => None,
    };
    let before: Option<StaffRow> = match change.id {
        None => None,
        Some(id) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{STAFF} WHERE s.id = $1 GROUP BY s.id")))
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?
        }
    };
    if let Some(code) = before.as_ref().and_then(|(_, _, _, _, codes)| outside(codes)) {
        return Err(MaintenanceError::NotAllowed {
            field: "id",
            message: format!("they also work in {code}, which you do not manage"),
        });
    }
    let (id, action) = match (change.id, &before) {
        (Some(id), Some(_)) => {
            let updated = sqlx::query(
                "UPDATE staff SET name = $2, role = $3, active = $4, pin_hash = coalesce($5, pin_hash) WHERE id = $1",
            )
            .bind(id.0)
            .bind(&name)
            .bind(&role)
            .bind(change.active)
            .bind(&pin_hash)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(MaintenanceError::NotFound(format!("no member of staff {id}")));
            }
            (id.0, "staff.changed")
        }
        (id, _) => {
            if pin_hash.is_none() {
                return invalid("pin", "a new member of staff needs a PIN");
            }
            if businesses.is_none() {
                return invalid("businesses", "name the businesses they work in");
            }
            let id = id.map_or_else(Uuid::now_v7, |id| id.0);
            sqlx::query("INSERT INTO staff (id, name, role, pin_hash, active) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(&name)
                .bind(&role)
                .bind(&pin_hash)
                .bind(change.active)
                .execute(&mut *tx)
                .await?;
            (id, "staff.created")
        }
    };
    if let Some(codes) = &businesses {
        let known: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT id, code FROM business WHERE code = ANY($1) AND active")
                .bind(codes)
                .fetch_all(&mut *tx)
                .await?;
        if let Some(unknown) = codes.iter().find(|code| !known.iter().any(|(_, known)| known == *code)) {
            return invalid("businesses", format!("no active business '{unknown}'"));
        }
        let ids: Vec<Uuid> = known.into_iter().map(|(id, _)| id).collect();
        sqlx::query("DELETE FROM staff_business WHERE staff_id = $1 AND NOT business_id = ANY($2)")
            .bind(id)
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO staff_business (staff_id, business_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    }
    let after: StaffRow = sqlx::query_as(sqlx::AssertSqlSafe(format!("{STAFF} WHERE s.id = $1 GROUP BY s.id")))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let after = staff_line(after);
    // The PIN itself is never written anywhere; the log says only that it changed.
    let details = serde_json::json!({
        "name": name, "role": role, "active": change.active, "businesses": after.businesses,
        "pin_changed": pin.is_some(),
    });
    audit(&mut *tx, actor, action, &id.to_string(), details).await?;
    changes::publish_staff(&mut *tx, &[id], None).await?;
    Ok(after)
}

/// A one-time enrolment code for a new till of `business`, shown to the owner once.
pub async fn enrol_till(pool: &PgPool, actor: Actor, business: &str, name: &str) -> Result<TillEnrolment> {
    let business = business.trim().to_uppercase();
    let (code, till_code, expires_at) = admin::create_enrollment_code_by(pool, actor, &business, name).await?;
    Ok(TillEnrolment { business, till_code, code, expires_at })
}

/// A re-enrolment code for the existing till `till_code` (its token was lost or revoked): typed
/// into that till, it gets a new token and keeps everything it recorded.
pub async fn reenrol_till(
    pool: &PgPool,
    actor: Actor,
    till_code: &str,
    limited_to: Option<&[String]>,
) -> Result<TillEnrolment> {
    let till_code = till_code.trim().to_uppercase();
    till_within(pool, &till_code, limited_to).await?;
    let (code, expires_at) = admin::create_reenrollment_code_by(pool, actor, &till_code).await?;
    let (business,): (String,) = sqlx::query_as(
        "SELECT b.code FROM device d JOIN device_business db ON db.device_id = d.id JOIN business b ON b.id = db.business_id
          WHERE d.till_code = $1 ORDER BY b.code LIMIT 1",
    )
    .bind(&till_code)
    .fetch_one(pool)
    .await?;
    Ok(TillEnrolment { business, till_code, code, expires_at })
}

/// Revokes the till with `till_code`: its token is refused from now on.
pub async fn revoke_till(pool: &PgPool, actor: Actor, till_code: &str, limited_to: Option<&[String]>) -> Result<()> {
    till_within(pool, &till_code.trim().to_uppercase(), limited_to).await?;
    let found: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM device WHERE till_code = $1")
        .bind(till_code.trim().to_uppercase())
        .fetch_optional(pool)
        .await?;
    let Some((id,)) = found else { return invalid("till_code", format!("no till '{till_code}'")) };
    admin::revoke_device_by(pool, actor, tillbook_core::ids::DeviceId(id)).await?;
    Ok(())
}

/// Refuses a manager (`limited_to` their businesses) a till that serves another business. An
/// unknown till passes: the caller answers that with its own words.
async fn till_within(pool: &PgPool, till_code: &str, limited_to: Option<&[String]>) -> Result<()> {
    let Some(own) = limited_to else { return Ok(()) };
    let businesses: Vec<(String,)> = sqlx::query_as(
        "SELECT b.code FROM device d JOIN device_business db ON db.device_id = d.id JOIN business b ON b.id = db.business_id
          WHERE d.till_code = $1",
    )
    .bind(till_code)
    .fetch_all(pool)
    .await?;
    match businesses.into_iter().find(|(code,)| !own.contains(code)) {
        Some((code,)) => Err(MaintenanceError::NotAllowed {
            field: "till_code",
            message: format!("till {till_code} serves {code}, which you do not manage"),
        }),
        None => Ok(()),
    }
}
