//! The device behind a request's `Authorization: Bearer <device token>`.

use axum::http::HeaderMap;
use sqlx::PgPool;

use crate::devices::{self, Device};
use crate::error::ApiError;
use crate::secrets::secret_hash;

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
    match devices::by_token(pool, &secret_hash(token)).await? {
        None => Err(ApiError::unauthorized("invalid_token", "this device token is not known")),
        Some((device, true)) => {
            tracing::warn!(till = %device.till_code, "a revoked till tried to sync");
            Err(ApiError::unauthorized("device_revoked", "this till has been revoked by the owner"))
        }
        Some((device, false)) => Ok(device),
    }
}
