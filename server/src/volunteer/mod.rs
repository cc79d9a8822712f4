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

use zhibu_shared::org::Role;

/// Who decides logs and joins of a unit: its secretaries and org officers.
pub const UNIT_REVIEWERS: &[Role] = &[Role::Secretary, Role::OrgOfficer];
/// Who decides what happens in a community.
pub const COMMUNITY_REVIEWERS: &[Role] = &[Role::CommunityAdmin];
