//! A member as their secretary or the organisation department manages
//! them: the member page, its changes and role grants.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::auth::IdName;
use crate::org::{MemberCategory, MemberStatus, Role};

/// A role a member holds, with the grant's id for revoking it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldRole {
    pub id: i64,
    pub role: Role,
    pub org: IdName,
}

/// `GET /members/{id}`: the member page, for managers of the member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberDetail {
    pub id: i64,
    pub name: String,
    /// Masked unless the caller is an admin over the member.
    pub phone: String,
    pub branch: IdName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<IdName>,
    pub categories: Vec<MemberCategory>,
    pub status: MemberStatus,
    pub probationary: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_party_on: Option<NaiveDate>,
    /// The day a probationary member became formal (转正).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formal_on: Option<NaiveDate>,
    pub disabled: bool,
    /// Whether the member has ever set a password.
    pub activated: bool,
    pub roles: Vec<HeldRole>,
    /// Whether the caller may change this member (not themself, nobody
    /// holding a role the caller does not cover).
    pub may_change: bool,
    /// Units on the member's path where the caller may grant roles.
    pub grant_units: Vec<IdName>,
}

/// `PATCH /members/{id}`: any of the fields; the others stay.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberPatch {
    /// Transferred out or deceased (members are never deleted), or active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MemberStatus>,
    /// The member's whole set of categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<MemberCategory>>,
    /// A probationary member becomes formal (转正) on this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formal_on: Option<NaiveDate>,
}

impl MemberPatch {
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.categories.is_none() && self.formal_on.is_none()
    }
}

/// `POST /roles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantRole {
    pub member_id: i64,
    pub role: Role,
    pub org_id: i64,
}

/// The id of a role grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantId {
    pub id: i64,
}

/// Why a 转正 date cannot be recorded: the probationary year (预备期一年,
/// from the day of joining) must have passed, and the day must not be
/// ahead of today.
pub fn formal_date_problem(
    probationary: bool,
    joined: Option<NaiveDate>,
    formal_on: NaiveDate,
    today: NaiveDate,
) -> Option<&'static str> {
    if !probationary {
        return Some("该党员已是正式党员");
    }
    if formal_on > today {
        return Some("转正日期不能晚于今天");
    }
    let year_after = joined.and_then(|j| {
        j.with_year(j.year() + 1)
            .or_else(|| j.pred_opt().and_then(|d| d.with_year(d.year() + 1)))
    });
    match year_after {
        Some(earliest) if formal_on < earliest => Some("预备期为一年，转正日期不能早于入党满一年"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_probationary_member_becomes_formal_a_year_after_joining_and_not_in_the_future() {
        let joined = Some(day("2025-07-01"));
        let today = day("2026-11-30");
        assert_eq!(
            formal_date_problem(true, joined, day("2026-07-01"), today),
            None
        );
        assert!(formal_date_problem(true, joined, day("2026-06-30"), today).is_some());
        assert!(formal_date_problem(true, joined, day("2026-12-01"), today).is_some());
        assert!(formal_date_problem(false, joined, day("2026-07-01"), today).is_some());
        assert_eq!(
            formal_date_problem(true, None, day("2026-07-01"), today),
            None
        );
    }

    #[test]
    fn a_member_who_joined_on_the_twenty_ninth_of_february_is_formal_from_the_twenty_eighth() {
        let joined = Some(day("2024-02-29"));
        let today = day("2026-11-30");
        assert_eq!(
            formal_date_problem(true, joined, day("2025-02-28"), today),
            None
        );
        assert!(formal_date_problem(true, joined, day("2025-02-27"), today).is_some());
    }
}
