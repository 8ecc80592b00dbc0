//! The till's staff as pulled from head office: names, roles and argon2 PIN hashes.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use tillbook_core::catalog::Role;
use tillbook_core::ids::StaffId;

use crate::error::{Result, TillError};
use crate::sql::{conversion_error, parsed};
use crate::staff::StaffMember;

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

/// The name, role and PIN hash of an active staff member.
pub(crate) fn pin_hash(connection: &Connection, staff_id: StaffId) -> Result<Option<(String, String, String)>> {
    Ok(connection
        .query_row("SELECT name, role, pin_hash FROM staff WHERE id = ?1 AND active", [staff_id.to_string()], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })
        .optional()?)
}

/// When `staff_id`'s lock ends, if they are locked (the time may have passed).
pub(crate) fn locked_until(connection: &Connection, staff_id: StaffId) -> Result<Option<DateTime<Utc>>> {
    let until: Option<Option<String>> = connection
        .query_row("SELECT locked_until FROM pin_lock WHERE staff_id = ?1", [staff_id.to_string()], |row| row.get(0))
        .optional()?;
    until
        .flatten()
        .map(|text| {
            DateTime::parse_from_rfc3339(&text)
                .map(|at| at.with_timezone(&Utc))
                .map_err(|_| TillError::Invariant(format!("pin_lock.locked_until '{text}'")))
        })
        .transpose()
}

/// Counts a wrong PIN; the `attempts`-th in a row locks them until `lock_until` (and starts the
/// count again). Answers whether they are now locked.
pub(crate) fn count_wrong_pin(
    connection: &Connection,
    staff_id: StaffId,
    attempts: u32,
    lock_until: DateTime<Utc>,
) -> Result<bool> {
    let failures: u32 = connection.query_row(
        "INSERT INTO pin_lock (staff_id, failures, locked_until) VALUES (?1, 1, NULL)
         ON CONFLICT (staff_id) DO UPDATE SET failures = failures + 1
         RETURNING failures",
        [staff_id.to_string()],
        |row| row.get(0),
    )?;
    if failures < attempts {
        return Ok(false);
    }
    connection.execute(
        "UPDATE pin_lock SET failures = 0, locked_until = ?2 WHERE staff_id = ?1",
        params![staff_id.to_string(), lock_until.to_rfc3339()],
    )?;
    Ok(true)
}

/// The right PIN, or a supervisor's unlock: the count and any lock end.
pub(crate) fn clear_pin_lock(connection: &Connection, staff_id: StaffId) -> Result<()> {
    connection.execute("DELETE FROM pin_lock WHERE staff_id = ?1", [staff_id.to_string()])?;
    Ok(())
}
