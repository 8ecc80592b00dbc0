//! Conversions between core's types and SQLite columns: ids as text, money as integer cents,
//! quantities as thousandths, rates as basis points. rusqlite's traits cannot be implemented for
//! core's types here (orphan rule), hence plain functions.

use std::str::FromStr;

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Params, Row, params};
use tillbook_core::{Money, Quantity, VatRate};

use crate::error::{Result, TillError};

/// A stored value the code cannot read: an error, never a silent default.
pub fn conversion_error(index: &str, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, Type::Text, format!("{index}: {message}").into())
}

/// An amount computed from stored ones inside a row's closure: out of range means the store
/// holds what no till could have recorded.
pub fn in_range(
    column: &str,
    amount: std::result::Result<Money, tillbook_core::AmountError>,
) -> rusqlite::Result<Money> {
    amount.map_err(|error| conversion_error(column, error.to_string()))
}

/// A text column parsed into an id or any other `FromStr` type.
pub fn parsed<T: FromStr>(row: &Row<'_>, column: &str) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.get(column)?;
    text.parse().map_err(|error: T::Err| conversion_error(column, error.to_string()))
}

pub fn parsed_opt<T: FromStr>(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    let text: Option<String> = row.get(column)?;
    text.map(|text| text.parse().map_err(|error: T::Err| conversion_error(column, error.to_string()))).transpose()
}

pub fn money(row: &Row<'_>, column: &str) -> rusqlite::Result<Money> {
    let cents: i64 = row.get(column)?;
    if cents.abs() > Money::MAX_CENTS {
        return Err(conversion_error(column, format!("{cents} cents is out of range")));
    }
    Ok(Money::from_cents(cents))
}

pub fn quantity(row: &Row<'_>, column: &str) -> rusqlite::Result<Quantity> {
    let milli: i64 = row.get(column)?;
    if milli.abs() > Quantity::MILLI_MAX {
        return Err(conversion_error(column, format!("{milli} thousandths is out of range")));
    }
    Ok(Quantity::from_milli(milli))
}

pub fn vat_rate(row: &Row<'_>, column: &str) -> rusqlite::Result<VatRate> {
    let basis_points: u32 = row.get(column)?;
    VatRate::from_basis_points(basis_points).map_err(|error| conversion_error(column, error.to_string()))
}

/// A sum of cents from SQL (NULL for no rows) as money.
pub fn cents_to_money(cents: Option<i64>) -> Result<Money> {
    let cents = cents.unwrap_or(0);
    if cents.abs() > Money::MAX_CENTS {
        return Err(TillError::Invariant(format!("a total of {cents} cents is out of range")));
    }
    Ok(Money::from_cents(cents))
}

/// `query_row` through the connection's statement cache. A recording runs the same few dozen
/// statements for every sale; preparing each one again every time was most of a lookup's cost.
pub fn cached_row<T, P: Params>(
    connection: &Connection,
    sql: &str,
    params: P,
    map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    connection.prepare_cached(sql)?.query_row(params, map)
}

/// `execute` through the statement cache (see `cached_row`).
pub fn cached_execute<P: Params>(connection: &Connection, sql: &str, params: P) -> rusqlite::Result<usize> {
    connection.prepare_cached(sql)?.execute(params)
}

/// Takes the next number of a gap-free counter. Call only inside the recording transaction:
/// a rollback gives the number back, so numbers stay gap-free (DESIGN §3, §6).
pub fn next_number(connection: &Connection, counter: &str) -> Result<u64> {
    let last: Option<i64> =
        cached_row(connection, "SELECT last_value FROM counter WHERE name = ?1", [counter], |row| row.get(0))
            .optional()?;
    let next = last.unwrap_or(0).checked_add(1).ok_or_else(|| TillError::Invariant(format!("{counter} overflowed")))?;
    cached_execute(
        connection,
        "INSERT INTO counter (name, last_value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET last_value = excluded.last_value",
        params![counter, next],
    )?;
    u64::try_from(next).map_err(|_| TillError::Invariant(format!("{counter} is negative")))
}
