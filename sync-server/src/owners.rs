//! The users who sign in at head office (owners, accountants, managers of a business), and their
//! sessions (tokens kept only as hashes). The HTTP handlers call these and hold no SQL.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tillbook_core::chart::BusinessKind;
use tillbook_core::protocol::{OwnerBusiness, SessionLine, UserLine, UserRole};
use uuid::Uuid;

use crate::audit::{Actor, audit};

/// A user found by email, for the password check.
pub struct Account {
    pub id: Uuid,
    pub name: String,
    pub password_hash: String,
    pub role: UserRole,
    pub active: bool,
}

/// The user of `email` (lower case).
pub async fn by_email(pool: &PgPool, email: &str) -> Result<Option<Account>, sqlx::Error> {
    let row: Option<(Uuid, String, String, String, bool)> =
        sqlx::query_as("SELECT id, name, password_hash, role, active FROM owner_user WHERE email = $1")
            .bind(email)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id, name, password_hash, role, active)| Account {
        id,
        name,
        password_hash,
        role: UserRole::parse(&role).unwrap_or(UserRole::Accountant),
        active,
    }))
}

/// The businesses a user's reports cover: every active one, or a manager's own.
async fn businesses_of(
    connection: &mut PgConnection,
    user: Uuid,
    role: UserRole,
) -> Result<Vec<OwnerBusiness>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT b.code, b.name, b.kind FROM business b
          WHERE b.active AND ($2 <> 'manager'
                OR EXISTS (SELECT 1 FROM owner_user_business ub WHERE ub.user_id = $1 AND ub.business_id = b.id))
          ORDER BY b.code",
    )
    .bind(user)
    .bind(role.as_str())
    .fetch_all(connection)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(code, name, kind)| Some(OwnerBusiness { code, name, kind: BusinessKind::parse(&kind)? }))
        .collect())
}

/// Starts a session for the user whose password was checked (audited), and answers the
/// businesses they see.
pub async fn open_session(
    pool: &PgPool,
    account: &Account,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
    client: &str,
) -> Result<Vec<OwnerBusiness>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let session = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO owner_session (id, token_hash, owner_id, expires_at, client) VALUES ($1, $2, $3, $4, left($5, 200))",
    )
    .bind(session)
    .bind(token_hash)
    .bind(account.id)
    .bind(expires_at)
    .bind(client.replace('\0', ""))
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, Actor::User(account.id), "owner.signed_in", &session.to_string(), serde_json::json!({})).await?;
    let businesses = businesses_of(&mut tx, account.id, account.role).await?;
    tx.commit().await?;
    Ok(businesses)
}

/// A signed-in user, as their session token identifies them.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub session: Uuid,
    pub id: Uuid,
    pub email: String,
    pub role: UserRole,
    pub active: bool,
    pub expires_at: DateTime<Utc>,
    /// A manager's businesses (codes); empty for the other roles.
    pub businesses: Vec<String>,
}

/// The user behind a session token's hash. Reads only: a refused request writes nothing.
pub async fn by_session(pool: &PgPool, token_hash: &[u8]) -> Result<Option<SessionUser>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        session: Uuid,
        id: Uuid,
        email: String,
        role: String,
        active: bool,
        expires_at: DateTime<Utc>,
        businesses: Vec<String>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT s.id AS session, u.id, u.email, u.role, u.active, s.expires_at,
                coalesce(array_agg(b.code ORDER BY b.code) FILTER (WHERE b.code IS NOT NULL), '{}') AS businesses
           FROM owner_session s JOIN owner_user u ON u.id = s.owner_id
           LEFT JOIN owner_user_business ub ON ub.user_id = u.id
           LEFT JOIN business b ON b.id = ub.business_id
          WHERE s.token_hash = $1
          GROUP BY s.token_hash, u.id",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| SessionUser {
        session: row.session,
        id: row.id,
        email: row.email,
        role: UserRole::parse(&row.role).unwrap_or(UserRole::Accountant),
        active: row.active,
        expires_at: row.expires_at,
        businesses: row.businesses,
    }))
}

/// Notes that a session was used (at most once a minute, so that reading a report is not a
/// write each time).
pub async fn touch(pool: &PgPool, session: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE owner_session SET last_used_at = now() WHERE id = $1 AND last_used_at < now() - interval '1 minute'",
    )
    .bind(session)
    .execute(pool)
    .await?;
    Ok(())
}

/// The user's sessions, newest first; `current` marks the one asking.
pub async fn sessions(pool: &PgPool, user: Uuid, current: Uuid) -> Result<Vec<SessionLine>, sqlx::Error> {
    type Row = (Uuid, String, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, client, created_at, last_used_at, expires_at FROM owner_session
          WHERE owner_id = $1 AND expires_at > now() ORDER BY created_at DESC",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, client, created_at, last_used_at, expires_at)| SessionLine {
            id,
            client,
            created_at,
            last_used_at,
            expires_at,
            current: id == current,
        })
        .collect())
}

/// Ends sessions of `user`: one (`only`), or all but `keep`, or all. Audited; answers how many.
pub async fn end_sessions(
    pool: &PgPool,
    actor: Actor,
    user: Uuid,
    only: Option<Uuid>,
    keep: Option<Uuid>,
) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let ended = end_sessions_in(&mut tx, user, only, keep).await?;
    let action = if only.is_some() { "owner.signed_out" } else { "owner.signed_out_everywhere" };
    audit(&mut tx, actor, action, &user.to_string(), serde_json::json!({ "sessions": ended })).await?;
    tx.commit().await?;
    Ok(ended)
}

