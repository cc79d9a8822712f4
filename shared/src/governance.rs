//! Governance records on the wire (docs/api.md, "Governance records"):
//! 三会一课 meetings and the obligations they meet, attachments, the monthly
//! random inspection (抽查调阅) and cross-inspection, problems and their
//! rectification, 约谈, 四议两公开 decisions, the 十有 venue checklist and
//! the overview. The rules both sides need (periods, the draw, the rotation,
//! the problem lifecycle, the order of decision steps) are pure functions.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::auth::IdName;
use crate::theme_day::{MAX_YEAR, MIN_YEAR, Month};
use crate::vocabulary::vocabulary;

vocabulary! {
    /// The meetings of 三会一课.
    MeetingKind {
        BranchAssembly = "branch_assembly", "支部党员大会";
        Committee = "committee", "支委会";
        Group = "group", "党小组会";
        Lecture = "lecture", "党课";
    }
}

impl MeetingKind {
    /// How often the meeting is due: the assembly and the lecture each
    /// quarter, the committee and the party groups each month.
    pub fn quarterly(self) -> bool {
        matches!(self, MeetingKind::BranchAssembly | MeetingKind::Lecture)
    }

    /// The period a meeting held on `date` counts for.
    pub fn period_of(self, date: NaiveDate) -> Period {
        if self.quarterly() {
            Period::Quarter(Quarter::of(date))
        } else {
            Period::Month(Month::of(date))
        }
    }
}

/// A branch with this many formal members or more has a committee (支委会),
/// 《中国共产党支部工作条例（试行）》.
pub const COMMITTEE_MIN_FORMAL: i64 = 7;

/// The meetings a unit owes: the assembly and the lecture always, the
/// committee when it has seven formal members, group meetings when it has
/// party groups.
pub fn obligations(formal_members: i64, has_groups: bool) -> Vec<MeetingKind> {
    let mut kinds = vec![MeetingKind::BranchAssembly];
    if formal_members >= COMMITTEE_MIN_FORMAL {
        kinds.push(MeetingKind::Committee);
    }
    if has_groups {
        kinds.push(MeetingKind::Group);
    }
    kinds.push(MeetingKind::Lecture);
    kinds
}

vocabulary! {
    /// Where an obligation stands.
    PeriodStatus {
        Done = "done", "已开展";
        Due = "due", "待开展";
        Overdue = "overdue", "逾期未开展";
    }
}

/// A calendar quarter, `YYYY-Qn` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    pub quarter: u32,
}

impl Quarter {
    pub fn parse(text: &str) -> Option<Quarter> {
        let (y, q) = text.trim().split_once("-Q")?;
        if y.len() != 4 || q.len() != 1 {
            return None;
        }
        let quarter = Quarter {
            year: y.parse().ok()?,
            quarter: q.parse().ok()?,
        };
        ((1..=4).contains(&quarter.quarter) && (MIN_YEAR..=MAX_YEAR).contains(&quarter.year))
            .then_some(quarter)
    }

    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            quarter: (date.month() - 1) / 3 + 1,
        }
    }

    pub fn of_month(month: Month) -> Quarter {
        Quarter {
            year: month.year,
            quarter: (month.month - 1) / 3 + 1,
        }
    }

    pub fn first_month(self) -> Month {
        Month {
            year: self.year,
            month: (self.quarter - 1) * 3 + 1,
        }
    }

    /// Its three months, in order.
    pub fn months(self) -> [Month; 3] {
        let first = self.first_month();
        [first, first.next(), first.next().next()]
    }

    pub fn first_day(self) -> NaiveDate {
        self.first_month().first_day()
    }

    pub fn last_day(self) -> NaiveDate {
        self.months()[2]
            .next()
            .first_day()
            .pred_opt()
            .unwrap_or_default()
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.quarter)
    }
}

/// The period an obligation covers: a month or a quarter, written
/// `YYYY-MM` or `YYYY-Qn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month(Month),
    Quarter(Quarter),
}

impl Period {
    pub fn parse(text: &str) -> Option<Period> {
        if text.contains('Q') {
            Quarter::parse(text).map(Period::Quarter)
        } else {
            Month::parse(text).map(Period::Month)
        }
    }

    pub fn first_day(self) -> NaiveDate {
        match self {
            Period::Month(m) => m.first_day(),
            Period::Quarter(q) => q.first_day(),
        }
    }

