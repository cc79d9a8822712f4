//! `/theme-days/*`, `/checkins/review`, `/makeups/review`, and the theme-day
//! views under `/me` and `/orgs/{id}`.

use actix_web::{HttpResponse, get, patch, post, web};
use zhibu_shared::checkin::{
    AlreadyCheckedIn, Attendance, AttendanceReport, Checkin, CheckinCode, CheckinRequest,
    DuesPayment, DuesPaymentRequest, Makeup, MakeupRequest, MyAttendance, ReviewRequest,
    ReviewResult, RollCall, StudyDone, ThemeDay, ThemeDayPatch,
};
use zhibu_shared::error::ErrorBody;
use zhibu_shared::theme_day::Month;

use crate::access::Caller;
use crate::auth::{AuthMember, AuthToken};
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use crate::params::{MonthParam, Months};
use crate::state::AppState;
use crate::time::today;

/// This month in the county.
fn this_month(state: &AppState) -> Month {
    Month::of(today(state.timezone))
}

/// Theme days of my branch and my sector committees.
#[utoipa::path(tag = "theme-days", params(Months), responses((status = 200, body = Vec<ThemeDay>)), security(("bearer" = [])))]
#[get("/me/theme-days")]
pub async fn my_theme_days(
    state: web::Data<AppState>,
    auth: AuthMember,
    q: Query<Months>,
) -> ApiResult<web::Json<Vec<ThemeDay>>> {
    // From this month to two months later by default.
    let (from, to) = q.resolve(this_month(&state), |from| from.next().next())?;
    Ok(web::Json(
        super::my_theme_days(state.db.reader(), auth.member_id, from, to, state.timezone).await?,
    ))
}

/// My theme days with my check-in, study, dues and make-up.
#[utoipa::path(tag = "theme-days", params(Months), responses((status = 200, body = Vec<MyAttendance>)), security(("bearer" = [])))]
#[get("/me/attendance")]
pub async fn my_attendance(
    state: web::Data<AppState>,
    auth: AuthMember,
    q: Query<Months>,
) -> ApiResult<web::Json<Vec<MyAttendance>>> {
    // The last 12 months by default.
    let now = this_month(&state);
    let mut year_ago = now;
    for _ in 0..11 {
        year_ago = year_ago.previous();
    }
    let (from, to) = q.resolve(year_ago, |from| now.max(from))?;
    Ok(web::Json(
        super::my_attendance(state.db.reader(), auth.member_id, from, to, state.timezone).await?,
    ))
}

/// The month's theme days of the unit's subtree (scheduled on the first Thursday).
#[utoipa::path(tag = "theme-days", params(MonthParam), responses((status = 200, body = Vec<ThemeDay>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/theme-days")]
pub async fn org_theme_days(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    q: Query<MonthParam>,
) -> ApiResult<web::Json<Vec<ThemeDay>>> {
    let month = q.month.unwrap_or_else(|| this_month(&state));
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::org_theme_days(
            state.db.reader(),
            &caller,
            id.into_inner(),
            month,
            state.timezone,
        )
        .await?,
    ))
}

/// Attendance of the month for the unit and each child unit.
///
/// Read by managers (secretary, org officer, admin) over the unit; anyone else gets 404.
#[utoipa::path(tag = "theme-days", params(MonthParam), responses((status = 200, body = AttendanceReport), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/attendance")]
pub async fn org_attendance(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    q: Query<MonthParam>,
) -> ApiResult<web::Json<AttendanceReport>> {
    let month = q.month.unwrap_or_else(|| this_month(&state));
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::org_attendance(state.db.reader(), &caller, id.into_inner(), month).await?,
    ))
}

#[utoipa::path(tag = "theme-days", responses((status = 200, body = ThemeDay), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/theme-days/{id}")]
pub async fn get_theme_day(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ThemeDay>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::get_theme_day(state.db.reader(), &caller, id.into_inner(), state.timezone).await?,
    ))
}

/// Move the day or fill in title, study item, location, times, activities, geofence.
#[utoipa::path(tag = "theme-days", request_body = ThemeDayPatch, responses((status = 200, body = ThemeDay), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[patch("/theme-days/{id}")]
pub async fn patch_theme_day(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<ThemeDayPatch>,
) -> ApiResult<web::Json<ThemeDay>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::patch_theme_day(
            state.db.writer(),
            &caller,
            id.into_inner(),
            body.into_inner(),
            state.timezone,
        )
        .await?,
    ))
}

/// The rotating check-in code (QR url and 6 digits), valid 30 s plus the previous step.
#[utoipa::path(tag = "theme-days", responses((status = 200, body = CheckinCode), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/theme-days/{id}/code")]
pub async fn code(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    let code = super::current_code(
        state.db.reader(),
        &caller,
        id.into_inner(),
        &state.codes,
        &state.public_url,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(code))
}

