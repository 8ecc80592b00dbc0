//! `tillbook-server`: enrols tills, takes their pushed events and merges each exactly once into
//! the central Postgres ledger (DESIGN §7–§8), and serves master data back to them.
//!
//! - [`api`] — the HTTP API (axum): enrol, push, pull, health, metrics, OpenAPI.
//! - [`merge`] — one pushed batch into the ledger, in one transaction, set-based.
//! - [`admin`] — what the operator's command line does: seed, enrol and revoke tills, owners.
//! - [`reports`] — the owner's reports, each with its CSV.
//! - [`import`] — starting from existing books: opening balances, customers, stock.
//! - [`review`] — the owner's review queue: quarantined events and flags, and their resolution.
//! - [`mpesa`] — M-Pesa statements matched against the codes the tills recorded.
//! - [`maintenance`] — the owner's changes to products, prices, staff and tills.
//! - [`head_office`] — journal entries made at head office (opening balances, corrections).
//! - [`etims`] — KRA eTIMS: each VAT sale transmitted from head office, in order, exactly once.
//! - [`verify`] and [`export`] — recompute the books, and write them for hledger.

pub mod admin;
pub mod api;
pub mod audit;
pub mod bank;
pub mod body;
pub mod changes;
pub mod copy;
pub mod db;
pub mod devices;
pub mod error;
pub mod etims;
pub mod export;
pub mod head_office;
pub mod import;
pub mod journal;
pub mod maintenance;
pub mod merge;
pub mod metrics;
pub mod mpesa;
pub mod office;
pub mod owners;
pub mod passwords;
pub mod reports;
pub mod review;
pub mod secrets;
pub mod setup;
pub mod verify;

/// The server's schema, embedded (`migrations-server/`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations-server");
