//! 党员中心户: members a village branch designates to serve a list of
//! households in their grid (党小组) — the last link of 联村党委抓总、网格
//! 党支部推进、党员中心户落实.

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, FromQueryResult};
use zhibu_shared::classes::{CenterHousehold, CenterHouseholdRequest, MAX_HOUSEHOLDS};
use zhibu_shared::org::MemberStatus;

use super::member_in_reach;
use crate::access::{Caller, MANAGERS};
use crate::entities::center_household;
use crate::error::{ApiError, ApiResult};
use crate::governance::{id_name, names};
use crate::sql;
use crate::time::now;

/// `PUT /members/{id}/center-household`. The unit is the member's branch
/// or a grid of it. Audited.
pub async fn put(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    req: &CenterHouseholdRequest,
) -> ApiResult<CenterHousehold> {
    let member = member_in_reach(conn, caller, member_id, MANAGERS).await?;
    let unit = crate::governance::live_unit(conn, req.org_id).await?;
    let branch_of_member = crate::entities::org_unit::Entity::find_by_id(member.branch_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    // The member's own unit, its branch when the member is in a grid, or a grid of it.
    let branch = if branch_of_member.kind == zhibu_shared::org::OrgKind::PartyGroup {
        branch_of_member.parent_id.unwrap_or(branch_of_member.id)
    } else {
        branch_of_member.id
    };
    if !crate::orgs::tree::is_within(conn, branch, unit.id).await? {
        return Err(ApiError::invalid("org_id", "须为该党员所在支部或其网格"));
    }
    let households: Vec<String> = req
        .households
        .iter()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .collect();
    if households.is_empty() || households.len() > MAX_HOUSEHOLDS {
        return Err(ApiError::invalid(
            "households",
            format!("联系户须为 1 到 {MAX_HOUSEHOLDS} 户"),
        ));
    }
    if households
        .iter()
        .any(|h| h.chars().count() > 30 || h.contains('\n'))
    {
        return Err(ApiError::invalid("households", "每户名称不能超过 30 个字"));
    }
    center_household::Entity::insert(center_household::ActiveModel {
        member_id: Set(member_id),
        org_id: Set(unit.id),
        households: Set(households.join("\n")),
        updated_at: Set(now()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(center_household::Column::MemberId)
            .update_columns([
                center_household::Column::OrgId,
                center_household::Column::Households,
                center_household::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "center_household.set",
        "member",
        &member_id.to_string(),
        Some(serde_json::json!({"org_id": unit.id, "households": households.len()}).to_string()),
    )
    .await?;
    let row = center_household::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(views(conn, vec![row]).await?.remove(0))
}

/// `DELETE /members/{id}/center-household`.
pub async fn remove(conn: &impl ConnectionTrait, caller: &Caller, member_id: i64) -> ApiResult<()> {
    member_in_reach(conn, caller, member_id, MANAGERS).await?;
    center_household::Entity::delete_by_id(member_id)
        .exec(conn)
        .await?;
    Ok(())
}

/// `GET /orgs/{id}/center-households`: by name.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
) -> ApiResult<Vec<CenterHousehold>> {
    caller.require(conn, MANAGERS, org_id).await?;
    let rows = center_household::Model::find_by_statement(sql::stmt(
        conn,
        &format!(
            "SELECT h.* FROM center_household h JOIN member m ON m.id = h.member_id \
             JOIN org_closure c ON c.descendant_id = h.org_id WHERE c.ancestor_id = $1 AND m.status = {} \
             ORDER BY m.name, m.id",
            sql::lit(MemberStatus::Active)
        ),
        [org_id.into()],
    ))
    .all(conn)
    .await?;
    views(conn, rows).await
}

async fn views(
    conn: &impl ConnectionTrait,
    rows: Vec<center_household::Model>,
) -> ApiResult<Vec<CenterHousehold>> {
    let people = names(conn, "member", rows.iter().map(|r| r.member_id)).await?;
    let units = names(conn, "org_unit", rows.iter().map(|r| r.org_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| CenterHousehold {
            member: id_name(&people, r.member_id),
            org: id_name(&units, r.org_id),
            households: r.households.lines().map(str::to_owned).collect(),
        })
        .collect())
}

/// The households a member serves, if any (`/me/classes`).
pub async fn of_member(
    conn: &impl ConnectionTrait,
    member_id: i64,
) -> ApiResult<Option<CenterHousehold>> {
    let Some(row) = center_household::Entity::find_by_id(member_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(views(conn, vec![row]).await?.pop())
}
