//! Member classes as working features (docs/api.md, "Member classes"):
//! posts for members without jobs (无职党员设岗定责), floating members and
//! their one-to-one contacts (流动党员), files of members in difficulty
//! (困难党员建档立册, sensitive personal information) and 党员中心户.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::auth::IdName;
use crate::vocabulary::vocabulary;

vocabulary! {
    /// What a member in difficulty struggles with.
    DifficultyKind {
        Illness = "illness", "因病";
        Disability = "disability", "残疾";
        ElderlyAlone = "elderly_alone", "高龄独居";
        LowIncome = "low_income", "低收入";
        Disaster = "disaster", "因灾";
        Other = "other", "其他";
    }
}

/// `PUT /members/{id}/difficulty`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DifficultyRequest {
    pub kind: DifficultyKind,
    /// What help is needed.
    pub needs: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub since: NaiveDate,
}

/// A member's difficulty file, for the branch secretary and those above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DifficultyFile {
    pub member: IdName,
    pub kind: DifficultyKind,
    pub needs: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub since: NaiveDate,
    /// Approved service logs that named the member as helped, this quarter.
    pub visits_this_quarter: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub last_visit: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: DateTime<FixedOffset>,
}

/// `POST /admin/roster/sensitive-export`: the roster with 困难 in the
/// categories, for a recorded reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SensitiveExportRequest {
    pub org_id: i64,
    pub reason: String,
}

/// `POST /orgs/{id}/posts`, `PATCH /posts/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostRequest {
    pub name: String,
    pub duties: String,
}

/// A post (岗位) of a branch for members without jobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Post {
    pub id: i64,
    pub org: IdName,
    pub name: String,
    pub duties: String,
    pub holders: Vec<IdName>,
    /// This quarter's approved service logs naming the post: how many and
    /// how long. Counts of the post, never a ranking of its holders.
    pub logs_this_quarter: u32,
    pub minutes_this_quarter: i64,
}

/// `POST /posts/{id}/holders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HolderRequest {
    pub member_id: i64,
}

vocabulary! {
    /// How a floating member was reached.
    ContactWay {
        Phone = "phone", "电话";
        Wechat = "wechat", "微信";
        Visit = "visit", "走访";
        Other = "other", "其他";
    }
}

/// `PUT /me/whereabouts`: where a floating member is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhereaboutsRequest {
    pub city: String,
    /// The employer or platform (e.g. a delivery platform).
    #[serde(default)]
    pub employer: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub since: NaiveDate,
}

/// `PUT /members/{id}/floating`: the branch names the one-to-one contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactPersonRequest {
    pub contact_member_id: i64,
}

/// `POST /members/{id}/contacts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub contacted_on: NaiveDate,
    pub way: ContactWay,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactRecord {
    pub id: i64,
    pub by: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub contacted_on: NaiveDate,
    pub way: ContactWay,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A floating member as the branch (and the member) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FloatingMember {
    pub member: IdName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub since: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<IdName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub last_contact: Option<NaiveDate>,
    /// Not contacted for longer than the branch's limit (or never).
    pub overdue: bool,
    /// Back home (归雁), on this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub returned_on: Option<NaiveDate>,
    pub contacts: Vec<ContactRecord>,
}

/// `POST /members/{id}/return`: a floating member is back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub returned_on: NaiveDate,
    /// A post offered on return.
    #[serde(default)]
    pub post_id: Option<i64>,
}

/// How long a floating member may go without a contact before the branch
/// is shown them, by default.
pub const DEFAULT_CONTACT_DAYS: i64 = 60;

/// Whether a floating member is overdue for a contact.
pub fn contact_overdue(last: Option<NaiveDate>, today: NaiveDate, days: i64) -> bool {
    match last {
        None => true,
        Some(last) => (today - last).num_days() > days,
    }
}

/// `POST /theme-days/{id}/remote-study`: a floating member did the study
/// item from afar; the secretary approves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemoteStudyRequest {
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemoteStudy {
    pub id: i64,
    pub theme_day_id: i64,
    pub member: IdName,
    pub note: String,
    pub status: crate::volunteer::LogStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<FixedOffset>,
}

/// `PUT /members/{id}/center-household`: a 党员中心户 and the households
/// they serve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CenterHouseholdRequest {
    /// The grid (党小组) or branch the household belongs to.
    pub org_id: i64,
    /// The households served, one name each (e.g. 张大爷家).
    pub households: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CenterHousehold {
    pub member: IdName,
    pub org: IdName,
    pub households: Vec<String>,
}

/// `GET /me/classes`: what a member's classes mean for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyClasses {
    /// The posts I hold.
    pub posts: Vec<Post>,
    /// Where I am and my contact person, when I am a floating member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floating: Option<FloatingMember>,
    /// The households I serve as a 党员中心户.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_household: Option<CenterHousehold>,
}

/// Most households one 党员中心户 serves.
pub const MAX_HOUSEHOLDS: usize = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_floating_member_is_overdue_when_never_or_long_ago_contacted() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert!(contact_overdue(None, today, 60));
        assert!(!contact_overdue(
            Some(today - chrono::Duration::days(60)),
            today,
            60
        ));
        assert!(contact_overdue(
            Some(today - chrono::Duration::days(61)),
            today,
            60
        ));
    }
}
