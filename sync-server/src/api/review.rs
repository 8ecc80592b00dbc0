//! `POST /api/v1/review/resolve`: the owner's decision on an item of the review queue (the
//! queue itself is the `review` report). A dismissal or a correcting entry, each kept and audited.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use tillbook_core::protocol::{ResolveRequest, ResolveResponse};

use super::{AppState, owner};
use crate::error::ApiError;
use crate::review::{self, ReviewError};

impl From<ReviewError> for ApiError {
    fn from(error: ReviewError) -> ApiError {
        match error {
            ReviewError::Invalid { field, message } => ApiError::bad_request("invalid_resolution", field, message),
            ReviewError::NotFound(_) => ApiError::not_found(error.to_string()),
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
    headers: HeaderMap,
    body: Result<Json<ResolveRequest>, JsonRejection>,
) -> Result<Json<ResolveResponse>, ApiError> {
    let owner = owner::owner(&state, &headers).await?;
    let Json(request) =
        body.map_err(|rejection| ApiError::bad_request("malformed_request", "body", rejection.body_text()))?;
    Ok(Json(review::resolve(&state.pool, owner.id, &owner.email, &request, state.zone).await?))
}
