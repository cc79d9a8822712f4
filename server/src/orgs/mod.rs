//! The organisation: units and their tree, communities, sector committees,
//! member lists and role grants.

pub mod communities;
pub mod handlers;
pub mod tree;

use std::collections::HashMap;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder,
};
use zhibu_shared::api::Page;
use zhibu_shared::auth::IdName;
use zhibu_shared::org::{
    Community, MemberCategory, MemberStatus, MemberSummary, NewOrg, Org, OrgKind, Role, Sector,
    compliance,
};
use zhibu_shared::phone::mask_phone;

use crate::access::{ADMINS, Caller, MANAGERS};
use crate::entities::{member_category, org_unit, role_grant};
use crate::error::{ApiError, ApiResult};
use crate::sql;

/// Every role: anyone holding one sees the units of their subtree.
const ANY_ROLE: &[Role] = &[
    Role::Secretary,
    Role::OrgOfficer,
    Role::Admin,
    Role::CommunityAdmin,
];

/// Loads a unit the caller may see: one in a role's subtree, their own
/// branch, or a sector committee they belong to. Otherwise 404.
pub async fn visible_org(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
) -> ApiResult<org_unit::Model> {
    let unit = org_unit::Entity::find_by_id(org_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if unit.id == caller.branch_id || caller.reaches(conn, ANY_ROLE, org_id).await? {
        return Ok(unit);
    }
    #[derive(FromQueryResult)]
    struct Hit {
        #[allow(dead_code)]
        id: i64,
    }
    let in_sector = sql::fetch_one::<Hit>(
        conn,
        "SELECT id FROM sector_membership WHERE member_id = $1 AND committee_id = $2 AND status = 'approved'",
        [caller.member_id.into(), org_id.into()],
    )
    .await?;
    in_sector.map(|_| unit).ok_or(ApiError::NotFound)
}

#[derive(FromQueryResult)]
struct Counts {
    ancestor_id: i64,
    members: i64,
    formal: i64,
}

/// Org views with subtree member counts, read from the counts the
/// database keeps (`org_member_count`), one row per unit.
pub async fn org_views(
    conn: &impl ConnectionTrait,
    units: Vec<org_unit::Model>,
) -> Result<Vec<Org>, DbErr> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let query = format!(
        "SELECT org_id AS ancestor_id, members, formal FROM org_member_count WHERE org_id IN ({})",
        sql::placeholders(1, units.len())
    );
    let counts: HashMap<i64, (u64, u64)> =
        sql::fetch_all::<Counts>(conn, &query, units.iter().map(|u| u.id.into()))
            .await?
            .into_iter()
            .map(|c| {
                (
                    c.ancestor_id,
                    (c.members.max(0) as u64, c.formal.max(0) as u64),
                )
            })
            .collect();
    Ok(units
        .into_iter()
        .map(|u| {
            let kind = OrgKind::from_code(&u.kind).unwrap_or(OrgKind::Branch);
            let (members, formal) = counts.get(&u.id).copied().unwrap_or((0, 0));
            Org {
                id: u.id,
                name: u.name,
                kind,
                sector: u.sector.as_deref().and_then(Sector::from_code),
                parent_id: u.parent_id,
                member_count: members,
                compliance: compliance(kind, members, formal),
            }
        })
        .collect())
}

pub async fn get_org(conn: &impl ConnectionTrait, caller: &Caller, org_id: i64) -> ApiResult<Org> {
    let unit = visible_org(conn, caller, org_id).await?;
    Ok(org_views(conn, vec![unit]).await?.remove(0))
}

pub async fn children(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
) -> ApiResult<Vec<Org>> {
    visible_org(conn, caller, org_id).await?;
    let units = org_unit::Entity::find()
        .filter(org_unit::Column::ParentId.eq(org_id))
        .order_by_asc(org_unit::Column::Id)
        .all(conn)
        .await?;
    Ok(org_views(conn, units).await?)
}

#[derive(FromQueryResult)]
struct MemberRow {
    id: i64,
    name: String,
    phone: String,
    branch_id: i64,
    branch_name: String,
    status: String,
    probationary: bool,
    disabled: bool,
}

pub const MAX_PAGE: u64 = 200;

