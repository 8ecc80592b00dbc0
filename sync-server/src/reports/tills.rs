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
}

pub async fn tills(pool: &PgPool, zone: Tz, today: NaiveDate) -> Result<Vec<TillStatus>> {
    type Row = (String, String, Vec<String>, DateTime<Utc>, Option<DateTime<Utc>>, i64, Option<i64>, bool);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.till_code, d.name,
                coalesce(array_agg(b.code ORDER BY b.code) FILTER (WHERE b.code IS NOT NULL), '{}'),
                d.enrolled_at, d.last_seen_at, d.last_seq, d.pending_reported, d.revoked_at IS NOT NULL
           FROM device d
           LEFT JOIN device_business db ON db.device_id = d.id
           LEFT JOIN business b ON b.id = db.business_id
          GROUP BY d.id
          ORDER BY d.till_code",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(till_code, name, businesses, enrolled_at, last_seen_at, merged_through, pending_reported, revoked)| {
            let last = last_seen_at.unwrap_or(enrolled_at).with_timezone(&zone).date_naive();
            TillStatus {
                till_code,
                name,
                businesses,
                enrolled_at,
                last_seen_at,
                merged_through,
                pending_reported,
                days_not_synced: (today - last).num_days().max(0),
                revoked,
            }
        })
        .collect())
}
