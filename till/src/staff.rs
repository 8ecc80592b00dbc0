//! Staff, PINs and sessions. PINs are argon2-hashed (DESIGN §7: the hashes are what the tills
//! pull); a PIN is never stored, logged or compared in the clear.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use tillbook_core::catalog::Role;
use tillbook_core::ids::{BusinessId, StaffId};

use crate::error::{Result, TillError};
use crate::sql::{conversion_error, parsed};

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

pub fn save_staff(connection: &Connection, id: StaffId, name: &str, role: Role, pin_hash: &str) -> Result<()> {
    connection.execute(
        "INSERT INTO staff (id, name, role, pin_hash, active) VALUES (?1, ?2, ?3, ?4, 1)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, pin_hash = excluded.pin_hash,
             active = excluded.active",
        params![id.to_string(), name, role.as_str(), pin_hash],
    )?;
    Ok(())
}

pub fn list(connection: &Connection) -> Result<Vec<StaffMember>> {
    let mut statement = connection.prepare("SELECT id, name, role FROM staff WHERE active ORDER BY name")?;
    let rows = statement.query_map([], |row| {
        let role: String = row.get("role")?;
        let role = Role::parse(&role).ok_or_else(|| conversion_error("role", role))?;
        Ok(StaffMember { id: parsed(row, "id")?, name: row.get("name")?, role })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Checks a PIN against the stored hash. The same error for an unknown and a wrong PIN would
/// hide who exists, but the till lists its staff by name anyway; the UI needs to tell them apart.
pub fn check_pin(connection: &Connection, staff_id: StaffId, pin: &str) -> Result<StaffMember> {
    let found = connection
        .query_row("SELECT name, role, pin_hash FROM staff WHERE id = ?1 AND active", [staff_id.to_string()], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })
        .optional()?;
    let (name, role, hash) = found.ok_or(TillError::UnknownStaff)?;
    let parsed_hash = PasswordHash::new(&hash).map_err(|error| TillError::Hash(error.to_string()))?;
    Argon2::default().verify_password(pin.as_bytes(), &parsed_hash).map_err(|_| TillError::WrongPin)?;
    let role = Role::parse(&role).ok_or_else(|| TillError::Invariant(format!("unknown role {role}")))?;
    Ok(StaffMember { id: staff_id, name, role })
}
