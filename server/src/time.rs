//! Time in one place: timestamps are stored in UTC; dates and months are
//! the county's (ZHIBU_TIMEZONE).

use chrono::{NaiveDate, Utc};
use sea_orm::prelude::DateTimeWithTimeZone;

/// Now, in UTC, to the microsecond (what both engines store).
pub fn now() -> DateTimeWithTimeZone {
    let now = Utc::now();
    let micros = now.timestamp_micros();
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap_or(now)
        .fixed_offset()
}

/// Today's date in the county.
pub fn today(tz: chrono_tz::Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}

/// When `date` begins in the county, in UTC (how timestamps are stored).
pub fn start_of_day(date: NaiveDate, tz: chrono_tz::Tz) -> DateTimeWithTimeZone {
    use chrono::TimeZone;
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc).fixed_offset())
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight).fixed_offset())
}
