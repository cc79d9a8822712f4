//! Community reporting, sector committees and volunteer hours on the wire
//! (docs/api.md, "Community reporting" and "Service hours and aggregation").

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::auth::IdName;
use crate::theme_day::Month;
use crate::vocabulary::vocabulary;

vocabulary! {
    /// What kind of service a log records.
    ServiceKind {
        Volunteer = "volunteer", "志愿服务";
        Pairing = "pairing", "结对共建";
        Grid = "grid", "网格报到";
        Civility = "civility", "移风易俗";
        Environment = "environment", "环境整治";
        Governance = "governance", "社区治理";
        Other = "other", "其他";
    }
}

vocabulary! {
    /// Where a log, report or join request stands. `superseded`: replaced
    /// by an approved correction, no longer counted.
    LogStatus {
        Pending = "pending", "待审核";
        Approved = "approved", "已通过";
        Rejected = "rejected", "已驳回";
        Superseded = "superseded", "已更正";
    }
}

/// Shortest and longest single log, in minutes.
pub const MIN_LOG_MINUTES: u32 = 1;
pub const MAX_LOG_MINUTES: u32 = 720;
/// How far back a log may be dated.
pub const MAX_LOG_AGE_DAYS: i64 = 60;
/// A member's logs on one day may not add up to more than this.
pub const MAX_MINUTES_PER_DAY: u32 = 24 * 60;

/// Checks a log's minutes and date; the Chinese reasons per field.
pub fn log_problems(
    minutes: u32,
    date: NaiveDate,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if !(MIN_LOG_MINUTES..=MAX_LOG_MINUTES).contains(&minutes) {
        problems.push((
            "minutes",
            format!("时长须在 {MIN_LOG_MINUTES} 到 {MAX_LOG_MINUTES} 分钟之间"),
        ));
    }
    if date > today {
        problems.push(("date", "日期不能晚于今天".to_owned()));
    } else if (today - date).num_days() > MAX_LOG_AGE_DAYS {
        problems.push(("date", format!("只能补记 {MAX_LOG_AGE_DAYS} 天内的服务")));
    }
    problems
}

/// `POST /service-logs` (and the body of a correction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceLogRequest {
    /// Made by the phone; the idempotency key.
    pub id: String,
    pub kind: ServiceKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    pub minutes: u32,
    /// Service done in a community.
    #[serde(default)]
    pub community_id: Option<i64>,
    /// Service organised by a unit (a sector committee, the member's branch).
    #[serde(default)]
    pub org_id: Option<i64>,
    /// When it started, `HH:MM`, to tell overlapping logs apart.
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// The post (设岗定责) the member served in; one they hold.
    #[serde(default)]
    pub post_id: Option<i64>,
    /// The member helped (帮扶), of the member's own branch.
    #[serde(default)]
    pub helped_member_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceLog {
    pub id: String,
    pub member: IdName,
    pub kind: ServiceKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    pub minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<IdName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<IdName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub status: LogStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The approved log this one asks to correct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<IdName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helped: Option<IdName>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<FixedOffset>,
}

/// `POST /community-reports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunityReportRequest {
    pub community_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunityReport {
    pub id: i64,
    pub member: IdName,
    pub community: IdName,
    pub status: LogStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<FixedOffset>,
}

/// `POST /sector-memberships`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectorJoinRequest {
    pub committee_id: i64,
    /// The platform the member works on: 美团, 饿了么, 顺丰, 滴滴, …
    pub platform: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectorMembership {
    pub id: i64,
    pub member: IdName,
    pub committee: IdName,
    pub platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub status: LogStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

vocabulary! {
    /// The kinds of request in the review inbox.
    InboxKind {
        Checkins = "checkins", "签到";
        ServiceLogs = "service_logs", "服务时长";
        CommunityReports = "community_reports", "社区报到";
        SectorMemberships = "sector_memberships", "加入行业党委";
    }
}

/// `GET /review/pending`: what the caller may decide, oldest first, a page
/// of each kind (or of the one kind asked for).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingInbox {
    pub checkins: Vec<crate::checkin::Checkin>,
    pub service_logs: Vec<ServiceLog>,
    pub community_reports: Vec<CommunityReport>,
    pub sector_memberships: Vec<SectorMembership>,
    /// Per kind, the `cursor` of its next page (`?kind=…&cursor=…`); null
    /// when that kind has no more.
    #[serde(default)]
    pub next_cursor: PendingCursors,
}

/// The next page of each kind in the inbox, when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingCursors {
    pub checkins: Option<String>,
    pub service_logs: Option<String>,
    pub community_reports: Option<String>,
    pub sector_memberships: Option<String>,
}

impl PendingInbox {
    /// True when some kind has another page.
    pub fn has_more(&self) -> bool {
        let c = &self.next_cursor;
        c.checkins.is_some()
            || c.service_logs.is_some()
            || c.community_reports.is_some()
            || c.sector_memberships.is_some()
    }
}

/// One row of an hours report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoursRow {
    /// A child unit's id, a month (`YYYY-MM`) or a kind's code.
    pub key: String,
    pub name: String,
    pub minutes: i64,
    pub entries: i64,
    /// Distinct members with approved service.
    pub members: i64,
}

/// `GET /orgs/{id}/hours`: approved service only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoursReport {
    pub org: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-01"))]
    pub from: Month,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12"))]
    pub to: Month,
    pub by: String,
    pub total_minutes: i64,
    pub total_entries: i64,
    /// Distinct members with approved service in the period.
    pub members: i64,
    /// Active members of the unit (0 for a community).
    pub member_count: i64,
    /// `members / member_count`, 0 to 1.
    pub participation: f64,
    pub rows: Vec<HoursRow>,
}

/// Hours of one kind on a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindMinutes {
    pub kind: ServiceKind,
    pub minutes: i64,
    pub entries: i64,
}

/// `POST /me/certificates`: a numbered certificate of service hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Certificate {
    pub number: String,
    pub member_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-01"))]
    pub from: Month,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12"))]
    pub to: Month,
    pub total_minutes: i64,
    pub by_kind: Vec<KindMinutes>,
    /// The member's branch, which certifies.
    pub issuer: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub issued_at: DateTime<FixedOffset>,
    /// Opens the same figures for whoever holds the certificate.
    pub verify_url: String,
    /// The same in the WeChat mini-program.
    #[serde(default)]
    pub mini_program: crate::links::MiniProgramLink,
}

/// `POST /me/certificates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-01"))]
    pub from: Month,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12"))]
    pub to: Month,
}

/// A member's community reporting and service, as their branch sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunityServiceRow {
    pub member: IdName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<IdName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_status: Option<LogStatus>,
    /// Approved minutes served in communities.
    pub community_minutes: i64,
}

/// Formats minutes as hours with one decimal: `90` → `1.5`.
pub fn hours(minutes: i64) -> String {
    format!("{:.1}", minutes as f64 / 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn logs_are_checked_for_minutes_and_date() {
        let today = d(2026, 11, 26);
        assert!(log_problems(60, today, today).is_empty());
        assert!(log_problems(720, d(2026, 9, 27), today).is_empty());
        let fields =
            |v: Vec<(&'static str, String)>| v.into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(fields(log_problems(0, today, today)), ["minutes"]);
        assert_eq!(fields(log_problems(721, today, today)), ["minutes"]);
        assert_eq!(fields(log_problems(30, d(2026, 11, 27), today)), ["date"]);
        assert_eq!(fields(log_problems(30, d(2026, 9, 26), today)), ["date"]);
        assert_eq!(hours(90), "1.5");
    }
}
