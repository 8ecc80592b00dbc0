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
    /// Head office's address or certificate cannot be used, before anything is sent:
    /// `insecure_server_url` (plain http:// to another machine), `invalid_server_url`,
    /// `invalid_certificate`.
    #[error("{message}")]
    Address { code: &'static str, message: String },
}

impl SyncError {
    /// The server's code for a refusal; `sync_failed` when it could not be asked.
    pub fn code(&self) -> &str {
        match self {
            SyncError::Unreachable(_) => "sync_failed",
            SyncError::SequenceGap { .. } => "sequence_gap",
            SyncError::Revoked { code, .. } | SyncError::Refused { code, .. } => code,
            SyncError::Address { code, .. } => code,
        }
    }

    /// Worth trying again later without anyone doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Unreachable(_) => true,
            SyncError::Refused { status, .. } => *status >= 500 || *status == 429,
            SyncError::SequenceGap { .. } | SyncError::Revoked { .. } | SyncError::Address { .. } => false,
        }
    }
}

/// Head office as a till or the owner's desk reaches it: its address, and the certificate of
/// its own certificate authority (PEM) when it uses a private one rather than a public CA.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Server {
    pub url: String,
    pub ca_pem: Option<String>,
}

impl Server {
    pub fn new(url: &str, ca_pem: Option<&str>) -> Server {
        let ca_pem = ca_pem.map(str::trim).filter(|pem| !pem.is_empty()).map(str::to_string);
        Server { url: url.trim().trim_end_matches('/').to_string(), ca_pem }
    }
}

/// Head office's address as the till accepts it: `https://`, or `http://` to this machine alone
/// (a server on the laptop itself, or tests). Anything else would send tokens, PINs' hashes and
/// the books in the clear.
pub fn checked_url(url: &str) -> Result<String, SyncError> {
    let url = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(url).map_err(|error| SyncError::Address {
        code: "invalid_server_url",
        message: format!("'{url}' is not a server address ({error}): it starts with https://"),
    })?;
    let loopback = parsed.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|address| address.is_loopback())
    });
    match parsed.scheme() {
        "https" => Ok(url.to_string()),
        "http" if loopback => Ok(url.to_string()),
        "http" => Err(SyncError::Address {
            code: "insecure_server_url",
            message: format!("'{url}' is plain http:// to another machine: head office must be https://"),
        }),
        other => Err(SyncError::Address {
            code: "invalid_server_url",
            message: format!("'{other}://' is not how head office is reached: use https://"),
        }),
    }
}

#[derive(Clone)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
}

impl Client {
    pub fn new(server: &Server) -> Result<Client, SyncError> {
        Client::with_timeout(server, REQUEST_TIMEOUT)
    }

    /// A client whose requests give up after `timeout` (tests shorten it). Refuses an address
    /// that is not [`checked_url`], and a certificate authority that is not a PEM certificate;
    /// one that is is trusted beside the public ones.
    pub fn with_timeout(server: &Server, timeout: Duration) -> Result<Client, SyncError> {
        let base = checked_url(&server.url)?;
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("tillbook-till/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &server.ca_pem {
            let not_a_certificate = |detail: String| SyncError::Address {
                code: "invalid_certificate",
                message: format!("head office's certificate is not a PEM certificate: {detail}"),
            };
            let certificates = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|error| not_a_certificate(error.to_string()))?;
            if certificates.is_empty() {
                return Err(not_a_certificate("no '-----BEGIN CERTIFICATE-----' in it".into()));
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let http = builder.build().map_err(|error| SyncError::Address {
            code: "invalid_certificate",
            message: format!("head office's certificate cannot be used: {error}"),
        })?;
        Ok(Client { http, base })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_this_machine() {
        for allowed in [
            "https://head.example.co.ke",
            "https://10.0.0.5:8443/",
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            assert!(checked_url(allowed).is_ok(), "{allowed}");
        }
        for (refused, code) in [
            ("http://example.com", "insecure_server_url"),
            ("http://10.0.0.5:8080", "insecure_server_url"),
            ("http://localhost.example.com", "insecure_server_url"),
            ("example.com", "invalid_server_url"),
            ("ws://example.com", "invalid_server_url"),
        ] {
            assert_eq!(checked_url(refused).unwrap_err().code(), code, "{refused}");
        }
    }
}
