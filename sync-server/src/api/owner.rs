//! The owner's sign-in at head office: email and password (argon2) give a session token, kept
//! by the app in the OS keyring and here only as a hash. The reports need it.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use chrono::{Duration, Utc};
use tillbook_core::protocol::{OwnerLoginRequest, OwnerLoginResponse};
use uuid::Uuid;

use super::{AppState, auth};
use crate::error::ApiError;
use crate::owners;
use crate::secrets::{new_owner_token, secret_hash, verify_password};

/// How long a sign-in lasts before the owner types the password again.
pub const SESSION_DAYS: i64 = 30;

/// The signed-in owner behind a request.
#[derive(Debug, Clone)]
pub struct Owner {
    pub id: Uuid,
    pub email: String,
}

#[utoipa::path(post, path = "/api/v1/owner/login", request_body = OwnerLoginRequest,
    responses((status = 200, body = OwnerLoginResponse),
              (status = 400, body = tillbook_core::protocol::ErrorBody),
              (status = 401, description = "unknown email or wrong password", body = tillbook_core::protocol::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    body: Result<Json<OwnerLoginRequest>, JsonRejection>,
) -> Result<Json<OwnerLoginResponse>, ApiError> {
    let Json(request) =
        body.map_err(|rejection| ApiError::bad_request("malformed_request", "body", rejection.body_text()))?;
    let email = request.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(ApiError::bad_request("malformed_request", "email", "the email is empty"));
    }
    let found = owners::by_email(&state.pool, &email).await?;
    // The same answer for an unknown email and a wrong password: neither says which.
    let refused = || ApiError::unauthorized("invalid_credentials", "the email or the password is wrong");
    let (id, name, hash) = found.ok_or_else(refused)?;
    let password = request.password;
    let verified =
        tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.map_err(ApiError::internal)?;
    if !verified {
        tracing::warn!("an owner sign-in was refused");
        return Err(refused());
    }
    let token = new_owner_token();
    let expires_at = Utc::now() + Duration::days(SESSION_DAYS);
    let businesses = owners::open_session(&state.pool, id, &email, &secret_hash(&token), expires_at).await?;
    Ok(Json(OwnerLoginResponse { token, name, expires_at, businesses }))
}

/// The owner whose session token the request carries.
pub async fn owner(state: &AppState, headers: &HeaderMap) -> Result<Owner, ApiError> {
    let token = auth::bearer(headers)
        .ok_or_else(|| ApiError::unauthorized("missing_token", "sign in: send 'Authorization: Bearer <token>'"))?;
    let found = owners::by_session(&state.pool, &secret_hash(token)).await?;
    match found {
        Some((id, email, expires_at)) if expires_at > Utc::now() => Ok(Owner { id, email }),
        Some(_) => Err(ApiError::unauthorized("session_expired", "the sign-in has expired: sign in again")),
        None => Err(ApiError::unauthorized("invalid_token", "this owner token is not known")),
    }
}
