//! Which tills have not synced: when each last reached the server, how far its merged events
//! go, how many it said were still waiting, and how many days it has been silent.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use sqlx::PgPool;

use super::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TillStatus {
    pub till_code: String,
    pub name: String,
    pub businesses: Vec<String>,
    pub enrolled_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Every event up to this device_seq is merged.
    pub merged_through: i64,
    /// Events the till still had to push when it last pulled (`None`: it never said).
    pub pending_reported: Option<i64>,
    /// Whole days since it was last seen, in the installation's time zone; since enrolment
    /// for a till never seen.
    pub days_not_synced: i64,
    pub revoked: bool,
    /// The server refused the till's whole batch and nothing has been merged from it since:
    /// its work is stuck behind that batch. The server's code and words, and since when.
    pub stuck: Option<String>,
    pub stuck_since: Option<DateTime<Utc>>,
    /// Its sales and credit notes KRA has not signed yet (waiting, being sent, or refused), and
    /// when the oldest of them was recorded (docs/etims.md).
    pub unsigned: i64,
    pub oldest_unsigned_at: Option<DateTime<Utc>>,
}

pub async fn tills(pool: &PgPool, zone: Tz, today: NaiveDate) -> Result<Vec<TillStatus>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        till_code: String,
        name: String,
        businesses: Vec<String>,
        enrolled_at: DateTime<Utc>,
        last_seen_at: Option<DateTime<Utc>>,
        merged_through: i64,
        pending_reported: Option<i64>,
        revoked: bool,
        stuck: Option<String>,
        stuck_since: Option<DateTime<Utc>>,
        unsigned: i64,
        oldest_unsigned_at: Option<DateTime<Utc>>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.till_code, d.name,
                coalesce(array_agg(b.code ORDER BY b.code) FILTER (WHERE b.code IS NOT NULL), '{}') AS businesses,
                d.enrolled_at, d.last_seen_at, d.last_seq AS merged_through, d.pending_reported,
                d.revoked_at IS NOT NULL AS revoked,
                d.refused_code || ': ' || d.refused_message AS stuck, d.refused_at AS stuck_since,
                u.unsigned, u.oldest_unsigned_at
           FROM device d
           LEFT JOIN device_business db ON db.device_id = d.id
           LEFT JOIN business b ON b.id = db.business_id
           -- Through the partial index of what is not signed: a handful of rows, not the queue.
           LEFT JOIN LATERAL (
                SELECT count(*) AS unsigned, min(i.occurred_at) AS oldest_unsigned_at
                  FROM etims_invoice x JOIN inbox i ON i.event_id = x.event_id
                 WHERE x.state <> 'signed' AND i.device_id = d.id) u ON TRUE
          WHERE d.id <> $1  -- head office's own device is no till
          GROUP BY d.id, u.unsigned, u.oldest_unsigned_at
          ORDER BY d.till_code",
    )
    .bind(crate::office::OFFICE_DEVICE.0)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let last = row.last_seen_at.unwrap_or(row.enrolled_at).with_timezone(&zone).date_naive();
            TillStatus {
                till_code: row.till_code,
                name: row.name,
                businesses: row.businesses,
                enrolled_at: row.enrolled_at,
                last_seen_at: row.last_seen_at,
                merged_through: row.merged_through,
                pending_reported: row.pending_reported,
                days_not_synced: (today - last).num_days().max(0),
                revoked: row.revoked,
                stuck: row.stuck,
                stuck_since: row.stuck_since,
                unsigned: row.unsigned,
                oldest_unsigned_at: row.oldest_unsigned_at,
            }
        })
        .collect())
}
