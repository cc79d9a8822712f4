//! Changing the tree: a new unit under a parent, a new name, a move, and
//! dissolving an empty unit. Every change is audited.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter};
use zhibu_shared::org::{MemberStatus, NewOrg, Org, OrgKind, Role};

use super::{get_org, tree};
use crate::access::{ADMINS, Caller};
use crate::entities::org_unit;
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

/// Who creates, renames and dissolves units: admins over them, and a
/// secretary for their own unit's children.
const BUILDERS: &[Role] = &[Role::Admin, Role::Secretary];

/// A unit that exists and was not dissolved, else 404.
async fn live_unit(conn: &impl ConnectionTrait, org_id: i64) -> ApiResult<org_unit::Model> {
    org_unit::Entity::find_by_id(org_id)
        .one(conn)
        .await?
        .filter(|u| u.dissolved_at.is_none())
        .ok_or(ApiError::NotFound)
}

/// `POST /orgs/{id}/children`: a new unit under `parent_id`, by admins or
/// secretaries of the parent; the kind must fit under the parent's, and a
/// sector committee names its sector (a unit under one keeps its sector).
pub async fn create_child(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    parent_id: i64,
    req: &NewOrg,
    tz: chrono_tz::Tz,
) -> ApiResult<Org> {
    caller.require(conn, BUILDERS, parent_id).await?;
    let parent = live_unit(conn, parent_id).await?;
    let parent_kind = parent.kind;
    let name = req.name.trim();
    if let Some(problem) = tree::name_problem(name) {
        return Err(ApiError::invalid("name", problem));
    }
    if !parent_kind.child_kinds().contains(&req.kind) {
        return Err(ApiError::invalid(
            "kind",
            format!("{}下不能设立{}", parent_kind.zh(), req.kind.zh()),
        ));
    }
    let parent_sector = parent.sector;
    let sector = match (req.kind, req.sector, parent_sector) {
        (OrgKind::SectorCommittee, None, None) => {
            return Err(ApiError::invalid("sector", "行业党委须选择所属行业"));
        }
        (_, Some(asked), Some(inherited)) if asked != inherited => {
            return Err(ApiError::invalid(
                "sector",
                format!("上级组织属于{}行业", inherited.zh()),
            ));
        }
        (OrgKind::SectorCommittee, asked, inherited) => asked.or(inherited),
        (_, None, inherited) => inherited,
        (_, Some(_), None) => {
            return Err(ApiError::invalid(
                "sector",
                "只有行业党委及其下属组织有所属行业",
            ));
        }
        (_, Some(asked), Some(_)) => Some(asked),
    };
    if tree::find_child(conn, Some(parent_id), name)
        .await?
        .is_some()
    {
        return Err(ApiError::conflict("name_taken", "上级组织下已有同名组织"));
    }
    if tree::depth_of(conn, parent_id).await? + 1 >= tree::MAX_ORG_DEPTH as i64 {
        return Err(ApiError::invalid(
            "kind",
            format!("组织最多 {} 级", tree::MAX_ORG_DEPTH),
        ));
    }
    let unit = tree::create_org(conn, name, req.kind, sector, Some(parent_id)).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "org.create",
        "org_unit",
        &unit.id.to_string(),
        Some(serde_json::json!({"parent_id": parent_id, "kind": req.kind.code()}).to_string()),
    )
    .await?;
    // A new holder of theme days gets this month's and the next ones.
    crate::scheduler::run(conn, tz).await?;
    get_org(conn, caller, unit.id).await
}

/// `PATCH /orgs/{id}`: admins or secretaries of the unit rename it.
pub async fn rename(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    name: &str,
) -> ApiResult<Org> {
    caller.require(conn, BUILDERS, org_id).await?;
    let unit = live_unit(conn, org_id).await?;
    let name = name.trim();
    if let Some(problem) = tree::name_problem(name) {
        return Err(ApiError::invalid("name", problem));
    }
    if tree::find_child(conn, unit.parent_id, name)
        .await?
        .is_some_and(|other| other.id != org_id)
    {
        return Err(ApiError::conflict("name_taken", "上级组织下已有同名组织"));
    }
    org_unit::Entity::update_many()
        .col_expr(
            org_unit::Column::Name,
            sea_orm::sea_query::Expr::value(name),
        )
        .filter(org_unit::Column::Id.eq(org_id))
        .exec(conn)
        .await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "org.rename",
        "org_unit",
        &org_id.to_string(),
        Some(serde_json::json!({"from": unit.name, "to": name}).to_string()),
    )
    .await?;
    get_org(conn, caller, org_id).await
}

