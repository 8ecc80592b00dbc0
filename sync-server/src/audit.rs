//! The audit log (DESIGN §8): every change a person makes, and the security events a till
//! causes, appended and never edited. Every module that changes something writes here.

use sqlx::{PgConnection, PgPool};
use tillbook_core::ids::EventId;

use crate::merge::Device;

/// The actor of what the operator does from the command line.
pub const OPERATOR: &str = "operator (command line)";

/// Appends to the audit log (DESIGN §8: every change by a person).
pub async fn audit(
    connection: &mut PgConnection,
    actor: &str,
    action: &str,
    subject: &str,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (actor, action, subject, details) VALUES ($1, $2, $3, $4)")
        .bind(actor)
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
            &format!("till {}", device.till_code),
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
