//! `owner.sqlite`: who is signed in on this computer, and the last copy of each report (by its
//! name and parameters), so the owner can read the figures without a connection.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use tillbook_core::protocol::UserRole;

use crate::owner::OwnerAccount;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS owner_account (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    server_url   TEXT NOT NULL,
    email        TEXT NOT NULL,
    name         TEXT NOT NULL,
    businesses   TEXT NOT NULL,   -- JSON: the businesses the reports cover
    signed_in_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS report_copy (
    report     TEXT NOT NULL,
    params     TEXT NOT NULL,     -- JSON object, keys sorted
    fetched_at TEXT NOT NULL,
    body       TEXT NOT NULL,     -- the server's JSON, as sent
    PRIMARY KEY (report, params)
);";

pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.execute_batch(SCHEMA)?;
    // Columns added since the file was first written: the user's role at head office (an older
    // file: the owner's) and head office's own certificate authority.
    for (column, definition) in [("role", "TEXT NOT NULL DEFAULT 'owner'"), ("server_ca", "TEXT")] {
        let present: bool = connection.query_row(
            "SELECT count(*) > 0 FROM pragma_table_info('owner_account') WHERE name = ?1",
            [column],
            |row| row.get(0),
        )?;
        if !present {
            connection.execute_batch(&format!("ALTER TABLE owner_account ADD COLUMN {column} {definition}"))?;
        }
    }
    Ok(connection)
}

fn text_to_json<T: serde::de::DeserializeOwned>(column: usize, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(error))
    })
}

fn time(column: usize, text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).map(|time| time.with_timezone(&Utc)).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(error))
    })
}

pub fn account(connection: &Connection) -> rusqlite::Result<Option<OwnerAccount>> {
    connection
        .query_row(
            "SELECT server_url, email, name, businesses, signed_in_at, expires_at, role, server_ca
               FROM owner_account WHERE id = 1",
            [],
            |row| {
                Ok(OwnerAccount {
                    server_url: row.get(0)?,
                    email: row.get(1)?,
                    name: row.get(2)?,
                    businesses: text_to_json(3, &row.get::<_, String>(3)?)?,
                    signed_in_at: time(4, &row.get::<_, String>(4)?)?,
                    expires_at: time(5, &row.get::<_, String>(5)?)?,
                    role: UserRole::parse(&row.get::<_, String>(6)?).unwrap_or(UserRole::Accountant),
                    server_ca: row.get(7)?,
                })
            },
        )
        .optional()
}

/// A new sign-in replaces the account; copies from another owner or server are dropped.
pub fn save_account(connection: &Connection, account: &OwnerAccount) -> rusqlite::Result<()> {
    let previous = self::account(connection)?;
    let same = previous.is_some_and(|p| p.email == account.email && p.server_url == account.server_url);
    let businesses = serde_json::to_string(&account.businesses).expect("businesses serialise");
    let transaction = connection.unchecked_transaction()?;
    if !same {
        transaction.execute("DELETE FROM report_copy", [])?;
    }
    transaction.execute(
        "INSERT OR REPLACE INTO owner_account
                (id, server_url, email, name, businesses, signed_in_at, expires_at, role, server_ca)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            account.server_url,
            account.email,
            account.name,
            businesses,
            account.signed_in_at.to_rfc3339(),
            account.expires_at.to_rfc3339(),
            account.role.as_str(),
            account.server_ca
        ],
    )?;
    transaction.commit()
}

fn key(params: &BTreeMap<String, String>) -> String {
    serde_json::to_string(params).expect("parameters serialise")
}

pub fn save_copy(
    connection: &Connection,
    report: &str,
    params: &BTreeMap<String, String>,
    fetched_at: DateTime<Utc>,
    body: &serde_json::Value,
) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT OR REPLACE INTO report_copy (report, params, fetched_at, body) VALUES (?1, ?2, ?3, ?4)",
        params![report, key(params), fetched_at.to_rfc3339(), body.to_string()],
    )?;
    Ok(())
}

pub fn copy(
    connection: &Connection,
    report: &str,
    params: &BTreeMap<String, String>,
) -> rusqlite::Result<Option<(DateTime<Utc>, serde_json::Value)>> {
    connection
        .query_row(
            "SELECT fetched_at, body FROM report_copy WHERE report = ?1 AND params = ?2",
            params![report, key(params)],
            |row| Ok((time(0, &row.get::<_, String>(0)?)?, text_to_json(1, &row.get::<_, String>(1)?)?)),
        )
        .optional()
}
