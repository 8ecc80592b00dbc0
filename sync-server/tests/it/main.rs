//! The sync server against real Postgres and real HTTP on loopback.

mod access;
mod common;
mod concurrency;
mod etims;
mod fixtures;
mod import;
mod ledger;
mod maintenance;
mod mpesa;
mod office;
mod push;
mod push_fuzz;
mod reports;
mod review;
mod security;
mod setup;
