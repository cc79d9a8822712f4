//! Volunteer service: logs and corrections, community reporting, sector
//! joins, the review inbox, hour reports and certificates.

use std::future::Future;

use zhibu_shared::review::{ReviewRequest, ReviewResult};
use zhibu_shared::volunteer::{
    Certificate, CertificateRequest, CommunityReport, CommunityReportRequest, CommunityServiceRow,
    HoursReport, PendingInbox, SectorJoinRequest, SectorMembership, ServiceLog, ServiceLogRequest,
};

use super::{ApiError, Kept, Replay, download, enc, get, get_owned, post};

/// The period and grouping of an hours report. Months are `YYYY-MM` as the
/// month fields give them; the server explains a bad one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursQuery {
    pub from: String,
    pub to: String,
    /// `child`, `month` or `kind`.
    pub by: String,
}

impl HoursQuery {
    fn query(&self) -> String {
        format!(
            "from={}&to={}&by={}",
            enc(&self.from),
            enc(&self.to),
            enc(&self.by)
        )
    }
}

/// `POST /service-logs`: a new log, through the offline queue.
pub fn log_service(request: &ServiceLogRequest) -> Result<Replay<ServiceLog>, ApiError> {
    Replay::new(&request.id, "/service-logs".to_owned(), request)
}

/// `POST /service-logs/{id}/correction`: a correction of an approved log,
/// through the offline queue.
pub fn correct_log(
    log_id: &str,
    request: &ServiceLogRequest,
) -> Result<Replay<ServiceLog>, ApiError> {
    let path = format!("/service-logs/{}/correction", enc(log_id));
    Replay::new(&request.id, path, request)
}

/// `GET /me/service-logs`: my recent logs.
pub fn my_service_logs() -> Kept<Vec<ServiceLog>> {
    Kept::new("/me/service-logs".into())
}

/// `GET /orgs/{id}/community-service`: the unit's in-office members, where
/// they report and their approved community service.
pub async fn org_community_service(id: i64) -> Result<Vec<CommunityServiceRow>, ApiError> {
    get(&format!("/orgs/{id}/community-service")).await
}

/// `GET /me/service-logs?from=&to=`: my logs of the days `from..=to`
/// (`YYYY-MM-DD`).
pub fn my_service_logs_between(from: &str, to: &str) -> Kept<Vec<ServiceLog>> {
    Kept::new(format!(
        "/me/service-logs?from={}&to={}",
        enc(from),
        enc(to)
    ))
}

/// `POST /service-logs/review`: approves or rejects logs and corrections.
pub async fn review_service_logs(
    request: &ReviewRequest<String>,
) -> Result<ReviewResult<String>, ApiError> {
    post("/service-logs/review", request).await
}

/// `POST /community-reports`: reporting to the community where I live.
pub async fn report_to_community(
    request: &CommunityReportRequest,
) -> Result<CommunityReport, ApiError> {
    post("/community-reports", request).await
}

/// `GET /me/community-reports`.
pub async fn my_community_reports() -> Result<Vec<CommunityReport>, ApiError> {
    get("/me/community-reports").await
}

/// `POST /community-reports/review`.
pub async fn review_community_reports(
    request: &ReviewRequest<i64>,
) -> Result<ReviewResult<i64>, ApiError> {
    post("/community-reports/review", request).await
}

/// `POST /sector-memberships`: joining the sector committee of my trade.
pub async fn join_sector(request: &SectorJoinRequest) -> Result<SectorMembership, ApiError> {
    post("/sector-memberships", request).await
}

/// `GET /me/sector-memberships`.
pub async fn my_sector_memberships() -> Result<Vec<SectorMembership>, ApiError> {
    get("/me/sector-memberships").await
}

/// `POST /sector-memberships/review`.
pub async fn review_sector_memberships(
    request: &ReviewRequest<i64>,
) -> Result<ReviewResult<i64>, ApiError> {
    post("/sector-memberships/review", request).await
}

/// `GET /review/pending`: the first page of each kind the caller may decide.
pub async fn pending_reviews() -> Result<PendingInbox, ApiError> {
    get("/review/pending").await
}

/// `GET /orgs/{id}/hours?from=&to=&by=`: approved hours below a unit.
pub fn org_hours(
    org_id: i64,
    query: &HoursQuery,
) -> impl Future<Output = Result<HoursReport, ApiError>> + use<> {
    get_owned(format!("/orgs/{org_id}/hours?{}", query.query()))
}

/// `GET /orgs/{id}/hours?…&format=`: the same rows as a `csv` or `xlsx`
/// file.
pub async fn export_org_hours(
    org_id: i64,
    query: &HoursQuery,
    format: &str,
) -> Result<web_sys::Blob, ApiError> {
    let path = format!(
        "/orgs/{org_id}/hours?{}&format={}",
        query.query(),
        enc(format)
    );
    download(&path).await
}

/// `POST /me/certificates`: a numbered certificate of my approved hours.
pub async fn issue_certificate(request: &CertificateRequest) -> Result<Certificate, ApiError> {
    post("/me/certificates", request).await
}

/// `GET /certificates/{number}`: a certificate, for anyone holding its
/// number.
pub fn certificate(number: &str) -> impl Future<Output = Result<Certificate, ApiError>> + use<> {
    get_owned(format!("/certificates/{}", enc(number)))
}
