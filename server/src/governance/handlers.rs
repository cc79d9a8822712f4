//! Governance routes: meetings, attachments, inspections, problems, talks,
//! decisions, venues and the overview. HTTP only: extract, call, map.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, get, post, put, web};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use utoipa::IntoParams;
use zhibu_shared::api::Page;
use zhibu_shared::error::ErrorBody;
use zhibu_shared::governance::{
    Attachment, DecisionStep, FindingRequest, GovernanceOverview, Inspection, InspectionItem,
    InspectionItemDetail, InspectionRequest, InspectionSummary, MAX_ATTACHMENT_BYTES, Meeting,
    MeetingLedger, MeetingRequest, Problem, ProblemReviewRequest, ProblemStatus, Quarter,
    RectificationRequest, RotationRequest, SelfCheckRequest, StepRequest, Talk, TalkRequest, Venue,
    VenueRequest, VillageDecision, VillageDecisionRequest,
};
use zhibu_shared::theme_day::Month;

use super::{attachments, decisions, inspections, meetings, overview, problems, talks, venues};
use crate::access::Caller;
use crate::auth::AuthMember;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::params::{Limit, Months};
use crate::state::AppState;
use crate::time::today;

/// January of this year to this month by default.
fn this_year(q: &Months, state: &AppState) -> ApiResult<(Month, Month)> {
    let now = Month::of(today(state.timezone));
    let january = Month {
        year: now.year,
        month: 1,
    };
    q.resolve(january, |from| now.max(from))
}

/// A branch's 三会一课 records and what it owes in the months.
#[utoipa::path(tag = "governance", params(Months), responses((status = 200, body = MeetingLedger), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/meetings")]
pub async fn ledger(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    q: Query<Months>,
) -> ApiResult<web::Json<MeetingLedger>> {
    let (from, to) = this_year(&q, &state)?;
    let tz = state.timezone;
    Ok(web::Json(
        meetings::ledger(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            from,
            to,
            today(tz),
            tz,
        )
        .await?,
    ))
}

/// Record a meeting (201), or find it recorded with the same id (200).
#[utoipa::path(tag = "governance", request_body = MeetingRequest, responses((status = 201, body = Meeting), (status = 200, body = Meeting), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/orgs/{id}/meetings")]
pub async fn record_meeting(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<MeetingRequest>,
) -> ApiResult<HttpResponse> {
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let outcome = meetings::record(
        &txn,
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(tz),
        tz,
    )
    .await?;
    txn.commit().await?;
    Ok(match outcome {
        meetings::Recorded::Created(m) => HttpResponse::Created().json(m),
        meetings::Recorded::Replayed(m) => HttpResponse::Ok().json(m),
    })
}

#[utoipa::path(tag = "governance", responses((status = 200, body = Meeting), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/meetings/{id}")]
pub async fn get_meeting(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<String>,
) -> ApiResult<web::Json<Meeting>> {
    let tz = state.timezone;
    Ok(web::Json(
        meetings::get(state.db.reader(), &Caller::of(&auth), &id, today(tz), tz).await?,
    ))
}

/// Attach a photo or PDF (≤ 10 MB; JPEG, PNG or PDF by content) to a meeting.
#[utoipa::path(tag = "governance", request_body(content_type = "multipart/form-data", description = "One file field"), responses((status = 201, body = Attachment), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/meetings/{id}/attachments")]
pub async fn attach_to_meeting(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<String>,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    let meeting = meetings::one(state.db.reader(), &id, state.timezone).await?;
    super::kept_unit(state.db.reader(), &caller, meeting.org.id).await?;
    let (name, bytes) = read_file(payload).await?;
    let stored = attachments::store(
        state.db.writer(),
        &state.files,
        &caller,
        meeting.org.id,
        Some((attachments::Owner::MEETING, &meeting.id)),
        name.as_deref(),
        bytes,
    )
    .await?;
    Ok(HttpResponse::Created().json(stored))
}

