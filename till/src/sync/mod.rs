//! Background sync with the server (DESIGN §6–§7): enrolment, the device token in the OS
//! keyring, the push/pull loop and the status the counter shows.

pub mod client;
pub mod engine;
pub mod enrol;
pub mod token;

pub use client::{Client, Server, SyncError};
pub use engine::{SyncConfig, SyncHandle, SyncStatus, start};
pub use enrol::{enroll, forget_token, guard_unsynced, owner_confirms, reenroll, restore, server_position, wipe};
// What the sync keeps in the till's store: the outbox's state, the pulled changes, the
// shared laundry jobs (`store/`).
pub use crate::store::shared_jobs;
pub use crate::store::sync as store;
pub use store::DeviceStatus;