    pub fn last_day(self) -> NaiveDate {
        match self {
            Period::Month(m) => m.next().first_day().pred_opt().unwrap_or_default(),
            Period::Quarter(q) => q.last_day(),
        }
    }

    /// Done when a meeting was held; otherwise overdue once the period has
    /// ended in the county's calendar, else still due.
    pub fn status(self, met: bool, today: NaiveDate) -> PeriodStatus {
        if met {
            PeriodStatus::Done
        } else if today > self.last_day() {
            PeriodStatus::Overdue
        } else {
            PeriodStatus::Due
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Month(m) => m.fmt(f),
            Period::Quarter(q) => q.fmt(f),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let text = String::deserialize(d)?;
        Period::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("期间须写成 YYYY-MM 或 YYYY-Qn"))
    }
}

impl Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Quarter, D::Error> {
        let text = String::deserialize(d)?;
        Quarter::parse(&text).ok_or_else(|| serde::de::Error::custom("季度须写成 YYYY-Qn"))
    }
}

/// The periods of `kind` that overlap the months `from..=to`, in order.
pub fn periods(kind: MeetingKind, from: Month, to: Month) -> Vec<Period> {
    let mut out = Vec::new();
    let mut month = from;
    while month <= to {
        let period = kind.period_of(month.first_day());
        if out.last() != Some(&period) {
            out.push(period);
        }
        month = month.next();
    }
    out
}

/// Longest texts a meeting record takes.
pub const MAX_TOPIC_CHARS: usize = 100;
pub const MAX_PERSON_CHARS: usize = 50;
pub const MAX_MINUTES_CHARS: usize = 5000;
pub const MAX_ATTENDEES: usize = 1000;
/// How far back a meeting may be recorded from paper.
pub const MAX_RECORD_AGE_DAYS: i64 = 400;

/// `POST /orgs/{id}/meetings`. With `theme_day_id` the theme day supplies
/// what is left out: its date, its study item as the topic, those present
/// as the attendees and the secretary as host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingRequest {
    /// Made by the phone; the idempotency key.
    pub id: String,
    pub kind: MeetingKind,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub held_on: Option<NaiveDate>,
    #[serde(default)]
    pub topic: Option<String>,
    /// Who chaired it (a name: an upper-level leader may give the lecture).
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub recorder: Option<String>,
    #[serde(default)]
    pub attendee_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub minutes: Option<String>,
    /// The theme day this meeting was held at.
    #[serde(default)]
    pub theme_day_id: Option<i64>,
}

/// A stored file: a photo of a sign-in sheet, minutes, a venue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub bytes: u64,
    /// Where a caller in scope downloads it (an API path).
    pub url: String,
}

/// Largest attachment: 10 MB.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// The types an attachment may have, told by its first bytes.
pub fn sniff_content_type(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meeting {
    pub id: String,
    pub org: IdName,
    pub kind: MeetingKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub held_on: NaiveDate,
    /// The period of the obligation it meets.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    pub topic: String,
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorder: Option<String>,
    pub attendees: Vec<IdName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme_day_id: Option<i64>,
    pub attachments: Vec<Attachment>,
    pub recorded_by: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<FixedOffset>,
}

/// One obligation of a unit: a kind of meeting in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Obligation {
    pub kind: MeetingKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    pub status: PeriodStatus,
    /// Meetings of that kind held in the period.
    pub meetings: u32,
}

/// `GET /orgs/{id}/meetings`: the records and what they owe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingLedger {
    pub org: IdName,
    pub meetings: Vec<Meeting>,
    pub due: Vec<Obligation>,
}

vocabulary! {
    /// The records an inspection draws.
    RecordKind {
        Meetings = "meetings", "三会一课记录";
        Decisions = "decisions", "四议两公开记录";
        Dues = "dues", "党费收缴记录";
    }
}

vocabulary! {
    /// An inspector's grade of one sampled record.
    Grade {
        Good = "good", "好";
        Fair = "fair", "一般";
        Poor = "poor", "差";
    }
}

/// Most units one inspection samples.
pub const MAX_SAMPLE: u32 = 200;

/// `POST /inspections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionRequest {
    pub scope_org_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-11"))]
    pub month: Month,
    pub sample_size: u32,
    pub record_kinds: Vec<RecordKind>,
    /// Draws again what an earlier draw with this seed drew; a new random
    /// seed when left out.
    #[serde(default)]
    pub seed: Option<u32>,
}

