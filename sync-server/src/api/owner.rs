//! Signing in at head office and the signed-in user's own account: email and password (argon2)
//! give a session token, kept by the app in the OS keyring and here only as a hash. Signing
//! out ends the session here; a user sees their sessions, can end them all and can change their
//! password. Guessing is throttled ([`super::sign_in`]).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, header};
use axum::{Json, RequestExt};
use chrono::{Duration, Utc};
use serde_json::json;
use tillbook_core::protocol::{OwnerLoginRequest, OwnerLoginResponse, PasswordChange, SessionLine};

use super::AppState;
use super::access::{User, client_address};
use crate::error::ApiError;
use crate::secrets::{new_owner_token, secret_hash};
use crate::{owners, passwords};

/// How long a sign-in lasts before the user types the password again.
pub const SESSION_DAYS: i64 = 30;

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(value)| value)
        .map_err(|rejection| ApiError::bad_request("malformed_request", "body", rejection.body_text()))
}

#[utoipa::path(post, path = "/api/v1/owner/login", request_body = OwnerLoginRequest,
    responses((status = 200, body = OwnerLoginResponse),
              (status = 400, body = tillbook_core::protocol::ErrorBody),
              (status = 401, description = "unknown email, wrong password or a disabled account (the same answer)", body = tillbook_core::protocol::ErrorBody),
              (status = 429, description = "too many wrong passwords: wait `Retry-After` seconds", body = tillbook_core::protocol::ErrorBody),
              (status = 503, description = "sign-in is busy", body = tillbook_core::protocol::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<Json<OwnerLoginResponse>, ApiError> {
    let address = client_address(request.extensions());
    let client = user_agent(request.headers());
    let body: Result<Json<OwnerLoginRequest>, JsonRejection> = request.extract().await;
    let request = json_body(body)?;
    let email = request.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(ApiError::bad_request("malformed_request", "email", "the email is empty"));
    }
    state.throttle.check(&email, address)?;
    let account = owners::by_email(&state.pool, &email).await?;
    // An unknown email, a disabled account and a wrong password take the same argon2 work and
    // get the same answer: none of them says which.
    let hash = account.as_ref().filter(|account| account.active).map(|account| account.password_hash.clone());
    let verified = state.hashing.verify(request.password, hash).await?;
    let Some(account) = account.filter(|_| verified) else {
        state.throttle.failed(&email, address);
        tracing::warn!("a sign-in at head office was refused");
        return Err(ApiError::unauthorized("invalid_credentials", "the email or the password is wrong"));
    };
    state.throttle.succeeded(&email);
    let token = new_owner_token();
    let expires_at = Utc::now() + Duration::days(SESSION_DAYS);
    let businesses = owners::open_session(&state.pool, &account, &secret_hash(&token), expires_at, &client).await?;
    Ok(Json(OwnerLoginResponse { token, name: account.name, expires_at, businesses, role: account.role }))
}

fn user_agent(headers: &HeaderMap) -> String {
    headers.get(header::USER_AGENT).and_then(|value| value.to_str().ok()).unwrap_or_default().to_string()
}

#[utoipa::path(post, path = "/api/v1/owner/logout",
    responses((status = 200, description = "this session has ended"), (status = 401, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let ended = owners::end_sessions(&state.pool, user.actor(), user.id, Some(user.session), None).await?;
    Ok(Json(json!({ "ended": ended })))
}

#[utoipa::path(post, path = "/api/v1/owner/logout-everywhere",
    responses((status = 200, description = "every session of this user has ended, this one too"),
              (status = 401, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn logout_everywhere(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let ended = owners::end_sessions(&state.pool, user.actor(), user.id, None, None).await?;
    Ok(Json(json!({ "ended": ended })))
}

#[utoipa::path(get, path = "/api/v1/owner/sessions",
    responses((status = 200, body = Vec<SessionLine>), (status = 401, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn sessions(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
) -> Result<Json<Vec<SessionLine>>, ApiError> {
    Ok(Json(owners::sessions(&state.pool, user.id, user.session).await?))
}

#[utoipa::path(post, path = "/api/v1/owner/password", request_body = PasswordChange,
    responses((status = 200, description = "changed; the user's other sessions have ended"),
              (status = 400, description = "the new password is too short, common or the email", body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 403, description = "the current password is wrong", body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    body: Result<Json<PasswordChange>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let change = json_body(body)?;
    passwords::check(&change.new, &user.email)
        .map_err(|message| ApiError::bad_request("weak_password", "new", message))?;
    // A session in the wrong hands must not become a way to guess the password.
    state.throttle.check(&user.email, None)?;
    let current = owners::password_hash(&state.pool, user.id).await?;
    if !state.hashing.verify(change.current, Some(current)).await? {
        state.throttle.failed(&user.email, None);
        return Err(ApiError::forbidden("wrong_password", "current", "the current password is wrong"));
    }
    let hash = state.hashing.hash(change.new).await?;
    owners::set_password(&state.pool, user.id, &hash, user.session).await?;
    Ok(Json(json!({ "changed": true })))
}
