//! The org tree and its closure table. Every unit has a row (u, u, 0) and
//! one row per ancestor, so subtree questions are single indexed joins.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter,
};
use zhibu_shared::org::{OrgKind, Sector};

use crate::entities::org_unit;
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

/// Creates a unit under `parent_id` with its closure rows.
pub async fn create_org(
    conn: &impl ConnectionTrait,
    name: &str,
    kind: OrgKind,
    sector: Option<Sector>,
    parent_id: Option<i64>,
) -> Result<org_unit::Model, DbErr> {
    let inserted = org_unit::Entity::insert(org_unit::ActiveModel {
        name: Set(name.to_owned()),
        kind: Set(kind),
        sector: Set(sector),
        parent_id: Set(parent_id),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await?;
    sql::execute(
        conn,
        "INSERT INTO org_closure (ancestor_id, descendant_id, depth) \
         SELECT ancestor_id, $1, depth + 1 FROM org_closure WHERE descendant_id = $2 \
         UNION ALL SELECT $1, $1, 0",
        [inserted.id.into(), parent_id.unwrap_or(-1).into()],
    )
    .await?;
    Ok(inserted)
}

/// Why a unit's name cannot be used, if it cannot.
pub fn name_problem(name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Some(format!("名称不能为空，且不超过 {MAX_NAME_CHARS} 个字"));
    }
    None
}

/// How far below the county a unit sits (the county is 0).
pub async fn depth_of(conn: &impl ConnectionTrait, org_id: i64) -> Result<i64, DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Depth {
        depth: i64,
    }
    Ok(sql::fetch_one::<Depth>(
        conn,
        "SELECT CAST(MAX(depth) AS BIGINT) AS depth FROM org_closure WHERE descendant_id = $1",
        [org_id.into()],
    )
    .await?
    .map_or(0, |d| d.depth))
}

/// How many levels hang below a unit (0 for a leaf).
pub async fn height_of(conn: &impl ConnectionTrait, org_id: i64) -> Result<i64, DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Depth {
        depth: i64,
    }
    Ok(sql::fetch_one::<Depth>(
        conn,
        "SELECT CAST(MAX(depth) AS BIGINT) AS depth FROM org_closure WHERE ancestor_id = $1",
        [org_id.into()],
    )
    .await?
    .map_or(0, |d| d.depth))
}

/// The county: the one unit without a parent.
pub async fn find_root(conn: &impl ConnectionTrait) -> Result<Option<org_unit::Model>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::ParentId.is_null())
        .one(conn)
        .await
}

/// The child of `parent_id` (or the root, for None) named `name`.
pub async fn find_child(
    conn: &impl ConnectionTrait,
    parent_id: Option<i64>,
    name: &str,
) -> Result<Option<org_unit::Model>, DbErr> {
    // A dissolved unit keeps its name for its history; a new one may reuse it.
    let query = org_unit::Entity::find()
        .filter(org_unit::Column::Name.eq(name))
        .filter(org_unit::Column::DissolvedAt.is_null());
    let query = match parent_id {
        Some(p) => query.filter(org_unit::Column::ParentId.eq(p)),
        None => query.filter(org_unit::Column::ParentId.is_null()),
    };
    query.one(conn).await
}

/// Why a path of unit names cannot be used.
/// The deepest a unit may sit below the county (县委 → 党委 → 党总支 → 党支部
/// → 党小组 is five levels; the limit leaves room without inviting abuse).
pub const MAX_ORG_DEPTH: usize = 8;
/// The longest name of a unit or community, in characters.
pub const MAX_NAME_CHARS: usize = 50;

pub fn path_problem(names: &[&str]) -> Option<String> {
    if names.is_empty() || names.iter().any(|n| n.trim().is_empty()) {
        return Some("组织路径不能为空，各级之间用“/”分隔".into());
    }
    if names.len() > MAX_ORG_DEPTH {
        return Some(format!("组织路径最多 {MAX_ORG_DEPTH} 级"));
    }
    if let Some(long) = names.iter().find(|n| n.chars().count() > MAX_NAME_CHARS) {
        return Some(format!("组织名称“{long}”超过 {MAX_NAME_CHARS} 个字"));
    }
    for (i, name) in names.iter().enumerate() {
        match OrgKind::infer_from_name(name) {
            None => {
                return Some(format!(
                    "无法从名称“{name}”判断组织类别（应以党委、党工委、党总支、党支部等结尾）"
                ));
            }
            Some(OrgKind::CountyCommittee) if i > 0 => {
                return Some(format!("“{name}”是县委，只能位于路径开头"));
            }
            Some(kind) if i == 0 && kind != OrgKind::CountyCommittee => {
                return Some(format!("路径须从县委开始，而不是“{name}”"));
            }
            _ => {}
        }
    }
    None
}

/// Resolves a path of names from the root, or None when a unit is missing.
pub async fn find_path(conn: &impl ConnectionTrait, names: &[&str]) -> Result<Option<i64>, DbErr> {
    let mut parent = None;
    for name in names {
        match find_child(conn, parent, name).await? {
            Some(unit) => parent = Some(unit.id),
            None => return Ok(None),
        }
    }
    Ok(parent)
}

