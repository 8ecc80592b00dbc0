//! What the operator does from the command line (DESIGN §10): seed the demo group, hand out
//! enrolment codes, revoke tills, create owners. Every change goes to the audit log.

use chrono::{Duration, Utc};
use sqlx::PgPool;
use tillbook_core::ids::DeviceId;
use tillbook_core::seed;
use uuid::Uuid;

use tillbook_core::ids::BusinessId;
use tillbook_core::protocol::{
    BusinessChange, CustomerChange, CylinderTypeChange, LaundryServiceChange, ProductChange, StaffChange,
    SupplierChange,
};

use crate::audit::audit;
use crate::changes;
use crate::maintenance::MaintenanceError;
use crate::secrets::{code_hash, hash_password, new_enrollment_code};
use crate::setup::{self, GroupSetup};

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

/// Seeds the demo group of DESIGN §10 through the same path as the owner's screens and the
/// `setup` command: the businesses with their accounts from the chart template, products,
/// services, cylinder types, customers and staff with argon2-hashed PINs, each audited and
/// published for the tills. Seeding twice changes nothing: the demo is there once its first
/// business is.
pub async fn seed(pool: &PgPool) -> Result<(), AdminError> {
    let data = seed::demo();
    let mut tx = pool.begin().await?;
    changes::lock(&mut tx).await?;
    let (seeded,): (bool,) = sqlx::query_as("SELECT EXISTS (SELECT 1 FROM business WHERE id = $1)")
        .bind(data.businesses[0].id.0)
        .fetch_one(&mut *tx)
        .await?;
    if seeded {
        return Ok(());
    }
    let group = demo_group(&data);
    let saved = setup::apply(&mut tx, OPERATOR, &group).await.map_err(|refused| refused.error)?;
    for (saved, business) in saved.businesses.iter().zip(&data.businesses) {
        if saved.business.accounts != business.accounts {
            return Err(AdminError::Invalid {
                field: "seed",
                message: "the demo goes on a server without businesses of its own (its accounts would differ)".into(),
            });
        }
    }
    audit(&mut tx, OPERATOR, "seed.demo", "demo group", serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// The demo as a set-up file's changes, each with the demo's fixed id.
fn demo_group(data: &seed::MasterData) -> GroupSetup {
    let code_of = |id: BusinessId| {
        data.businesses
            .iter()
            .find(|business| business.id == id)
            .map(|business| business.code.clone())
            .unwrap_or_default()
    };
    let businesses = data.businesses.iter().map(|business| BusinessChange {
        id: Some(business.id),
        code: business.code.clone(),
        name: business.name.clone(),
        kind: business.kind,
        profile: business.profile.clone(),
        active: true,
    });
    let products = data.products.iter().map(|product| ProductChange {
        id: Some(product.id),
        business: code_of(product.business_id),
        name: product.name.clone(),
        barcode: product.barcode.clone(),
        unit: product.unit.clone(),
        price: product.price,
        vat_rate: product.vat_rate,
        unit_cost: Some(product.unit_cost),
        stocked: product.stock.is_some(),
        active: product.active,
    });
    let laundry_services = data.laundry_services.iter().map(|service| LaundryServiceChange {
        id: Some(service.id),
        business: code_of(service.business_id),
        name: service.name.clone(),
        pricing: service.pricing,
        price: service.price,
        vat_rate: service.vat_rate,
        active: service.active,
    });
    let cylinder_types = data.cylinder_types.iter().map(|cylinder| CylinderTypeChange {
        id: Some(cylinder.id),
        business: code_of(cylinder.business_id),
        size_kg: cylinder.size_kg,
        brand: cylinder.brand.clone(),
        gas_price: cylinder.gas_price,
        gas_cost: cylinder.gas_cost,
        cylinder_price: cylinder.cylinder_price,
        cylinder_cost: cylinder.cylinder_cost,
        deposit: cylinder.deposit,
        vat_rate: cylinder.vat_rate,
        active: cylinder.active,
    });
    let customers = data.customers.iter().map(|customer| CustomerChange {
        id: Some(customer.id),
        name: customer.name.clone(),
        phone: customer.phone.clone(),
        credit_limit: customer.credit_limit,
        active: customer.active,
    });
    let suppliers = data.suppliers.iter().map(|supplier| SupplierChange {
        id: Some(supplier.id),
        name: supplier.name.clone(),
        kra_pin: supplier.kra_pin.clone(),
        phone: supplier.phone.clone(),
        terms_days: supplier.terms_days,
        active: supplier.active,
    });
    let every_business: Vec<String> = data.businesses.iter().map(|business| business.code.clone()).collect();
    let staff = seed::demo_staff().into_iter().map(|member| StaffChange {
        id: Some(member.id),
        name: member.name.to_string(),
        role: member.role.as_str().to_string(),
        pin: Some(member.pin.to_string()),
        businesses: Some(every_business.clone()),
        active: true,
    });
    GroupSetup {
        businesses: businesses.collect(),
        products: products.collect(),
        laundry_services: laundry_services.collect(),
        cylinder_types: cylinder_types.collect(),
        customers: customers.collect(),
        suppliers: suppliers.collect(),
        staff: staff.collect(),
    }
}

impl From<MaintenanceError> for AdminError {
    fn from(error: MaintenanceError) -> AdminError {
        match error {
            MaintenanceError::Invalid { field, message } | MaintenanceError::NotAllowed { field, message } => {
                AdminError::Invalid { field, message }
            }
            MaintenanceError::NotFound(message) => AdminError::Invalid { field: "id", message },
            MaintenanceError::Database(error) => AdminError::Database(error),
            MaintenanceError::Hash(message) => AdminError::Hash(message),
        }
    }
}

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
