//! Every answer that is not a success: JSON `{"error": {"code", "message", "field"?,
//! "expected_seq"?}}` with a status that says whose mistake it was (DESIGN §7). Client mistakes
//! are 4xx naming the field; only the server's own failures are 5xx, and their detail goes to
//! the log, not to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tillbook_core::protocol::{ApiError as WireError, ErrorBody};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: WireError,
    /// Seconds the client should wait before asking again (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: WireError { code: code.to_string(), message: message.into(), field: None, expected_seq: None },
            retry_after: None,
        }
    }

    /// 400: the request is not what the protocol says; `field` is its JSON path.
    pub fn bad_request(code: &str, field: impl Into<String>, message: impl Into<String>) -> ApiError {
        let mut error = ApiError::new(StatusCode::BAD_REQUEST, code, message);
        error.body.field = Some(field.into());
        error
    }

    pub fn unauthorized(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(code: &str, field: &str, message: impl Into<String>) -> ApiError {
        let mut error = ApiError::new(StatusCode::FORBIDDEN, code, message);
        error.body.field = Some(field.to_string());
        error
    }

    /// 403 for a role that may not do this (`field` names what it may not touch, if anything).
    pub fn not_allowed(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::forbidden("not_allowed", field, message)
    }

    /// 429: too many wrong passwords; try again after `seconds`.
    pub fn too_many_attempts(seconds: u64) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("too many wrong passwords: try again in {seconds} s"),
        );
        error.retry_after = Some(seconds);
        error
    }

    /// 503: the server is at its limit for this kind of request; try again in a moment.
    pub fn busy(message: impl Into<String>) -> ApiError {
        let mut error = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message);
        error.retry_after = Some(1);
        error
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    pub fn sequence_gap(expected_seq: u64, first_seq: u64) -> ApiError {
        let mut error = ApiError::conflict(
            "sequence_gap",
            format!("the batch starts at device_seq {first_seq}, but the next expected is {expected_seq}"),
        );
        error.body.expected_seq = Some(expected_seq);
        error
    }

    pub fn too_large(field: &str, message: impl Into<String>) -> ApiError {
        let mut error = ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message);
        error.body.field = Some(field.to_string());
        error
    }

    /// 502: a service head office depends on (KRA's eTIMS) could not be reached; nothing was
    /// lost, and the request can be made again.
    pub fn bad_gateway(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_GATEWAY, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// The server's own failure: logged in full, answered without detail.
    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        tracing::error!(%error, "request failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server failed; the request can be retried")
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::error!(%error, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "the ledger database is unavailable; retry later",
                )
            }
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(ErrorBody { error: self.body })).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
