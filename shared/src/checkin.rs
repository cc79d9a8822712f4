//! Theme days and check-ins on the wire (docs/api.md, "Theme days and check-in").

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

pub use crate::review::{Decision, ReviewRequest, ReviewResult, SkipReason, Skipped};

use crate::auth::IdName;
use crate::theme_day::{DuesBasis, Month};
use crate::vocabulary::vocabulary;

/// A circle members must be inside to check in without review.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Geofence {
    pub lat: f64,
    pub lng: f64,
    pub radius_m: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ThemeDayStatus {
    /// Before the check-in window.
    Upcoming,
    /// Check-in is open.
    Open,
    /// After the window: make-ups from now on.
    Closed,
}

/// `ThemeDay` of docs/api.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThemeDay {
    pub id: i64,
    pub org: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub starts_at: DateTime<FixedOffset>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub ends_at: DateTime<FixedOffset>,
    pub title: String,
    /// The second "1": the speech or document studied.
    pub study_item: String,
    pub location: String,
    /// The "N": volunteer service, 结对共建, 网格报到, …
    pub activities: Vec<String>,
    pub status: ThemeDayStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geofence: Option<Geofence>,
}

/// `PATCH /theme-days/{id}`: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThemeDayPatch {
    /// Moves the day (holidays); must stay in the same month.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub date: Option<NaiveDate>,
    pub title: Option<String>,
    pub study_item: Option<String>,
    pub location: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub starts_at: Option<DateTime<FixedOffset>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub ends_at: Option<DateTime<FixedOffset>>,
    pub activities: Option<Vec<String>>,
    /// `null` removes the geofence; absent leaves it.
    #[serde(default, with = "double_option")]
    pub geofence: Option<Option<Geofence>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// `GET /theme-days/{id}/code`: rotates every 30 seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckinCode {
    pub token: String,
    pub short_code: String,
    /// Opens the PWA and checks in.
    pub url: String,
    /// The same in the WeChat mini-program.
    pub mini_program: crate::links::MiniProgramLink,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: DateTime<FixedOffset>,
    /// The url as a QR code, an SVG document.
    pub qr_svg: String,
}

/// `POST /theme-days/{id}/checkins`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckinRequest {
    /// Made by the phone; the idempotency key.
    pub id: String,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub short_code: Option<String>,
    /// When the member checked in, for check-ins sent later (offline).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub client_time: Option<DateTime<FixedOffset>>,
    /// Used once for the geofence test and never stored.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lng: Option<f64>,
}

vocabulary! {
    /// How a check-in came about.
    CheckinMethod {
        Code = "code", "签到码";
        RollCall = "roll_call", "点名";
        Makeup = "makeup", "补课";
        Offline = "offline", "离线签到";
    }
}

vocabulary! {
    /// Where a check-in or make-up stands.
    ReviewStatus {
        Approved = "approved", "已通过";
        Pending = "pending", "待审核";
        Rejected = "rejected", "已驳回";
    }
}

/// `Checkin` of docs/api.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkin {
    pub id: String,
    pub theme_day_id: i64,
    pub member: IdName,
    pub method: CheckinMethod,
    pub status: ReviewStatus,
    /// When the server received it.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<FixedOffset>,
    /// For an offline or late check-in: when the phone says the code was
    /// scanned (the secretary weighs it against `at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub claimed_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Which theme day, for lists that mix days (the review inbox); absent
    /// in the answer to a check-in, whose caller knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme_day: Option<ThemeDayRef>,
}

/// A theme day as a list names it: its date, title and unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThemeDayRef {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    pub title: String,
    pub org: IdName,
}

/// `POST /theme-days/{id}/roll-call`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RollCall {
    pub member_ids: Vec<i64>,
}

/// `GET /theme-days/{id}/attendance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendance {
    pub expected: u64,
    pub present: u64,
    pub pending: u64,
    pub absent: Vec<IdName>,
    /// Members who typed wrong check-in codes for this day, with how many
    /// (guessing is throttled; the secretary sees who tried).
    #[serde(default)]
    pub wrong_codes: Vec<WrongCodes>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WrongCodes {
    pub member: IdName,
    pub count: u64,
}

vocabulary! {
    /// How dues were paid on site.
    PaymentMethod {
        Cash = "cash", "现金";
        Transfer = "transfer", "转账";
    }
}

/// `POST /theme-days/{id}/dues`: dues paid on site (recorded, not processed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuesPaymentRequest {
    pub member_id: i64,
    /// In fen (0.01 yuan).
    pub amount_fen: i64,
    pub method: PaymentMethod,
    /// With `monthly_income_fen`, computes the standard to compare against.
    #[serde(default)]
    pub basis: Option<DuesBasis>,
    #[serde(default)]
    pub monthly_income_fen: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuesPayment {
    pub id: i64,
    pub member: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12"))]
    pub month: Month,
    pub amount_fen: i64,
    pub method: PaymentMethod,
    pub standard_fen: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<FixedOffset>,
}

/// `POST /theme-days/{id}/study`: who did the study item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StudyDone {
    pub member_ids: Vec<i64>,
}

/// `POST /theme-days/{id}/makeups`: an absentee asks to make up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MakeupRequest {
    /// What was studied.
    pub studied: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub studied_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Makeup {
    pub id: i64,
    pub theme_day_id: i64,
    pub member: IdName,
    pub studied: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub studied_on: NaiveDate,
    pub status: ReviewStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One row of attendance rolled up the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceRow {
    pub org: IdName,
    pub theme_days: u64,
    pub expected: u64,
    pub present: u64,
    pub pending: u64,
}

/// `GET /orgs/{id}/attendance?month=`: the unit and each child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12"))]
    pub month: Month,
    pub total: AttendanceRow,
    pub rows: Vec<AttendanceRow>,
}

/// `GET /me/attendance`: one line per theme day of mine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyAttendance {
    pub theme_day: ThemeDay,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkin: Option<Checkin>,
    pub study_done: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dues: Option<DuesPayment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub makeup: Option<Makeup>,
}

/// The 409 `already_checked_in` body: the error with the member's first
/// check-in to this theme day, so the client can show its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlreadyCheckedIn {
    /// Always `already_checked_in`.
    pub code: String,
    pub message: String,
    /// The first check-in; absent for `idempotency_conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkin: Option<Checkin>,
}