/// Check in: 201 with the new check-in, 200 when the same request is replayed.
#[utoipa::path(
    tag = "theme-days",
    request_body = CheckinRequest,
    responses(
        (status = 201, body = Checkin), (status = 200, body = Checkin, description = "A replay"),
        (status = 409, body = AlreadyCheckedIn, description = "`already_checked_in` with the first check-in, or `idempotency_conflict` (an ErrorBody) when the id was used for another check-in"),
        (status = 422, body = ErrorBody, description = "A wrong or stale code, or `not_open` when the day is not open for check-in"),
        (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many wrong codes for this day lately; see Retry-After"),
    ),
    security(("bearer" = []))
)]
#[post("/theme-days/{id}/checkins")]
pub async fn check_in(
    state: web::Data<AppState>,
    token: AuthToken,
    id: web::Path<i64>,
    body: Json<CheckinRequest>,
) -> ApiResult<HttpResponse> {
    let outcome = super::check_in(
        state.db.reader(),
        &state.checkin_writes,
        token,
        id.into_inner(),
        &body,
        &state.codes,
        state.timezone,
    )
    .await?;
    Ok(if outcome.created {
        HttpResponse::Created().json(outcome.checkin)
    } else {
        HttpResponse::Ok().json(outcome.checkin)
    })
}

/// Record members present on their behalf (approved).
#[utoipa::path(tag = "theme-days", request_body = RollCall, responses((status = 200, body = Vec<Checkin>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/theme-days/{id}/roll-call")]
pub async fn roll_call(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<RollCall>,
) -> ApiResult<web::Json<Vec<Checkin>>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::roll_call(
            state.db.writer(),
            &caller,
            id.into_inner(),
            &body.member_ids,
            state.timezone,
        )
        .await?,
    ))
}

#[utoipa::path(tag = "theme-days", responses((status = 200, body = Vec<Checkin>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/theme-days/{id}/checkins")]
pub async fn list_checkins(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Checkin>>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::list_checkins(state.db.reader(), &caller, id.into_inner(), state.timezone).await?,
    ))
}

#[utoipa::path(tag = "theme-days", responses((status = 200, body = Attendance), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/theme-days/{id}/attendance")]
pub async fn attendance(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Attendance>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::attendance(state.db.reader(), &caller, id.into_inner()).await?,
    ))
}

/// Approve or reject check-ins in bulk (a reason is required to reject).
#[utoipa::path(tag = "theme-days", request_body = ReviewRequest<String>, responses((status = 200, body = ReviewResult<String>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/checkins/review")]
pub async fn review_checkins(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<ReviewRequest<String>>,
) -> ApiResult<web::Json<ReviewResult<String>>> {
    let caller = Caller::of(&auth);
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    let result = super::review_checkins(
        &txn,
        &caller,
        &body.ids,
        body.decision,
        body.reason.as_deref(),
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(result))
}

/// Record dues paid on site (recorded, not processed).
#[utoipa::path(tag = "theme-days", request_body = DuesPaymentRequest, responses((status = 201, body = DuesPayment), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/theme-days/{id}/dues")]
pub async fn record_dues(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<DuesPaymentRequest>,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    let payment = super::record_dues(
        state.db.writer(),
        &caller,
        id.into_inner(),
        &body,
        state.timezone,
    )
    .await?;
    Ok(HttpResponse::Created().json(payment))
}

#[utoipa::path(tag = "theme-days", responses((status = 200, body = Vec<DuesPayment>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/theme-days/{id}/dues")]
pub async fn list_dues(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<DuesPayment>>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::list_dues(state.db.reader(), &caller, id.into_inner(), state.timezone).await?,
    ))
}

/// Mark the study item done (secretaries for anyone expected; members for themselves).
#[utoipa::path(tag = "theme-days", request_body = StudyDone, responses((status = 200, body = ReviewResult<i64>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/theme-days/{id}/study")]
pub async fn mark_study(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<StudyDone>,
) -> ApiResult<web::Json<ReviewResult<i64>>> {
    let caller = Caller::of(&auth);
    let updated = super::mark_study(
        state.db.writer(),
        &caller,
        id.into_inner(),
        &body.member_ids,
    )
    .await?;
    Ok(web::Json(ReviewResult {
        updated,
        skipped: Vec::new(),
    }))
}

/// Ask for a make-up (补课) after missing the day.
#[utoipa::path(tag = "theme-days", request_body = MakeupRequest, responses((status = 201, body = Makeup), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/theme-days/{id}/makeups")]
pub async fn request_makeup(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<MakeupRequest>,
) -> ApiResult<HttpResponse> {
    let makeup = super::request_makeup(
        state.db.writer(),
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(state.timezone),
    )
    .await?;
    Ok(HttpResponse::Created().json(makeup))
}

#[utoipa::path(tag = "theme-days", responses((status = 200, body = Vec<Makeup>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/theme-days/{id}/makeups")]
pub async fn list_makeups(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Makeup>>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::list_makeups(state.db.reader(), &caller, id.into_inner()).await?,
    ))
}

/// Approve or reject make-ups; an approved one counts as attendance.
#[utoipa::path(tag = "theme-days", request_body = ReviewRequest<i64>, responses((status = 200, body = ReviewResult<i64>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/makeups/review")]
pub async fn review_makeups(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<ReviewRequest<i64>>,
) -> ApiResult<web::Json<ReviewResult<i64>>> {
    let caller = Caller::of(&auth);
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    let result = super::review_makeups(
        &txn,
        &caller,
        &body.ids,
        body.decision,
        body.reason.as_deref(),
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(result))
}
