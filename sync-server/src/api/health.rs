//! `GET /api/v1/health` and `GET /metrics`.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;

use super::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
    database: &'static str,
}

#[utoipa::path(get, path = "/api/v1/health",
    responses((status = 200, body = Health), (status = 503, description = "the database is unreachable", body = Health)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match crate::db::ping(&state.pool).await {
        Ok(_) => (StatusCode::OK, Json(Health { status: "ok", database: "ok" })),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "degraded", database: "unreachable" }))
        }
    }
}

#[utoipa::path(get, path = "/metrics",
    responses((status = 200, description = "Prometheus counters", content_type = "text/plain"),
              (status = 401, description = "a metrics token is set, and this is not it", body = tillbook_core::protocol::ErrorBody),
              (status = 403, description = "not from the server's machine, and no metrics token is set", body = tillbook_core::protocol::ErrorBody)),
    security(("metrics_token" = [])))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}
