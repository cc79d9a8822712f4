//! Role grants: who is secretary, org officer, admin or community admin of
//! which unit. Only admins over a unit grant or revoke, never to or from
//! someone they do not cover, never for themselves.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use zhibu_shared::org::Role;

use crate::access::{ADMINS, Caller};
use crate::entities::{org_unit, role_grant};
use crate::error::{ApiError, ApiResult};

/// Grants a role on a unit; admins over the unit only.
pub async fn grant_role(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    role: Role,
    org_id: i64,
) -> ApiResult<i64> {
    caller.require(conn, ADMINS, org_id).await?;
    let unit = org_unit::Entity::find_by_id(org_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if unit.dissolved_at.is_some() {
        return Err(ApiError::conflict("org_dissolved", "该组织已撤销"));
    }
    if !crate::members::is_active(conn, member_id).await? {
        return Err(ApiError::invalid("member_id", "党员不存在或已停用"));
    }
    caller.may_act_on(conn, member_id).await?;
    let existing = role_grant::Entity::find()
        .filter(role_grant::Column::MemberId.eq(member_id))
        .filter(role_grant::Column::Role.eq(role.code()))
        .filter(role_grant::Column::OrgId.eq(org_id))
        .one(conn)
        .await?;
    if let Some(existing) = existing {
        return Ok(existing.id);
    }
    let grant = role_grant::Entity::insert(role_grant::ActiveModel {
        member_id: Set(member_id),
        role: Set(role),
        org_id: Set(org_id),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "role.grant",
        "role_grant",
        &grant.last_insert_id.to_string(),
        Some(format!(
            "{{\"member_id\":{member_id},\"role\":\"{}\",\"org_id\":{org_id}}}",
            role.code()
        )),
    )
    .await?;
    Ok(grant.last_insert_id)
}

/// Revokes a role grant; admins over its unit only.
pub async fn revoke_role(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    grant_id: i64,
) -> ApiResult<()> {
    let grant = role_grant::Entity::find_by_id(grant_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    caller.require(conn, ADMINS, grant.org_id).await?;
    caller.may_act_on(conn, grant.member_id).await?;
    role_grant::Entity::delete_by_id(grant_id)
        .exec(conn)
        .await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "role.revoke",
        "role_grant",
        &grant_id.to_string(),
        None,
    )
    .await?;
    Ok(())
}
