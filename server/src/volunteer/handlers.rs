//! `/community-reports`, `/sector-memberships`, `/service-logs`,
//! `/review/pending`, hours reports, exports and certificates.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use zhibu_shared::auth::IdName;
use zhibu_shared::checkin::{ReviewRequest, ReviewResult};
use zhibu_shared::error::ErrorBody;
use zhibu_shared::theme_day::Month;
use zhibu_shared::volunteer::{
    Certificate, CertificateRequest, CommunityReport, CommunityReportRequest, CommunityServiceRow,
    HoursReport, InboxKind, PendingInbox, SectorJoinRequest, SectorMembership, ServiceLog,
    ServiceLogRequest,
};

use super::reports::By;
use crate::access::Caller;
use crate::auth::AuthMember;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::params::{Dates, Limit, Months};
use crate::state::AppState;
use crate::time::today;

/// Report to the community where I live (in-office members).
#[utoipa::path(tag = "service", request_body = CommunityReportRequest, responses((status = 201, body = CommunityReport), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/community-reports")]
pub async fn report_to_community(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<CommunityReportRequest>,
) -> ApiResult<HttpResponse> {
    let report = super::community::report(
        state.db.writer(),
        &Caller::of(&auth),
        body.community_id,
        state.timezone,
    )
    .await?;
    Ok(HttpResponse::Created().json(report))
}

#[utoipa::path(tag = "service", responses((status = 200, body = Vec<CommunityReport>)), security(("bearer" = [])))]
#[get("/me/community-reports")]
pub async fn my_community_reports(
    state: web::Data<AppState>,
    auth: AuthMember,
) -> ApiResult<web::Json<Vec<CommunityReport>>> {
    Ok(web::Json(
        super::community::mine(state.db.reader(), auth.member_id, state.timezone).await?,
    ))
}

/// Confirm or reject community reports (community admins).
#[utoipa::path(tag = "service", request_body = ReviewRequest<i64>, responses((status = 200, body = ReviewResult<i64>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/community-reports/review")]
pub async fn review_community_reports(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<ReviewRequest<i64>>,
) -> ApiResult<web::Json<ReviewResult<i64>>> {
    let caller = Caller::of(&auth);
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    let result = super::community::review(
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

/// The unit's in-office members: where they reported and their community service.
///
/// Read by managers (secretary, org officer, admin) over the unit; anyone else gets 404.
#[utoipa::path(tag = "service", responses((status = 200, body = Vec<CommunityServiceRow>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/community-service")]
pub async fn community_service(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<CommunityServiceRow>>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::community::branch_view(state.db.reader(), &caller, id.into_inner()).await?,
    ))
}

/// Apply to join a sector committee.
#[utoipa::path(tag = "service", request_body = SectorJoinRequest, responses((status = 201, body = SectorMembership), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/sector-memberships")]
pub async fn join_sector(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<SectorJoinRequest>,
) -> ApiResult<HttpResponse> {
    let membership =
        super::sectors::apply(state.db.writer(), &Caller::of(&auth), &body, state.timezone).await?;
    Ok(HttpResponse::Created().json(membership))
}

#[utoipa::path(tag = "service", responses((status = 200, body = Vec<SectorMembership>)), security(("bearer" = [])))]
#[get("/me/sector-memberships")]
pub async fn my_sector_memberships(
    state: web::Data<AppState>,
    auth: AuthMember,
) -> ApiResult<web::Json<Vec<SectorMembership>>> {
    Ok(web::Json(
        super::sectors::mine(state.db.reader(), auth.member_id).await?,
    ))
}

