//! The HTTP API of DESIGN §7, and the owner's sign-in and reports (§9). Every handler answers
//! JSON (a report also CSV); every refusal is an [`ApiError`].

mod auth;
mod enroll;
mod health;
mod maintenance;
mod mpesa;
pub mod openapi;
pub mod owner;
mod pull;
mod push;
pub mod reports;
mod review;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use chrono_tz::Tz;
use sqlx::PgPool;

use crate::error::ApiError;
use crate::metrics::Metrics;

/// A push of 500 events is well under a megabyte; this leaves room and bounds what a client can
/// make the server hold.
pub const BODY_LIMIT_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub metrics: Arc<Metrics>,
    /// The installation's time zone, for business days (DESIGN §3).
    pub zone: Tz,
}

impl AppState {
    pub fn new(pool: PgPool, zone: Tz) -> AppState {
        AppState { pool, metrics: Arc::new(Metrics::default()), zone }
    }
}

pub fn router(state: AppState) -> Router {
    let metrics = state.metrics.clone();
    Router::new()
        .route("/api/v1/devices/enroll", post(enroll::enroll))
        .route("/api/v1/sync/push", post(push::push))
        .route("/api/v1/sync/pull", get(pull::pull))
        .route("/api/v1/owner/login", post(owner::login))
        .route("/api/v1/reports/{report}", get(reports::report))
        .route("/api/v1/review/resolve", post(review::resolve))
        .route("/api/v1/mpesa/statements", post(mpesa::import))
        .route("/api/v1/admin/products", post(maintenance::product))
        .route("/api/v1/admin/staff", post(maintenance::staff))
        .route("/api/v1/admin/tills", post(maintenance::enrol_till))
        .route("/api/v1/admin/tills/revoke", post(maintenance::revoke_till))
        .route("/api/v1/admin/tills/reenrol", post(maintenance::reenrol_till))
        .route("/api/v1/health", get(health::health))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/metrics", get(health::metrics))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(move |panic| answer_panic(&metrics, panic)))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// The last resort: no panic should be reachable from a request (amounts are checked, content
/// faults are quarantined), but if one is, the client gets a JSON 500 instead of a dropped
/// connection, the log says what it was, and `/metrics` counts it.
fn answer_panic(metrics: &Metrics, panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    Metrics::add(&metrics.panics, 1);
    ApiError::internal(format!("a request handler panicked: {what}")).into_response()
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
