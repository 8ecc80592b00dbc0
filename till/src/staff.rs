//! Staff, PINs and sessions. PINs are argon2-hashed (DESIGN §7: the hashes are what the tills
//! pull); a PIN is never stored, logged or compared in the clear.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::Connection;
use serde::Serialize;
use tillbook_core::catalog::Role;
use tillbook_core::ids::{BusinessId, StaffId};

use crate::error::{Result, TillError};

/// Who is at the till, and for which business they are recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub staff_id: StaffId,
    pub name: String,
    pub role: Role,
    pub business_id: BusinessId,
}

impl Session {
    /// Voids, refunds and cancellations need a supervisor's (or the owner's) PIN.
    pub fn require_supervisor(&self, action: &'static str) -> Result<()> {
        if self.role >= Role::Supervisor {
            Ok(())
        } else {
            Err(TillError::NotAuthorised { action, needed: "supervisor" })
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StaffMember {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
}

pub fn validate_pin(pin: &str) -> Result<()> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(TillError::PinFormat)
    }
}

pub fn hash_pin(pin: &str) -> Result<String> {
    validate_pin(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| TillError::Hash(error.to_string()))
}

pub use crate::store::staff::{list, save_staff};

/// Checks a PIN against the stored hash. The same error for an unknown and a wrong PIN would
/// hide who exists, but the till lists its staff by name anyway; the UI needs to tell them apart.
pub fn check_pin(connection: &Connection, staff_id: StaffId, pin: &str) -> Result<StaffMember> {
    let (name, role, hash) = crate::store::staff::pin_hash(connection, staff_id)?.ok_or(TillError::UnknownStaff)?;
    let parsed_hash = PasswordHash::new(&hash).map_err(|error| TillError::Hash(error.to_string()))?;
    Argon2::default().verify_password(pin.as_bytes(), &parsed_hash).map_err(|_| TillError::WrongPin)?;
    let role = Role::parse(&role).ok_or_else(|| TillError::Invariant(format!("unknown role {role}")))?;
    Ok(StaffMember { id: staff_id, name, role })
}
