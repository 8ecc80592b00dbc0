//! The sync server's HTTP API as the till uses it (DESIGN §7): enrol, push, pull. `reqwest` with
//! rustls, a timeout on every request, and every answer turned into a typed outcome.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use tillbook_core::ids::DeviceId;
use tillbook_core::protocol::{EnrollRequest, EnrollResponse, ErrorBody, PullResponse, PushResponse};

/// How long one request may take, connecting included. A 500-event push answers in well under a
/// second on a healthy server; a minute covers a slow mobile link without hanging the loop.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SyncError {
    /// No answer: no network, server down, connection cut, timeout. Retried with back-off.
    #[error("the server cannot be reached: {0}")]
    Unreachable(String),
    /// The server has events only up to `expected - 1`; resend from `expected`.
    #[error("the server expects event {expected} next")]
    SequenceGap { expected: u64 },
    /// The token is unknown or the owner revoked this till.
    #[error("the server no longer accepts this till ({code}): {message}")]
    Revoked { code: String, message: String },
    /// Any other refusal, with the server's own code and words.
    #[error("the server refused the request ({status} {code}): {message}")]
    Refused { status: u16, code: String, message: String, field: Option<String> },
}

impl SyncError {
    /// The server's code for a refusal; `sync_failed` when it could not be asked.
    pub fn code(&self) -> &str {
        match self {
            SyncError::Unreachable(_) => "sync_failed",
            SyncError::SequenceGap { .. } => "sequence_gap",
            SyncError::Revoked { code, .. } | SyncError::Refused { code, .. } => code,
        }
    }

    /// Worth trying again later without anyone doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Unreachable(_) => true,
            SyncError::Refused { status, .. } => *status >= 500 || *status == 429,
            SyncError::SequenceGap { .. } | SyncError::Revoked { .. } => false,
        }
    }
}

#[derive(Clone)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
}

impl Client {
    pub fn new(base_url: &str) -> Client {
        Client::with_timeout(base_url, REQUEST_TIMEOUT)
    }

    /// A client whose requests give up after `timeout` (tests shorten it).
    pub fn with_timeout(base_url: &str, timeout: Duration) -> Client {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("tillbook-till/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client builds with its fixed settings");
        Client { http, base: base_url.trim_end_matches('/').to_string() }
    }

    pub async fn enroll(
        &self,
        enrollment_code: &str,
        device_id: DeviceId,
        device_name: &str,
    ) -> Result<EnrollResponse, SyncError> {
        let request = EnrollRequest {
            enrollment_code: enrollment_code.to_string(),
            device_id,
            device_name: device_name.to_string(),
            app_version: env!("CARGO_PKG_VERSION").to_string(),
        };
        let response = self.http.post(format!("{}/api/v1/devices/enroll", self.base)).json(&request).send().await;
        answer(response).await
    }

    /// Pushes a batch whose body the outbox has already assembled from the stored events.
    pub async fn push(&self, token: &str, body: String) -> Result<PushResponse, SyncError> {
        let response = self
            .http
            .post(format!("{}/api/v1/sync/push", self.base))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        answer(response).await
    }

    /// The changes after `cursor`; `pending` (events not yet pushed) is shown to the owner.
    pub async fn pull(&self, token: &str, cursor: u64, pending: u64) -> Result<PullResponse, SyncError> {
        let response = self
            .http
            .get(format!("{}/api/v1/sync/pull", self.base))
            .query(&[("cursor", cursor), ("pending", pending)])
            .bearer_auth(token)
            .send()
            .await;
        answer(response).await
    }
}

pub(crate) async fn answer<T: serde::de::DeserializeOwned>(
    response: Result<reqwest::Response, reqwest::Error>,
) -> Result<T, SyncError> {
    let (status, body) = answer_body(response).await?;
    serde_json::from_slice(&body).map_err(|error| SyncError::Refused {
        status: status.as_u16(),
        code: "unreadable_answer".into(),
        message: error.to_string(),
        field: None,
    })
}

/// The body of a successful answer; any other answer as the typed refusal its status means.
/// The server's clock minus this computer's, in milliseconds, from the last answer that carried
/// a `Date` header; `i64::MIN` until one has. One per process: every till of a process talks to
/// servers that keep the same time.
static SERVER_OFFSET_MS: AtomicI64 = AtomicI64::new(i64::MIN);

/// How far the server's clock is ahead of this till's (negative: behind), as last heard. `Date`
/// has whole seconds, so this is good to about a second: plenty to tell a clock minutes off.
pub fn server_clock_offset() -> Option<chrono::Duration> {
    match SERVER_OFFSET_MS.load(Ordering::Relaxed) {
        i64::MIN => None,
        millis => Some(chrono::Duration::milliseconds(millis)),
    }
}

fn note_server_clock(response: &reqwest::Response) {
    let date = response.headers().get(reqwest::header::DATE).and_then(|date| date.to_str().ok());
    if let Some(server) = date.and_then(|date| chrono::DateTime::parse_from_rfc2822(date).ok()) {
        let offset = server.with_timezone(&chrono::Utc) - chrono::Utc::now();
        SERVER_OFFSET_MS.store(offset.num_milliseconds(), Ordering::Relaxed);
    }
}

pub(crate) async fn answer_body(
    response: Result<reqwest::Response, reqwest::Error>,
) -> Result<(StatusCode, Vec<u8>), SyncError> {
    let response = response.map_err(|error| SyncError::Unreachable(describe(&error)))?;
    note_server_clock(&response);
    let status = response.status();
    // Reading the body can fail too (the connection cut mid-answer): that is "unreachable".
    let body = response.bytes().await.map_err(|error| SyncError::Unreachable(describe(&error)))?;
    if status.is_success() {
        return Ok((status, body.to_vec()));
    }
    let error = serde_json::from_slice::<ErrorBody>(&body).map(|body| body.error).ok();
    let (code, message) = match &error {
        Some(error) => (error.code.clone(), error.message.clone()),
        None => ("http_error".to_string(), String::from_utf8_lossy(&body).chars().take(200).collect()),
    };
    Err(match status {
        StatusCode::CONFLICT if code == "sequence_gap" => {
            SyncError::SequenceGap { expected: error.and_then(|error| error.expected_seq).unwrap_or(1) }
        }
        StatusCode::UNAUTHORIZED => SyncError::Revoked { code, message },
        // A proxy or load balancer in front of a server that is down.
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
            SyncError::Unreachable(format!("{status}: {message}"))
        }
        _ => SyncError::Refused { status: status.as_u16(), code, message, field: error.and_then(|error| error.field) },
    })
}

/// reqwest's error without the URL's query (which holds nothing secret today, but a cursor is
/// not worth logging either) and with the cause that says what actually happened.
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the answer was cut off"
    } else {
        "the request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if cause.is_empty() { kind.to_string() } else { format!("{kind} ({cause})") }
}
