//! Connections. Migrations and the operator's commands run as whoever `DATABASE_URL` names (the
//! schema's owner). The HTTP server logs in as a runtime role of its own: a LOGIN role that is a
//! member of `tillbook_app` and nothing else, so it may insert into the ledger but not update or
//! delete it (DESIGN §8), and it cannot become the owner. It refuses to serve as the owner or a
//! superuser (`deploy/postgres-setup.sh` creates the role; tests make one with
//! [`runtime_login`]).

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// The role the migration creates for the running server.
pub const RUNTIME_ROLE: &str = "tillbook_app";

pub async fn connect_owner(options: PgConnectOptions) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|connection, _| Box::pin(nagle::turn_off(connection)))
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

/// The longest a statement of the server may run; a report of seven years takes about a second.
pub const STATEMENT_TIMEOUT: &str = "30s";

/// Why the server would not use the credentials it was given.
#[derive(Debug, thiserror::Error)]
#[error("the server runs as its runtime role, not as {role}: {why} (see deploy/postgres-setup.sh)")]
pub struct NotTheRuntimeRole {
    role: String,
    why: &'static str,
}

/// The server's pool, logged in as a runtime role (a member of [`RUNTIME_ROLE`], neither a
/// superuser nor the schema's owner), with a bound on every statement.
pub async fn connect_runtime(options: PgConnectOptions, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    let options = session_settings(options)
        .options([("statement_timeout", STATEMENT_TIMEOUT), ("idle_in_transaction_session_timeout", "60s")]);
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|connection, _| Box::pin(nagle::turn_off(connection)))
        .connect_with(options)
        .await?;
    let (role, superuser, member, owner): (String, bool, bool, bool) = sqlx::query_as(
        "SELECT current_user::text, r.rolsuper, pg_has_role(current_user, $1, 'USAGE'),
                EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user)
           FROM pg_roles r WHERE r.rolname = current_user",
    )
    .bind(RUNTIME_ROLE)
    .fetch_one(&pool)
    .await?;
    let why = if superuser {
        Some("a superuser may change the ledger")
    } else if owner {
        Some("the schema's owner may change the ledger")
    } else if !member {
        Some("it is not a member of tillbook_app")
    } else {
        None
    };
    if let Some(why) = why {
        pool.close().await;
        return Err(sqlx::Error::Configuration(Box::new(NotTheRuntimeRole { role, why })));
    }
    Ok(pool)
}

/// The runtime login role that tests, benchmarks and `cargo xtask run` use; a deployment
/// creates its own with its own password (`deploy/postgres-setup.sh`).
pub const TEST_RUNTIME_LOGIN: (&str, &str) = ("tillbook_server_test", "tillbook-server-test");

/// Whether a failure is another session creating or granting the same role at the same moment.
fn concurrent_role_change(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(error) if matches!(error.code().as_deref(), Some("42710" | "23505" | "XX000")))
}

/// Creates the LOGIN role `name` if missing: a member of [`RUNTIME_ROLE`] and nothing else, with
/// `password` (none: the cluster's own authentication decides). An existing role keeps its
/// password unless `reset_password`. Run as a superuser or a role that may create roles.
/// Tolerates another creator at the same moment.
pub async fn create_runtime_login(
    owner: &PgPool,
    name: &str,
    password: Option<&str>,
    reset_password: bool,
) -> Result<(), sqlx::Error> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(sqlx::Error::Configuration("a role name is lower-case letters, digits and _".into()));
    }
    // A password is a literal in these statements: quoted as Postgres quotes literals.
    let password = password.map(|password| format!(" PASSWORD '{}'", password.replace('\'', "''"))).unwrap_or_default();
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(name)
        .fetch_one(owner)
        .await?;
    if !exists {
        let create = format!("CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT{password}");
        match sqlx::query(sqlx::AssertSqlSafe(create)).execute(owner).await {
            Err(error) if !concurrent_role_change(&error) => return Err(error),
            _ => {}
        }
    } else if reset_password && !password.is_empty() {
        sqlx::query(sqlx::AssertSqlSafe(format!("ALTER ROLE {name}{password}"))).execute(owner).await?;
    }
    for _ in 0..3 {
        match sqlx::query(sqlx::AssertSqlSafe(format!("GRANT {RUNTIME_ROLE} TO {name}"))).execute(owner).await {
            Err(error) if concurrent_role_change(&error) => continue,
            other => return other.map(|_| ()),
        }
    }
    Ok(())
}

/// The URL of `database` in the cluster `options` reaches (over TCP), logged in as the test
/// runtime role: for a server started as a process of its own.
pub fn runtime_url(options: &PgConnectOptions, database: &str) -> String {
    let (name, password) = TEST_RUNTIME_LOGIN;
    format!("postgres://{name}:{password}@{}:{}/{database}", options.get_host(), options.get_port())
}