/// Upload evidence or a venue photo for a unit, to name later in a
/// rectification, a decision step or the venue checklist.
#[utoipa::path(tag = "governance", request_body(content_type = "multipart/form-data", description = "One file field"), responses((status = 201, body = Attachment), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/orgs/{id}/attachments")]
pub async fn upload(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    let org_id = id.into_inner();
    caller
        .require(state.db.reader(), super::RECORD_KEEPERS, org_id)
        .await?;
    super::live_unit(state.db.reader(), org_id).await?;
    let (name, bytes) = read_file(payload).await?;
    let stored = attachments::store(
        state.db.writer(),
        &state.files,
        &caller,
        org_id,
        None,
        name.as_deref(),
        bytes,
    )
    .await?;
    Ok(HttpResponse::Created().json(stored))
}

async fn read_file(payload: Multipart) -> ApiResult<(Option<String>, Vec<u8>)> {
    crate::upload::one_file(payload, MAX_ATTACHMENT_BYTES)
        .await?
        .ok_or_else(|| ApiError::invalid("file", "请选择要上传的文件"))
}

/// Download an attachment (those who may read the unit's records).
#[utoipa::path(tag = "governance", responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/attachments/{id}")]
pub async fn download(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (model, bytes) = attachments::download(
        state.db.reader(),
        &state.files,
        &Caller::of(&auth),
        id.into_inner(),
        today(state.timezone),
    )
    .await?;
    let disposition = if model.content_type == "application/pdf" {
        "attachment"
    } else {
        "inline"
    };
    Ok(HttpResponse::Ok()
        .content_type(model.content_type.as_str())
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{disposition}; filename=\"attachment-{}\"; filename*=UTF-8''{}",
                model.id,
                percent_encode(&model.name)
            ),
        ))
        .body(bytes))
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Draw a random inspection sample (county admins, 党(工)委 secretaries).
#[utoipa::path(tag = "governance", request_body = InspectionRequest, responses((status = 201, body = Inspection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/inspections")]
pub async fn draw(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<InspectionRequest>,
) -> ApiResult<HttpResponse> {
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let inspection = inspections::draw(&txn, &Caller::of(&auth), &body, today(tz), tz).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(inspection))
}

/// This month's cross-inspection rotation among the 党(工)委 (admins).
#[utoipa::path(tag = "governance", request_body = RotationRequest, responses((status = 200, body = Vec<InspectionSummary>), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/inspections/rotation")]
pub async fn rotate(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<RotationRequest>,
) -> ApiResult<web::Json<Vec<InspectionSummary>>> {
    let txn = state.db.writer().begin().await?;
    let assigned =
        inspections::rotate(&txn, &Caller::of(&auth), &body, today(state.timezone)).await?;
    txn.commit().await?;
    Ok(web::Json(assigned))
}

/// Inspections the caller inspects or whose scope they manage.
#[utoipa::path(tag = "governance", responses((status = 200, body = Vec<InspectionSummary>)), security(("bearer" = [])))]
#[get("/inspections")]
pub async fn list_inspections(
    state: web::Data<AppState>,
    auth: AuthMember,
) -> ApiResult<web::Json<Vec<InspectionSummary>>> {
    Ok(web::Json(
        inspections::list(state.db.reader(), &Caller::of(&auth)).await?,
    ))
}

