//! What the operator does from the command line (DESIGN §10): seed the demo group, hand out
//! enrolment codes, revoke tills, create owners. Every change goes to the audit log.

use chrono::{Duration, Utc};
use sqlx::PgPool;
use tillbook_core::ids::DeviceId;
use tillbook_core::seed;
use uuid::Uuid;

use crate::audit::audit;
use crate::changes;
use crate::secrets::{code_hash, hash_password, new_enrollment_code};

/// How long an enrolment code stays usable.
pub const ENROLLMENT_CODE_DAYS: i64 = 7;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("no business with code '{0}'")]
    UnknownBusiness(String),
    #[error("no till with id {0}")]
    UnknownDevice(DeviceId),
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("hashing failed: {0}")]
    Hash(String),
}

pub use crate::audit::OPERATOR;

/// Seeds the demo group of DESIGN §10: the businesses, the chart, products, services, cylinder
/// types, customers and staff with argon2-hashed PINs; then publishes them for the tills.
/// Seeding twice changes nothing already there.
pub async fn seed(pool: &PgPool) -> Result<(), AdminError> {
    let data = seed::demo();
    let mut staff = Vec::new();
    for member in seed::demo_staff() {
        let pin_hash = hash_password(member.pin).map_err(|error| AdminError::Hash(error.to_string()))?;
        staff.push(serde_json::json!({ "id": member.id, "name": member.name, "role": member.role, "pin_hash": pin_hash, "active": true }));
    }
    let mut tx = pool.begin().await?;
    changes::lock(&mut tx).await?;
    let staff = serde_json::Value::Array(staff);
    let statements: [(&str, serde_json::Value); 8] = [
        (SEED_BUSINESSES, json(&data.businesses)),
        (SEED_ACCOUNTS, json(&data.accounts)),
        (SEED_PRODUCTS, json(&data.products)),
        (SEED_LAUNDRY_SERVICES, json(&data.laundry_services)),
        (SEED_CYLINDER_TYPES, json(&data.cylinder_types)),
        (SEED_CUSTOMERS, json(&data.customers)),
        (SEED_STAFF, staff.clone()),
        (SEED_STAFF_BUSINESSES, staff),
    ];
    for (sql, rows) in statements {
        sqlx::query(sql).bind(sqlx::types::Json(rows)).execute(&mut *tx).await?;
    }
    for entity in changes::MASTER_DATA_ENTITIES {
        changes::publish(&mut tx, entity, None).await?;
    }
    let everyone = changes::all_staff(&mut tx).await?;
    changes::publish_staff(&mut tx, &everyone, None).await?;
    audit(&mut tx, OPERATOR, "seed.demo", "demo group", serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("master data serialises")
}

const SEED_BUSINESSES: &str = "
INSERT INTO business (id, code, name, kind, accounts, kra_pin, address, phone, mpesa_number, vat_registered)
SELECT id, code, name, kind, accounts, profile ->> 'kra_pin', profile ->> 'address', profile ->> 'phone',
       profile ->> 'mpesa_number', (profile ->> 'vat_registered')::boolean
  FROM jsonb_to_recordset($1) AS x(id UUID, code TEXT, name TEXT, kind TEXT, accounts JSONB, profile JSONB)
ON CONFLICT DO NOTHING";

const SEED_ACCOUNTS: &str = "
INSERT INTO account (code, name, kind, business_code, active)
SELECT code::smallint, name, kind, business, active
  FROM jsonb_to_recordset($1) AS x(code TEXT, name TEXT, kind TEXT, business TEXT, active BOOLEAN)
ON CONFLICT DO NOTHING";

const SEED_PRODUCTS: &str = "
INSERT INTO product (id, business_id, name, barcode, unit, price, vat_rate, revenue_account, inventory_account, cost_account, unit_cost, active)
SELECT id, business_id, name, barcode, unit, price, vat_rate, revenue_account::smallint,
       (stock ->> 'inventory')::smallint, (stock ->> 'cost_of_sales')::smallint, unit_cost, active
  FROM jsonb_to_recordset($1) AS x(id UUID, business_id UUID, name TEXT, barcode TEXT, unit TEXT, price NUMERIC,
                                   vat_rate NUMERIC, revenue_account TEXT, stock JSONB, unit_cost NUMERIC, active BOOLEAN)
ON CONFLICT DO NOTHING";

const SEED_LAUNDRY_SERVICES: &str = "
INSERT INTO laundry_service (id, business_id, name, pricing, price, vat_rate, active)
SELECT id, business_id, name, pricing, price, vat_rate, active
  FROM jsonb_to_recordset($1) AS x(id UUID, business_id UUID, name TEXT, pricing TEXT, price NUMERIC, vat_rate NUMERIC, active BOOLEAN)
ON CONFLICT DO NOTHING";

const SEED_CYLINDER_TYPES: &str = "
INSERT INTO cylinder_type (id, business_id, size_kg, brand, gas_price, gas_cost, cylinder_price, cylinder_cost, deposit, vat_rate, active)
SELECT id, business_id, size_kg, brand, gas_price, gas_cost, cylinder_price, cylinder_cost, deposit, vat_rate, active
  FROM jsonb_to_recordset($1) AS x(id UUID, business_id UUID, size_kg NUMERIC, brand TEXT, gas_price NUMERIC, gas_cost NUMERIC,
                                   cylinder_price NUMERIC, cylinder_cost NUMERIC, deposit NUMERIC, vat_rate NUMERIC, active BOOLEAN)
ON CONFLICT DO NOTHING";

const SEED_CUSTOMERS: &str = "
INSERT INTO customer (id, name, phone, credit_limit, active)
SELECT id, name, phone, credit_limit, active
  FROM jsonb_to_recordset($1) AS x(id UUID, name TEXT, phone TEXT, credit_limit NUMERIC, active BOOLEAN)
ON CONFLICT DO NOTHING";

const SEED_STAFF: &str = "
INSERT INTO staff (id, name, role, pin_hash, active)
SELECT id, name, role, pin_hash, active FROM jsonb_to_recordset($1) AS x(id UUID, name TEXT, role TEXT, pin_hash TEXT, active BOOLEAN)
ON CONFLICT DO NOTHING";

/// The demo's staff work in every business.
const SEED_STAFF_BUSINESSES: &str = "
INSERT INTO staff_business (staff_id, business_id)
SELECT x.id, b.id FROM jsonb_to_recordset($1) AS x(id UUID) CROSS JOIN business b
ON CONFLICT DO NOTHING";

/// A one-time code for a new till of `business_code`, and the till code it will get (`W1`,
/// `W2`, … from the business code's first letter).
pub async fn create_enrollment_code(pool: &PgPool, business_code: &str, name: &str) -> Result<String, AdminError> {
    Ok(create_enrollment_code_by(pool, OPERATOR, business_code, name).await?.0)
}

/// As [`create_enrollment_code`], made by `actor` (the operator, or the owner from the app):
/// the code, the till code and when the code expires.
pub async fn create_enrollment_code_by(
    pool: &PgPool,
    actor: crate::audit::Actor,
    business_code: &str,
    name: &str,
) -> Result<(String, String, chrono::DateTime<Utc>), AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AdminError::Invalid { field: "name", message: "a till's name needs 1 to 100 characters".into() });
    }
    let mut tx = pool.begin().await?;
    let business: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM business WHERE code = $1 FOR UPDATE")
        .bind(business_code)
        .fetch_optional(&mut *tx)
        .await?;
    let (business_id,) = business.ok_or_else(|| AdminError::UnknownBusiness(business_code.to_string()))?;
    let prefix: String = business_code.chars().take(1).collect();
    let (taken,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM (SELECT till_code FROM device UNION SELECT till_code FROM enrollment_code) t
          WHERE till_code ~ ('^' || $1 || '[0-9]+$')",
    )
    .bind(&prefix)
    .fetch_one(&mut *tx)
    .await?;
    let till_code = format!("{prefix}{}", taken + 1);
    let code = new_enrollment_code();
    let expires_at = Utc::now() + Duration::days(ENROLLMENT_CODE_DAYS);
    sqlx::query(
        "INSERT INTO enrollment_code (code_hash, business_id, device_name, till_code, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(code_hash(&code))
    .bind(business_id)
    .bind(name)
    .bind(&till_code)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        actor,
        "device.enrollment_code_created",
        &till_code,
        serde_json::json!({ "business": business_code, "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok((code, till_code, expires_at))
}

/// A one-time code that gives the existing till `till_code` a new token (its old one dies when
/// the code is used), for a till whose keyring lost its token or that the owner revoked. The
/// code and when it expires.
pub async fn create_reenrollment_code_by(
    pool: &PgPool,
    actor: crate::audit::Actor,
    till_code: &str,
) -> Result<(String, chrono::DateTime<Utc>), AdminError> {
    let mut tx = pool.begin().await?;
    let device: Option<(Uuid, String, Uuid)> = sqlx::query_as(
        "SELECT d.id, d.name, db.business_id FROM device d JOIN device_business db ON db.device_id = d.id
          WHERE d.till_code = $1 ORDER BY db.business_id LIMIT 1 FOR UPDATE OF d",
    )
    .bind(till_code.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (device_id, name, business_id) = device.ok_or_else(|| AdminError::Invalid {
        field: "till_code",
        message: format!("no enrolled till {}", till_code.trim()),
    })?;
    let code = new_enrollment_code();
    let expires_at = Utc::now() + Duration::days(ENROLLMENT_CODE_DAYS);
    sqlx::query(
        "INSERT INTO enrollment_code (code_hash, business_id, device_name, till_code, expires_at, device_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(code_hash(&code))
    .bind(business_id)
    .bind(&name)
    .bind(till_code.trim())
    .bind(expires_at)
    .bind(device_id)
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, actor, "device.reenrollment_code_created", till_code.trim(), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok((code, expires_at))
}

/// Revokes a till: its token is refused from now on (`401 device_revoked`).
pub async fn revoke_device(pool: &PgPool, device: DeviceId) -> Result<(), AdminError> {
    revoke_device_by(pool, OPERATOR, device).await
}

/// As [`revoke_device`], by `actor`.
pub async fn revoke_device_by(pool: &PgPool, actor: crate::audit::Actor, device: DeviceId) -> Result<(), AdminError> {
    let mut tx = pool.begin().await?;
    let updated = sqlx::query("UPDATE device SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1")
        .bind(device.0)
        .execute(&mut *tx)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(AdminError::UnknownDevice(device));
    }
    audit(&mut tx, actor, "device.revoked", &device.to_string(), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// An owner who signs in at head office with email and password (argon2-hashed).
pub async fn create_owner(pool: &PgPool, email: &str, name: &str, password: &str) -> Result<Uuid, AdminError> {
    let email = email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 200 {
        return Err(AdminError::Invalid { field: "email", message: "not an email address".into() });
    }
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err(AdminError::Invalid { field: "name", message: "a name needs 1 to 100 characters".into() });
    }
    if let Err(message) = crate::passwords::check(password, &email) {
        return Err(AdminError::Invalid { field: "password", message });
    }
    let hash = hash_password(password).map_err(|error| AdminError::Hash(error.to_string()))?;
    let id = Uuid::now_v7();
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO owner_user (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING",
    )
    .bind(id)
    .bind(&email)
    .bind(name.trim())
    .bind(hash)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AdminError::Invalid { field: "email", message: format!("{email} already has an account") });
    }
    audit(&mut tx, OPERATOR, "owner.created", &email, serde_json::json!({ "id": id })).await?;
    tx.commit().await?;
    Ok(id)
}
