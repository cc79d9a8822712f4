//! Community reporting, sector committees and volunteer hours: logging,
//! review by whoever organised the service (谁组织谁记录、谁记录谁证明),
//! crediting up the tree, reports, exports and certificates.

pub mod certificates;
pub mod community;
pub mod exports;
pub mod follow_up;
pub mod handlers;
pub mod inbox;
pub mod logs;
pub mod reports;
pub mod rollup;
pub mod sectors;

use std::sync::LazyLock;

use zhibu_shared::org::{OrgKind, Role};

use crate::sql;

/// Who decides logs and joins of a unit: its secretaries and org officers.
pub const UNIT_REVIEWERS: &[Role] = &[Role::Secretary, Role::OrgOfficer];
/// Who decides what happens in a community.
pub const COMMUNITY_REVIEWERS: &[Role] = &[Role::CommunityAdmin];

/// The unit on which a community's deciders hold their role: its own
/// organisation, else its township or street (`cm` is the community). The
/// one rule, in SQL; `community::community_unit` reads it for a loaded row.
pub const COMMUNITY_UNIT_SQL: &str = "COALESCE(cm.org_id, cm.parent_org_id)";

/// Whether a log `l` was a sector committee's activity.
fn sector_activity_sql() -> String {
    format!(
        "EXISTS (SELECT 1 FROM org_unit u WHERE u.id = l.org_id AND u.kind = {})",
        sql::lit(OrgKind::SectorCommittee)
    )
}

/// Whether a log `l` is decided by community admins (service done in a
/// community, not organised by a sector committee) rather than by a unit's
/// secretaries and org officers.
pub fn log_by_community_sql() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "(l.community_id IS NOT NULL AND NOT {})",
            sector_activity_sql()
        )
    });
    &SQL
}

/// The unit whose reviewers decide a log `l`: whoever organised it — the
/// sector committee for its activities (in a community too), the
/// community's for other service done in a community, otherwise the
/// member's branch. Who reviews a log is written only here.
pub fn log_review_unit_sql() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "CASE \
             WHEN {sector} THEN l.org_id \
             WHEN l.community_id IS NOT NULL THEN \
               (SELECT {COMMUNITY_UNIT_SQL} FROM community cm WHERE cm.id = l.community_id) \
             ELSE l.branch_id END",
            sector = sector_activity_sql()
        )
    });
    &SQL
}
