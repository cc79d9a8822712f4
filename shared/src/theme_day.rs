//! Theme Party Day (主题党日) rules shared by the server and the PWA: the
//! first Thursday of each month, the "1+1+N" activities, the dues standard,
//! and the geofence test.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The first Thursday of `year`-`month`.
pub fn first_thursday(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Thu, 1)
}

/// The theme day of the month containing `date`, and of the next month
/// when this month's has passed.
pub fn next_theme_date(today: NaiveDate) -> Option<NaiveDate> {
    let this = first_thursday(today.year(), today.month())?;
    if this >= today {
        return Some(this);
    }
    let (y, m) = if today.month() == 12 {
        (today.year() + 1, 1)
    } else {
        (today.year(), today.month() + 1)
    };
    first_thursday(y, m)
}

/// A calendar month, `YYYY-MM` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

/// The years a month may name: the app's records start this century, and
/// a query for the year 3000 is a mistake or a probe.
pub const MIN_YEAR: i32 = 2000;
pub const MAX_YEAR: i32 = 2099;

impl Month {
    pub fn parse(text: &str) -> Option<Month> {
        let (y, m) = text.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let month = Month {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
        };
        ((1..=12).contains(&month.month) && (MIN_YEAR..=MAX_YEAR).contains(&month.year))
            .then_some(month)
    }

    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn theme_date(self) -> NaiveDate {
        first_thursday(self.year, self.month).unwrap_or_else(|| self.first_day())
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let text = String::deserialize(d)?;
        Month::parse(&text).ok_or_else(|| serde::de::Error::custom("月份须写成 YYYY-MM"))
    }
}

/// Great-circle distance in metres (haversine).
pub fn distance_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_000.0;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// Whose dues rule applies (《关于中国共产党党费收缴、使用和管理的规定》).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuesBasis {
    /// Working members: a share of monthly income.
    Working,
    /// Retirees: a share of the monthly pension.
    Retired,
    /// Students and the unemployed: 0.2 yuan a month.
    StudentOrUnemployed,
    /// Floating members without a fixed income: 0.5 yuan a month.
    FloatingWithoutIncome,
}

/// The monthly dues standard in fen (0.01 yuan) for a monthly income in fen.
pub fn dues_standard_fen(basis: DuesBasis, monthly_income_fen: i64) -> i64 {
    let income = monthly_income_fen.max(0);
    // Per mille, so the arithmetic stays in integers.
    let per_mille = match basis {
        DuesBasis::StudentOrUnemployed => return 20,
        DuesBasis::FloatingWithoutIncome => return 50,
        DuesBasis::Working if income <= 300_000 => 5,
        DuesBasis::Working if income <= 500_000 => 10,
        DuesBasis::Working if income <= 1_000_000 => 15,
        DuesBasis::Working => 20,
        DuesBasis::Retired if income <= 500_000 => 5,
        DuesBasis::Retired => 10,
    };
    // Rounded half up to the fen.
    (income * per_mille + 500) / 1000
}

/// Formats fen as yuan: `12.50`.
pub fn yuan(fen: i64) -> String {
    format!(
        "{}{}.{:02}",
        if fen < 0 { "-" } else { "" },
        fen.abs() / 100,
        fen.abs() % 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_first_thursday_is_found_in_every_kind_of_month() {
        // January 2026 starts on a Thursday: the theme day is the 1st.
        assert_eq!(first_thursday(2026, 1), Some(d(2026, 1, 1)));
        // May 2026 starts on a Friday: the theme day is the 7th.
        assert_eq!(first_thursday(2026, 5), Some(d(2026, 5, 7)));
        // December 2026 starts on a Tuesday.
        assert_eq!(first_thursday(2026, 12), Some(d(2026, 12, 3)));
        // A leap February.
        assert_eq!(first_thursday(2028, 2), Some(d(2028, 2, 3)));
        for m in 1..=12 {
            let t = first_thursday(2027, m).unwrap();
            assert_eq!(t.weekday(), Weekday::Thu);
            assert!(t.day() <= 7);
        }
    }

    #[test]
    fn the_next_theme_day_crosses_the_year_end() {
        assert_eq!(next_theme_date(d(2026, 12, 3)), Some(d(2026, 12, 3)));
        assert_eq!(next_theme_date(d(2026, 12, 4)), Some(d(2027, 1, 7)));
        assert_eq!(next_theme_date(d(2026, 12, 31)), Some(d(2027, 1, 7)));
        assert_eq!(next_theme_date(d(2025, 12, 5)), Some(d(2026, 1, 1)));
    }

    #[test]
    fn months_parse_print_and_step_over_year_ends() {
        let m = Month::parse("2026-12").unwrap();
        assert_eq!(m.to_string(), "2026-12");
        assert_eq!(m.next().to_string(), "2027-01");
        assert_eq!(Month::parse("2027-01").unwrap().previous(), m);
        assert!(Month::parse("2026-13").is_none());
        assert!(Month::parse("2026-1").is_none());
        assert_eq!(m.theme_date(), d(2026, 12, 3));
    }

    #[test]
    fn months_outside_this_century_are_refused() {
        assert!(Month::parse("3000-01").is_none());
        assert!(Month::parse("1999-12").is_none());
        assert!(Month::parse("2000-01").is_some());
        assert!(Month::parse("2099-12").is_some());
    }

    #[test]
    fn dues_follow_the_income_tiers() {
        use DuesBasis::*;
        assert_eq!(dues_standard_fen(Working, 300_000), 1_500); // 3000 yuan at 0.5 %
        assert_eq!(dues_standard_fen(Working, 300_001), 3_000); // just above: 1 %
        assert_eq!(dues_standard_fen(Working, 500_000), 5_000);
        assert_eq!(dues_standard_fen(Working, 800_000), 12_000); // 1.5 %
        assert_eq!(dues_standard_fen(Working, 1_200_000), 24_000); // 2 %
        assert_eq!(dues_standard_fen(Retired, 400_000), 2_000); // 0.5 %
        assert_eq!(dues_standard_fen(Retired, 600_000), 6_000); // 1 %
        assert_eq!(dues_standard_fen(StudentOrUnemployed, 0), 20);
        assert_eq!(dues_standard_fen(FloatingWithoutIncome, 0), 50);
        assert_eq!(yuan(1_250), "12.50");
    }

    #[test]
    fn distances_are_in_metres() {
        // Two points about 111 m apart along a meridian.
        let m = distance_m(35.0, 115.0, 35.001, 115.0);
        assert!((m - 111.2).abs() < 1.0, "{m}");
    }
}
