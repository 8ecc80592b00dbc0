//! The audit log (DESIGN §8): every change a person makes, and the security events a till
//! causes, appended and never edited. Every module that changes something writes here.
//!
//! The log is a chain: the database gives each row the hash of the row before it and of its
//! own content (migration 0014), and `verify` recomputes it, so an edit made past the
//! triggers or a row taken out shows.

use sqlx::{PgConnection, PgPool};
use tillbook_core::ids::{DeviceId, EventId};
use uuid::Uuid;

use crate::merge::Device;

/// Who did it, by id: a user of head office, a till, or the operator at the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(Uuid),
    Device(DeviceId),
    Operator,
}

/// The actor of what the operator does from the command line.
pub const OPERATOR: Actor = Actor::Operator;

/// As a text column that predates actors by id keeps it (`mpesa_statement.imported_by`).
impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::Device(id) => write!(f, "till:{id}"),
            Actor::Operator => f.write_str("operator"),
        }
    }
}

impl Actor {
    fn ids(self) -> (Option<Uuid>, Option<Uuid>) {
        match self {
            Actor::User(id) => (Some(id), None),
            Actor::Device(id) => (None, Some(id.0)),
            Actor::Operator => (None, None),
        }
    }
}

/// Appends to the audit log (DESIGN §8: every change by a person).
pub async fn audit(
    connection: &mut PgConnection,
    actor: Actor,
    action: &str,
    subject: &str,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let (user, device) = actor.ids();
    sqlx::query(
        "INSERT INTO audit_log (actor_user, actor_device, action, subject, details) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user)
    .bind(device)
    .bind(action)
    .bind(subject)
    .bind(sqlx::types::Json(details))
    .execute(connection)
    .await?;
    Ok(())
}

/// A reused event id is a security event: recorded on its own, since the batch itself is refused.
pub async fn audit_security(pool: &PgPool, device: &Device, event_id: EventId) {
    let result = async {
        let mut connection = pool.acquire().await?;
        audit(
            &mut connection,
            Actor::Device(device.id),
            "security.event_id_reused",
            &event_id.to_string(),
            serde_json::json!({ "device_id": device.id }),
        )
        .await
    }
    .await;
    if let Err(error) = result {
        tracing::error!(%error, "could not write the security event to the audit log");
    }
}
