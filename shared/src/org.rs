//! The organisation vocabulary (docs/api.md, "Organisation") and the
//! compliance rules for unit sizes, shared so the PWA shows the same badges.

use serde::{Deserialize, Serialize};

use crate::vocabulary::vocabulary;

vocabulary! {
    /// What kind of Party organisation a unit is.
    OrgKind {
        CountyCommittee = "county_committee", "县委";
        PartyCommittee = "party_committee", "党委";
        WorkingCommittee = "working_committee", "党工委";
        GeneralBranch = "general_branch", "党总支";
        Branch = "branch", "党支部";
        PartyGroup = "party_group", "党小组";
        SectorCommittee = "sector_committee", "行业党委";
        ParkCommittee = "park_committee", "园区党委";
        JointCommittee = "joint_committee", "联合党委";
    }
}

vocabulary! {
    /// The seven functional sectors of the new-employment groups.
    Sector {
        Express = "express", "快递";
        LiveCommerce = "live_commerce", "直播电商";
        RoadTransport = "road_transport", "道路交通";
        PrivateEnterprise = "private_enterprise", "个私企业";
        Property = "property", "物业";
        RideHailing = "ride_hailing", "网约车";
        FoodDelivery = "food_delivery", "外卖";
    }
}

vocabulary! {
    /// Member categories of the five-way classified management.
    MemberCategory {
        InOffice = "in_office", "在职";
        JoblessWithPost = "jobless_with_post", "无职设岗";
        Floating = "floating", "流动";
        InDifficulty = "in_difficulty", "困难";
        Retired = "retired", "离退休";
    }
}

vocabulary! {
    /// Roles are held on an org unit and reach its whole subtree.
    Role {
        Secretary = "secretary", "书记";
        OrgOfficer = "org_officer", "组织委员";
        Admin = "admin", "组织部管理员";
        CommunityAdmin = "community_admin", "社区书记";
    }
}

impl Role {
    /// The roles that hold at least this one's powers: the organisation
    /// department's admin covers every role; a secretary covers an org
    /// officer; a community admin is covered only by its peers and admins.
    pub fn covered_by(self) -> &'static [Role] {
        match self {
            Role::Admin => &[Role::Admin],
            Role::Secretary => &[Role::Secretary, Role::Admin],
            Role::OrgOfficer => &[Role::OrgOfficer, Role::Secretary, Role::Admin],
            Role::CommunityAdmin => &[Role::CommunityAdmin, Role::Admin],
        }
    }
}

vocabulary! {
    /// Whether a member still belongs here. Members are never deleted.
    MemberStatus {
        Active = "active", "正常";
        TransferredOut = "transferred_out", "已转出";
        Deceased = "deceased", "已故";
    }
}

impl OrgKind {
    /// Infers the kind from a unit's name, as written in roster paths
    /// (`城关街道党工委`, `某社区党支部`, `外卖行业党委`).
    pub fn infer_from_name(name: &str) -> Option<OrgKind> {
        // Longer, more specific suffixes first: 行业党委 before 党委.
        const SUFFIXES: &[(&str, OrgKind)] = &[
            ("行业党委", OrgKind::SectorCommittee),
            ("园区党委", OrgKind::ParkCommittee),
            ("联合党委", OrgKind::JointCommittee),
            ("党工委", OrgKind::WorkingCommittee),
            ("工委", OrgKind::WorkingCommittee),
            ("党总支", OrgKind::GeneralBranch),
            ("党支部", OrgKind::Branch),
            ("党小组", OrgKind::PartyGroup),
            ("县委", OrgKind::CountyCommittee),
            ("党委", OrgKind::PartyCommittee),
        ];
        SUFFIXES
            .iter()
            .find(|(suffix, _)| name.ends_with(suffix))
            .map(|(_, kind)| *kind)
    }

