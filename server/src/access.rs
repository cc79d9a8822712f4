//! Who may see and change what. Roles are held on an org unit and reach its
//! whole subtree; an object outside the caller's reach answers 404, exactly
//! like one that does not exist.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use zhibu_shared::org::Role;

use crate::auth::AuthMember;
use crate::error::{ApiError, ApiResult};
use crate::sql;

/// The roles that manage a unit's members and records.
pub const MANAGERS: &[Role] = &[Role::Secretary, Role::OrgOfficer, Role::Admin];
/// Only the organisation department.
pub const ADMINS: &[Role] = &[Role::Admin];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub org_id: i64,
}

/// The signed-in member with their roles.
#[derive(Debug, Clone)]
pub struct Caller {
    pub member_id: i64,
    pub branch_id: i64,
    pub grants: Vec<Grant>,
}

impl Caller {
    /// The caller behind a live session; their roles came with it.
    pub fn of(auth: &AuthMember) -> Caller {
        Caller {
            member_id: auth.member_id,
            branch_id: auth.branch_id,
            grants: auth.grants.clone(),
        }
    }

    /// Org units where the caller holds one of `roles`.
    pub fn orgs_with(&self, roles: &[Role]) -> Vec<i64> {
        let mut orgs: Vec<i64> = self
            .grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .map(|g| g.org_id)
            .collect();
        orgs.sort_unstable();
        orgs.dedup();
        orgs
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.grants.iter().any(|g| roles.contains(&g.role))
    }

    /// True when `org_id` lies in the subtree of a unit where the caller
    /// holds one of `roles`. One indexed lookup in the closure table.
    pub async fn reaches(
        &self,
        conn: &impl ConnectionTrait,
        roles: &[Role],
        org_id: i64,
    ) -> Result<bool, DbErr> {
        let roots = self.orgs_with(roles);
        if roots.is_empty() {
            return Ok(false);
        }
        #[derive(FromQueryResult)]
        struct Hit {
            #[allow(dead_code)]
            ancestor_id: i64,
        }
        let query = format!(
            "SELECT ancestor_id FROM org_closure WHERE descendant_id = $1 AND ancestor_id IN ({}) LIMIT 1",
            sql::placeholders(2, roots.len())
        );
        let values = std::iter::once(org_id.into()).chain(roots.into_iter().map(Into::into));
        Ok(sql::fetch_one::<Hit>(conn, &query, values).await?.is_some())
    }

    /// True when every role `member_id` holds is also held by the caller,
    /// or outranked, over at least the same subtree. Nobody may act on a
    /// member above them: that is how a secretary would become an admin.
    pub async fn covers(&self, conn: &impl ConnectionTrait, member_id: i64) -> Result<bool, DbErr> {
        #[derive(FromQueryResult)]
        struct Held {
            role: Role,
            org_id: i64,
        }
        let held = sql::fetch_all::<Held>(
            conn,
            "SELECT role, org_id FROM role_grant WHERE member_id = $1",
            [member_id.into()],
        )
        .await?;
        for grant in held {
            if !self
                .reaches(conn, grant.role.covered_by(), grant.org_id)
                .await?
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The checks before the caller changes another member: not themself
    /// (their own roles and status are changed by someone above them) and
    /// not a member who holds a role the caller does not cover.
    pub async fn may_act_on(&self, conn: &impl ConnectionTrait, member_id: i64) -> ApiResult<()> {
        if member_id == self.member_id {
            return Err(ApiError::Forbidden {
                code: "own_account",
                message: "不能修改自己的角色、状态或账号，请联系上级组织".into(),
            });
        }
        if !self.covers(conn, member_id).await? {
            return Err(ApiError::Forbidden {
                code: "outranks_caller",
                message: "该党员担任的职务超出您的权限，请由上级组织操作".into(),
            });
        }
        Ok(())
    }

    /// `reaches`, or 404.
    pub async fn require(
        &self,
        conn: &impl ConnectionTrait,
        roles: &[Role],
        org_id: i64,
    ) -> ApiResult<()> {
        if self.reaches(conn, roles, org_id).await? {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }
}