/// `POST /inspections/rotation`: this month's cross-inspection, each
/// 党(工)委 inspecting another's sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotationRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-11"))]
    pub month: Month,
    pub sample_size: u32,
    pub record_kinds: Vec<RecordKind>,
    #[serde(default)]
    pub seed: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionItem {
    pub id: i64,
    pub org: IdName,
    pub record_kind: RecordKind,
    /// The record drawn (a meeting's or decision's id, the theme day whose
    /// dues were collected); none when the unit kept no such record that
    /// month, which is itself a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    /// A short description of the drawn record for the inspector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Problems raised on this item.
    pub problem_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inspection {
    pub id: i64,
    pub scope: IdName,
    /// The unit whose managers grade it.
    pub inspector: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-11"))]
    pub month: Month,
    /// Shown so anyone can draw the same sample again.
    pub seed: u32,
    pub sample_size: u32,
    pub record_kinds: Vec<RecordKind>,
    /// Part of a cross-inspection rotation.
    pub rotation: bool,
    pub items: Vec<InspectionItem>,
    pub created_by: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<FixedOffset>,
}

/// `GET /inspections/{id}/items/{item}`: a sampled item with the record
/// itself, so an inspector from another committee sees what was kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionItemDetail {
    pub item: InspectionItem,
    pub inspection_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<Meeting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<VillageDecision>,
    /// The dues paid at the unit that month, when dues were drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dues: Option<Vec<crate::checkin::DuesPayment>>,
    /// Whether the caller grades it.
    pub may_grade: bool,
}

/// An inspection as listed: no items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionSummary {
    pub id: i64,
    pub scope: IdName,
    pub inspector: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-11"))]
    pub month: Month,
    pub seed: u32,
    pub rotation: bool,
    pub items: u32,
    pub graded: u32,
}

/// A problem to rectify, as raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProblem {
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub deadline: NaiveDate,
}

/// `POST /inspections/{id}/items/{item}/finding`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingRequest {
    pub grade: Grade,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub problems: Vec<NewProblem>,
}

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

vocabulary! {
    /// The six steps of 四议两公开, in order.
    DecisionStep {
        Proposal = "proposal", "党支部提议";
        Deliberation = "deliberation", "两委会商议";
        Review = "review", "党员大会审议";
        Resolution = "resolution", "村民代表会议决议";
        ResolutionPublic = "resolution_public", "决议公开";
        ResultPublic = "result_public", "实施结果公开";
    }
}

/// One step of a decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRecord {
    pub step: DecisionStep,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub done_on: NaiveDate,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

/// `POST /orgs/{id}/decisions`: a village decision and the steps taken so
/// far; later steps are added with `PUT /decisions/{id}/steps/{step}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageDecisionRequest {
    /// Made by the phone; the idempotency key.
    pub id: String,
    pub subject: String,
    #[serde(default)]
    pub steps: Vec<StepRecord>,
}

/// `PUT /decisions/{id}/steps/{step}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub done_on: NaiveDate,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepView {
    pub step: DecisionStep,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub done_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageDecision {
    pub id: String,
    pub org: IdName,
    pub subject: String,
    pub steps: Vec<StepView>,
    /// All six steps are done.
    pub complete: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<FixedOffset>,
}

/// Checks that steps come in the order of 四议两公开, once each, on dates
/// that never go back and are not in the future. `before` is the last step
/// already recorded (its step and date).
pub fn steps_problem(
    before: Option<(DecisionStep, NaiveDate)>,
    steps: &[(DecisionStep, NaiveDate)],
    today: NaiveDate,
) -> Option<String> {
    let mut last = before;
    for (step, date) in steps {
        let expected = match last {
            None => 0,
            Some((s, _)) => DecisionStep::ALL.iter().position(|x| *x == s).unwrap_or(0) + 1,
        };
        if DecisionStep::ALL.get(expected) != Some(step) {
            return Some(match DecisionStep::ALL.get(expected) {
                Some(next) => format!("下一步应为「{}」", next.zh()),
                None => "六个步骤均已完成".to_owned(),
            });
        }
        if *date > today {
            return Some("日期不能晚于今天".to_owned());
        }
        if let Some((_, previous)) = last
            && *date < previous
        {
            return Some(format!("「{}」的日期不能早于上一步", step.zh()));
        }
        last = Some((*step, *date));
    }
    None
}

