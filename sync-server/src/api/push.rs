//! `POST /api/v1/sync/push`.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use tillbook_core::protocol::PushResponse;

use super::AppState;
use crate::error::ApiError;
use crate::merge::{self, Device, MergeError, incoming};
use crate::metrics::Metrics;

#[utoipa::path(post, path = "/api/v1/sync/push", request_body = tillbook_core::protocol::PushRequest,
    responses((status = 200, body = PushResponse),
              (status = 400, description = "not a well-formed batch; `field` names where", body = tillbook_core::protocol::ErrorBody),
              (status = 401, description = "unknown or revoked device token", body = tillbook_core::protocol::ErrorBody),
              (status = 409, description = "`sequence_gap` (with `expected_seq`) or `event_id_reused`", body = tillbook_core::protocol::ErrorBody),
              (status = 413, description = "more than 500 events, or too large", body = tillbook_core::protocol::ErrorBody)),
    security(("device_token" = [])))]
pub async fn push(
    State(state): State<AppState>,
    Extension(device): Extension<Device>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushResponse>, ApiError> {
    // The guard checked the token before this body was read (api::access).
    let result = handle(&state, &device, body).await;
    if let Err(error) = &result
        && error.status.is_client_error()
    {
        Metrics::add(&state.metrics.refused_requests, 1);
        if holds_the_till_up(error) {
            remember_refusal(&state.pool, &device, error).await;
        }
    }
    result.map(Json)
}

/// A refusal of the whole batch that the till cannot get past by itself: not a sequence gap
/// (it resends from where the server says) nor the server being busy.
fn holds_the_till_up(error: &ApiError) -> bool {
    !matches!(error.body.code.as_str(), "sequence_gap" | "device_revoked")
        && error.status != StatusCode::TOO_MANY_REQUESTS
}

/// Keeps the refusal on the till's row for the owner's tills report ("stuck, because …").
async fn remember_refusal(pool: &sqlx::PgPool, device: &Device, error: &ApiError) {
    let message = match &error.body.field {
        Some(field) => format!("{} ({field})", error.body.message),
        None => error.body.message.clone(),
    };
    tracing::warn!(till = %device.till_code, code = %error.body.code, "a whole batch was refused");
    if let Err(failure) = crate::devices::remember_refusal(pool, device.id, &error.body.code, &message).await {
        tracing::error!(error = %failure, "could not record a refused batch");
    }
}

async fn handle(
    state: &AppState,
    device: &Device,
    body: Result<Bytes, BytesRejection>,
) -> Result<PushResponse, ApiError> {
    let body = body.map_err(|rejection| ApiError::too_large("body", rejection.body_text()))?;
    let events = incoming::parse_push(&body, device.id)?;
    let started = Instant::now();
    match merge::merge(&state.pool, device, events, state.zone).await {
        Ok(outcome) => {
            let metrics = &state.metrics;
            Metrics::add(&metrics.batches, 1);
            Metrics::add(&metrics.events_posted, outcome.posted);
            Metrics::add(&metrics.events_duplicate, outcome.duplicates);
            Metrics::add(&metrics.events_quarantined, outcome.quarantined);
            Metrics::add(&metrics.merge_micros, started.elapsed().as_micros() as u64);
            Ok(outcome.response)
        }
        Err(error) => {
            match &error {
                MergeError::SequenceGap { .. } => Metrics::add(&state.metrics.sequence_gaps, 1),
                MergeError::EventIdReused { event_id } => {
                    tracing::warn!(till = %device.till_code, %event_id, "security: an event id was reused with different content");
                    crate::audit::audit_security(&state.pool, device, *event_id).await;
                }
                _ => {}
            }
            Err(error.into())
        }
    }
}
