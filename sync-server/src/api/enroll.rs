//! `POST /api/v1/devices/enroll`: a one-time code from the owner becomes a device token.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use tillbook_core::protocol::{EnrollRequest, EnrollResponse};

use super::AppState;
use crate::body::parse_json;
use crate::devices::{self, EnrollError};
use crate::error::ApiError;

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
    let enrolled = devices::enroll(&state.pool, &request, name, state.zone).await?;
    let till = &enrolled.response.till_code;
    if enrolled.reenrolled {
        tracing::info!(till = %till, acked_through = enrolled.response.acked_through, "till re-enrolled");
        return Ok((StatusCode::OK, Json(enrolled.response)));
    }
    tracing::info!(till = %till, "till enrolled");
    Ok((StatusCode::CREATED, Json(enrolled.response)))
}

impl From<EnrollError> for ApiError {
    fn from(error: EnrollError) -> ApiError {
        match error {
            EnrollError::InvalidCode => ApiError::unauthorized("invalid_enrollment_code", error.to_string()),
            EnrollError::DeviceExists => ApiError::conflict("device_exists", error.to_string()),
            EnrollError::CodeForAnotherTill(_) => ApiError::conflict("code_for_another_till", error.to_string()),
            EnrollError::Database(error) => error.into(),
        }
    }
}
