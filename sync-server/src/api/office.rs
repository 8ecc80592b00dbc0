//! `POST /api/v1/office/documents`: documents head office records itself (`crate::office`).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use tillbook_core::protocol::{OfficeDocuments, PushResponse};

use super::AppState;
use super::access::User;
use super::maintenance::body;
use crate::error::ApiError;

#[utoipa::path(post, path = "/api/v1/office/documents", request_body = OfficeDocuments,
    responses((status = 200, description = "each document's ack, as a till's push gets them; the same event ids again answer `duplicate`", body = PushResponse),
              (status = 400, description = "a document that cannot be recorded, named (`documents[i].field`); nothing written", body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 403, description = "a business the user does not manage", body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn documents(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    request: Result<Json<OfficeDocuments>, JsonRejection>,
) -> Result<Json<PushResponse>, ApiError> {
    let request = body(request)?;
    let may_act_on = |field: &str, business: &str| user.may_act_on(field, business);
    Ok(Json(crate::office::record(&state.pool, state.zone, user.actor(), may_act_on, &request).await?))
}