vocabulary! {
    /// The 十有 standard of a village venue.
    VenueItem {
        Site = "site", "有固定场所";
        Sign = "sign", "有标识牌匾";
        Flag = "flag", "有党旗党徽";
        Rules = "rules", "有制度上墙";
        MeetingRoom = "meeting_room", "有会议活动室";
        Education = "education", "有远程教育设备";
        Books = "books", "有党建书报";
        Archive = "archive", "有档案资料";
        Service = "service", "有便民服务";
        Culture = "culture", "有文体活动设施";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueItemRequest {
    pub item: VenueItem,
    pub met: bool,
    #[serde(default)]
    pub photo_ids: Vec<i64>,
}

/// `PUT /orgs/{id}/venue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueRequest {
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub area_m2: Option<u32>,
    pub items: Vec<VenueItemRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueItemState {
    pub item: VenueItem,
    pub met: bool,
    pub photos: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Venue {
    pub org: IdName,
    /// False until the venue is first registered.
    pub registered: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_m2: Option<u32>,
    /// Every item of the standard, in its order.
    pub items: Vec<VenueItemState>,
    /// How many of the ten are met.
    pub met: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub updated_at: Option<DateTime<FixedOffset>>,
}

/// Counts for one unit's subtree in a quarter; never a score or a rank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GovernanceCounts {
    pub meetings_done: u64,
    pub meetings_due: u64,
    pub meetings_overdue: u64,
    pub problems_found: u64,
    pub problems_rectified: u64,
    pub problems_open: u64,
    /// Venues registered, and those meeting all ten items.
    pub venues: u64,
    pub venues_complete: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GovernanceRow {
    pub org: IdName,
    pub counts: GovernanceCounts,
    /// Problems came up in several inspections this year: a 约谈 may help.
    pub talk_suggested: bool,
}

/// `GET /orgs/{id}/governance?quarter=`: the unit and each child, ordered
/// by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GovernanceOverview {
    pub org: IdName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-Q4"))]
    pub quarter: Quarter,
    pub total: GovernanceCounts,
    pub children: Vec<GovernanceRow>,
}

/// A small deterministic generator (SplitMix64), the same on every
/// platform, so a stored seed draws the same sample again anywhere.
#[derive(Debug, Clone)]
pub struct Draw(u64);

impl Draw {
    pub fn new(seed: u32) -> Draw {
        Draw(u64::from(seed) ^ 0x5A48_4942_555A_4842)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Draws `n` units: first among those not drawn yet this year, in a
/// shuffled order; only when every unit was drawn does a unit come again.
/// `candidates` are sorted so the same data gives the same draw.
pub fn draw_units(draw: &mut Draw, candidates: &[i64], drawn: &HashSet<i64>, n: usize) -> Vec<i64> {
    let mut units: Vec<i64> = candidates.to_vec();
    units.sort_unstable();
    units.dedup();
    let (mut fresh, mut again): (Vec<i64>, Vec<i64>) =
        units.into_iter().partition(|u| !drawn.contains(u));
    draw.shuffle(&mut fresh);
    draw.shuffle(&mut again);
    fresh.into_iter().chain(again).take(n).collect()
}

/// The cross-inspection of a month: with `n` committees in their fixed
/// order, committee `i` inspects committee `(i + shift) % n`, the shift
/// moving on each month and never 0, so nobody inspects itself and every
/// committee meets every other over the months.
pub fn rotation(n: usize, month: Month) -> Vec<(usize, usize)> {
    if n < 2 {
        return Vec::new();
    }
    let index = (month.year as usize) * 12 + month.month as usize - 1;
    let shift = 1 + index % (n - 1);
    (0..n).map(|i| (i, (i + shift) % n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn quarters_parse_and_print() {
        let q = Quarter::parse("2026-Q4").unwrap();
        assert_eq!(q.first_day(), date(2026, 10, 1));
        assert_eq!(q.last_day(), date(2026, 12, 31));
        assert_eq!(q.to_string(), "2026-Q4");
        for bad in [
            "2026-Q5", "2026-Q0", "26-Q1", "2026Q1", "3000-Q1", "2026-Q12",
        ] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
        assert_eq!(Quarter::of(date(2026, 3, 31)).quarter, 1);
        assert_eq!(Quarter::of(date(2026, 4, 1)).quarter, 2);
    }

    #[test]
    fn periods_follow_the_kind_of_meeting() {
        let from = Month::parse("2026-02").unwrap();
        let to = Month::parse("2026-04").unwrap();
        let q: Vec<String> = periods(MeetingKind::Lecture, from, to)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(q, ["2026-Q1", "2026-Q2"]);
        let m: Vec<String> = periods(MeetingKind::Committee, from, to)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(m, ["2026-02", "2026-03", "2026-04"]);
    }

    #[test]
    fn an_obligation_is_overdue_only_after_its_period() {
        let q1 = Period::Quarter(Quarter::parse("2026-Q1").unwrap());
        assert_eq!(q1.status(false, date(2026, 3, 31)), PeriodStatus::Due);
        assert_eq!(q1.status(false, date(2026, 4, 1)), PeriodStatus::Overdue);
        assert_eq!(q1.status(true, date(2026, 4, 1)), PeriodStatus::Done);
    }

    #[test]
    fn small_branches_owe_no_committee_meeting() {
        assert_eq!(
            obligations(6, false),
            [MeetingKind::BranchAssembly, MeetingKind::Lecture]
        );
        assert_eq!(obligations(7, true).len(), 4);
    }

    #[test]
    fn the_same_seed_draws_the_same_units_and_fresh_units_come_first() {
        let units: Vec<i64> = (1..=20).collect();
        let drawn: HashSet<i64> = (1..=15).collect();
        let a = draw_units(&mut Draw::new(7), &units, &drawn, 5);
        let b = draw_units(&mut Draw::new(7), &units, &drawn, 5);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [16, 17, 18, 19, 20]);
        let more = draw_units(&mut Draw::new(7), &units, &drawn, 8);
        assert_eq!(more.len(), 8);
        assert!(more[..5].iter().all(|u| *u > 15));
        assert_ne!(
            draw_units(&mut Draw::new(1), &units, &HashSet::new(), 10),
            draw_units(&mut Draw::new(2), &units, &HashSet::new(), 10)
        );
    }

    #[test]
    fn nobody_inspects_itself_and_the_pairs_move_each_month() {
        let month = Month::parse("2026-11").unwrap();
        let pairs = rotation(28, month);
        assert_eq!(pairs.len(), 28);
        assert!(pairs.iter().all(|(a, b)| a != b));
        let mut targets: Vec<usize> = pairs.iter().map(|p| p.1).collect();
        targets.sort_unstable();
        assert_eq!(targets, (0..28).collect::<Vec<_>>());
        assert_ne!(pairs, rotation(28, month.next()));
        assert!(rotation(1, month).is_empty());
    }

    #[test]
    fn the_problem_lifecycle_allows_only_its_steps() {
        use ProblemAction::*;
        use ProblemStatus::*;
        assert_eq!(problem_transition(Open, Submit), Some(Submitted));
        assert_eq!(
            problem_transition(Submitted, Decide(ProblemDecision::Reopen)),
            Some(Reopened)
        );
        assert_eq!(problem_transition(Reopened, Submit), Some(Submitted));
        assert_eq!(
            problem_transition(Submitted, Decide(ProblemDecision::Accept)),
            Some(Accepted)
        );
        assert_eq!(problem_transition(Accepted, Submit), None);
        assert_eq!(
            problem_transition(Open, Decide(ProblemDecision::Accept)),
            None
        );
    }

    #[test]
    fn decision_steps_come_in_order_on_dates_that_do_not_go_back() {
        use DecisionStep::*;
        let today = date(2026, 11, 30);
        assert_eq!(
            steps_problem(
                None,
                &[
                    (Proposal, date(2026, 10, 1)),
                    (Deliberation, date(2026, 10, 3))
                ],
                today
            ),
            None
        );
        assert!(steps_problem(None, &[(Deliberation, date(2026, 10, 1))], today).is_some());
        assert!(
            steps_problem(
                Some((Proposal, date(2026, 10, 5))),
                &[(Deliberation, date(2026, 10, 3))],
                today
            )
            .is_some()
        );
        assert!(steps_problem(None, &[(Proposal, date(2026, 12, 1))], today).is_some());
        assert!(
            steps_problem(
                Some((ResultPublic, date(2026, 10, 5))),
                &[(Proposal, date(2026, 10, 6))],
                today
            )
            .is_some()
        );
    }

    #[test]
    fn attachments_are_told_by_their_first_bytes() {
        assert_eq!(
            sniff_content_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff_content_type(b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert_eq!(sniff_content_type(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff_content_type(b"<html>"), None);
        assert_eq!(sniff_content_type(b"GIF89a"), None);
    }
}
