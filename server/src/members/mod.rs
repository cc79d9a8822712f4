//! Members: the signed-in member's profile, passwords, and what secretaries
//! and admins do to members (disable, reset a password, change status).

pub mod handlers;
pub mod record;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    FromQueryResult, IntoActiveModel, QueryFilter, QueryOrder,
};
use zhibu_shared::auth::{ActivationCode, IdName, Me, RoleGrant, password_problem};
use zhibu_shared::org::{MemberCategory, MemberStatus, Role};
use zhibu_shared::phone::mask_phone;
use zhibu_shared::volunteer::LogStatus;

use crate::access::{Caller, MANAGERS};
use crate::auth::{password, sessions};
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
struct RoleRow {
    role: Role,
    org_id: i64,
    org_name: String,
}

pub async fn is_active(conn: &impl ConnectionTrait, member_id: i64) -> Result<bool, DbErr> {
    Ok(member::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .is_some_and(|m| m.status == MemberStatus::Active && m.disabled_at.is_none()))
}

pub async fn categories_of(
    conn: &impl ConnectionTrait,
    member_id: i64,
) -> Result<Vec<MemberCategory>, DbErr> {
    Ok(member_category::Entity::find()
        .filter(member_category::Column::MemberId.eq(member_id))
        .order_by_asc(member_category::Column::Category)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.category)
        .collect())
}

/// A member's branch and reporting community, by name.
pub(crate) async fn where_they_belong(
    conn: &impl ConnectionTrait,
    m: &member::Model,
) -> ApiResult<(IdName, Option<IdName>)> {
    let branch = sql::fetch_one::<Named>(
        conn,
        "SELECT id, name FROM org_unit WHERE id = $1",
        [m.branch_id.into()],
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    let community = match m.community_id {
        Some(id) => {
            sql::fetch_one::<Named>(
                conn,
                "SELECT id, name FROM community WHERE id = $1",
                [id.into()],
            )
            .await?
        }
        None => None,
    };
    let named = |n: Named| IdName {
        id: n.id,
        name: n.name,
    };
    Ok((named(branch), community.map(named)))
}

/// `GET /me`.
pub async fn load_me(conn: &impl ConnectionTrait, member_id: i64) -> ApiResult<Me> {
    let m = member::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (branch, community) = where_they_belong(conn, &m).await?;
    let sectors = sql::fetch_all::<Named>(
        conn,
        &format!(
            "SELECT o.id, o.name FROM sector_membership s JOIN org_unit o ON o.id = s.committee_id \
             WHERE s.member_id = $1 AND s.status = {} ORDER BY o.id",
            sql::lit(LogStatus::Approved)
        ),
        [member_id.into()],
    )
    .await?;
    let roles = sql::fetch_all::<RoleRow>(
        conn,
        "SELECT r.role, r.org_id, o.name AS org_name FROM role_grant r JOIN org_unit o ON o.id = r.org_id \
         WHERE r.member_id = $1 ORDER BY r.id",
        [member_id.into()],
    )
    .await?;
    Ok(Me {
        id: m.id,
        name: m.name,
        phone_masked: mask_phone(&m.phone),
        categories: categories_of(conn, member_id).await?,
        branch,
        community,
        sectors: sectors
            .into_iter()
            .map(|s| IdName {
                id: s.id,
                name: s.name,
            })
            .collect(),
        roles: roles
            .into_iter()
            .map(|r| RoleGrant {
                role: r.role,
                org_id: r.org_id,
                org_name: r.org_name,
            })
            .collect(),
    })
}

/// Checks the old password, stores the new one and ends every session.
pub async fn change_password(
    conn: &impl ConnectionTrait,
    member_id: i64,
    old_password: String,
    new_password: String,
) -> ApiResult<()> {
    if let Some(problem) = password_problem(&new_password) {
        return Err(ApiError::invalid("new_password", problem));
    }
    let m = member::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !password::verify_blocking(old_password, m.password_hash.clone()).await? {
        return Err(ApiError::invalid("old_password", "原密码不正确"));
    }
    crate::auth::activation::set_password(conn, member_id, new_password).await
}

/// Loads a member the caller may change: one they manage (secretary, org
/// officer or admin of an ancestor of the member's branch; else 404), not
/// themself and holding no role the caller does not cover (else 403).
/// Every endpoint that changes a member goes through here.
pub async fn managed_member(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
) -> ApiResult<member::Model> {
    let m = member::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    caller.require(conn, MANAGERS, m.branch_id).await?;
    caller.may_act_on(conn, m.id).await?;
    Ok(m)
}

/// Disables (or re-enables) a member's logins; disabling ends their sessions.
pub async fn set_disabled(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    disabled: bool,
) -> ApiResult<()> {
    let m = managed_member(conn, caller, member_id).await?;
    let mut active = m.into_active_model();
    active.disabled_at = Set(disabled.then(now));
    active.updated_at = Set(now());
    active.update(conn).await?;
    if disabled {
        sessions::revoke_member_sessions(conn, member_id, "member_disabled").await?;
    }
    crate::audit::record(
        conn,
        Some(caller.member_id),
        if disabled {
            "member.disable"
        } else {
            "member.enable"
        },
        "member",
        &member_id.to_string(),
        None,
    )
    .await?;
    Ok(())
}

/// Issues a one-time activation code for a member who has never signed in
/// or forgot their password: shown to them large, or printed on a sheet.
pub async fn issue_activation(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
) -> ApiResult<ActivationCode> {
    let m = managed_member(conn, caller, member_id).await?;
    let (code, expires_at) =
        crate::auth::activation::issue(conn, m.id, Some(caller.member_id), now()).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "member.activation",
        "member",
        &member_id.to_string(),
        None,
    )
    .await?;
    Ok(ActivationCode {
        member: IdName {
            id: m.id,
            name: m.name,
        },
        code,
        expires_at,
    })
}