#[utoipa::path(tag = "governance", responses((status = 200, body = Inspection), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/inspections/{id}")]
pub async fn get_inspection(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Inspection>> {
    Ok(web::Json(
        inspections::get(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            state.timezone,
        )
        .await?,
    ))
}

/// A sampled item with the record drawn.
#[utoipa::path(tag = "governance", responses((status = 200, body = InspectionItemDetail), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/inspections/{id}/items/{item}")]
pub async fn get_item(
    state: web::Data<AppState>,
    auth: AuthMember,
    path: web::Path<(i64, i64)>,
) -> ApiResult<web::Json<InspectionItemDetail>> {
    let (id, item) = path.into_inner();
    let tz = state.timezone;
    Ok(web::Json(
        inspections::item(
            state.db.reader(),
            &Caller::of(&auth),
            id,
            item,
            today(tz),
            tz,
        )
        .await?,
    ))
}

/// Grade a sampled item and raise its problems (the inspecting unit).
#[utoipa::path(tag = "governance", request_body = FindingRequest, responses((status = 200, body = InspectionItem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/inspections/{id}/items/{item}/finding")]
pub async fn finding(
    state: web::Data<AppState>,
    auth: AuthMember,
    path: web::Path<(i64, i64)>,
    body: Json<FindingRequest>,
) -> ApiResult<web::Json<InspectionItem>> {
    let (id, item) = path.into_inner();
    let txn = state.db.writer().begin().await?;
    let graded = inspections::finding(
        &txn,
        &Caller::of(&auth),
        id,
        item,
        &body,
        today(state.timezone),
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(graded))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ProblemsQuery {
    /// Problems of this unit and those below it (its managers).
    pub org_id: Option<i64>,
    pub status: Option<ProblemStatus>,
    /// Only problems whose rectification the caller accepts or reopens.
    #[serde(default)]
    pub to_review: bool,
    /// 1 to 200; 50 by default.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<Limit>,
    pub cursor: Option<i64>,
}

/// Problems to rectify, newest first.
#[utoipa::path(tag = "governance", params(ProblemsQuery), responses((status = 200, body = Page<Problem>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/problems")]
pub async fn list_problems(
    state: web::Data<AppState>,
    auth: AuthMember,
    q: Query<ProblemsQuery>,
) -> ApiResult<web::Json<Page<Problem>>> {
    let query = problems::ProblemQuery {
        org_id: q.org_id,
        status: q.status,
        to_review: q.to_review,
        limit: Limit::rows(q.limit),
        cursor: q.cursor,
    };
    let tz = state.timezone;
    Ok(web::Json(
        problems::list(state.db.reader(), &Caller::of(&auth), &query, today(tz), tz).await?,
    ))
}

/// A self-inspection (自查自纠) problem of the caller's unit.
#[utoipa::path(tag = "governance", request_body = SelfCheckRequest, responses((status = 201, body = Problem), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/problems")]
pub async fn self_check(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<SelfCheckRequest>,
) -> ApiResult<HttpResponse> {
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let problem = problems::self_check(&txn, &Caller::of(&auth), &body, today(tz), tz).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(problem))
}

#[utoipa::path(tag = "governance", responses((status = 200, body = Problem), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/problems/{id}")]
pub async fn get_problem(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Problem>> {
    let tz = state.timezone;
    Ok(web::Json(
        problems::one(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            today(tz),
            tz,
        )
        .await?,
    ))
}

/// Submit the rectification (the unit's own secretary or org officer).
#[utoipa::path(tag = "governance", request_body = RectificationRequest, responses((status = 200, body = Problem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/problems/{id}/rectification")]
pub async fn rectify(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<RectificationRequest>,
) -> ApiResult<web::Json<Problem>> {
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let problem = problems::rectify(
        &txn,
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(tz),
        tz,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(problem))
}

/// Accept a rectification or send it back (whoever raised the problem).
#[utoipa::path(tag = "governance", request_body = ProblemReviewRequest, responses((status = 200, body = Problem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/problems/{id}/review")]
pub async fn review_problem(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<ProblemReviewRequest>,
) -> ApiResult<web::Json<Problem>> {
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let problem = problems::review(
        &txn,
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(tz),
        tz,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(problem))
}

/// Record a 约谈 (admins and secretaries above the unit).
#[utoipa::path(tag = "governance", request_body = TalkRequest, responses((status = 201, body = Talk), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/orgs/{id}/talks")]
pub async fn record_talk(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<TalkRequest>,
) -> ApiResult<HttpResponse> {
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let talk = talks::record(
        &txn,
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(tz),
        tz,
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(talk))
}

#[utoipa::path(tag = "governance", responses((status = 200, body = Vec<Talk>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/talks")]
pub async fn list_talks(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Talk>>> {
    Ok(web::Json(
        talks::list(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            state.timezone,
        )
        .await?,
    ))
}

/// Record a 四议两公开 decision and its steps so far (201; 200 on replay).
#[utoipa::path(tag = "governance", request_body = VillageDecisionRequest, responses((status = 201, body = VillageDecision), (status = 200, body = VillageDecision), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/orgs/{id}/decisions")]
pub async fn record_decision(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<VillageDecisionRequest>,
) -> ApiResult<HttpResponse> {
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let outcome = decisions::record(
        &txn,
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(tz),
        tz,
    )
    .await?;
    txn.commit().await?;
    Ok(match outcome {
        decisions::Recorded::Created(d) => HttpResponse::Created().json(d),
        decisions::Recorded::Replayed(d) => HttpResponse::Ok().json(d),
    })
}

#[utoipa::path(tag = "governance", params(Months), responses((status = 200, body = Vec<VillageDecision>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/decisions")]
pub async fn list_decisions(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    q: Query<Months>,
) -> ApiResult<web::Json<Vec<VillageDecision>>> {
    let (from, to) = this_year(&q, &state)?;
    let tz = state.timezone;
    Ok(web::Json(
        decisions::list(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            from,
            to,
            today(tz),
            tz,
        )
        .await?,
    ))
}

/// Record the next step of a decision, in order.
#[utoipa::path(tag = "governance", request_body = StepRequest, responses((status = 200, body = VillageDecision), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[put("/decisions/{id}/steps/{step}")]
pub async fn record_step(
    state: web::Data<AppState>,
    auth: AuthMember,
    path: web::Path<(String, String)>,
    body: Json<StepRequest>,
) -> ApiResult<web::Json<VillageDecision>> {
    let (id, step) = path.into_inner();
    let step = DecisionStep::from_code(&step).ok_or(ApiError::NotFound)?;
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let decision =
        decisions::record_step(&txn, &Caller::of(&auth), &id, step, &body, today(tz), tz).await?;
    txn.commit().await?;
    Ok(web::Json(decision))
}

/// The unit's 十有 venue checklist.
#[utoipa::path(tag = "governance", responses((status = 200, body = Venue), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/venue")]
pub async fn get_venue(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Venue>> {
    let tz = state.timezone;
    Ok(web::Json(
        venues::get(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            today(tz),
            tz,
        )
        .await?,
    ))
}

#[utoipa::path(tag = "governance", request_body = VenueRequest, responses((status = 200, body = Venue), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[put("/orgs/{id}/venue")]
pub async fn put_venue(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<VenueRequest>,
) -> ApiResult<web::Json<Venue>> {
    let txn = state.db.writer().begin().await?;
    let venue = venues::put(
        &txn,
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        state.timezone,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(venue))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QuarterQuery {
    /// `YYYY-Qn`; this quarter by default.
    pub quarter: Option<String>,
}

/// Per child: meetings done/due/overdue, problems found/rectified/open,
/// venues — counts ordered by name, never a ranking.
///
/// Read by managers (secretary, org officer, admin) of the unit and those above; anyone else gets 404.
#[utoipa::path(tag = "governance", params(QuarterQuery), responses((status = 200, body = GovernanceOverview), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/governance")]
pub async fn governance(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    q: Query<QuarterQuery>,
) -> ApiResult<web::Json<GovernanceOverview>> {
    let today = today(state.timezone);
    let quarter = match &q.quarter {
        Some(text) => Quarter::parse(text)
            .ok_or_else(|| ApiError::invalid("quarter", "季度须写成 YYYY-Qn"))?,
        None => Quarter::of(today),
    };
    Ok(web::Json(
        overview::overview(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            quarter,
            today,
        )
        .await?,
    ))
}