async fn end_sessions_in(
    connection: &mut PgConnection,
    user: Uuid,
    only: Option<Uuid>,
    keep: Option<Uuid>,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "DELETE FROM owner_session WHERE owner_id = $1 AND ($2::uuid IS NULL OR id = $2)
            AND ($3::uuid IS NULL OR id <> $3)",
    )
    .bind(user)
    .bind(only)
    .bind(keep)
    .execute(connection)
    .await?
    .rows_affected())
}

/// The user's password hash, for the check before a change of password.
pub async fn password_hash(pool: &PgPool, user: Uuid) -> Result<String, sqlx::Error> {
    let (hash,): (String,) =
        sqlx::query_as("SELECT password_hash FROM owner_user WHERE id = $1").bind(user).fetch_one(pool).await?;
    Ok(hash)
}

/// Sets a user's own new password (checked and hashed by the caller); their other sessions end.
pub async fn set_password(pool: &PgPool, user: Uuid, hash: &str, keep: Uuid) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE owner_user SET password_hash = $2 WHERE id = $1")
        .bind(user)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
    let ended = end_sessions_in(&mut tx, user, None, Some(keep)).await?;
    audit(
        &mut tx,
        Actor::User(user),
        "owner.password_changed",
        &user.to_string(),
        serde_json::json!({ "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

const USERS: &str = "
SELECT u.id, u.email, u.name, u.role, u.active,
       coalesce(array_agg(b.code ORDER BY b.code) FILTER (WHERE b.code IS NOT NULL), '{}')
  FROM owner_user u
  LEFT JOIN owner_user_business ub ON ub.user_id = u.id
  LEFT JOIN business b ON b.id = ub.business_id";

type UserRow = (Uuid, String, String, String, bool, Vec<String>);

fn user_line((id, email, name, role, active, businesses): UserRow) -> UserLine {
    UserLine { id, email, name, role: UserRole::parse(&role).unwrap_or(UserRole::Accountant), businesses, active }
}

/// Every user of head office, by email.
pub async fn users(pool: &PgPool) -> Result<Vec<UserLine>, sqlx::Error> {
    let rows: Vec<UserRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{USERS} GROUP BY u.id ORDER BY u.email"))).fetch_all(pool).await?;
    Ok(rows.into_iter().map(user_line).collect())
}

/// Why a user could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("no user {0}")]
    NotFound(Uuid),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A user as checked for saving: the password already hashed (or none: unchanged).
pub struct CheckedUser {
    pub id: Option<Uuid>,
    pub email: String,
    pub name: String,
    pub role: UserRole,
    pub businesses: Vec<String>,
    pub password_hash: Option<String>,
    pub active: bool,
}

/// Creates or changes a user (audited). A disabled user's sessions end, and so do those of a
/// user whose role or businesses changed, so that no session outlives what it was granted.
pub async fn save_user(pool: &PgPool, actor: Actor, user: &CheckedUser) -> Result<UserLine, UserError> {
    let mut tx = pool.begin().await?;
    let business_ids: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, code FROM business WHERE code = ANY($1)")
        .bind(&user.businesses)
        .fetch_all(&mut *tx)
        .await?;
    if let Some(unknown) = user.businesses.iter().find(|code| !business_ids.iter().any(|(_, known)| known == *code)) {
        return Err(UserError::Invalid { field: "businesses", message: format!("no business '{unknown}'") });
    }
    let taken: Option<(Uuid,)> =
        sqlx::query_as("SELECT id FROM owner_user WHERE email = $1 AND id IS DISTINCT FROM $2")
            .bind(&user.email)
            .bind(user.id)
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        return Err(UserError::Invalid { field: "email", message: format!("{} already has an account", user.email) });
    }
    let (id, action) = match user.id {
        Some(id) => {
            let before: Option<UserRow> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("{USERS} WHERE u.id = $1 GROUP BY u.id")))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let before = before.map(user_line).ok_or(UserError::NotFound(id))?;
            sqlx::query(
                "UPDATE owner_user SET email = $2, name = $3, role = $4, active = $5,
                        password_hash = coalesce($6, password_hash) WHERE id = $1",
            )
            .bind(id)
            .bind(&user.email)
            .bind(&user.name)
            .bind(user.role.as_str())
            .bind(user.active)
            .bind(&user.password_hash)
            .execute(&mut *tx)
            .await?;
            let narrowed = !user.active
                || before.role != user.role
                || before.businesses != user.businesses
                || user.password_hash.is_some();
            if narrowed {
                end_sessions_in(&mut tx, id, None, None).await?;
            }
            (id, "user.changed")
        }
        None => {
            let Some(hash) = &user.password_hash else {
                return Err(UserError::Invalid { field: "password", message: "a new user needs a password".into() });
            };
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO owner_user (id, email, name, password_hash, role, active) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(&user.email)
            .bind(&user.name)
            .bind(hash)
            .bind(user.role.as_str())
            .bind(user.active)
            .execute(&mut *tx)
            .await?;
            (id, "user.created")
        }
    };
    sqlx::query("DELETE FROM owner_user_business WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    let ids: Vec<Uuid> = business_ids.iter().map(|(id, _)| *id).collect();
    sqlx::query("INSERT INTO owner_user_business (user_id, business_id) SELECT $1, unnest($2::uuid[])")
        .bind(id)
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    let rows: UserRow = sqlx::query_as(sqlx::AssertSqlSafe(format!("{USERS} WHERE u.id = $1 GROUP BY u.id")))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let after = user_line(rows);
    // The password itself is never written anywhere; the log says only that it changed.
    let details = serde_json::json!({ "after": after, "password_changed": user.password_hash.is_some() });
    audit(&mut tx, actor, action, &id.to_string(), details).await?;
    tx.commit().await?;
    Ok(after)
}
