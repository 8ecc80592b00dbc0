//! The tills as head office keeps them: enrolment and re-enrolment, the token behind a request,
//! when each was last seen and what refused it. The HTTP handlers call these and hold no SQL.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tillbook_core::ids::{BusinessId, DeviceId};
use tillbook_core::protocol::{EnrollRequest, EnrollResponse};
use uuid::Uuid;

use crate::audit::{Actor, audit};
use crate::changes;
use crate::secrets::{code_hash, new_device_token, secret_hash};

/// A till, as its token identifies it.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: DeviceId,
    pub till_code: String,
    pub business_ids: Vec<BusinessId>,
}

#[derive(sqlx::FromRow)]
struct DeviceRow {
    id: Uuid,
    till_code: String,
    revoked_at: Option<DateTime<Utc>>,
    businesses: Vec<Uuid>,
}

/// The till whose token hashes to `token_hash`, and whether it is revoked.
pub async fn by_token(pool: &PgPool, token_hash: &[u8]) -> Result<Option<(Device, bool)>, sqlx::Error> {
    let row: Option<DeviceRow> = sqlx::query_as(
        "SELECT d.id, d.till_code, d.revoked_at,
                coalesce(array_agg(b.business_id) FILTER (WHERE b.business_id IS NOT NULL), '{}') AS businesses
           FROM device d LEFT JOIN device_business b ON b.device_id = d.id
          WHERE d.token_hash = $1 GROUP BY d.id",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| {
        let business_ids = row.businesses.into_iter().map(BusinessId).collect();
        (Device { id: DeviceId(row.id), till_code: row.till_code, business_ids }, row.revoked_at.is_some())
    }))
}

/// Why an enrolment code was not exchanged.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("this enrolment code is unknown, used or expired")]
    InvalidCode,
    #[error("this device id is already enrolled")]
    DeviceExists,
    #[error("this re-enrolment code is for till {0}, not this one")]
    CodeForAnotherTill(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    business_id: Uuid,
    till_code: String,
    used_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    /// Set for a re-enrolment code: the existing till it is for.
    device_id: Option<Uuid>,
}

/// How an enrolment went: the answer for the till, and whether it was a re-enrolment.
pub struct Enrolled {
    pub response: EnrollResponse,
    pub reenrolled: bool,
}

