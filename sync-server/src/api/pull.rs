//! `GET /api/v1/sync/pull?cursor=N&pending=P`: the changes this till should see after `cursor`;
//! `pending` is how many events it still has to push, kept for the owner's till report. At
//! cursor 0 (a till's first pull) the answer is the current state, not the feed's history
//! (`changes::snapshot`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use serde::Deserialize;
use tillbook_core::protocol::{Change, Entity, PullResponse};

use super::AppState;
use crate::devices::Device;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::{changes, devices};

/// At most this many changes an answer; `more` says whether to ask again.
pub const PULL_LIMIT: i64 = 500;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PullQuery {
    /// The `next_cursor` of the previous answer; 0 (or absent) for everything.
    #[serde(default)]
    cursor: u64,
    /// How many events the till still has to push, for the owner's till report. Optional:
    /// an older till does not send it.
    #[serde(default)]
    pending: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/sync/pull", params(PullQuery),
    responses((status = 200, body = PullResponse),
              (status = 400, description = "a cursor that is not a number", body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody)),
    security(("device_token" = [])))]
pub async fn pull(
    State(state): State<AppState>,
    Extension(device): Extension<Device>,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(query) =
        query.map_err(|rejection| ApiError::bad_request("malformed_request", "cursor", rejection.body_text()))?;
    let cursor = i64::try_from(query.cursor)
        .map_err(|_| ApiError::bad_request("malformed_request", "cursor", "cursor is out of range"))?;
    devices::seen(&state.pool, device.id, query.pending).await?;
    Metrics::add(&state.metrics.pulls, 1);
    if cursor == 0 {
        // The first pull: the state as it is, in one answer, and the cursor to go on from.
        let (horizon, rows) = changes::snapshot(&state.pool, &device).await?;
        let changes = rows.into_iter().map(change).collect();
        return Ok(Json(PullResponse { changes, next_cursor: horizon as u64, more: false }));
    }
    let rows = changes::since(&state.pool, cursor, &device, PULL_LIMIT + 1).await?;
    let more = rows.len() as i64 > PULL_LIMIT;
    let changes: Vec<Change> = rows.into_iter().take(PULL_LIMIT as usize).map(change).collect();
    let next_cursor = changes.last().map_or(query.cursor, |change| change.seq);
    Ok(Json(PullResponse { changes, next_cursor, more }))
}

fn change((seq, entity, op, data): (i64, String, String, serde_json::Value)) -> Change {
    Change { seq: seq as u64, entity: Entity::parse(&entity), op, data }
}
