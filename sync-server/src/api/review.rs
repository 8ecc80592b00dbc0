//! `POST /api/v1/review/resolve`: the owner's decision on an item of the review queue (the
//! queue itself is the `review` report). A dismissal or a correcting entry, each kept and audited.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use tillbook_core::protocol::{ResolveRequest, ResolveResponse};

use super::AppState;
use super::access::User;
use crate::error::ApiError;
use crate::review::{self, ReviewError};

impl From<ReviewError> for ApiError {
    fn from(error: ReviewError) -> ApiError {
        match error {
            ReviewError::Invalid { field, message } => ApiError::bad_request("invalid_resolution", field, message),
            ReviewError::NotFound(_) => ApiError::not_found(error.to_string()),
            ReviewError::NotAllowed(ref message) => ApiError::not_allowed("item", message.clone()),
            ReviewError::AlreadyResolved { .. } => ApiError::conflict("already_resolved", error.to_string()),
            ReviewError::Database(error) => error.into(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/review/resolve", request_body = ResolveRequest,
    responses((status = 200, body = ResolveResponse),
              (status = 400, description = "a field is wrong; the error names it", body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 404, description = "no such item", body = tillbook_core::protocol::ErrorBody),
              (status = 409, description = "the item was resolved already", body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn resolve(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    body: Result<Json<ResolveRequest>, JsonRejection>,
) -> Result<Json<ResolveResponse>, ApiError> {
    let Json(request) =
        body.map_err(|rejection| ApiError::bad_request("malformed_request", "body", rejection.body_text()))?;
    Ok(Json(review::resolve(&state.pool, user.id, user.limited_to(), &request, state.zone).await?))
}
