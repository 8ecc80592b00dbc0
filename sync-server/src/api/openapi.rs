//! `GET /api/v1/openapi.json`: the API described from the handlers and the core wire types.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Tillbook sync server", description = "DESIGN §7: enrol, push, pull; §9: the owner's reports."),
    paths(super::enroll::enroll, super::push::push, super::pull::pull, super::health::health,
          super::owner::login, super::reports::report, super::review::resolve, super::mpesa::import,
          super::maintenance::product, super::maintenance::staff, super::maintenance::enrol_till,
          super::maintenance::business, super::maintenance::laundry_service, super::maintenance::cylinder_type,
          super::maintenance::customer, super::maintenance::supplier, super::office::documents, super::bank::import,
          super::maintenance::revoke_till, super::maintenance::reenrol_till, super::owner::logout,
          super::owner::logout_everywhere, super::owner::sessions, super::owner::change_password,
          super::users::list, super::users::save, super::health::metrics, super::etims::set_up, document),
    modifiers(&DeviceToken)
)]
pub struct ApiDoc;

/// Tills send their device token, the owner a session token: both as bearer tokens.
struct DeviceToken;

impl Modify for DeviceToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for scheme in ["device_token", "owner_token", "metrics_token"] {
            components.add_security_scheme(
                scheme,
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

#[utoipa::path(get, path = "/api/v1/openapi.json", responses((status = 200, description = "this description")))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
