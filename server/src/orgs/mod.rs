//! The organisation: units and their tree, communities, sector committees,
//! member lists and role grants.

pub mod communities;
pub mod handlers;
pub mod manage;
pub mod roles;
pub mod tree;

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
};
use zhibu_shared::api::Page;
use zhibu_shared::auth::IdName;
use zhibu_shared::org::{
    MemberCategory, MemberStatus, MemberSummary, Org, OrgKind, Role, compliance,
};
use zhibu_shared::phone::mask_phone;
use zhibu_shared::volunteer::LogStatus;

use crate::access::{ADMINS, Caller, MANAGERS};
use crate::entities::{member_category, org_unit};
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
        &format!(
            "SELECT id FROM sector_membership WHERE member_id = $1 AND committee_id = $2 AND status = {}",
            sql::lit(LogStatus::Approved)
        ),
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
            let kind = u.kind;
            let (members, formal) = counts.get(&u.id).copied().unwrap_or((0, 0));
            Org {
                id: u.id,
                name: u.name,
                kind,
                sector: u.sector,
                parent_id: u.parent_id,
                member_count: members,
                compliance: if u.dissolved_at.is_some() {
                    Vec::new()
                } else {
                    compliance(kind, members, formal)
                },
                dissolved_at: u.dissolved_at,
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
        .filter(org_unit::Column::DissolvedAt.is_null())
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
    status: MemberStatus,
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
            // 困难 is sensitive (PIPL): never in member lists.
            if c.category != MemberCategory::InDifficulty {
                categories.entry(c.member_id).or_default().push(c.category);
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
            status: r.status,
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
        .filter(org_unit::Column::DissolvedAt.is_null())
        .order_by_asc(org_unit::Column::Id)
        .all(conn)
        .await?;
    Ok(org_views(conn, units).await?)
}

/// The most units one search answers.
const SEARCH_LIMIT: i64 = 20;

/// `GET /orgs?q=`: live units in the caller's subtrees whose name contains
/// `q`, by name, for picking a unit (a new parent, a community's own
/// organisation).
pub async fn search(conn: &impl ConnectionTrait, caller: &Caller, q: &str) -> ApiResult<Vec<Org>> {
    let q = q.trim();
    if q.chars().count() > tree::MAX_NAME_CHARS {
        return Err(ApiError::invalid("q", "搜索词过长"));
    }
    let roots = caller.orgs_with(ANY_ROLE);
    if roots.is_empty() || q.is_empty() {
        return Ok(Vec::new());
    }
    let query = format!(
        "SELECT DISTINCT o.* FROM org_unit o JOIN org_closure c ON c.descendant_id = o.id \
         WHERE c.ancestor_id IN ({}) AND o.dissolved_at IS NULL AND o.name LIKE $1 ESCAPE '\\' \
         ORDER BY o.name, o.id LIMIT {SEARCH_LIMIT}",
        sql::placeholders(2, roots.len())
    );
    let values =
        std::iter::once(sql::contains_pattern(q).into()).chain(roots.into_iter().map(Into::into));
    let units = sql::fetch_all::<org_unit::Model>(conn, &query, values).await?;
    Ok(org_views(conn, units).await?)
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
