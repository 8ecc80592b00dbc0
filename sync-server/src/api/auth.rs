//! The device behind a request's `Authorization: Bearer <device token>`.

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tillbook_core::ids::{BusinessId, DeviceId};
use uuid::Uuid;

use crate::error::ApiError;
use crate::merge::Device;
use crate::secrets::secret_hash;

#[derive(sqlx::FromRow)]
struct DeviceRow {
    id: Uuid,
    till_code: String,
    revoked_at: Option<DateTime<Utc>>,
    businesses: Vec<Uuid>,
}

/// The token of an `Authorization: Bearer <token>` header (a till's or an owner's).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .filter(|token| !token.trim().is_empty())
}

pub async fn device(pool: &PgPool, headers: &HeaderMap) -> Result<Device, ApiError> {
    let token = bearer(headers).ok_or_else(|| {
        ApiError::unauthorized("missing_token", "send the device token as 'Authorization: Bearer <token>'")
    })?;
    let row: Option<DeviceRow> = sqlx::query_as(
        "SELECT d.id, d.till_code, d.revoked_at,
                coalesce(array_agg(b.business_id) FILTER (WHERE b.business_id IS NOT NULL), '{}') AS businesses
           FROM device d LEFT JOIN device_business b ON b.device_id = d.id
          WHERE d.token_hash = $1 GROUP BY d.id",
    )
    .bind(secret_hash(token))
    .fetch_optional(pool)
    .await?;
    match row {
        None => Err(ApiError::unauthorized("invalid_token", "this device token is not known")),
        Some(row) if row.revoked_at.is_some() => {
            tracing::warn!(till = %row.till_code, "a revoked till tried to sync");
            Err(ApiError::unauthorized("device_revoked", "this till has been revoked by the owner"))
        }
        Some(row) => Ok(Device {
            id: DeviceId(row.id),
            till_code: row.till_code,
            business_ids: row.businesses.into_iter().map(BusinessId).collect(),
        }),
    }
}
