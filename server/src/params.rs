//! Query parameters that follow one rule everywhere: monthly reports take
//! months (`YYYY-MM`), lists of days take dates (`YYYY-MM-DD`), and a page
//! holds 1 to 200 rows. A value in another form answers 422 naming the
//! parameter (`extract::Query`), never a silent default.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use utoipa::IntoParams;
use zhibu_shared::theme_day::Month;

use crate::error::{ApiError, ApiResult};

/// `?from=YYYY-MM&to=YYYY-MM`, both inclusive.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Months {
    /// First month, `YYYY-MM`.
    #[param(value_type = Option<String>, pattern = r"^\d{4}-\d{2}$", example = "2026-01")]
    pub from: Option<Month>,
    /// Last month, `YYYY-MM`; not before `from`.
    #[param(value_type = Option<String>, pattern = r"^\d{4}-\d{2}$", example = "2026-12")]
    pub to: Option<Month>,
}

impl Months {
    /// The months asked for: `from` or `default_from`, then `to` or
    /// `default_to(from)`.
    pub fn resolve(
        &self,
        default_from: Month,
        default_to: impl FnOnce(Month) -> Month,
    ) -> ApiResult<(Month, Month)> {
        let from = self.from.unwrap_or(default_from);
        let to = self.to.unwrap_or_else(|| default_to(from));
        if to < from {
            return Err(ApiError::invalid("to", "结束月份不能早于开始月份"));
        }
        Ok((from, to))
    }
}

/// `?month=YYYY-MM`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthParam {
    /// `YYYY-MM`; this month by default.
    #[param(value_type = Option<String>, pattern = r"^\d{4}-\d{2}$", example = "2026-12")]
    pub month: Option<Month>,
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both inclusive.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Dates {
    /// First day, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "crate::params::date")]
    #[param(value_type = Option<String>, format = Date, example = "2026-11-01")]
    pub from: Option<NaiveDate>,
    /// Last day, `YYYY-MM-DD`; today by default, not before `from`.
    #[serde(default, deserialize_with = "crate::params::date")]
    #[param(value_type = Option<String>, format = Date, example = "2026-11-30")]
    pub to: Option<NaiveDate>,
}

impl Dates {
    /// The days asked for: `to` or `today`, `from` or `days_back` before it.
    pub fn resolve(&self, today: NaiveDate, days_back: i64) -> ApiResult<(NaiveDate, NaiveDate)> {
        let to = self.to.unwrap_or(today);
        let from = self.from.unwrap_or(to - chrono::Duration::days(days_back));
        if to < from {
            return Err(ApiError::invalid("to", "结束日期不能早于开始日期"));
        }
        Ok((from, to))
    }
}

/// A date written `YYYY-MM-DD`, with the reason in Chinese otherwise
/// (`#[serde(default, deserialize_with = "crate::params::date")]`).
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let text = String::deserialize(d)?;
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom("日期须写成 YYYY-MM-DD"))
}

/// The most rows a page holds, and the rows when `limit` is left out.
pub const MAX_PAGE: u64 = 200;
pub const DEFAULT_PAGE: u64 = 50;

/// `limit`: 1 to `MAX_PAGE` rows a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(u64);

impl Limit {
    /// The rows to answer: the limit asked for, or `DEFAULT_PAGE`.
    pub fn rows(limit: Option<Limit>) -> u64 {
        limit.map_or(DEFAULT_PAGE, |l| l.0)
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Limit, D::Error> {
        let n = u64::deserialize(d)?;
        if (1..=MAX_PAGE).contains(&n) {
            Ok(Limit(n))
        } else {
            Err(serde::de::Error::custom("每页条数须在 1 到 200 之间"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::parse_query;

    #[derive(Debug, Deserialize)]
    struct Page {
        limit: Option<Limit>,
    }

    fn reason(error: ApiError) -> String {
        match error {
            ApiError::Validation { fields, .. } => fields.into_values().next().unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_limit_outside_one_to_two_hundred_is_refused() {
        for q in ["limit=0", "limit=201", "limit=9223372036854775808"] {
            assert_eq!(
                reason(parse_query::<Page>(q).unwrap_err()),
                "每页条数须在 1 到 200 之间",
                "{q}"
            );
        }
        let page: Page = parse_query("limit=200").unwrap();
        assert_eq!(Limit::rows(page.limit), 200);
        let page: Page = parse_query("").unwrap();
        assert_eq!(Limit::rows(page.limit), DEFAULT_PAGE);
    }

    #[test]
    fn months_take_months_and_dates_take_dates() {
        assert_eq!(
            reason(parse_query::<Months>("from=2026-11-05").unwrap_err()),
            "月份须写成 YYYY-MM"
        );
        assert_eq!(
            reason(parse_query::<Dates>("from=2026-11").unwrap_err()),
            "日期须写成 YYYY-MM-DD"
        );
        let months: Months = parse_query("from=2026-03").unwrap();
        let now = Month::parse("2026-11").unwrap();
        assert_eq!(
            months.resolve(now, |_| now).unwrap(),
            (Month::parse("2026-03").unwrap(), now)
        );
        let backwards: Months = parse_query("from=2026-03&to=2026-02").unwrap();
        assert!(backwards.resolve(now, |_| now).is_err());
        let dates: Dates = parse_query("to=2026-11-30").unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            dates.resolve(today, 29).unwrap(),
            (
                NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
            )
        );
    }
}
