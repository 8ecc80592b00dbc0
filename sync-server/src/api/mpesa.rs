//! `POST /api/v1/mpesa/statements?business=CODE&file_name=NAME`: the owner sends an M-Pesa
//! statement (the CSV as downloaded, as the body); the answer says what matched and which
//! review items it raised.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Extension, Query, State};

use super::AppState;
use super::access::User;
use crate::error::ApiError;
use crate::mpesa::{self, ImportedStatement, StatementError};

impl From<StatementError> for ApiError {
    fn from(error: StatementError) -> ApiError {
        match error {
            StatementError::Invalid { field, message } => ApiError::bad_request("invalid_statement", field, message),
            StatementError::BadRows(ref problems) => {
                let field = problems.first().map_or("file".to_string(), |p| format!("line {} {}", p.line, p.column));
                ApiError::bad_request("invalid_statement", field, error.to_string())
            }
            StatementError::Database(error) => error.into(),
            StatementError::Amount(error) => ApiError::internal(error),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/mpesa/statements",
    params(("business" = String, Query, description = "the business whose M-Pesa account the statement is"),
           ("file_name" = Option<String>, Query, description = "the file's name, kept with the import")),
    request_body(content = String, content_type = "text/csv", description = "the statement as M-Pesa gives it"),
    responses((status = 200, description = "imported and matched"),
              (status = 400, description = "a bad row or parameter, named; nothing stored", body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn import(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ImportedStatement>, ApiError> {
    let (params, text) = statement_upload(query, body)?;
    let business = params
        .get("business")
        .map(|text| text.trim())
        .filter(|text| !text.is_empty())
        .ok_or_else(|| ApiError::bad_request("invalid_statement", "business", "say whose statement it is"))?;
    user.may_act_on("business", business)?;
    let file_name = params.get("file_name").map_or("statement.csv", |name| name.trim());
    Ok(Json(mpesa::import_statement(&state.pool, business, file_name, &text, user.actor(), state.zone).await?))
}

/// A statement file sent as the body (UTF-8 CSV, a byte-order mark dropped) and the query's
/// parameters: what both the M-Pesa and the bank import read.
pub(super) fn statement_upload(
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(HashMap<String, String>, String), ApiError> {
    let Query(params) =
        query.map_err(|rejection| ApiError::bad_request("malformed_request", "query", rejection.body_text()))?;
    let body = body.map_err(|rejection| ApiError::bad_request("malformed_request", "body", rejection.body_text()))?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("invalid_statement", "file", "the statement is not UTF-8 text (CSV)"))?;
    Ok((params, text.trim_start_matches('\u{feff}').to_string()))
}
