//! Roster import and export (docs/api.md column format). A file with any bad
//! row imports nothing and reports every bad cell; importing the same file
//! twice changes nothing; missing units along a path are created.

pub mod export;
pub mod handlers;
pub mod parse;
mod rows;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use zhibu_shared::org::{ImportError, ImportReport, MemberCategory};

use crate::access::{ADMINS, Caller};
use crate::entities::{community, member, member_category};
use crate::error::ApiResult;
use crate::orgs::tree;
use crate::time::now;
use parse::{HEADERS, Sheet};
use rows::{CommunityRef, Row};

/// Validates and (unless `dry_run`) applies a roster. `actor` is None for
/// the command line and the demo seed, which act for the whole county.
pub async fn import(
    conn: &impl ConnectionTrait,
    actor: Option<&Caller>,
    sheet: &Sheet,
    dry_run: bool,
    today: NaiveDate,
) -> ApiResult<ImportReport> {
    let known = known(conn, actor, today).await?;
    let rows = match rows::read(sheet, &known) {
        Ok(rows) => rows,
        Err(errors) => return Ok(refused(errors)),
    };
    let path_ids = match unit_paths(conn, actor, &rows).await? {
        Ok(path_ids) => path_ids,
        Err(errors) => return Ok(refused(errors)),
    };

    // Compare with what is stored.
    let (existing, existing_categories) = stored(conn, &rows).await?;
    let new_communities: BTreeSet<(i64, String)> = rows
        .iter()
        .filter_map(|r| match &r.community {
            Some(CommunityRef::New { street, name }) => Some((*street, name.clone())),
            _ => None,
        })
        .collect();
    let street_names: HashMap<i64, &str> = known
        .streets
        .iter()
        .map(|s| (s.id, s.name.as_str()))
        .collect();
    let mut report = ImportReport {
        dry_run,
        new_communities: new_communities
            .iter()
            .map(|(street, name)| {
                format!("{}/{name}", street_names.get(street).copied().unwrap_or(""))
            })
            .collect(),
        ..Default::default()
    };
    let mut changes: Vec<(&Row, Option<&member::Model>)> = Vec::new();
    for row in &rows {
        match existing.get(row.phone.as_str()) {
            None => {
                report.created += 1;
                changes.push((row, None));
            }
            Some(m) => {
                let same = m.name == row.name
                    && path_ids.get(&row.path).copied().flatten() == Some(m.branch_id)
                    && m.joined_party_on == row.joined
                    && match &row.community {
                        None => m.community_id.is_none(),
                        Some(CommunityRef::Existing(id)) => m.community_id == Some(*id),
                        Some(CommunityRef::New { .. }) => false,
                    }
                    && wanted_probationary(row, m) == m.probationary
                    && row.employer.as_ref().is_none_or(|e| *e == m.employer)
                    && existing_categories.get(&m.id).cloned().unwrap_or_default()
                        == kept_categories(row, existing_categories.get(&m.id));
                if same {
                    report.unchanged += 1;
                } else {
                    report.updated += 1;
                    changes.push((row, Some(m)));
                }
            }
        }
    }
    if dry_run {
        return Ok(report);
    }

    apply(conn, actor, changes, new_communities, today).await?;
    Ok(report)
}

