//! Business days (DESIGN §3): reports group by the calendar day in the installation's time
//! zone, whatever offset the till's clock carried.

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;

pub const DEFAULT_TIME_ZONE: &str = "Africa/Nairobi";

pub fn parse_time_zone(name: &str) -> Option<Tz> {
    name.parse().ok()
}

/// The business day an instant belongs to.
pub fn business_day(occurred_at: DateTime<FixedOffset>, zone: Tz) -> NaiveDate {
    occurred_at.with_timezone(&zone).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sale_at_two_in_the_morning_nairobi_time_belongs_to_that_day() {
        let zone = parse_time_zone(DEFAULT_TIME_ZONE).unwrap();
        // 23:30 UTC on the 21st is 02:30 on the 22nd in Nairobi.
        let at = DateTime::parse_from_rfc3339("2026-11-21T23:30:00+00:00").unwrap();
        assert_eq!(business_day(at, zone), NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    }
}
