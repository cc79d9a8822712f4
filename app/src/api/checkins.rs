//! Theme party days: check-ins, the live screen, dues and make-ups.

use std::future::Future;

use zhibu_shared::checkin::{
    Attendance, AttendanceReport, Checkin, CheckinCode, CheckinRequest, DuesPayment,
    DuesPaymentRequest, Makeup, MakeupRequest, MyAttendance, ReviewRequest, ReviewResult, RollCall,
    StudyDone, ThemeDay, ThemeDayPatch,
};
use zhibu_shared::theme_day::Month;

use super::{ApiError, Kept, Replay, enc, get, get_owned, patch, post};

/// `GET /me/theme-days`: my theme days around this month.
pub fn my_theme_days() -> Kept<Vec<ThemeDay>> {
    Kept::new("/me/theme-days".into())
}

/// `GET /me/attendance?from=&to=`: one row per theme day of mine.
pub fn my_attendance(from: Month, to: Month) -> Kept<Vec<MyAttendance>> {
    Kept::new(format!("/me/attendance?from={from}&to={to}"))
}

/// `GET /orgs/{id}/theme-days?month=`: a unit's theme days in a month
/// (`YYYY-MM`, as the month field gives it).
pub fn org_theme_days(
    org_id: i64,
    month: &str,
) -> impl Future<Output = Result<Vec<ThemeDay>, ApiError>> + use<> {
    get_owned(format!("/orgs/{org_id}/theme-days?month={}", enc(month)))
}

/// `GET /theme-days/{id}`.
pub async fn theme_day(id: i64) -> Result<ThemeDay, ApiError> {
    get(&format!("/theme-days/{id}")).await
}

/// `PATCH /theme-days/{id}`: title, study item, place, times, activities.
pub async fn update_theme_day(id: i64, request: &ThemeDayPatch) -> Result<ThemeDay, ApiError> {
    patch(&format!("/theme-days/{id}"), request).await
}

/// `GET /theme-days/{id}/code`: the rotating QR code and 6-digit code.
pub async fn checkin_code(id: i64) -> Result<CheckinCode, ApiError> {
    get(&format!("/theme-days/{id}/code")).await
}

/// `POST /theme-days/{id}/checkins`: checking in, through the offline queue.
/// A 409 `already_checked_in` carries the first check-in
/// ([`zhibu_shared::checkin::AlreadyCheckedIn`]).
pub fn check_in(day_id: i64, request: &CheckinRequest) -> Result<Replay<Checkin>, ApiError> {
    Replay::new(
        &request.id,
        format!("/theme-days/{day_id}/checkins"),
        request,
    )
}

/// `GET /theme-days/{id}/checkins`: the day's check-ins so far.
pub async fn theme_day_checkins(id: i64) -> Result<Vec<Checkin>, ApiError> {
    get(&format!("/theme-days/{id}/checkins")).await
}

/// `GET /orgs/{id}/attendance?month=`: the unit's and each child's theme-day
/// attendance in a month (`YYYY-MM`).
pub fn org_attendance(
    id: i64,
    month: &str,
) -> impl Future<Output = Result<AttendanceReport, ApiError>> + use<> {
    get_owned(format!("/orgs/{id}/attendance?month={}", enc(month)))
}

/// `GET /theme-days/{id}/attendance`: the live count and who is absent.
pub async fn theme_day_attendance(id: i64) -> Result<Attendance, ApiError> {
    get(&format!("/theme-days/{id}/attendance")).await
}

/// `POST /theme-days/{id}/roll-call`: absentees the secretary saw there.
pub async fn roll_call(id: i64, request: &RollCall) -> Result<Vec<Checkin>, ApiError> {
    post(&format!("/theme-days/{id}/roll-call"), request).await
}

/// `POST /checkins/review`: approves or rejects check-ins.
pub async fn review_checkins(
    request: &ReviewRequest<String>,
) -> Result<ReviewResult<String>, ApiError> {
    post("/checkins/review", request).await
}

/// `POST /theme-days/{id}/study`: the day's study item done by these members.
pub async fn mark_study(id: i64, request: &StudyDone) -> Result<ReviewResult<i64>, ApiError> {
    post(&format!("/theme-days/{id}/study"), request).await
}

/// `GET /theme-days/{id}/dues`: dues recorded for the day's month.
pub async fn theme_day_dues(id: i64) -> Result<Vec<DuesPayment>, ApiError> {
    get(&format!("/theme-days/{id}/dues")).await
}

/// `POST /theme-days/{id}/dues`: dues paid on site.
pub async fn record_dues(id: i64, request: &DuesPaymentRequest) -> Result<DuesPayment, ApiError> {
    post(&format!("/theme-days/{id}/dues"), request).await
}

/// `POST /theme-days/{id}/makeups`: a make-up (补学) for a missed day.
pub async fn request_makeup(day_id: i64, request: &MakeupRequest) -> Result<Makeup, ApiError> {
    post(&format!("/theme-days/{day_id}/makeups"), request).await
}

/// `GET /theme-days/{id}/makeups`: the day's make-up requests.
pub async fn theme_day_makeups(id: i64) -> Result<Vec<Makeup>, ApiError> {
    get(&format!("/theme-days/{id}/makeups")).await
}

/// `POST /makeups/review`: approves or rejects make-ups.
pub async fn review_makeups(request: &ReviewRequest<i64>) -> Result<ReviewResult<i64>, ApiError> {
    post("/makeups/review", request).await
}