/// Approve or reject join applications (the committee's secretaries).
#[utoipa::path(tag = "service", request_body = ReviewRequest<i64>, responses((status = 200, body = ReviewResult<i64>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/sector-memberships/review")]
pub async fn review_sector_memberships(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<ReviewRequest<i64>>,
) -> ApiResult<web::Json<ReviewResult<i64>>> {
    let caller = Caller::of(&auth);
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    let result = super::sectors::review(
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

/// Log service: 201 pending, 200 when the same request is replayed.
#[utoipa::path(tag = "service", request_body = ServiceLogRequest, responses((status = 201, body = ServiceLog), (status = 200, body = ServiceLog), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/service-logs")]
pub async fn log_service(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<ServiceLogRequest>,
) -> ApiResult<HttpResponse> {
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    let outcome = super::logs::create(
        &txn,
        &Caller::of(&auth),
        &body,
        None,
        today(state.timezone),
        state.timezone,
    )
    .await?;
    txn.commit().await?;
    Ok(if outcome.created {
        HttpResponse::Created().json(outcome.log)
    } else {
        HttpResponse::Ok().json(outcome.log)
    })
}

/// Ask to correct an approved (locked) log: a new request the reviewer decides.
#[utoipa::path(tag = "service", request_body = ServiceLogRequest, responses((status = 201, body = ServiceLog), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/service-logs/{id}/correction")]
pub async fn correct_log(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<String>,
    body: Json<ServiceLogRequest>,
) -> ApiResult<HttpResponse> {
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    let outcome = super::logs::create(
        &txn,
        &Caller::of(&auth),
        &body,
        Some(id.as_str()),
        today(state.timezone),
        state.timezone,
    )
    .await?;
    txn.commit().await?;
    Ok(if outcome.created {
        HttpResponse::Created().json(outcome.log)
    } else {
        HttpResponse::Ok().json(outcome.log)
    })
}

#[utoipa::path(tag = "service", params(Dates), responses((status = 200, body = Vec<ServiceLog>)), security(("bearer" = [])))]
#[get("/me/service-logs")]
pub async fn my_service_logs(
    state: web::Data<AppState>,
    auth: AuthMember,
    q: Query<Dates>,
) -> ApiResult<web::Json<Vec<ServiceLog>>> {
    // The last 90 days by default.
    let (from, to) = q.resolve(today(state.timezone), 90)?;
    Ok(web::Json(
        super::logs::mine(state.db.reader(), auth.member_id, from, to, state.timezone).await?,
    ))
}

/// Approve or reject logs in bulk; approved logs are locked and credited.
#[utoipa::path(tag = "service", request_body = ReviewRequest<String>, responses((status = 200, body = ReviewResult<String>), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/service-logs/review")]
pub async fn review_service_logs(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<ReviewRequest<String>>,
) -> ApiResult<web::Json<ReviewResult<String>>> {
    let caller = Caller::of(&auth);
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    let result = super::logs::review(
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

#[derive(Debug, Deserialize, IntoParams)]
pub struct PendingQuery {
    /// One kind only; needed with `cursor`.
    pub kind: Option<InboxKind>,
    /// 1 to 200 of each kind; 50 by default.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<Limit>,
    /// That kind's `next_cursor` from the page before.
    pub cursor: Option<String>,
}

/// What the caller may decide, oldest first: a page of each kind, with the
/// cursor of each kind's next page.
#[utoipa::path(tag = "service", params(PendingQuery), responses((status = 200, body = PendingInbox)), security(("bearer" = [])))]
#[get("/review/pending")]
pub async fn pending(
    state: web::Data<AppState>,
    auth: AuthMember,
    q: Query<PendingQuery>,
) -> ApiResult<web::Json<PendingInbox>> {
    let caller = Caller::of(&auth);
    let query = super::inbox::InboxQuery {
        kind: q.kind,
        limit: Limit::rows(q.limit) as usize,
        cursor: q.cursor.clone(),
    };
    Ok(web::Json(
        super::inbox::pending(state.db.reader(), &caller, &query, state.timezone).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct HoursQuery {
    /// `YYYY-MM`; January of this year by default.
    #[param(value_type = Option<String>, pattern = r"^\d{4}-\d{2}$", example = "2026-01")]
    pub from: Option<Month>,
    /// `YYYY-MM`; this month by default.
    #[param(value_type = Option<String>, pattern = r"^\d{4}-\d{2}$", example = "2026-12")]
    pub to: Option<Month>,
    /// `child` (default), `month` or `kind`.
    pub by: Option<String>,
    /// `csv` or `xlsx` exports the same rows (`Accept: text/csv` works too).
    pub format: Option<String>,
}

impl HoursQuery {
    /// January of this year to this month by default.
    fn range(&self, state: &AppState) -> ApiResult<(Month, Month)> {
        let now = Month::of(today(state.timezone));
        let january = Month {
            year: now.year,
            month: 1,
        };
        Months {
            from: self.from,
            to: self.to,
        }
        .resolve(january, |from| now.max(from))
    }
}

fn hours_response(
    req: &HttpRequest,
    format: Option<&str>,
    report: HoursReport,
) -> ApiResult<HttpResponse> {
    let wants_csv = format == Some("csv")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/csv"));
    match format {
        Some("xlsx") => Ok(HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"hours.xlsx\"",
            ))
            .body(super::exports::to_xlsx(&report)?)),
        _ if wants_csv => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"hours.csv\"",
            ))
            .body(super::exports::to_csv(&report)?)),
        None | Some("json") => Ok(HttpResponse::Ok().json(report)),
        Some(_) => Err(ApiError::invalid("format", "format 须为 csv 或 xlsx")),
    }
}

/// Approved hours of a unit by child unit, month or kind (CSV and XLSX too).
///
/// Read by role holders over the unit; anyone else gets 404.
#[utoipa::path(tag = "service", params(HoursQuery), responses((status = 200, body = HoursReport), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/hours")]
pub async fn org_hours(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    q: Query<HoursQuery>,
) -> ApiResult<HttpResponse> {
    let (from, to) = q.range(&state)?;
    let by = By::parse(q.by.as_deref())?;
    let caller = Caller::of(&auth);
    let report =
        super::reports::org_hours(state.db.reader(), &caller, id.into_inner(), from, to, by)
            .await?;
    hours_response(&req, q.format.as_deref(), report)
}

/// Approved hours served in a community, by month or kind.
///
/// Read by its community admins and role holders over its township or street; anyone else gets 404.
#[utoipa::path(tag = "service", params(HoursQuery), responses((status = 200, body = HoursReport), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/communities/{id}/hours")]
pub async fn community_hours(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    q: Query<HoursQuery>,
) -> ApiResult<HttpResponse> {
    let (from, to) = q.range(&state)?;
    let by = By::parse(q.by.as_deref())?;
    let caller = Caller::of(&auth);
    let report =
        super::reports::community_hours(state.db.reader(), &caller, id.into_inner(), from, to, by)
            .await?;
    hours_response(&req, q.format.as_deref(), report)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QuarterQuery {
    /// `2026-Q4`.
    pub quarter: String,
}

/// Members with no approved service in the quarter, to follow up in person.
///
/// Read by managers (secretary, org officer, admin) over the unit; anyone else gets 404.
#[utoipa::path(tag = "service", params(QuarterQuery), responses((status = 200, body = Vec<IdName>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/follow-up")]
pub async fn follow_up(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    q: Query<QuarterQuery>,
) -> ApiResult<web::Json<Vec<IdName>>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::follow_up::follow_up(state.db.reader(), &caller, id.into_inner(), &q.quarter)
            .await?,
    ))
}

/// Issue a numbered certificate of my approved service hours.
#[utoipa::path(tag = "service", request_body = CertificateRequest, responses((status = 201, body = Certificate), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/me/certificates")]
pub async fn issue_certificate(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<CertificateRequest>,
) -> ApiResult<HttpResponse> {
    let issued = super::certificates::issue_certificate(
        state.db.writer(),
        &Caller::of(&auth),
        body.from,
        body.to,
        &state.public_url,
        state.timezone,
    )
    .await?;
    Ok(HttpResponse::Created().json(issued))
}

/// A certificate's figures, for whoever holds its number (no login).
#[utoipa::path(tag = "service", responses((status = 200, body = Certificate), (status = 404, body = ErrorBody)))]
#[get("/certificates/{number}")]
pub async fn verify_certificate(
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> ApiResult<web::Json<Certificate>> {
    Ok(web::Json(
        super::certificates::certificate(state.db.reader(), &number).await?,
    ))
}
