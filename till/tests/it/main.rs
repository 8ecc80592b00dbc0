//! tillbook-till's integration tests against real SQLite files on disk: one binary, one module
//! per concern.

mod bad_input;
mod common;
mod crash;
mod lookups;
mod properties;
mod pruning;
mod recording;
mod shared_jobs;
