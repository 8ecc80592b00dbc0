//! Connections. Migrations and the operator's commands run as whoever `DATABASE_URL` names (the
//! schema's owner); the HTTP server switches every connection to `tillbook_app`, the runtime role
//! that may insert into the ledger but not update or delete it (DESIGN §8).

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// The role the migration creates for the running server.
pub const RUNTIME_ROLE: &str = "tillbook_app";

pub async fn connect_owner(options: PgConnectOptions) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(session_settings(options))
        .await
}

/// Settings of every connection. JIT compilation off: the reports are built to answer from
/// indexes and running totals in tens of milliseconds, and a plan the planner overestimates
/// (a correlated subquery per open invoice) would spend hundreds of milliseconds compiling
/// code it then runs for a few (aging as of a month end: 556 ms with JIT, 49 ms without, on
/// the seven-year history).
fn session_settings(options: PgConnectOptions) -> PgConnectOptions {
    options.options([("jit", "off")])
}

/// The server's pool: every connection runs as [`RUNTIME_ROLE`].
pub async fn connect_runtime(options: PgConnectOptions, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|connection, _meta| {
            Box::pin(async move {
                sqlx::query("SET ROLE tillbook_app").execute(&mut *connection).await?;
                Ok(())
            })
        })
        .connect_with(session_settings(options))
        .await
}

pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    crate::MIGRATOR.run(pool).await
}

/// A new, migrated and seeded database named `{prefix}_{uuid}` in the cluster `cluster`
/// connects to, with a pool of its owner. For tests and benchmarks: each gets a database of its
/// own in one shared cluster, so they never see each other's rows.
pub async fn create_seeded_database(
    cluster: &PgConnectOptions,
    prefix: &str,
) -> anyhow::Result<(PgConnectOptions, PgPool)> {
    let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    let admin = connect_owner(cluster.clone()).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await?;
    admin.close().await;
    let options = cluster.clone().database(&name);
    let owner = connect_owner(options.clone()).await?;
    migrate(&owner).await?;
    crate::admin::seed(&owner).await?;
    Ok((options, owner))
}

/// Whether the database answers (the health check).
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

/// One column of `rows`, as a typed array for `unnest`.
pub fn column<'a, T, U>(rows: &'a [T], value: impl Fn(&'a T) -> U) -> Vec<U> {
    rows.iter().map(value).collect()
}