/// Members of a unit's subtree, by id, for managers of the unit. Phones are
/// masked unless the caller is an admin over the unit.
pub async fn members(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<Page<MemberSummary>> {
    caller.require(conn, MANAGERS, org_id).await?;
    let show_phones = caller.reaches(conn, ADMINS, org_id).await?;
    let limit = limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let after: i64 = match cursor {
        Some(c) => c
            .parse()
            .map_err(|_| ApiError::invalid("cursor", "分页游标无效"))?,
        None => 0,
    };
    let rows = sql::fetch_all::<MemberRow>(
        conn,
        "SELECT m.id, m.name, m.phone, m.branch_id, o.name AS branch_name, m.status, m.probationary, \
         CASE WHEN m.disabled_at IS NULL THEN FALSE ELSE TRUE END AS disabled \
         FROM org_closure c JOIN member m ON m.branch_id = c.descendant_id \
         JOIN org_unit o ON o.id = m.branch_id \
         WHERE c.ancestor_id = $1 AND m.id > $2 ORDER BY m.id LIMIT $3",
        [org_id.into(), after.into(), (limit as i64 + 1).into()],
    )
    .await?;
    let has_more = rows.len() as u64 > limit;
    let rows: Vec<MemberRow> = rows.into_iter().take(limit as usize).collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut categories: HashMap<i64, Vec<MemberCategory>> = HashMap::new();
    if !ids.is_empty() {
        for c in member_category::Entity::find()
            .filter(member_category::Column::MemberId.is_in(ids))
            .order_by_asc(member_category::Column::Category)
            .all(conn)
            .await?
        {
            if let Some(cat) = MemberCategory::from_code(&c.category) {
                categories.entry(c.member_id).or_default().push(cat);
            }
        }
    }
    let next_cursor = has_more
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    let items = rows
        .into_iter()
        .map(|r| MemberSummary {
            id: r.id,
            phone: if show_phones || r.id == caller.member_id {
                r.phone.clone()
            } else {
                mask_phone(&r.phone)
            },
            name: r.name,
            categories: categories.remove(&r.id).unwrap_or_default(),
            branch: IdName {
                id: r.branch_id,
                name: r.branch_name,
            },
            status: MemberStatus::from_code(&r.status).unwrap_or(MemberStatus::Active),
            probationary: r.probationary,
            disabled: r.disabled,
        })
        .collect();
    Ok(Page { items, next_cursor })
}

/// The sector committees a gig worker can join.
pub async fn sector_committees(conn: &impl ConnectionTrait) -> ApiResult<Vec<Org>> {
    let units = org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq(OrgKind::SectorCommittee.code()))
        .order_by_asc(org_unit::Column::Id)
        .all(conn)
        .await?;
    Ok(org_views(conn, units).await?)
}

#[derive(FromQueryResult)]
struct CommunityRow {
    id: i64,
    name: String,
    parent_id: i64,
    parent_name: String,
}

/// Communities whose name contains `q` (at most 20).
pub async fn search_communities(conn: &impl ConnectionTrait, q: &str) -> ApiResult<Vec<Community>> {
    let q = q.trim();
    if q.chars().count() > 50 {
        return Err(ApiError::invalid("q", "搜索词过长"));
    }
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let rows = sql::fetch_all::<CommunityRow>(
        conn,
        "SELECT c.id, c.name, o.id AS parent_id, o.name AS parent_name \
         FROM community c JOIN org_unit o ON o.id = c.parent_org_id \
         WHERE c.name LIKE $1 ESCAPE '\\' ORDER BY c.name, c.id LIMIT 20",
        [format!("%{escaped}%").into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Community {
            id: r.id,
            name: r.name,
            parent: IdName {
                id: r.parent_id,
                name: r.parent_name,
            },
        })
        .collect())
}

/// Moves a unit under another parent; admins over both only.
pub async fn move_org(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    parent_id: i64,
) -> ApiResult<Org> {
    caller.require(conn, ADMINS, org_id).await?;
    caller.require(conn, ADMINS, parent_id).await?;
    tree::move_org(conn, org_id, parent_id).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "org.move",
        "org_unit",
        &org_id.to_string(),
        Some(format!("{{\"parent_id\":{parent_id}}}")),
    )
    .await?;
    get_org(conn, caller, org_id).await
}

/// Grants a role on a unit; admins over the unit only.
pub async fn grant_role(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    role: Role,
    org_id: i64,
) -> ApiResult<i64> {
    caller.require(conn, ADMINS, org_id).await?;
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
        role: Set(role.code().to_owned()),
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

/// Units below `org_id` (itself included), for exports.
pub async fn subtree_ids(conn: &impl ConnectionTrait, org_id: i64) -> Result<Vec<i64>, DbErr> {
    #[derive(FromQueryResult)]
    struct Id {
        descendant_id: i64,
    }
    Ok(sql::fetch_all::<Id>(
        conn,
        "SELECT descendant_id FROM org_closure WHERE ancestor_id = $1",
        [org_id.into()],
    )
    .await?
    .into_iter()
    .map(|r| r.descendant_id)
    .collect())
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
    caller
        .require(conn, &[Role::Admin, Role::Secretary], parent_id)
        .await?;
    let parent = org_unit::Entity::find_by_id(parent_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let parent_kind = OrgKind::from_code(&parent.kind).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("unit {parent_id} has an unknown kind"))
    })?;
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
    let parent_sector = parent.sector.as_deref().and_then(Sector::from_code);
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
    crate::checkins::schedule(conn, tz).await?;
    get_org(conn, caller, unit.id).await
}

/// `PATCH /orgs/{id}`: admins or secretaries of the unit rename it.
pub async fn rename(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    name: &str,
) -> ApiResult<Org> {
    caller
        .require(conn, &[Role::Admin, Role::Secretary], org_id)
        .await?;
    let unit = org_unit::Entity::find_by_id(org_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
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
