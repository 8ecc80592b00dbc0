//! The sync server against real Postgres and real HTTP on loopback.

mod common;
mod concurrency;
mod fixtures;
mod import;
mod ledger;
mod maintenance;
mod mpesa;
mod push;
mod push_fuzz;
mod reports;
mod review;
