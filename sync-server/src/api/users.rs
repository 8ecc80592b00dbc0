//! `GET /api/v1/admin/users` and `POST /api/v1/admin/users/save`: the owner's list of head
//! office's users, and creating one, changing their role or businesses, or disabling them.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use tillbook_core::protocol::{UserChange, UserLine, UserRole};

use super::AppState;
use super::access::User;
use crate::error::ApiError;
use crate::owners::{self, CheckedUser, UserError};
use crate::passwords;

impl From<UserError> for ApiError {
    fn from(error: UserError) -> ApiError {
        match error {
            UserError::Invalid { field, message } => ApiError::bad_request("invalid_change", field, message),
            UserError::NotFound(_) => ApiError::not_found(error.to_string()),
            UserError::Database(error) => error.into(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/admin/users",
    responses((status = 200, body = Vec<UserLine>), (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 403, description = "only an owner", body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<UserLine>>, ApiError> {
    Ok(Json(owners::users(&state.pool).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/users/save", request_body = UserChange,
    responses((status = 200, body = UserLine),
              (status = 400, description = "a field is wrong; the error names it", body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 403, description = "only an owner", body = tillbook_core::protocol::ErrorBody),
              (status = 404, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn save(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    body: Result<Json<UserChange>, JsonRejection>,
) -> Result<Json<UserLine>, ApiError> {
    let Json(change) =
        body.map_err(|rejection| ApiError::bad_request("malformed_request", "body", rejection.body_text()))?;
    let email = change.email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 200 {
        return Err(ApiError::bad_request("invalid_change", "email", "not an email address"));
    }
    let name = change.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request("invalid_change", "name", "a name needs 1 to 100 characters"));
    }
    let mut businesses: Vec<String> = change.businesses.iter().map(|code| code.trim().to_uppercase()).collect();
    businesses.sort();
    businesses.dedup();
    if change.role == UserRole::Manager && businesses.is_empty() {
        return Err(ApiError::bad_request("invalid_change", "businesses", "a manager manages at least one business"));
    }
    if change.role != UserRole::Manager {
        businesses.clear();
    }
    if change.id == Some(user.id) && (!change.active || change.role != UserRole::Owner) {
        return Err(ApiError::bad_request("invalid_change", "role", "an owner cannot disable or demote themselves"));
    }
    let password_hash = match change.password.filter(|password| !password.is_empty()) {
        Some(password) => {
            passwords::check(&password, &email)
                .map_err(|message| ApiError::bad_request("weak_password", "password", message))?;
            Some(state.hashing.hash(password).await?)
        }
        None => None,
    };
    let checked =
        CheckedUser { id: change.id, email, name, role: change.role, businesses, password_hash, active: change.active };
    Ok(Json(owners::save_user(&state.pool, user.actor(), &checked).await?))
}
