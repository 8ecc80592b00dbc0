//! Who may call each route, checked in one place before the handler runs (DESIGN §7 "Who may
//! do what"). Every route of [`super::routes`] names its [`Access`]; the guard authenticates
//! the caller, refuses a role the route does not grant, bounds how many requests of the route
//! run at once, and hands the handler the caller as an extension. The handler checks only what
//! needs the request's content: a manager acting on a business not their own.
//!
//! The guard runs before the handler's extractors, so a request body is read only after its
//! token was checked, and a refused request writes nothing.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use tillbook_core::protocol::UserRole;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::{AppState, auth};
use crate::audit::Actor;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::owners;
use crate::secrets::secret_hash;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: sign-in, enrolment (its code is the credential), health, the API's description.
    Public,
    /// A till, by its device token.
    Device,
    /// The operator's monitoring: from the server's own machine, or with the metrics token.
    Metrics,
    /// A signed-in user of head office whose role grants this.
    User(Permission),
}

/// What a route lets a signed-in user do; each role grants some ([`Permission::granted_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Their own account: sessions, password, signing out.
    Own,
    /// Read reports and exports (the review queue among them).
    Report,
    /// Decide items of the review queue (dismiss, or post a correction).
    Resolve,
    /// Import an M-Pesa statement and match it.
    Reconcile,
    /// Record money documents at head office: expenses from the bank, transfers, supplier
    /// goods and payments.
    Record,
    /// Products, prices, laundry services, cylinder types, customers and staff.
    Maintain,
    /// Create businesses (each with its accounts) and change their names and profiles.
    Setup,
    /// Enrol, re-enrol and revoke tills.
    Enrol,
    /// Create users, change their roles, disable them.
    Users,
}

impl Permission {
    pub fn granted_to(self, role: UserRole) -> bool {
        match role {
            UserRole::Owner => true,
            UserRole::Accountant => matches!(self, Permission::Own | Permission::Report),
            UserRole::Manager => !matches!(self, Permission::Users | Permission::Setup),
        }
    }
}

/// A signed-in user of head office, as the guard found them.
#[derive(Debug, Clone)]
pub struct User {
    pub session: Uuid,
    pub id: Uuid,
    pub email: String,
    pub role: UserRole,
    /// A manager's businesses (codes); the other roles see every business.
    businesses: Vec<String>,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor::User(self.id)
    }

    /// Whether the user's reports and changes may touch `business` (a code).
    pub fn sees(&self, business: &str) -> bool {
        self.role != UserRole::Manager || self.businesses.iter().any(|own| own.eq_ignore_ascii_case(business.trim()))
    }

    /// Refuses a manager acting on a business not their own; `field` names where it was asked.
    pub fn may_act_on(&self, field: &str, business: &str) -> Result<(), ApiError> {
        if self.sees(business) {
            Ok(())
        } else {
            Err(ApiError::not_allowed(
                field,
                format!("you manage {}, not {}", self.businesses.join(", "), business.trim()),
            ))
        }
    }

    /// The businesses a manager is limited to; `None` for a role that sees them all.
    pub fn limited_to(&self) -> Option<&[String]> {
        (self.role == UserRole::Manager).then_some(self.businesses.as_slice())
    }
}

/// The guard of one route: its access and how many of its requests may run at once.
#[derive(Clone)]
pub struct Guard {
    pub access: Access,
    permits: Arc<Semaphore>,
    state: AppState,
}

impl Guard {
    pub fn new(access: Access, at_once: usize, state: AppState) -> Guard {
        Guard { access, permits: Arc::new(Semaphore::new(at_once)), state }
    }
}

/// The middleware every route runs through.
pub async fn guard(State(guard): State<Guard>, mut request: Request, next: Next) -> Response {
    let Ok(_permit) = guard.permits.try_acquire() else {
        return ApiError::busy("too many requests of this kind at once; try again in a moment").into_response();
    };
    let state = &guard.state;
    let session = match guard.access {
        Access::Public => None,
        Access::Metrics => {
            if let Err(refused) = metrics_caller(state, &request) {
                return refused.into_response();
            }
            None
        }
        Access::Device => match auth::device(&state.pool, request.headers()).await {
            Ok(device) => {
                request.extensions_mut().insert(device);
                None
            }
            Err(refused) => {
                Metrics::add(&state.metrics.refused_requests, 1);
                return refused.into_response();
            }
        },
        Access::User(permission) => match user(state, request.headers()).await {
            Ok(user) if permission.granted_to(user.role) => {
                let session = user.session;
                request.extensions_mut().insert(user);
                Some(session)
            }
            Ok(user) => {
                let role = user.role.as_str();
                return ApiError::not_allowed("", format!("a user with the role {role} may not do this"))
                    .into_response();
            }
            Err(refused) => return refused.into_response(),
        },
    };
    let response = next.run(request).await;
    if let Some(session) = session
        && response.status().is_success()
        && let Err(error) = owners::touch(&state.pool, session).await
    {
        tracing::warn!(%error, "could not note that a session was used");
    }
    response
}

/// The signed-in user whose session token the request carries. Reads only.
async fn user(state: &AppState, headers: &HeaderMap) -> Result<User, ApiError> {
    let token = auth::bearer(headers)
        .ok_or_else(|| ApiError::unauthorized("missing_token", "sign in: send 'Authorization: Bearer <token>'"))?;
    let found = owners::by_session(&state.pool, &secret_hash(token)).await?;
    let Some(found) = found else {
        return Err(ApiError::unauthorized("invalid_token", "this sign-in is not known or has ended: sign in again"));
    };
    if found.expires_at <= Utc::now() {
        return Err(ApiError::unauthorized("session_expired", "the sign-in has expired: sign in again"));
    }
    if !found.active {
        return Err(ApiError::unauthorized("account_disabled", "this account has been disabled by the owner"));
    }
    Ok(User {
        session: found.session,
        id: found.id,
        email: found.email,
        role: found.role,
        businesses: found.businesses,
    })
}

/// `/metrics` answers a caller on the server's own machine, or one with the metrics token
/// when one is set (then the token is needed from everywhere, since a reverse proxy on the
/// same machine would otherwise make every caller local).
fn metrics_caller(state: &AppState, request: &Request) -> Result<(), ApiError> {
    match &state.metrics_token {
        Some(expected) => match auth::bearer(request.headers()) {
            Some(token) if secret_hash(token) == **expected => Ok(()),
            _ => Err(ApiError::unauthorized(
                "invalid_token",
                "send the metrics token as 'Authorization: Bearer <token>'",
            )),
        },
        None => {
            let local = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .is_some_and(|ConnectInfo(address)| address.ip().is_loopback());
            if local {
                Ok(())
            } else {
                Err(ApiError::not_allowed(
                    "",
                    "metrics answer only on the server's own machine, or with the metrics token",
                ))
            }
        }
    }
}

/// The client's address, for the sign-in throttle.
pub fn client_address(request_extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    request_extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(address)| address.ip())
}
