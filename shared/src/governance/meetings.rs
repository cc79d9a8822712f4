//! 三会一课: the meetings, the obligations they meet by period, and the
//! meeting records and ledger.

use super::*;

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
