//! `POST /api/v1/devices/enroll`: a one-time code from the owner becomes a device token.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use tillbook_core::ids::BusinessId;
use tillbook_core::protocol::{EnrollRequest, EnrollResponse};
use uuid::Uuid;

use super::AppState;
use crate::error::ApiError;
use crate::merge::incoming::parse_json;
use crate::secrets::{code_hash, new_device_token, secret_hash};

#[derive(sqlx::FromRow)]
struct CodeRow {
    business_id: Uuid,
    till_code: String,
    used_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    /// Set for a re-enrolment code: the existing till it is for.
    device_id: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/devices/enroll", request_body = EnrollRequest,
    responses((status = 201, body = EnrollResponse),
              (status = 400, body = tillbook_core::protocol::ErrorBody),
              (status = 401, description = "the code is unknown, used or expired", body = tillbook_core::protocol::ErrorBody),
              (status = 409, description = "this device id is already enrolled, or the re-enrolment code is for another till", body = tillbook_core::protocol::ErrorBody)))]
pub async fn enroll(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<EnrollResponse>), ApiError> {
    let body = body.map_err(|rejection| ApiError::too_large("body", rejection.body_text()))?;
    let request: EnrollRequest = parse_json(&body, "")?;
    let name = request.device_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request("invalid_name", "device_name", "device_name needs 1 to 100 characters"));
    }
    if request.app_version.chars().count() > 40 || request.app_version.contains('\0') || name.contains('\0') {
        return Err(ApiError::bad_request("invalid_text", "app_version", "app_version is at most 40 characters"));
    }
    let mut tx = state.pool.begin().await?;
    let code: Option<CodeRow> = sqlx::query_as(
        "SELECT business_id, till_code, used_at, expires_at, device_id FROM enrollment_code WHERE code_hash = $1 FOR UPDATE",
    )
    .bind(code_hash(&request.enrollment_code))
    .fetch_optional(&mut *tx)
    .await?;
    let (business_id, till_code, reenrolled) = match code {
        Some(row) if row.used_at.is_none() && row.expires_at > Utc::now() => {
            (row.business_id, row.till_code, row.device_id)
        }
        _ => {
            return Err(ApiError::unauthorized(
                "invalid_enrollment_code",
                "this enrolment code is unknown, used or expired",
            ));
        }
    };
    if let Some(device_id) = reenrolled {
        return reenroll(tx, &request, device_id, &till_code).await;
    }
    let exists: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM device WHERE id = $1")
        .bind(request.device_id.0)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        return Err(ApiError::conflict("device_exists", "this device id is already enrolled"));
    }
    let token = new_device_token();
    sqlx::query("INSERT INTO device (id, name, till_code, token_hash, app_version) VALUES ($1, $2, $3, $4, $5)")
        .bind(request.device_id.0)
        .bind(name)
        .bind(&till_code)
        .bind(secret_hash(&token))
        .bind(&request.app_version)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO device_business (device_id, business_id) VALUES ($1, $2)")
        .bind(request.device_id.0)
        .bind(business_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE enrollment_code SET used_at = now(), used_by = $2 WHERE code_hash = $1")
        .bind(code_hash(&request.enrollment_code))
        .bind(request.device_id.0)
        .execute(&mut *tx)
        .await?;
    crate::admin::audit(
        &mut tx,
        "till",
        "device.enrolled",
        &request.device_id.to_string(),
        serde_json::json!({
            "name": name, "till_code": till_code, "app_version": request.app_version,
        }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(till = %till_code, "till enrolled");
    Ok((
        StatusCode::CREATED,
        Json(EnrollResponse {
            device_id: request.device_id,
            device_token: token,
            till_code,
            business_ids: vec![BusinessId(business_id)],
            acked_through: 0,
        }),
    ))
}

/// A re-enrolment: the same device gets a new token, the old one dies, a revocation is lifted,
/// and the answer says how far the server has merged its events.
async fn reenroll(
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    request: &EnrollRequest,
    device_id: Uuid,
    till_code: &str,
) -> Result<(StatusCode, Json<EnrollResponse>), ApiError> {
    if request.device_id.0 != device_id {
        return Err(ApiError::conflict(
            "code_for_another_till",
            format!("this re-enrolment code is for till {till_code}, not this one"),
        ));
    }
    let token = new_device_token();
    let (last_seq, businesses) = crate::admin::reenroll_device(
        tx,
        request,
        &secret_hash(&token),
        &code_hash(&request.enrollment_code),
        till_code,
    )
    .await?;
    tracing::info!(till = %till_code, acked_through = last_seq, "till re-enrolled");
    Ok((
        StatusCode::OK,
        Json(EnrollResponse {
            device_id: request.device_id,
            device_token: token,
            till_code: till_code.to_string(),
            business_ids: businesses.into_iter().map(BusinessId).collect(),
            acked_through: last_seq,
        }),
    ))
}