/// Options for the same database as `owner_options`, logged in as the test runtime role
/// ([`TEST_RUNTIME_LOGIN`], created if missing).
pub async fn runtime_login(owner_options: &PgConnectOptions) -> Result<PgConnectOptions, sqlx::Error> {
    let (name, password) = TEST_RUNTIME_LOGIN;
    let owner = connect_owner(owner_options.clone()).await?;
    let created = create_runtime_login(&owner, name, Some(password), false).await;
    owner.close().await;
    created?;
    Ok(owner_options.clone().username(name).password(password))
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
    let (options, owner) = create_migrated_database(cluster, prefix).await?;
    crate::admin::seed(&owner).await?;
    Ok((options, owner))
}

/// As [`create_seeded_database`], without the demo: what `migrate` leaves on a new server.
pub async fn create_migrated_database(
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
    Ok((options, owner))
}

/// Drops the database `options` names, closing whoever is still connected to it. Tests end
/// with it, so that a run of the whole suite leaves no databases behind to fill the disk.
pub async fn drop_database(options: &PgConnectOptions) -> anyhow::Result<()> {
    let name = options.get_database().ok_or_else(|| anyhow::anyhow!("the options name no database"))?;
    let admin = connect_owner(options.clone().database("postgres")).await?;
    let drop = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", name.replace('"', "\"\""));
    sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&admin).await?;
    admin.close().await;
    Ok(())
}

/// As [`drop_database`], from a `Drop` inside an async test: the test's runtime cannot be
/// blocked on, so a thread of its own with a runtime of its own does it. A failing test keeps
/// its database, for whoever looks into the failure.
pub fn drop_database_after_test(options: &PgConnectOptions) {
    if std::thread::panicking() {
        return;
    }
    let options = options.clone();
    let dropped = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        runtime.block_on(drop_database(&options))
    })
    .join();
    if let Ok(Err(error)) = dropped {
        eprintln!("the test's database was not dropped: {error:#}");
    }
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

/// Nagle's algorithm off on the connection's TCP socket (`TCP_NODELAY`), as libpq and every
/// Postgres driver but sqlx 0.9.0 set it. With it on, a message the client sends while its last
/// is not yet acknowledged waits for the acknowledgement, which Postgres delays by up to 40 ms
/// when it has nothing to answer yet: the end of each binary `COPY` the merge sends
/// ([`crate::copy`]) waited so, 45 ms for a `COPY` of 500 tenders that takes 3. sqlx 0.9.0
/// dropped the setting (sqlx#4335; set again upstream by sqlx#4336, not yet released), and
/// offers no way to reach the socket, so the socket is found among the process's open files by
/// its two ends, as Postgres reports them. Remove this once sqlx sets it again.
mod nagle {
    use sqlx::PgConnection;

    pub async fn turn_off(connection: &mut PgConnection) -> Result<(), sqlx::Error> {
        // NULL on a Unix-domain socket, which has no Nagle's algorithm.
        let (client_port, server_port): (Option<i32>, Option<i32>) =
            sqlx::query_as("SELECT inet_client_port(), inet_server_port()").fetch_one(&mut *connection).await?;
        if let (Some(client), Some(server)) = (client_port, server_port) {
            // Best effort: a socket not found or not changed is only slower.
            if let Err(error) = set_no_delay(client as u16, server as u16) {
                tracing::debug!(%error, "TCP_NODELAY not set on a Postgres connection");
            }
        }
        Ok(())
    }

    #[cfg(target_os = "linux")]
    fn set_no_delay(client_port: u16, server_port: u16) -> std::io::Result<()> {
        use std::os::fd::{BorrowedFd, RawFd};
        for entry in std::fs::read_dir("/proc/self/fd")? {
            let entry = entry?;
            let Some(fd) = entry.file_name().to_str().and_then(|name| name.parse::<RawFd>().ok()) else { continue };
            // Only sockets, and only while this process holds the descriptor open: a
            // descriptor closed meanwhile fails the calls below, or is another socket whose
            // ends do not match.
            if !std::fs::read_link(entry.path()).is_ok_and(|target| target.to_string_lossy().starts_with("socket:")) {
                continue;
            }
            // SAFETY: `fd` is one of this process's open descriptors, a socket, borrowed for the
            // two calls that follow and never closed here.
            let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
            let socket = socket2::SockRef::from(&borrowed);
            let port = |address: std::io::Result<socket2::SockAddr>| {
                address.ok().and_then(|address| address.as_socket()).map(|address| address.port())
            };
            if port(socket.local_addr()) == Some(client_port) && port(socket.peer_addr()) == Some(server_port) {
                return socket.set_tcp_nodelay(true);
            }
        }
        Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no socket with those ends"))
    }

    #[cfg(not(target_os = "linux"))]
    fn set_no_delay(_client_port: u16, _server_port: u16) -> std::io::Result<()> {
        Ok(())
    }
}
