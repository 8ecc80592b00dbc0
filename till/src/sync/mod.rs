//! Background sync with the server (DESIGN §6–§7): enrolment, the device token in the OS
//! keyring, the push/pull loop and the status the counter shows.

pub mod client;
pub mod engine;
pub mod enrol;
pub mod shared_jobs;
pub mod store;
pub mod token;

pub use client::{Client, SyncError};
pub use engine::{SyncConfig, SyncHandle, SyncStatus, start};
pub use enrol::{enroll, forget_token, guard_unsynced, owner_confirms, reenroll, restore, server_position, wipe};
pub use store::DeviceStatus;
