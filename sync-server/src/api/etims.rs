//! `POST /api/v1/admin/etims`: the owner sets a VAT-registered business's eTIMS device up from
//! the owner's screens (docs/etims.md): saved, initialised with KRA, its communication key kept
//! in head office's key folder (never in the database, the answer or a log). The owner's view of
//! transmission is the `etims` report.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use tillbook_core::protocol::EtimsSetUpRequest;

use super::AppState;
use super::access::User;
use super::maintenance::body;
use crate::error::ApiError;
use crate::etims::{self, EtimsError};

impl From<EtimsError> for ApiError {
    fn from(error: EtimsError) -> ApiError {
        match error {
            EtimsError::Invalid { field, message } => ApiError::bad_request("invalid_change", field, message),
            EtimsError::UnknownBusiness(code) => ApiError::not_found(format!("no business {code}")),
            // KRA names no field; what it checks of a device is its PIN, branch and serial.
            EtimsError::Refused { code, message } => ApiError::bad_request(
                "etims_refused",
                "device_serial",
                format!("KRA refused the device: {code} {message}"),
            ),
            EtimsError::Unreachable(error) => {
                ApiError::bad_gateway("etims_unreachable", format!("KRA's eTIMS could not be reached: {error}"))
            }
            EtimsError::Keys(message) | EtimsError::Ended(message) => ApiError::internal(message),
            EtimsError::Database(error) => error.into(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/admin/etims", request_body = EtimsSetUpRequest,
    responses((status = 200, description = "the device saved and initialised with KRA; its invoices are transmitted from now on"),
              (status = 400, body = tillbook_core::protocol::ErrorBody), (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 403, body = tillbook_core::protocol::ErrorBody), (status = 404, body = tillbook_core::protocol::ErrorBody),
              (status = 409, body = tillbook_core::protocol::ErrorBody), (status = 502, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn set_up(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    request: Result<Json<EtimsSetUpRequest>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = body(request)?;
    user.may_act_on("business", &request.business)?;
    let keys = state.etims_keys.as_ref().ok_or_else(|| {
        ApiError::conflict("etims_not_configured", "head office was started without an eTIMS key folder (--etims-keys)")
    })?;
    let setup = etims::Setup {
        business_code: request.business.trim().to_uppercase(),
        branch_id: request.branch_id.trim().to_string(),
        device_serial: request.device_serial.trim().to_string(),
        oscu_url: request.oscu_url.trim().to_string(),
    };
    let client = etims::oscu::Client::new();
    let control_unit = etims::set_up_and_initialise(&state.pool, keys, &client, user.actor(), &setup).await?;
    Ok(Json(serde_json::json!({ "business": setup.business_code, "initialised": true, "control_unit": control_unit })))
}
