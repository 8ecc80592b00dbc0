//! `POST /api/v1/bank/statements?file_name=NAME`: the owner sends the group's bank statement
//! (the CSV as the bank exports it, as the body); the answer says what matched the books and
//! which review items it raised (`crate::bank`).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Extension, Query, State};

use super::AppState;
use super::access::User;
use crate::bank::{self, ImportedBankStatement};
use crate::error::ApiError;

#[utoipa::path(post, path = "/api/v1/bank/statements",
    params(("file_name" = Option<String>, Query, description = "the file's name, kept with the import")),
    request_body(content = String, content_type = "text/csv", description = "the statement as the bank exports it"),
    responses((status = 200, description = "imported and matched against account 1170"),
              (status = 400, description = "a bad row or parameter, named; nothing stored", body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 403, description = "the bank is the whole group's: not for a manager of some businesses", body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn import(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ImportedBankStatement>, ApiError> {
    if user.limited_to().is_some() {
        return Err(ApiError::not_allowed("file", "the bank account is the whole group's"));
    }
    let (params, text) = super::mpesa::statement_upload(query, body)?;
    let file_name = params.get("file_name").map_or("bank.csv", |name| name.trim());
    Ok(Json(bank::import_statement(&state.pool, user.actor(), file_name, &text).await?))
}
