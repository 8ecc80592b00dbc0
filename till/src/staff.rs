//! Staff, PINs and sessions. PINs are argon2-hashed (DESIGN §7: the hashes are what the tills
//! pull); a PIN is never stored, logged or compared in the clear.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
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

/// Whether `pin` may be the PIN of someone with `role` (core's rule: `Role::check_pin`).
pub fn validate_pin(role: Role, pin: &str) -> Result<()> {
    role.check_pin(pin).map_err(|_| TillError::PinFormat)
}

pub fn hash_pin(role: Role, pin: &str) -> Result<String> {
    validate_pin(role, pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| TillError::Hash(error.to_string()))
}

pub use crate::store::staff::{list, save_staff};

/// Wrong PINs in a row before a member of staff is locked.
pub const PIN_ATTEMPTS: u32 = 5;
/// How long the lock lasts, unless a supervisor unlocks them sooner.
pub const PIN_LOCK_MINUTES: i64 = 5;

/// Checks a PIN as [`check_pin`] does, counting wrong ones: the fifth in a row locks the member
/// of staff for [`PIN_LOCK_MINUTES`], during which even the right PIN is refused.
pub fn check_pin_counted(
    connection: &Connection,
    staff_id: StaffId,
    pin: &str,
    now: DateTime<Utc>,
) -> Result<StaffMember> {
    if let Some(until) = crate::store::staff::locked_until(connection, staff_id)?
        && until > now
    {
        return Err(TillError::StaffLocked { until });
    }
    match check_pin(connection, staff_id, pin) {
        Ok(member) => {
            crate::store::staff::clear_pin_lock(connection, staff_id)?;
            Ok(member)
        }
        Err(TillError::WrongPin) => {
            let until = now + chrono::Duration::minutes(PIN_LOCK_MINUTES);
            if crate::store::staff::count_wrong_pin(connection, staff_id, PIN_ATTEMPTS, until)? {
                tracing::warn!(staff = %staff_id, "a member of staff was locked after too many wrong PINs");
                return Err(TillError::StaffLocked { until });
            }
            Err(TillError::WrongPin)
        }
        Err(other) => Err(other),
    }
}

/// Ends a member of staff's lock: the supervisor's session was checked by the caller.
pub fn unlock(connection: &Connection, supervisor: &Session, staff_id: StaffId) -> Result<()> {
    supervisor.require_supervisor("unlock a member of staff")?;
    crate::store::staff::clear_pin_lock(connection, staff_id)?;
    tracing::info!(staff = %staff_id, by = %supervisor.staff_id, "a member of staff was unlocked");
    Ok(())
}

/// Checks a PIN against the stored hash. The same error for an unknown and a wrong PIN would
/// hide who exists, but the till lists its staff by name anyway; the UI needs to tell them apart.
pub fn check_pin(connection: &Connection, staff_id: StaffId, pin: &str) -> Result<StaffMember> {
    let (name, role, hash) = crate::store::staff::pin_hash(connection, staff_id)?.ok_or(TillError::UnknownStaff)?;
    let parsed_hash = PasswordHash::new(&hash).map_err(|error| TillError::Hash(error.to_string()))?;
    Argon2::default().verify_password(pin.as_bytes(), &parsed_hash).map_err(|_| TillError::WrongPin)?;
    let role = Role::parse(&role).ok_or_else(|| TillError::Invariant(format!("unknown role {role}")))?;
    Ok(StaffMember { id: staff_id, name, role })
}
