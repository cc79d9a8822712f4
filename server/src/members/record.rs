//! The member page: what a member's managers see of them and change —
//! categories, 转正, transferred out or deceased — with their roles.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    IntoActiveModel, QueryFilter,
};
use zhibu_shared::auth::IdName;
use zhibu_shared::member::{HeldRole, MemberDetail, MemberPatch, formal_date_problem};
use zhibu_shared::org::{MemberCategory, MemberStatus, Role};
use zhibu_shared::phone::mask_phone;

use super::{categories_of, managed_member};
use crate::access::{ADMINS, Caller, MANAGERS};
use crate::auth::sessions;
use crate::entities::{member, member_category};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

#[derive(FromQueryResult)]
struct Named {
    id: i64,
    name: String,
}

#[derive(FromQueryResult)]
struct HeldRow {
    id: i64,
    role: Role,
    org_id: i64,
    org_name: String,
}

/// `GET /members/{id}`: for managers of the member's branch, else 404.
/// The phone is shown whole to admins over the member only.
pub async fn detail(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
) -> ApiResult<MemberDetail> {
    let m = member::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    caller.require(conn, MANAGERS, m.branch_id).await?;
    let show_phone = caller.reaches(conn, ADMINS, m.branch_id).await?;
    let (branch, community) = super::where_they_belong(conn, &m).await?;
    let roles = sql::fetch_all::<HeldRow>(
        conn,
        "SELECT r.id, r.role, r.org_id, o.name AS org_name FROM role_grant r \
         JOIN org_unit o ON o.id = r.org_id WHERE r.member_id = $1 ORDER BY r.id",
        [member_id.into()],
    )
    .await?;
    let may_change = match caller.may_act_on(conn, member_id).await {
        Ok(()) => true,
        Err(ApiError::Forbidden { .. }) => false,
        Err(other) => return Err(other),
    };
    // Grants sit on the member's own path, from the county down.
    let path = sql::fetch_all::<Named>(
        conn,
        "SELECT o.id, o.name FROM org_closure c JOIN org_unit o ON o.id = c.ancestor_id \
         WHERE c.descendant_id = $1 ORDER BY c.depth DESC",
        [m.branch_id.into()],
    )
    .await?;
    let mut grant_units = Vec::new();
    if may_change {
        for unit in path {
            if caller.reaches(conn, ADMINS, unit.id).await? {
                grant_units.push(IdName {
                    id: unit.id,
                    name: unit.name,
                });
            }
        }
    }
    Ok(MemberDetail {
        id: m.id,
        phone: if show_phone {
            m.phone.clone()
        } else {
            mask_phone(&m.phone)
        },
        name: m.name.clone(),
        branch,
        community,
        categories: {
            let mut categories = categories_of(conn, member_id).await?;
            // 困难 is shown only to the branch secretary and those above.
            if !crate::classes::difficulty::may_see(conn, caller, &m).await? {
                categories.retain(|c| *c != MemberCategory::InDifficulty);
            }
            categories
        },
        status: m.status,
        probationary: m.probationary,
        joined_party_on: m.joined_party_on,
        formal_on: m.formal_on,
        disabled: m.disabled_at.is_some(),
        activated: m.password_hash.is_some(),
        roles: roles
            .into_iter()
            .map(|r| HeldRole {
                id: r.id,
                role: r.role,
                org: IdName {
                    id: r.org_id,
                    name: r.org_name,
                },
            })
            .collect(),
        may_change,
        grant_units,
    })
}

/// `PATCH /members/{id}`: a manager who may act on the member changes their
/// categories, records 转正 on a date, or marks them transferred out or
/// deceased (kept, never deleted; their sessions end). Audited.
pub async fn update(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    patch: &MemberPatch,
    today: NaiveDate,
) -> ApiResult<()> {
    let m = managed_member(conn, caller, member_id).await?;
    if patch.is_empty() {
        return Err(ApiError::invalid("status", "没有要修改的内容"));
    }
    if let Some(formal_on) = patch.formal_on
        && let Some(problem) =
            formal_date_problem(m.probationary, m.joined_party_on, formal_on, today)
    {
        return Err(ApiError::invalid("formal_on", problem));
    }
    let leaving = patch
        .status
        .is_some_and(|s| s != MemberStatus::Active && m.status == MemberStatus::Active);
    let keeps_difficulty = crate::classes::difficulty::may_see(conn, caller, &m).await?;
    let mut active = m.into_active_model();
    if let Some(status) = patch.status {
        active.status = Set(status);
    }
    if let Some(formal_on) = patch.formal_on {
        active.probationary = Set(false);
        active.formal_on = Set(Some(formal_on));
    }
    active.updated_at = Set(now());
    active.update(conn).await?;
    if let Some(categories) = &patch.categories {
        // 困难 is changed only by those who may see it (the secretary and
        // those above); for others it stays as it is, unseen.
        let wanted: BTreeSet<_> = categories
            .iter()
            .copied()
            .filter(|c| keeps_difficulty || *c != MemberCategory::InDifficulty)
            .collect();
        let mut old = member_category::Entity::delete_many()
            .filter(member_category::Column::MemberId.eq(member_id));
        if !keeps_difficulty {
            old = old.filter(member_category::Column::Category.ne(MemberCategory::InDifficulty));
        }
        old.exec(conn).await?;
        if !wanted.is_empty() {
            member_category::Entity::insert_many(wanted.into_iter().map(|c| {
                member_category::ActiveModel {
                    member_id: Set(member_id),
                    category: Set(c),
                }
            }))
            .exec_without_returning(conn)
            .await?;
        }
    }
    if leaving {
        sessions::revoke_member_sessions(conn, member_id, "member_left").await?;
    }
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "member.update",
        "member",
        &member_id.to_string(),
        Some(serde_json::to_string(patch).unwrap_or_default()),
    )
    .await?;
    Ok(())
}
