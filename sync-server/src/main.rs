//! `tillbook-server [--database-url URL] <command>` (DESIGN §10).

use std::io::Write;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use sqlx::postgres::PgConnectOptions;
use tillbook_core::ids::DeviceId;
use tillbook_server::{admin, api, db, export, import, setup, verify};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "tillbook-server", version, about = "Tillbook's sync server and central ledger")]
struct Cli {
    /// The Postgres database, e.g. postgres://tillbook@127.0.0.1:5432/tillbook
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates or updates the schema (as the database owner).
    Migrate,
    /// Seeds the demo businesses WATER, LAUNDRY and RETAIL: the chart, products, staff.
    Seed,
    /// Sets up a group, or changes it, from a JSON file of changes (businesses, products,
    /// laundry_services, cylinder_types, customers, staff; see docs/setup.md): each checked and
    /// audited as from the owner's screens, all in one transaction or none. Prints what was saved.
    Setup { file: std::path::PathBuf },
    /// Creates the LOGIN role the server runs as: a member of tillbook_app and nothing else
    /// (run as a superuser). Its password is read from TILLBOOK_RUNTIME_PASSWORD; without one,
    /// the cluster's own authentication (peer, trust) decides.
    CreateRuntimeRole {
        #[arg(long, default_value = "tillbook_server")]
        role: String,
    },
    /// Serves the sync API, logged in as the runtime role (never as the schema's owner). With
    /// --tls-cert and --tls-key it serves HTTPS; without them, plain HTTP for loopback or for a
    /// reverse proxy that terminates TLS in front of it. SIGTERM stops accepting and lets the
    /// requests in flight finish.
    Serve {
        #[arg(long, env = "TILLBOOK_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// The certificate chain (PEM) to serve HTTPS with.
        #[arg(long, env = "TILLBOOK_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, env = "TILLBOOK_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
        /// The installation's time zone, for business days.
        #[arg(long, env = "TILLBOOK_TIME_ZONE", default_value = tillbook_core::time::DEFAULT_TIME_ZONE)]
        time_zone: String,
        /// A token `/metrics` then asks every caller for (as a bearer token); without it,
        /// `/metrics` answers only callers on this machine.
        #[arg(long, env = "TILLBOOK_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// The folder of the eTIMS communication keys (one file per business, readable by the
        /// server alone). The eTIMS worker transmits the businesses set up with `etims-set-up`.
        #[arg(long, env = "TILLBOOK_ETIMS_KEYS", default_value = "etims-keys")]
        etims_keys: std::path::PathBuf,
    },
    /// Sets up a VAT-registered business's KRA eTIMS device (OSCU) and initialises it with KRA;
    /// the communication key goes into the key folder, never to the output.
    EtimsSetUp {
        #[arg(long)]
        business: String,
        /// The KRA branch id, two digits (00 for the head office branch).
        #[arg(long, default_value = "00")]
        branch: String,
        /// The device serial KRA issued.
        #[arg(long)]
        serial: String,
        /// The OSCU address: https://etims-api-sbx.kra.go.ke/etims-api/ for KRA's test server.
        #[arg(long)]
        url: String,
        #[arg(long, env = "TILLBOOK_ETIMS_KEYS", default_value = "etims-keys")]
        etims_keys: std::path::PathBuf,
    },
    /// Prints a one-time enrolment code for a new till, alone, on standard output.
    EnrollDevice {
        #[arg(long)]
        business: String,
        #[arg(long)]
        name: String,
    },
    /// Prints a one-time re-enrolment code for an existing till (its token was lost, or it was
    /// revoked), alone, on standard output. The till keeps everything it recorded.
    ReenrollDevice {
        /// The till's code, as the tills report shows it (`W1`, `R2`, …).
        #[arg(long)]
        till: String,
    },
    /// Revokes a till: its token is refused from now on.
    RevokeDevice {
        #[arg(long)]
        device: String,
    },
    /// Creates an owner who signs in at head office. The password is read from
    /// TILLBOOK_OWNER_PASSWORD, or from the first line of standard input.
    CreateOwner {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Recomputes the books from the journal lines; exits 0 only when they are clean.
    Verify,
    /// Imports existing books (opening balances, customers with what they owe, stock) from a
    /// .json or .csv file: one balanced opening entry per business against 3900, all or
    /// nothing. Prints what it would post, or every bad row; exits 1 when any row is bad.
    Import {
        file: std::path::PathBuf,
        /// The day of the old books' balances (YYYY-MM-DD).
        #[arg(long)]
        as_of: chrono::NaiveDate,
        /// Check and show the totals, write nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, env = "TILLBOOK_TIME_ZONE", default_value = tillbook_core::time::DEFAULT_TIME_ZONE)]
        time_zone: String,
    },
    /// Writes the ledger to standard output.
    ExportLedger {
        #[arg(long, value_enum)]
        format: ExportFormat,
    },
}

/// Resolves on SIGTERM (systemd's stop) or Ctrl-C.
async fn terminated() {
    let interrupted = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            let _ = interrupted.await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupted => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupted.await;
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Hledger,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let options = PgConnectOptions::from_str(&cli.database_url).context("DATABASE_URL is not a Postgres URL")?;
    match cli.command {
        Command::Migrate => {
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            db::migrate(&pool).await.context("migrating")?;
            eprintln!("schema is up to date");
        }
        Command::Seed => {
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            admin::seed(&pool).await?;
            eprintln!("seeded the demo businesses WATER, LAUNDRY and RETAIL");
        }
        Command::Setup { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let group: setup::GroupSetup =
                serde_json::from_str(&text).with_context(|| format!("{} is not a set-up file", file.display()))?;
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            let mut tx = pool.begin().await?;
            tillbook_server::changes::lock(&mut tx).await?;
            let applied = setup::apply(&mut tx, admin::OPERATOR, &group).await.context("nothing was saved")?;
            tx.commit().await?;
            println!("{}", serde_json::to_string_pretty(&applied)?);
        }
        Command::CreateRuntimeRole { role } => {
            let password = std::env::var("TILLBOOK_RUNTIME_PASSWORD").ok().filter(|password| !password.is_empty());
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            db::create_runtime_login(&pool, &role, password.as_deref(), true).await.context("creating the role")?;
            eprintln!("role {role} may log in; it is a member of tillbook_app and nothing else");
        }
        Command::Serve { listen, tls_cert, tls_key, time_zone, metrics_token, etims_keys } => {
            let zone =
                chrono_tz::Tz::from_str(&time_zone).map_err(|_| anyhow::anyhow!("unknown time zone '{time_zone}'"))?;
            let pool = db::connect_runtime(options, 16).await.context("connecting to Postgres")?;
            let keys = tillbook_server::etims::KeyStore::new(etims_keys);
            tokio::spawn(tillbook_server::etims::worker::run(
                pool.clone(),
                keys.clone(),
                tillbook_server::etims::oscu::Client::new(),
                tillbook_server::etims::worker::Pace::default(),
            ));
            let mut state = api::AppState::new(pool, zone).with_etims_keys(keys);
            if let Some(token) = metrics_token.as_deref().map(str::trim).filter(|token| !token.is_empty()) {
                state = state.with_metrics_token(token);
            }
            let listener = std::net::TcpListener::bind(&listen).with_context(|| format!("listening on {listen}"))?;
            let address = listener.local_addr()?;
            match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => {
                    tracing::info!(%address, "serving the sync API over HTTPS");
                    let tls = api::Tls { cert, key };
                    api::serve_tls(listener, state, &tls, terminated()).await.context("serving HTTPS")?;
                }
                _ => {
                    tracing::info!(%address, "serving the sync API over plain HTTP (loopback or behind a TLS proxy)");
                    listener.set_nonblocking(true)?;
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    api::serve(listener, state, terminated()).await?;
                }
            }
            tracing::info!("stopped: the requests in flight were finished");
        }
        Command::EtimsSetUp { business, branch, serial, url, etims_keys } => {
            use tillbook_server::etims;
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            let setup = etims::Setup {
                business_code: business.clone(),
                branch_id: branch,
                device_serial: serial,
                oscu_url: url,
            };
            let id = etims::set_up(&pool, &setup).await?;
            etims::initialise(&pool, &etims::KeyStore::new(etims_keys), &etims::oscu::Client::new(), id).await?;
            eprintln!("{business} transmits to eTIMS; its communication key is in the key folder");
        }
        Command::EnrollDevice { business, name } => {
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            let code = admin::create_enrollment_code(&pool, &business, &name).await?;
            println!("{code}");
        }
        Command::ReenrollDevice { till } => {
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            let (code, _) = admin::create_reenrollment_code_by(&pool, admin::OPERATOR, &till).await?;
            println!("{code}");
        }
        Command::RevokeDevice { device } => {
            let id = uuid::Uuid::parse_str(&device).context("--device is not a device id")?;
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            admin::revoke_device(&pool, DeviceId(id)).await?;
            eprintln!("till {device} revoked");
        }
        Command::CreateOwner { email, name } => {
            let password = match std::env::var("TILLBOOK_OWNER_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line).context("reading the password")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            let id = admin::create_owner(&pool, &email, &name, &password).await?;
            eprintln!("owner {email} created ({id})");
        }
        Command::Verify => {
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            let report = verify::verify(&pool).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.is_clean() {
                bail!("the ledger is not clean");
            }
        }
        Command::Import { file, as_of, dry_run, time_zone } => {
            let zone =
                chrono_tz::Tz::from_str(&time_zone).map_err(|_| anyhow::anyhow!("unknown time zone '{time_zone}'"))?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let (opening, refs) = import::parse(&file.to_string_lossy(), &text)?;
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            let report = import::import(&pool, &opening, &refs, as_of, zone, dry_run).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.problems.is_empty() {
                bail!("{} row(s) refused; nothing was imported", report.problems.len());
            }
            if !dry_run {
                eprintln!("imported: entries {:?}", report.posted_entries);
            }
        }
        Command::ExportLedger { format: ExportFormat::Hledger } => {
            let pool = db::connect_owner(options).await.context("connecting to Postgres")?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            export::export_hledger(&pool, &mut out).await?;
            out.flush()?;
        }
    }
    Ok(())
}