    /// The kinds a unit of this kind may hold directly: committees hold
    /// general branches and branches, general branches hold branches,
    /// branches hold party groups.
    pub fn child_kinds(self) -> &'static [OrgKind] {
        use OrgKind::*;
        match self {
            CountyCommittee => &[
                PartyCommittee,
                WorkingCommittee,
                SectorCommittee,
                ParkCommittee,
                JointCommittee,
                GeneralBranch,
                Branch,
            ],
            PartyCommittee | WorkingCommittee | SectorCommittee | ParkCommittee
            | JointCommittee => &[PartyCommittee, GeneralBranch, Branch],
            GeneralBranch => &[Branch],
            Branch => &[PartyGroup],
            PartyGroup => &[],
        }
    }

    /// Units members can belong to directly (组织关系).
    pub fn holds_members(self) -> bool {
        !matches!(self, OrgKind::CountyCommittee)
    }
}

impl Sector {
    /// Finds the sector a committee's name starts with (`外卖行业党委`).
    pub fn infer_from_name(name: &str) -> Option<Sector> {
        Sector::ALL
            .iter()
            .copied()
            .find(|s| name.starts_with(s.zh()))
    }
}

/// One rule an org unit breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplianceIssue {
    pub code: String,
    pub message: String,
}

/// Smallest number of formal members a branch needs.
pub const MIN_BRANCH_FORMAL_MEMBERS: u64 = 3;
/// Above this many members a unit should be a 党总支.
pub const GENERAL_BRANCH_THRESHOLD: u64 = 50;
/// Above this many members a unit should be a 党委.
pub const PARTY_COMMITTEE_THRESHOLD: u64 = 100;

/// The size rules of 《中国共产党支部工作条例（试行）》 as the county applies
/// them: a branch needs at least 3 formal members; more than 50 members
/// should be a 党总支; more than 100 should be a 党委.
pub fn compliance(kind: OrgKind, members: u64, formal_members: u64) -> Vec<ComplianceIssue> {
    let mut issues = Vec::new();
    let issue = |code: &str, message: String| ComplianceIssue {
        code: code.to_owned(),
        message,
    };
    if kind == OrgKind::Branch && formal_members < MIN_BRANCH_FORMAL_MEMBERS {
        issues.push(issue(
            "too_few_formal_members",
            format!("正式党员 {formal_members} 人，党支部至少需要 {MIN_BRANCH_FORMAL_MEMBERS} 名正式党员"),
        ));
    }
    if matches!(kind, OrgKind::Branch | OrgKind::GeneralBranch)
        && members > PARTY_COMMITTEE_THRESHOLD
    {
        issues.push(issue(
            "should_be_party_committee",
            format!("党员 {members} 人，超过 {PARTY_COMMITTEE_THRESHOLD} 人应成立党委"),
        ));
    } else if kind == OrgKind::Branch && members > GENERAL_BRANCH_THRESHOLD {
        issues.push(issue(
            "should_be_general_branch",
            format!("党员 {members} 人，超过 {GENERAL_BRANCH_THRESHOLD} 人应成立党总支"),
        ));
    }
    issues
}

/// `GET /orgs/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Org {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<Sector>,
    pub parent_id: Option<i64>,
    /// Active members in the whole subtree.
    pub member_count: u64,
    pub compliance: Vec<ComplianceIssue>,
    /// Set once the unit was dissolved; it is kept for its history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub dissolved_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// A member as listed to secretaries and admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberSummary {
    pub id: i64,
    pub name: String,
    /// Masked unless the caller is an admin.
    pub phone: String,
    pub categories: Vec<MemberCategory>,
    pub branch: crate::auth::IdName,
    pub status: MemberStatus,
    pub probationary: bool,
    pub disabled: bool,
}

/// A community (社区/村) members report to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Community {
    pub id: i64,
    pub name: String,
    /// The township or street the community belongs to.
    pub parent: crate::auth::IdName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The community's own Party organisation, on which its community
    /// admin (社区书记) holds the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<crate::auth::IdName>,
}

/// `POST /orgs/{id}/children`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewOrg {
    pub name: String,
    pub kind: OrgKind,
    /// Required for a 行业党委; a unit under one keeps its sector.
    #[serde(default)]
    pub sector: Option<Sector>,
}

/// `POST /communities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCommunity {
    pub name: String,
    /// The township (党委) or street (党工委) it belongs to.
    pub street_org_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// `PATCH /communities/{id}`: any of the fields; the others stay. An empty
/// address clears it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunityPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The community's own Party organisation: a unit under its street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<i64>,
}

