//! Problems and their rectification (the lifecycle as a pure rule), and
//! 约谈.

use super::*;

vocabulary! {
    /// Where a problem was found.
    ProblemSource {
        Inspection = "inspection", "抽查调阅";
        SelfCheck = "self_check", "自查自纠";
    }
}

vocabulary! {
    /// Where a problem's rectification stands.
    ProblemStatus {
        Open = "open", "待整改";
        Submitted = "submitted", "已提交整改";
        Accepted = "accepted", "已验收";
        Reopened = "reopened", "退回重改";
    }
}

vocabulary! {
    /// What the raiser decides on a submitted rectification.
    ProblemDecision {
        Accept = "accept", "验收通过";
        Reopen = "reopen", "退回重改";
    }
}

/// What happens to a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemAction {
    Submit,
    Decide(ProblemDecision),
}

/// The problem lifecycle: open or reopened → submitted → accepted, or
/// reopened with a reason. `None` when the action does not apply.
pub fn problem_transition(status: ProblemStatus, action: ProblemAction) -> Option<ProblemStatus> {
    match (status, action) {
        (ProblemStatus::Open | ProblemStatus::Reopened, ProblemAction::Submit) => {
            Some(ProblemStatus::Submitted)
        }
        (ProblemStatus::Submitted, ProblemAction::Decide(ProblemDecision::Accept)) => {
            Some(ProblemStatus::Accepted)
        }
        (ProblemStatus::Submitted, ProblemAction::Decide(ProblemDecision::Reopen)) => {
            Some(ProblemStatus::Reopened)
        }
        _ => None,
    }
}

/// Statuses that still wait for the unit.
pub fn problem_is_open(status: ProblemStatus) -> bool {
    matches!(status, ProblemStatus::Open | ProblemStatus::Reopened)
}

/// A unit whose records showed problems in this many inspections within a
/// year is suggested for a 约谈.
pub const TALK_AFTER_INSPECTIONS: u32 = 2;

pub const MAX_PROBLEM_CHARS: usize = 500;
/// The latest deadline a problem may be given.
pub const MAX_DEADLINE_DAYS: i64 = 366;

/// Checks a problem as raised; the reason per field.
pub fn problem_problems(problem: &NewProblem, today: NaiveDate) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let chars = problem.description.trim().chars().count();
    if chars == 0 || chars > MAX_PROBLEM_CHARS {
        out.push((
            "description",
            format!("问题描述须为 1 到 {MAX_PROBLEM_CHARS} 个字"),
        ));
    }
    if problem.deadline < today {
        out.push(("deadline", "整改期限不能早于今天".to_owned()));
    } else if (problem.deadline - today).num_days() > MAX_DEADLINE_DAYS {
        out.push(("deadline", "整改期限不能超过一年".to_owned()));
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rectification {
    pub note: String,
    pub attachments: Vec<Attachment>,
    pub by: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    pub id: i64,
    pub org: IdName,
    pub source: ProblemSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection_id: Option<i64>,
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub deadline: NaiveDate,
    pub status: ProblemStatus,
    /// Still waiting for the unit after its deadline.
    pub overdue: bool,
    pub raised_by: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub raised_at: DateTime<FixedOffset>,
    /// The latest rectification submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification: Option<Rectification>,
    /// Why it was last sent back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopen_reason: Option<String>,
    /// Whether the caller may submit a rectification / accept or reopen it.
    pub may_rectify: bool,
    pub may_review: bool,
}

/// `POST /problems`: a self-inspection (自查自纠) problem of the caller's unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SelfCheckRequest {
    pub org_id: i64,
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub deadline: NaiveDate,
}

/// `POST /problems/{id}/rectification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationRequest {
    pub note: String,
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

/// `POST /problems/{id}/review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemReviewRequest {
    pub decision: ProblemDecision,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /orgs/{id}/talks`: a 约谈 record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TalkRequest {
    pub with_member_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub held_on: NaiveDate,
    pub reason: String,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Talk {
    pub id: i64,
    pub org: IdName,
    pub with: IdName,
    pub by: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub held_on: NaiveDate,
    pub reason: String,
    pub outcome: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<FixedOffset>,
}