/// Writes the changed rows: new communities first, then each member,
/// creating the units a path is missing.
async fn apply(
    conn: &impl ConnectionTrait,
    actor: Option<&Caller>,
    changes: Vec<(&Row, Option<&member::Model>)>,
    new_communities: BTreeSet<(i64, String)>,
    today: NaiveDate,
) -> ApiResult<()> {
    let mut created_communities: HashMap<(i64, String), i64> = HashMap::new();
    for (street, name) in new_communities {
        let id =
            crate::orgs::communities::insert(conn, actor.map(|c| c.member_id), street, &name, None)
                .await?;
        created_communities.insert((street, name), id);
    }
    let community_of = |row: &Row| match &row.community {
        None => None,
        Some(CommunityRef::Existing(id)) => Some(*id),
        Some(CommunityRef::New { street, name }) => {
            created_communities.get(&(*street, name.clone())).copied()
        }
    };
    let mut resolved: BTreeMap<Vec<String>, i64> = BTreeMap::new();
    let now = now();
    for (row, before) in changes {
        let branch_id = match resolved.get(&row.path) {
            Some(id) => *id,
            None => {
                let names: Vec<&str> = row.path.iter().map(String::as_str).collect();
                let (id, _) = tree::ensure_path(conn, &names).await?;
                resolved.insert(row.path.clone(), id);
                id
            }
        };
        let member_id = match before {
            None => {
                let inserted = member::Entity::insert(member::ActiveModel {
                    name: Set(row.name.clone()),
                    phone: Set(row.phone.as_str().to_owned()),
                    password_hash: Set(None),
                    branch_id: Set(branch_id),
                    employer: Set(row.employer.clone().flatten()),
                    community_id: Set(community_of(row)),
                    joined_party_on: Set(row.joined),
                    probationary: Set(row.probationary),
                    status: Set(zhibu_shared::org::MemberStatus::Active),
                    disabled_at: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec(conn)
                .await?;
                let id = inserted.last_insert_id;
                crate::members::record_branch_start(conn, id, branch_id, today).await?;
                id
            }
            Some(m) => {
                member::Entity::update_many()
                    .col_expr(
                        member::Column::Name,
                        sea_orm::sea_query::Expr::value(row.name.clone()),
                    )
                    .col_expr(
                        member::Column::BranchId,
                        sea_orm::sea_query::Expr::value(branch_id),
                    )
                    .col_expr(
                        member::Column::CommunityId,
                        sea_orm::sea_query::Expr::value(community_of(row)),
                    )
                    .col_expr(
                        member::Column::Probationary,
                        sea_orm::sea_query::Expr::value(wanted_probationary(row, m)),
                    )
                    .col_expr(
                        member::Column::JoinedPartyOn,
                        sea_orm::sea_query::Expr::value(row.joined),
                    )
                    .col_expr(
                        member::Column::Employer,
                        match &row.employer {
                            Some(employer) => sea_orm::sea_query::Expr::value(employer.clone()),
                            None => sea_orm::sea_query::Expr::col(member::Column::Employer),
                        },
                    )
                    .col_expr(
                        member::Column::UpdatedAt,
                        sea_orm::sea_query::Expr::value(now),
                    )
                    .filter(member::Column::Id.eq(m.id))
                    .exec(conn)
                    .await?;
                if m.branch_id != branch_id {
                    crate::members::move_branch(conn, m.id, branch_id, today).await?;
                }
                // The 困难 class follows its file on the member's page: a
                // file (whose export leaves it out) never undoes it.
                member_category::Entity::delete_many()
                    .filter(member_category::Column::MemberId.eq(m.id))
                    .filter(member_category::Column::Category.ne(MemberCategory::InDifficulty))
                    .exec(conn)
                    .await?;
                m.id
            }
        };
        if !row.categories.is_empty() {
            member_category::Entity::insert_many(row.categories.iter().map(|c| {
                member_category::ActiveModel {
                    member_id: Set(member_id),
                    category: Set(*c),
                }
            }))
            .on_conflict_do_nothing_on([
                member_category::Column::MemberId,
                member_category::Column::Category,
            ])
            .exec_without_returning(conn)
            .await?;
        }
    }
    Ok(())
}

/// A file marks members probationary; only the member page records 转正
/// (with its date), so a file never makes a formal member probationary
/// again once 转正 was recorded, nor a probationary one formal.
fn wanted_probationary(row: &Row, m: &member::Model) -> bool {
    m.probationary || (row.probationary && m.formal_on.is_none())
}

/// A refused roster: every bad cell, nothing written.
fn refused(mut errors: Vec<ImportError>) -> ImportReport {
    errors.sort_by_key(|e| e.row);
    ImportReport {
        errors,
        dry_run: true,
        ..Default::default()
    }
}

/// What rows are checked against: the communities, the streets, and where
/// the importer may create communities (everywhere for the command line).
async fn known(
    conn: &impl ConnectionTrait,
    actor: Option<&Caller>,
    today: NaiveDate,
) -> ApiResult<rows::Known> {
    let mut known = rows::Known {
        today,
        ..Default::default()
    };
    for c in community::Entity::find().all(conn).await? {
        known
            .by_street
            .insert((c.parent_org_id, c.name.clone()), c.id);
        known.communities.entry(c.name).or_default().push(c.id);
    }
    known.streets = crate::sql::fetch_all::<rows::Street>(
        conn,
        &format!(
            "SELECT id, name FROM org_unit WHERE kind IN ({}) AND dissolved_at IS NULL ORDER BY id",
            crate::sql::lits(&crate::orgs::communities::STREET_KINDS)
        ),
        [],
    )
    .await?;
    for street in &known.streets {
        let allowed = match actor {
            Some(caller) => caller.reaches(conn, ADMINS, street.id).await?,
            None => true,
        };
        if allowed {
            known.may_create.insert(street.id);
        }
    }
    Ok(known)
}

/// The unit of each path, where it exists already (`None` for a path whose
/// missing units the import creates). Paths must lie where the importing
/// admin may act.
async fn unit_paths(
    conn: &impl ConnectionTrait,
    actor: Option<&Caller>,
    rows: &[Row],
) -> ApiResult<Result<HashMap<Vec<String>, Option<i64>>, Vec<ImportError>>> {
    let mut errors = Vec::new();
    let mut path_ids: HashMap<Vec<String>, Option<i64>> = HashMap::new();
    for row in rows {
        if path_ids.contains_key(&row.path) {
            continue;
        }
        let names: Vec<&str> = row.path.iter().map(String::as_str).collect();
        let mut deepest = None;
        let mut complete = true;
        for depth in 1..=names.len() {
            match tree::find_path(conn, &names[..depth]).await? {
                Some(id) => deepest = Some(id),
                None => {
                    complete = false;
                    break;
                }
            }
        }
        if let Some(caller) = actor {
            let allowed = match deepest {
                Some(id) => caller.reaches(conn, ADMINS, id).await?,
                None => false,
            };
            if !allowed {
                errors.push(ImportError {
                    row: row.row_no,
                    field: HEADERS[2].into(),
                    message: "无权向该组织导入党员".into(),
                });
            }
        }
        path_ids.insert(row.path.clone(), if complete { deepest } else { None });
    }
    Ok(if errors.is_empty() {
        Ok(path_ids)
    } else {
        Err(errors)
    })
}

/// The stored members of the file's phones, with their categories.
async fn stored(
    conn: &impl ConnectionTrait,
    rows: &[Row],
) -> ApiResult<(
    HashMap<String, member::Model>,
    HashMap<i64, BTreeSet<MemberCategory>>,
)> {
    let phones: Vec<String> = rows.iter().map(|r| r.phone.as_str().to_owned()).collect();
    let mut existing: HashMap<String, member::Model> = HashMap::new();
    for chunk in phones.chunks(500) {
        for m in member::Entity::find()
            .filter(member::Column::Phone.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            existing.insert(m.phone.clone(), m);
        }
    }
    let mut existing_categories: HashMap<i64, BTreeSet<MemberCategory>> = HashMap::new();
    let ids: Vec<i64> = existing.values().map(|m| m.id).collect();
    for chunk in ids.chunks(500) {
        for c in member_category::Entity::find()
            .filter(member_category::Column::MemberId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            existing_categories
                .entry(c.member_id)
                .or_default()
                .insert(c.category);
        }
    }
    Ok((existing, existing_categories))
}

/// The categories a member has after a row of a file: the row's, and 困难
/// when they had it (a file does not take it away).
fn kept_categories(
    row: &Row,
    existing: Option<&BTreeSet<MemberCategory>>,
) -> BTreeSet<MemberCategory> {
    let mut kept = row.categories.clone();
    if existing.is_some_and(|e| e.contains(&MemberCategory::InDifficulty)) {
        kept.insert(MemberCategory::InDifficulty);
    }
    kept
}