/// `POST /orgs/{id}/move`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoveOrg {
    pub parent_id: i64,
}

/// `PATCH /orgs/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rename {
    pub name: String,
}

/// One bad cell of a roster import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportError {
    /// 1-based row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub field: String,
    pub message: String,
}

/// `POST /admin/roster`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    // Defaults, so a 422 of the query (ErrorBody alone) is an ImportReport too.
    #[serde(default)]
    pub created: usize,
    #[serde(default)]
    pub updated: usize,
    #[serde(default)]
    pub unchanged: usize,
    #[serde(default)]
    pub errors: Vec<ImportError>,
    /// 报到社区 the import creates (or would create) under their street,
    /// written `街道/社区` in the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new_communities: Vec<String>,
    /// True when nothing was written (a dry run, or any bad row).
    #[serde(default)]
    pub dry_run: bool,
    /// With errors: `invalid_roster` and a summary, as every API error has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// With errors: ErrorBody's `fields`, keyed `rows[N].列名` (`file` for
    /// the file itself), so a generic client shows them like any 422.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<std::collections::BTreeMap<String, String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_inferred_from_the_most_specific_suffix() {
        assert_eq!(
            OrgKind::infer_from_name("东明县委"),
            Some(OrgKind::CountyCommittee)
        );
        assert_eq!(
            OrgKind::infer_from_name("城关街道党工委"),
            Some(OrgKind::WorkingCommittee)
        );
        assert_eq!(
            OrgKind::infer_from_name("县直机关工委"),
            Some(OrgKind::WorkingCommittee)
        );
        assert_eq!(
            OrgKind::infer_from_name("外卖行业党委"),
            Some(OrgKind::SectorCommittee)
        );
        assert_eq!(
            OrgKind::infer_from_name("开发区园区党委"),
            Some(OrgKind::ParkCommittee)
        );
        assert_eq!(
            OrgKind::infer_from_name("菜园集片区联合党委"),
            Some(OrgKind::JointCommittee)
        );
        assert_eq!(
            OrgKind::infer_from_name("县财政局党委"),
            Some(OrgKind::PartyCommittee)
        );
        assert_eq!(
            OrgKind::infer_from_name("某社区党支部"),
            Some(OrgKind::Branch)
        );
        assert_eq!(OrgKind::infer_from_name("某某单位"), None);
        assert_eq!(
            Sector::infer_from_name("外卖行业党委"),
            Some(Sector::FoodDelivery)
        );
    }

    #[test]
    fn a_branch_needs_three_formal_members() {
        let codes = |v: Vec<ComplianceIssue>| v.into_iter().map(|i| i.code).collect::<Vec<_>>();
        assert_eq!(
            codes(compliance(OrgKind::Branch, 5, 2)),
            ["too_few_formal_members"]
        );
        assert!(compliance(OrgKind::Branch, 3, 3).is_empty());
        assert!(compliance(OrgKind::PartyCommittee, 0, 0).is_empty());
    }

    #[test]
    fn large_branches_should_become_general_branches_or_committees() {
        let codes = |v: Vec<ComplianceIssue>| v.into_iter().map(|i| i.code).collect::<Vec<_>>();
        assert!(compliance(OrgKind::Branch, 50, 50).is_empty());
        assert_eq!(
            codes(compliance(OrgKind::Branch, 51, 51)),
            ["should_be_general_branch"]
        );
        assert_eq!(
            codes(compliance(OrgKind::Branch, 101, 101)),
            ["should_be_party_committee"]
        );
        assert!(compliance(OrgKind::GeneralBranch, 100, 100).is_empty());
        assert_eq!(
            codes(compliance(OrgKind::GeneralBranch, 101, 90)),
            ["should_be_party_committee"]
        );
    }

    #[test]
    fn every_vocabulary_round_trips_through_its_codes_and_chinese_names() {
        for c in MemberCategory::ALL {
            assert_eq!(MemberCategory::from_zh(c.zh()), Some(*c));
            assert_eq!(MemberCategory::from_code(c.code()), Some(*c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
        }
        for s in Sector::ALL {
            assert_eq!(Sector::from_code(s.code()), Some(*s));
        }
    }
}
