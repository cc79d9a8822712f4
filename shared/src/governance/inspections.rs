//! The monthly random inspection and the cross-inspection rotation: the
//! request, the drawn items and their grades, and the reproducible draw.

use super::*;

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
