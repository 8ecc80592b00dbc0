//! Rows written with one binary `COPY … FROM STDIN`, for the tables a merge only inserts into
//! (the inbox, sales, sale lines, tenders, VAT lines). `COPY` inserts a page of rows at a time
//! and reads each value in Postgres's binary format straight into its column, where an
//! `INSERT … SELECT FROM unnest(arrays)` first unpacks every array and gathers its rows into a
//! tuple store, then inserts them one by one (docs/benchmarks.md). The table's statement-level
//! triggers, with the rows it inserted, run at the end of the `COPY` as at the end of an
//! `INSERT`, and a key taken twice fails it the same way.
//!
//! Each value is encoded by sqlx's own `Encode` for Postgres, the encoding it binds parameters
//! with, so a column gets exactly the bytes an `INSERT` of that Rust type would send.

use sqlx::encode::IsNull;
use sqlx::postgres::PgArgumentBuffer;
use sqlx::{Encode, PgConnection, Postgres};

/// The header of a binary `COPY`: its signature, no flags and no extension.
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// The rows of one binary `COPY`, each added with [`BinaryCopy::row`] and its values in the
/// order of the statement's columns.
pub struct BinaryCopy {
    data: PgArgumentBuffer,
    columns: i16,
    rows: u64,
    /// A row was given more or fewer values than the columns: nothing is sent.
    misshapen: bool,
}

/// One row being written: [`Row::value`] once per column, in order.
pub struct Row<'a> {
    copy: &'a mut BinaryCopy,
    written: i16,
}

impl BinaryCopy {
    pub fn new(columns: i16) -> BinaryCopy {
        let mut data = PgArgumentBuffer::default();
        data.extend_from_slice(SIGNATURE);
        data.extend_from_slice(&0_i32.to_be_bytes());
        data.extend_from_slice(&0_i32.to_be_bytes());
        BinaryCopy { data, columns, rows: 0, misshapen: false }
    }

    pub fn row(&mut self) -> Row<'_> {
        self.data.extend_from_slice(&self.columns.to_be_bytes());
        self.rows += 1;
        Row { copy: self, written: 0 }
    }

    /// Sends the rows with `statement` (`COPY table (columns) FROM STDIN (FORMAT binary)`) on
    /// `connection`, in its transaction; answers how many rows went in.
    pub async fn send(self, connection: &mut PgConnection, statement: &str) -> Result<u64, sqlx::Error> {
        if self.rows == 0 && !self.misshapen {
            return Ok(0);
        }
        let data = self.into_bytes().map_err(|error| sqlx::Error::Protocol(format!("{error}: {statement}")))?;
        let mut copy = connection.copy_in_raw(statement).await?;
        copy.send(data.as_slice()).await?;
        copy.finish().await
    }

    /// The whole `COPY` data, its trailer included.
    fn into_bytes(mut self) -> Result<Vec<u8>, String> {
        if self.misshapen {
            // Sent, the values would be read into the wrong columns or rows: a bug, refused whole.
            return Err(format!("a row of a binary COPY had other than its {} values", self.columns));
        }
        self.data.extend_from_slice(&(-1_i16).to_be_bytes());
        Ok(std::mem::take(&mut *self.data))
    }
}

impl Row<'_> {
    /// The next column's value, as sqlx encodes it for a parameter (`None` is NULL).
    pub fn value<'q, T: Encode<'q, Postgres>>(&mut self, value: T) -> Result<&mut Self, sqlx::Error> {
        self.written += 1;
        if self.written > self.copy.columns {
            self.copy.misshapen = true;
            return Ok(self);
        }
        let data = &mut self.copy.data;
        let length_at = data.len();
        data.extend_from_slice(&0_i32.to_be_bytes());
        match value.encode_by_ref(data).map_err(sqlx::Error::Encode)? {
            IsNull::Yes => {
                data.truncate(length_at);
                data.extend_from_slice(&(-1_i32).to_be_bytes());
            }
            IsNull::No => {
                let length = i32::try_from(data.len() - length_at - 4)
                    .map_err(|_| sqlx::Error::Encode("a value over 2 GB in a binary COPY".into()))?;
                data[length_at..length_at + 4].copy_from_slice(&length.to_be_bytes());
            }
        }
        Ok(self)
    }
}

impl Drop for Row<'_> {
    fn drop(&mut self) {
        if self.written != self.copy.columns {
            self.copy.misshapen = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_laid_out_as_postgres_reads_a_binary_copy() {
        let mut copy = BinaryCopy::new(3);
        copy.row().value(5_i16).unwrap().value(Option::<i64>::None).unwrap().value("ab").unwrap();
        let mut expected = b"PGCOPY\n\xff\r\n\0".to_vec();
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]); // flags, extension
        expected.extend_from_slice(&[0, 3]); // the row's three fields
        expected.extend_from_slice(&[0, 0, 0, 2, 0, 5]); // 5 as a smallint
        expected.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]); // NULL
        expected.extend_from_slice(&[0, 0, 0, 2, b'a', b'b']);
        expected.extend_from_slice(&[0xff, 0xff]); // the trailer
        assert_eq!(copy.into_bytes().unwrap(), expected);
    }

    #[test]
    fn a_row_with_a_value_too_few_or_too_many_is_never_sent() {
        let mut short = BinaryCopy::new(2);
        short.row().value(1_i32).unwrap();
        short.row().value(1_i32).unwrap().value(2_i32).unwrap();
        assert!(short.into_bytes().unwrap_err().contains("other than its 2 values"));
        let mut long = BinaryCopy::new(1);
        long.row().value(1_i32).unwrap().value(2_i32).unwrap();
        assert!(long.into_bytes().is_err());
    }
}
