//! The till's staff as pulled from head office: names, roles and argon2 PIN hashes.

use rusqlite::{Connection, OptionalExtension, params};
use tillbook_core::catalog::Role;
use tillbook_core::ids::StaffId;

use crate::error::Result;
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
