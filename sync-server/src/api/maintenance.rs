//! `POST /api/v1/admin/...`: the owner's head-office maintenance — products and prices, staff and
//! PINs, tills enrolled and revoked (`maintenance`). The lists are the `products` and `staff`
//! reports and the `tills` report; businesses, laundry services, cylinder types and customers
//! (`setup`) are listed by the reports of those names.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use tillbook_core::catalog::{Customer, CylinderType, LaundryService, Supplier};
use tillbook_core::protocol::{
    BusinessChange, CustomerChange, CylinderTypeChange, LaundryServiceChange, ProductChange, StaffChange,
    SupplierChange, TillEnrolRequest, TillEnrolment, TillRevokeRequest,
};

use super::AppState;
use super::access::User;
use crate::changes;
use crate::error::ApiError;
use crate::maintenance::{self, MaintenanceError, ProductLine, StaffLine};
use crate::setup::{self, BusinessLine};

impl From<MaintenanceError> for ApiError {
    fn from(error: MaintenanceError) -> ApiError {
        match error {
            MaintenanceError::Invalid { field, message } => ApiError::bad_request("invalid_change", field, message),
            MaintenanceError::NotFound(message) => ApiError::not_found(message),
            MaintenanceError::NotAllowed { field, message } => ApiError::not_allowed(field, message),
            MaintenanceError::Database(error) => error.into(),
            MaintenanceError::Hash(message) => ApiError::internal(message),
        }
    }
}

pub(super) fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(value)| value)
        .map_err(|rejection| ApiError::bad_request("malformed_request", "body", rejection.body_text()))
}

#[utoipa::path(post, path = "/api/v1/admin/products", request_body = ProductChange,
    responses((status = 200, description = "the product as saved, published to its business's tills"),
              (status = 400, body = tillbook_core::protocol::ErrorBody), (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 404, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn product(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    change: Result<Json<ProductChange>, JsonRejection>,
) -> Result<Json<ProductLine>, ApiError> {
    let change = body(change)?;
    user.may_act_on("business", &change.business)?;
    Ok(Json(maintenance::save_product(&state.pool, user.actor(), &change).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/staff", request_body = StaffChange,
    responses((status = 200, description = "the member of staff as saved (never the PIN), published to every till"),
              (status = 400, body = tillbook_core::protocol::ErrorBody), (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 404, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn staff(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    change: Result<Json<StaffChange>, JsonRejection>,
) -> Result<Json<StaffLine>, ApiError> {
    Ok(Json(maintenance::save_staff(&state.pool, user.actor(), &body(change)?, user.limited_to()).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/tills", request_body = TillEnrolRequest,
    responses((status = 200, body = TillEnrolment), (status = 400, body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn enrol_till(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    request: Result<Json<TillEnrolRequest>, JsonRejection>,
) -> Result<Json<TillEnrolment>, ApiError> {
    let request = body(request)?;
    user.may_act_on("business", &request.business)?;
    Ok(Json(maintenance::enrol_till(&state.pool, user.actor(), &request.business, &request.name).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/tills/reenrol", request_body = TillRevokeRequest,
    responses((status = 200, description = "a re-enrolment code for the till", body = TillEnrolment),
              (status = 400, body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn reenrol_till(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    request: Result<Json<TillRevokeRequest>, JsonRejection>,
) -> Result<Json<TillEnrolment>, ApiError> {
    let request = body(request)?;
    Ok(Json(maintenance::reenrol_till(&state.pool, user.actor(), &request.till_code, user.limited_to()).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/tills/revoke", request_body = TillRevokeRequest,
    responses((status = 200, description = "revoked"), (status = 400, body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn revoke_till(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    request: Result<Json<TillRevokeRequest>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = body(request)?;
    maintenance::revoke_till(&state.pool, user.actor(), &request.till_code, user.limited_to()).await?;
    Ok(Json(serde_json::json!({ "till_code": request.till_code.trim().to_uppercase(), "revoked": true })))
}

/// Opens the transaction a set-up change is saved in, with the master-data lock taken first.
async fn begin(state: &AppState) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, ApiError> {
    let mut tx = state.pool.begin().await?;
    changes::lock(&mut tx).await?;
    Ok(tx)
}

#[utoipa::path(post, path = "/api/v1/admin/businesses", request_body = BusinessChange,
    responses((status = 200, description = "the business as saved, with its accounts; published to every till"),
              (status = 400, body = tillbook_core::protocol::ErrorBody), (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 403, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn business(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    change: Result<Json<BusinessChange>, JsonRejection>,
) -> Result<Json<BusinessLine>, ApiError> {
    let change = body(change)?;
    let mut tx = begin(&state).await?;
    let saved = setup::save_business(&mut tx, user.actor(), &change).await?;
    tx.commit().await?;
    Ok(Json(saved))
}

#[utoipa::path(post, path = "/api/v1/admin/laundry-services", request_body = LaundryServiceChange,
    responses((status = 200, description = "the service as saved, published to its business's tills"),
              (status = 400, body = tillbook_core::protocol::ErrorBody), (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 403, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn laundry_service(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    change: Result<Json<LaundryServiceChange>, JsonRejection>,
) -> Result<Json<LaundryService>, ApiError> {
    let change = body(change)?;
    user.may_act_on("business", &change.business)?;
    let mut tx = begin(&state).await?;
    let saved = setup::save_laundry_service(&mut tx, user.actor(), &change).await?;
    tx.commit().await?;
    Ok(Json(saved))
}

#[utoipa::path(post, path = "/api/v1/admin/cylinder-types", request_body = CylinderTypeChange,
    responses((status = 200, description = "the cylinder type as saved, published to its business's tills"),
              (status = 400, body = tillbook_core::protocol::ErrorBody), (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 403, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn cylinder_type(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    change: Result<Json<CylinderTypeChange>, JsonRejection>,
) -> Result<Json<CylinderType>, ApiError> {
    let change = body(change)?;
    user.may_act_on("business", &change.business)?;
    let mut tx = begin(&state).await?;
    let saved = setup::save_cylinder_type(&mut tx, user.actor(), &change).await?;
    tx.commit().await?;
    Ok(Json(saved))
}

#[utoipa::path(post, path = "/api/v1/admin/customers", request_body = CustomerChange,
    responses((status = 200, description = "the customer as saved, published to every till"),
              (status = 400, body = tillbook_core::protocol::ErrorBody), (status = 401, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn customer(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    change: Result<Json<CustomerChange>, JsonRejection>,
) -> Result<Json<Customer>, ApiError> {
    let change = body(change)?;
    let mut tx = begin(&state).await?;
    let saved = setup::save_customer(&mut tx, user.actor(), &change).await?;
    tx.commit().await?;
    Ok(Json(saved))
}

#[utoipa::path(post, path = "/api/v1/admin/suppliers", request_body = SupplierChange,
    responses((status = 200, description = "the supplier as saved, published to every till"),
              (status = 400, body = tillbook_core::protocol::ErrorBody), (status = 401, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn supplier(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    change: Result<Json<SupplierChange>, JsonRejection>,
) -> Result<Json<Supplier>, ApiError> {
    let change = body(change)?;
    let mut tx = begin(&state).await?;
    let saved = setup::save_supplier(&mut tx, user.actor(), &change).await?;
    tx.commit().await?;
    Ok(Json(saved))
}