/// Moves a unit (with its subtree) under another parent; admins over both.
/// The kind must fit under the new parent, a unit stays in its sector, and
/// the tree stays within its depth.
pub async fn move_org(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    parent_id: i64,
) -> ApiResult<Org> {
    caller.require(conn, ADMINS, org_id).await?;
    caller.require(conn, ADMINS, parent_id).await?;
    let unit = live_unit(conn, org_id).await?;
    let parent = live_unit(conn, parent_id).await?;
    if tree::is_within(conn, org_id, parent_id).await? {
        return Err(ApiError::conflict(
            "org_cycle",
            "不能把组织移到它自己或其下级组织之下",
        ));
    }
    let (kind, parent_kind) = (unit.kind, parent.kind);
    if !parent_kind.child_kinds().contains(&kind) {
        return Err(ApiError::invalid(
            "parent_id",
            format!("{}下不能设立{}", parent_kind.zh(), kind.zh()),
        ));
    }
    if kind != OrgKind::SectorCommittee && unit.sector != parent.sector {
        return Err(ApiError::invalid(
            "parent_id",
            "行业党委的下属组织只能在同一行业内移动",
        ));
    }
    if tree::depth_of(conn, parent_id).await? + 1 + tree::height_of(conn, org_id).await?
        >= tree::MAX_ORG_DEPTH as i64
    {
        return Err(ApiError::invalid(
            "parent_id",
            format!("组织最多 {} 级", tree::MAX_ORG_DEPTH),
        ));
    }
    tree::move_org(conn, org_id, parent_id).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "org.move",
        "org_unit",
        &org_id.to_string(),
        Some(serde_json::json!({"from": unit.parent_id, "parent_id": parent_id}).to_string()),
    )
    .await?;
    get_org(conn, caller, org_id).await
}

#[derive(FromQueryResult)]
struct Contents {
    children: i64,
    members: i64,
    communities: i64,
}

/// What still lives in a unit: live children, active members, communities.
async fn contents(conn: &impl ConnectionTrait, org_id: i64) -> ApiResult<Contents> {
    Ok(sql::fetch_one::<Contents>(
        conn,
        &format!(
            "SELECT \
             (SELECT COUNT(*) FROM org_unit WHERE parent_id = $1 AND dissolved_at IS NULL) AS children, \
             (SELECT COUNT(*) FROM member WHERE branch_id = $1 AND status = {active}) AS members, \
             (SELECT COUNT(*) FROM community WHERE parent_org_id = $1) AS communities",
            active = sql::lit(MemberStatus::Active)
        ),
        [org_id.into()],
    )
    .await?
    .unwrap_or(Contents {
        children: 0,
        members: 0,
        communities: 0,
    }))
}

/// `POST /orgs/{id}/dissolve`: an empty unit (no live children, no active
/// members, no communities) is dissolved by admins or secretaries of its
/// parent. It is kept for the history that credits it; its role grants
/// end and its upcoming theme days without records go.
pub async fn dissolve(conn: &impl ConnectionTrait, caller: &Caller, org_id: i64) -> ApiResult<Org> {
    caller.require(conn, BUILDERS, org_id).await?;
    let unit = live_unit(conn, org_id).await?;
    let Some(parent_id) = unit.parent_id else {
        return Err(ApiError::conflict("county_root", "县委不能撤销"));
    };
    if !caller.reaches(conn, BUILDERS, parent_id).await? {
        return Err(ApiError::Forbidden {
            code: "parent_decides",
            message: "撤销组织须由上级组织办理".into(),
        });
    }
    let at = now();
    // One statement decides, so a member imported meanwhile is not lost.
    let dissolved = sql::execute(
        conn,
        &format!(
            "UPDATE org_unit SET dissolved_at = $2 WHERE id = $1 AND dissolved_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM org_unit c WHERE c.parent_id = $1 AND c.dissolved_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM member m WHERE m.branch_id = $1 AND m.status = {active}) \
             AND NOT EXISTS (SELECT 1 FROM community k WHERE k.parent_org_id = $1)",
            active = sql::lit(MemberStatus::Active)
        ),
        [org_id.into(), at.into()],
    )
    .await?;
    if dissolved == 0 {
        let left = contents(conn, org_id).await?;
        let mut what = Vec::new();
        if left.children > 0 {
            what.push(format!("{} 个下级组织", left.children));
        }
        if left.members > 0 {
            what.push(format!("{} 名党员", left.members));
        }
        if left.communities > 0 {
            what.push(format!("{} 个社区", left.communities));
        }
        return Err(ApiError::conflict(
            "not_empty",
            format!("该组织还有{}，请先转移后再撤销", what.join("、")),
        ));
    }
    let grants = sql::execute(
        conn,
        "DELETE FROM role_grant WHERE org_id = $1",
        [org_id.into()],
    )
    .await?;
    sql::execute(
        conn,
        "UPDATE community SET org_id = NULL WHERE org_id = $1",
        [org_id.into()],
    )
    .await?;
    sql::execute(
        conn,
        "DELETE FROM theme_day WHERE org_id = $1 AND starts_at > $2 \
         AND NOT EXISTS (SELECT 1 FROM checkin x WHERE x.theme_day_id = theme_day.id) \
         AND NOT EXISTS (SELECT 1 FROM checkin_failure x WHERE x.theme_day_id = theme_day.id) \
         AND NOT EXISTS (SELECT 1 FROM makeup x WHERE x.theme_day_id = theme_day.id) \
         AND NOT EXISTS (SELECT 1 FROM dues_payment x WHERE x.theme_day_id = theme_day.id) \
         AND NOT EXISTS (SELECT 1 FROM study_record x WHERE x.theme_day_id = theme_day.id)",
        [org_id.into(), at.into()],
    )
    .await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "org.dissolve",
        "org_unit",
        &org_id.to_string(),
        Some(serde_json::json!({"name": unit.name, "roles_ended": grants}).to_string()),
    )
    .await?;
    get_org(conn, caller, org_id).await
}
