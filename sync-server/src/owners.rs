//! The owners who sign in at head office, and their sessions (tokens kept only as hashes).

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tillbook_core::chart::BusinessKind;
use tillbook_core::protocol::OwnerBusiness;
use uuid::Uuid;

use crate::audit::audit;

/// The owner of `email` (lower case): id, name and password hash.
pub async fn by_email(pool: &PgPool, email: &str) -> Result<Option<(Uuid, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, password_hash FROM owner_user WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await
}

/// Starts a session for the owner whose password was checked (audited), and answers the
/// businesses they see.
pub async fn open_session(
    pool: &PgPool,
    owner: Uuid,
    email: &str,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<Vec<OwnerBusiness>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO owner_session (token_hash, owner_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(owner)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
    audit(&mut tx, email, "owner.signed_in", email, serde_json::json!({})).await?;
    let businesses: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name, kind FROM business WHERE active ORDER BY code").fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(businesses
        .into_iter()
        .filter_map(|(code, name, kind)| Some(OwnerBusiness { code, name, kind: BusinessKind::parse(&kind)? }))
        .collect())
}

/// The owner behind a session token's hash: id, email and when the session ends.
pub async fn by_session(
    pool: &PgPool,
    token_hash: &[u8],
) -> Result<Option<(Uuid, String, DateTime<Utc>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.email, s.expires_at FROM owner_session s JOIN owner_user o ON o.id = s.owner_id
          WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
}
