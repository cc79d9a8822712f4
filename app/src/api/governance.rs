//! Governance records: the 三会一课 ledger and meetings with their photos,
//! random inspections and their findings, problems and their
//! rectification, and the county's overview.

use zhibu_shared::api::Page;
use zhibu_shared::governance::{
    Attachment, FindingRequest, GovernanceOverview, Inspection, InspectionItem,
    InspectionItemDetail, InspectionRequest, InspectionSummary, Meeting, MeetingLedger,
    MeetingRequest, Problem, ProblemReviewRequest, RectificationRequest,
};

use super::{ApiError, get, post, upload};

/// `GET /orgs/{id}/meetings`: the unit's 三会一课 ledger, January to now.
pub async fn meeting_ledger(org_id: i64) -> Result<MeetingLedger, ApiError> {
    get(&format!("/orgs/{org_id}/meetings")).await
}

/// `POST /orgs/{id}/meetings`: a meeting held (replayed safely by its id).
pub async fn record_meeting(org_id: i64, request: &MeetingRequest) -> Result<Meeting, ApiError> {
    post(&format!("/orgs/{org_id}/meetings"), request).await
}

/// `POST /meetings/{id}/attachments`: a photo of the sign-in sheet or the
/// minutes.
pub async fn attach_to_meeting(
    meeting_id: &str,
    file: &web_sys::File,
) -> Result<Attachment, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Decode("FormData".into()))?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| ApiError::Decode("FormData".into()))?;
    upload(&format!("/meetings/{meeting_id}/attachments"), form).await
}

/// `GET /inspections`: the inspections the caller keeps or is inspected by.
pub async fn inspections() -> Result<Vec<InspectionSummary>, ApiError> {
    get("/inspections").await
}

/// `POST /inspections`: a random draw of records to inspect.
pub async fn draw_inspection(request: &InspectionRequest) -> Result<Inspection, ApiError> {
    post("/inspections", request).await
}

/// `GET /inspections/{id}`: the sample and its grades.
pub async fn inspection(id: i64) -> Result<Inspection, ApiError> {
    get(&format!("/inspections/{id}")).await
}

/// `GET /inspections/{id}/items/{item}`: the record drawn.
pub async fn inspection_item(id: i64, item: i64) -> Result<InspectionItemDetail, ApiError> {
    get(&format!("/inspections/{id}/items/{item}")).await
}

/// `POST /inspections/{id}/items/{item}/finding`: the grade, and problems
/// raised.
pub async fn record_finding(
    id: i64,
    item: i64,
    request: &FindingRequest,
) -> Result<InspectionItem, ApiError> {
    post(&format!("/inspections/{id}/items/{item}/finding"), request).await
}

/// `GET /problems?org_id=&to_review=`: the unit's problems, or those whose
/// rectification the caller decides.
pub async fn problems(org_id: i64, to_review: bool) -> Result<Page<Problem>, ApiError> {
    get(&format!(
        "/problems?org_id={org_id}&to_review={to_review}&limit=200"
    ))
    .await
}

/// `POST /problems/{id}/rectification`: what was done.
pub async fn rectify(id: i64, request: &RectificationRequest) -> Result<Problem, ApiError> {
    post(&format!("/problems/{id}/rectification"), request).await
}

/// `POST /problems/{id}/review`: accepted, or reopened with a reason.
pub async fn review_problem(id: i64, request: &ProblemReviewRequest) -> Result<Problem, ApiError> {
    post(&format!("/problems/{id}/review"), request).await
}

/// `GET /orgs/{id}/governance?quarter=`: per child, this quarter's counts.
pub async fn governance_overview(
    org_id: i64,
    quarter: &str,
) -> Result<GovernanceOverview, ApiError> {
    get(&format!(
        "/orgs/{org_id}/governance?quarter={}",
        super::enc(quarter)
    ))
    .await
}
