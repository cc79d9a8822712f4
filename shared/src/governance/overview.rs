//! The overview: counts per child for a quarter, ordered by name.

use super::*;

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