/// Exchanges the code of `request` (the till's `name` checked by the caller) for a device
/// token, in one transaction: a new till is created for the code's business, or — for a
/// re-enrolment code — the same till gets a new token, the old one dies and a revocation is
/// lifted. Audited either way. The answer carries the group's time zone, `zone`.
pub async fn enroll(
    pool: &PgPool,
    request: &EnrollRequest,
    name: &str,
    zone: chrono_tz::Tz,
) -> Result<Enrolled, EnrollError> {
    let hashed_code = code_hash(&request.enrollment_code);
    let mut tx = pool.begin().await?;
    let code: Option<CodeRow> = sqlx::query_as(
        "SELECT business_id, till_code, used_at, expires_at, device_id FROM enrollment_code WHERE code_hash = $1 FOR UPDATE",
    )
    .bind(&hashed_code)
    .fetch_optional(&mut *tx)
    .await?;
    let (business_id, till_code, reenrolled) = match code {
        Some(row) if row.used_at.is_none() && row.expires_at > Utc::now() => {
            (row.business_id, row.till_code, row.device_id)
        }
        _ => return Err(EnrollError::InvalidCode),
    };
    // The till is sent its staff (addressed to it alone) in this transaction; a code that
    // was refused took no lock.
    changes::lock(&mut tx).await?;
    let token = new_device_token();
    let device_id = request.device_id.0;
    if let Some(for_device) = reenrolled {
        if for_device != device_id {
            return Err(EnrollError::CodeForAnotherTill(till_code));
        }
        let (last_seq,): (i64,) = sqlx::query_as(
            "UPDATE device SET token_hash = $2, app_version = $3, revoked_at = NULL WHERE id = $1 RETURNING last_seq",
        )
        .bind(device_id)
        .bind(secret_hash(&token))
        .bind(&request.app_version)
        .fetch_one(&mut *tx)
        .await?;
        let businesses: Vec<(Uuid,)> =
            sqlx::query_as("SELECT business_id FROM device_business WHERE device_id = $1 ORDER BY business_id")
                .bind(device_id)
                .fetch_all(&mut *tx)
                .await?;
        use_code(&mut tx, &hashed_code, device_id).await?;
        let details = serde_json::json!({
            "till_code": till_code, "app_version": request.app_version, "acked_through": last_seq,
        });
        audit(&mut tx, Actor::Device(DeviceId(device_id)), "device.reenrolled", &device_id.to_string(), details)
            .await?;
        let staff = changes::all_staff(&mut tx).await?;
        changes::publish_staff(&mut tx, &staff, Some(&[device_id])).await?;
        tx.commit().await?;
        let response = EnrollResponse {
            device_id: request.device_id,
            device_token: token,
            till_code,
            business_ids: businesses.into_iter().map(|(id,)| BusinessId(id)).collect(),
            acked_through: u64::try_from(last_seq).unwrap_or(0),
            time_zone: zone.name().to_string(),
        };
        return Ok(Enrolled { response, reenrolled: true });
    }
    let exists: Option<(Uuid,)> =
        sqlx::query_as("SELECT id FROM device WHERE id = $1").bind(device_id).fetch_optional(&mut *tx).await?;
    if exists.is_some() {
        return Err(EnrollError::DeviceExists);
    }
    sqlx::query("INSERT INTO device (id, name, till_code, token_hash, app_version) VALUES ($1, $2, $3, $4, $5)")
        .bind(device_id)
        .bind(name)
        .bind(&till_code)
        .bind(secret_hash(&token))
        .bind(&request.app_version)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO device_business (device_id, business_id) VALUES ($1, $2)")
        .bind(device_id)
        .bind(business_id)
        .execute(&mut *tx)
        .await?;
    use_code(&mut tx, &hashed_code, device_id).await?;
    let details = serde_json::json!({ "name": name, "till_code": till_code, "app_version": request.app_version });
    audit(&mut tx, Actor::Device(DeviceId(device_id)), "device.enrolled", &device_id.to_string(), details).await?;
    let staff = changes::all_staff(&mut tx).await?;
    changes::publish_staff(&mut tx, &staff, Some(&[device_id])).await?;
    tx.commit().await?;
    let response = EnrollResponse {
        device_id: request.device_id,
        device_token: token,
        till_code,
        business_ids: vec![BusinessId(business_id)],
        acked_through: 0,
        time_zone: zone.name().to_string(),
    };
    Ok(Enrolled { response, reenrolled: false })
}

async fn use_code(connection: &mut sqlx::PgConnection, code_hash: &[u8], device: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE enrollment_code SET used_at = now(), used_by = $2 WHERE code_hash = $1")
        .bind(code_hash)
        .bind(device)
        .execute(connection)
        .await?;
    Ok(())
}

/// The till asked for its changes: it is alive, and has `pending` events still to push.
pub async fn seen(pool: &PgPool, device: DeviceId, pending: Option<u64>) -> Result<(), sqlx::Error> {
    let pending = pending.map(|pending| i64::try_from(pending).unwrap_or(i64::MAX));
    sqlx::query(
        "UPDATE device SET last_seen_at = now(), pending_reported = coalesce($2, pending_reported) WHERE id = $1",
    )
    .bind(device.0)
    .bind(pending)
    .execute(pool)
    .await?;
    Ok(())
}

/// Keeps a whole-batch refusal on the till's row, for the owner's tills report ("stuck,
/// because …"), until a batch of that till merges (`merge` clears it).
pub async fn remember_refusal(pool: &PgPool, device: DeviceId, code: &str, message: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE device SET refused_code = $2, refused_message = left($3, 500), refused_at = now() WHERE id = $1",
    )
    .bind(device.0)
    .bind(code)
    .bind(message.replace('\0', ""))
    .execute(pool)
    .await?;
    Ok(())
}
