//! The till's own row: who it is (device, till code, name), its businesses and its time zone.

use chrono::Local;
use rusqlite::{Connection, OptionalExtension, params};
use tillbook_core::ids::BusinessId;

use crate::error::{Result, TillError};
use crate::sql::parsed;
use crate::till::{TillInfo, TillSetup};

/// The code of the till this store belongs to, if it is set up.
pub(crate) fn till_code(connection: &Connection) -> Result<Option<String>> {
    Ok(connection.query_row("SELECT till_code FROM till WHERE id = 1", [], |row| row.get(0)).optional()?)
}

/// Sets the store up as the till `setup` describes, `primary` its first business.
pub(crate) fn write(connection: &mut Connection, setup: &TillSetup, primary: BusinessId) -> Result<()> {
    let transaction = connection.transaction()?;
    transaction.execute(
        "INSERT INTO till (id, device_id, till_code, device_name, primary_business_id, time_zone, created_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            setup.device_id.to_string(),
            setup.till_code,
            setup.device_name,
            primary.to_string(),
            setup.time_zone,
            Local::now().fixed_offset().to_rfc3339(),
        ],
    )?;
    for business in &setup.business_ids {
        transaction.execute("INSERT OR IGNORE INTO till_business (business_id) VALUES (?1)", [business.to_string()])?;
    }
    transaction.commit()?;
    Ok(())
}

/// Who this till is, with its businesses.
pub(crate) fn read(connection: &Connection) -> Result<TillInfo> {
    let info = connection
        .query_row("SELECT * FROM till WHERE id = 1", [], |row| {
            Ok(TillInfo {
                device_id: parsed(row, "device_id")?,
                till_code: row.get("till_code")?,
                device_name: row.get("device_name")?,
                primary_business_id: parsed(row, "primary_business_id")?,
                business_ids: Vec::new(),
                time_zone: row.get("time_zone")?,
            })
        })
        .optional()?
        .ok_or(TillError::NotSetUp)?;
    let business_ids = {
        let mut statement = connection.prepare("SELECT business_id FROM till_business ORDER BY business_id")?;
        statement.query_map([], |row| parsed(row, "business_id"))?.collect::<rusqlite::Result<Vec<_>>>()?
    };
    Ok(TillInfo { business_ids, ..info })
}