/// Resolves a path, creating missing units with kinds inferred from their
/// names. Returns the leaf and how many units were created.
pub async fn ensure_path(conn: &impl ConnectionTrait, names: &[&str]) -> ApiResult<(i64, usize)> {
    if let Some(problem) = path_problem(names) {
        return Err(ApiError::invalid("path", problem));
    }
    let mut parent = None;
    let mut created = 0;
    for name in names {
        let unit = match find_child(conn, parent, name).await? {
            Some(unit) => unit,
            None if parent.is_none() => {
                // One county per database: a path never starts a second tree.
                if let Some(root) = find_root(conn).await? {
                    return Err(ApiError::invalid(
                        "path",
                        format!("组织路径须从“{}”开始", root.name),
                    ));
                }
                created += 1;
                create_org(conn, name, OrgKind::CountyCommittee, None, None).await?
            }
            None => {
                let kind = OrgKind::infer_from_name(name)
                    .ok_or_else(|| ApiError::invalid("path", "组织类别无法判断"))?;
                let sector = (kind == OrgKind::SectorCommittee)
                    .then(|| Sector::infer_from_name(name))
                    .flatten();
                created += 1;
                create_org(conn, name, kind, sector, parent).await?
            }
        };
        parent = Some(unit.id);
    }
    parent
        .map(|id| (id, created))
        .ok_or(ApiError::invalid("path", "组织路径不能为空"))
}

/// Unit names from the root down to `org_id`.
pub async fn path_names(conn: &impl ConnectionTrait, org_id: i64) -> Result<Vec<String>, DbErr> {
    #[derive(FromQueryResult)]
    struct Name {
        name: String,
    }
    Ok(sql::fetch_all::<Name>(
        conn,
        "SELECT o.name FROM org_closure c JOIN org_unit o ON o.id = c.ancestor_id \
         WHERE c.descendant_id = $1 ORDER BY c.depth DESC",
        [org_id.into()],
    )
    .await?
    .into_iter()
    .map(|n| n.name)
    .collect())
}

/// True when `descendant` is `ancestor` or lies below it.
pub async fn is_within(
    conn: &impl ConnectionTrait,
    ancestor: i64,
    descendant: i64,
) -> Result<bool, DbErr> {
    #[derive(FromQueryResult)]
    struct Depth {
        #[allow(dead_code)]
        depth: i32,
    }
    Ok(sql::fetch_one::<Depth>(
        conn,
        "SELECT depth FROM org_closure WHERE ancestor_id = $1 AND descendant_id = $2",
        [ancestor.into(), descendant.into()],
    )
    .await?
    .is_some())
}

/// Moves a unit (with its subtree) under another parent. Records credited
/// to units are keyed by unit, so history stays with the units that earned
/// it; governance counts, kept per subtree, move with the unit.
pub async fn move_org(conn: &impl ConnectionTrait, org_id: i64, new_parent: i64) -> ApiResult<()> {
    if is_within(conn, org_id, new_parent).await? {
        return Err(ApiError::conflict(
            "org_cycle",
            "不能把组织移到它自己或其下级组织之下",
        ));
    }
    let unit = org_unit::Entity::find_by_id(org_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if find_child(conn, Some(new_parent), &unit.name)
        .await?
        .is_some()
    {
        return Err(ApiError::conflict(
            "org_name_taken",
            "目标上级组织下已有同名组织",
        ));
    }
    // A unit's governance counts follow it to its new superiors.
    crate::governance::tally::shift_subtree(conn, org_id, -1).await?;
    // Detach the subtree from its old ancestors…
    sql::execute(
        conn,
        "DELETE FROM org_closure WHERE descendant_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) \
         AND ancestor_id NOT IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)",
        [org_id.into()],
    )
    .await?;
    // …and attach it below every ancestor of the new parent.
    sql::execute(
        conn,
        "INSERT INTO org_closure (ancestor_id, descendant_id, depth) \
         SELECT up.ancestor_id, down.descendant_id, up.depth + down.depth + 1 \
         FROM org_closure up CROSS JOIN org_closure down \
         WHERE up.descendant_id = $1 AND down.ancestor_id = $2",
        [new_parent.into(), org_id.into()],
    )
    .await?;
    org_unit::Entity::update_many()
        .col_expr(
            org_unit::Column::ParentId,
            sea_orm::sea_query::Expr::value(new_parent),
        )
        .filter(org_unit::Column::Id.eq(org_id))
        .exec(conn)
        .await?;
    crate::governance::tally::shift_subtree(conn, org_id, 1).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_too_deep_or_with_overlong_names_are_refused() {
        let ok = ["东明县委", "城关街道党工委", "东关社区党支部"];
        assert_eq!(path_problem(&ok), None);
        let mut deep = vec!["东明县委"];
        deep.extend(std::iter::repeat_n("某某党总支", MAX_ORG_DEPTH));
        assert!(path_problem(&deep).unwrap().contains("最多"));
        let long = format!("{}党支部", "长".repeat(MAX_NAME_CHARS));
        assert!(path_problem(&["东明县委", &long]).unwrap().contains("超过"));
    }
}