/// The most codes one sheet holds: a branch has at most about a hundred
/// members; a bigger unit prints branch by branch.
pub const MAX_SHEET: u64 = 300;

/// Codes for every member below `org_id` who has never signed in, ordered
/// by name, for a printed sheet: many members first sign in on a family
/// member's phone. Members the caller may not act on are left out.
pub async fn activation_sheet(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
) -> ApiResult<Vec<ActivationCode>> {
    caller.require(conn, MANAGERS, org_id).await?;
    let waiting = sql::fetch_all::<Named>(
        conn,
        &format!(
            "SELECT m.id, m.name FROM member m JOIN org_closure c ON c.descendant_id = m.branch_id \
             WHERE c.ancestor_id = $1 AND m.status = {} AND m.disabled_at IS NULL \
             AND m.password_hash IS NULL ORDER BY m.name, m.id LIMIT $2",
            sql::lit(MemberStatus::Active)
        ),
        [org_id.into(), (MAX_SHEET as i64 + 1).into()],
    )
    .await?;
    if waiting.len() as u64 > MAX_SHEET {
        return Err(ApiError::invalid(
            "org_id",
            format!("待激活的党员超过 {MAX_SHEET} 人，请按支部分别打印"),
        ));
    }
    let now = now();
    let mut sheet = Vec::with_capacity(waiting.len());
    for m in waiting {
        // The same rule as for one code: not oneself, nobody above.
        match caller.may_act_on(conn, m.id).await {
            Ok(()) => {}
            Err(ApiError::Forbidden { .. }) => continue,
            Err(other) => return Err(other),
        }
        let (code, expires_at) =
            crate::auth::activation::issue(conn, m.id, Some(caller.member_id), now).await?;
        sheet.push(ActivationCode {
            member: IdName {
                id: m.id,
                name: m.name,
            },
            code,
            expires_at,
        });
    }
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "member.activation_sheet",
        "org_unit",
        &org_id.to_string(),
        Some(serde_json::json!({"codes": sheet.len()}).to_string()),
    )
    .await?;
    Ok(sheet)
}

/// Moves a member to another branch from `from` on, keeping the history
/// that decides which branch earlier records credit.
pub async fn move_branch(
    conn: &impl ConnectionTrait,
    member_id: i64,
    branch_id: i64,
    from: chrono::NaiveDate,
) -> Result<(), DbErr> {
    use crate::entities::member_branch_history as history;
    history::Entity::update_many()
        .col_expr(
            history::Column::ValidTo,
            sea_orm::sea_query::Expr::value(Some(from)),
        )
        .filter(history::Column::MemberId.eq(member_id))
        .filter(history::Column::ValidTo.is_null())
        .exec(conn)
        .await?;
    record_branch_start(conn, member_id, branch_id, from).await?;
    member::Entity::update_many()
        .col_expr(
            member::Column::BranchId,
            sea_orm::sea_query::Expr::value(branch_id),
        )
        .filter(member::Column::Id.eq(member_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Opens a member's stay in a branch from `from` on.
pub async fn record_branch_start(
    conn: &impl ConnectionTrait,
    member_id: i64,
    branch_id: i64,
    from: chrono::NaiveDate,
) -> Result<(), sea_orm::DbErr> {
    crate::entities::member_branch_history::Entity::insert(
        crate::entities::member_branch_history::ActiveModel {
            member_id: Set(member_id),
            branch_id: Set(branch_id),
            valid_from: Set(from),
            valid_to: Set(None),
            ..Default::default()
        },
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
