//! Roster import and export (api-v1.md column format). A file with any bad
//! row imports nothing and reports every bad cell; importing the same file
//! twice changes nothing; missing units along a path are created.

pub mod export;
pub mod handlers;
pub mod parse;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use zhibu_shared::org::{ImportError, ImportReport, MemberCategory, OrgKind};
use zhibu_shared::phone::Phone;

use crate::access::{ADMINS, Caller};
use crate::entities::{community, member, member_category};
use crate::error::ApiResult;
use crate::orgs::tree;
use crate::time::now;
use parse::{HEADERS, Sheet};

/// One valid row.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    phone: Phone,
    path: Vec<String>,
    categories: BTreeSet<MemberCategory>,
    joined: Option<NaiveDate>,
    /// Marked 预备党员 in 党员类别.
    probationary: bool,
    community: Option<CommunityRef>,
    /// The optional 工作单位 column; `None` when the file has no such column
    /// (then the stored employer is kept).
    employer: Option<Option<String>>,
}

/// A row's 报到社区: one that exists, or a new one to create under a
/// township or street, written `街道/社区`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum CommunityRef {
    Existing(i64),
    New { street: i64, name: String },
}

/// The 党员类别 word that marks a probationary member.
const PROBATIONARY: &[&str] = &["预备党员", "预备"];

/// The earliest plausible date of joining the Party.
const PARTY_FOUNDED: (i32, u32, u32) = (1921, 7, 1);

fn split_categories(text: &str) -> Vec<&str> {
    text.split([',', '，', '、', ';', '；', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Validates and (unless `dry_run`) applies a roster. `actor` is None for
/// the command line and the demo seed, which act for the whole county.
pub async fn import(
    conn: &impl ConnectionTrait,
    actor: Option<&Caller>,
    sheet: &Sheet,
    dry_run: bool,
    today: NaiveDate,
) -> ApiResult<ImportReport> {
    let mut errors = Vec::new();
    let mut error = |row: usize, field: &str, message: String| {
        errors.push(ImportError {
            row,
            field: field.to_owned(),
            message,
        });
    };
    let Some(header) = sheet.first() else {
        error(1, "表头", "文件是空的".into());
        return Ok(ImportReport {
            errors,
            dry_run: true,
            ..Default::default()
        });
    };
    let mut columns = [0usize; 6];
    for (i, wanted) in HEADERS.iter().enumerate() {
        match header.iter().position(|h| h.trim() == *wanted) {
            Some(pos) => columns[i] = pos,
            None => error(1, wanted, format!("缺少列“{wanted}”")),
        }
    }
    let employer_column = header
        .iter()
        .position(|h| h.trim() == parse::EMPLOYER_HEADER);
    if !errors.is_empty() {
        return Ok(ImportReport {
            errors,
            dry_run: true,
            ..Default::default()
        });
    }

    let mut communities: HashMap<String, Vec<i64>> = HashMap::new();
    let mut by_street: HashMap<(i64, String), i64> = HashMap::new();
    for c in community::Entity::find().all(conn).await? {
        by_street.insert((c.parent_org_id, c.name.clone()), c.id);
        communities.entry(c.name).or_default().push(c.id);
    }
    let streets = street_units(conn).await?;
    let mut may_create: HashMap<i64, bool> = HashMap::new();
    let founded = NaiveDate::from_ymd_opt(PARTY_FOUNDED.0, PARTY_FOUNDED.1, PARTY_FOUNDED.2)
        .unwrap_or_default();

    let mut rows: Vec<Row> = Vec::new();
    let mut seen_phones: HashMap<String, usize> = HashMap::new();
    for (index, cells) in sheet.iter().enumerate().skip(1) {
        let row_no = index + 1;
        let cell = |i: usize| {
            cells
                .get(columns[i])
                .map(String::as_str)
                .unwrap_or("")
                .trim()
        };
        if (0..6).all(|i| cell(i).is_empty()) {
            continue;
        }
        let employer = employer_column.map(|col| {
            let text = cells.get(col).map(|c| c.trim()).unwrap_or("");
            (!text.is_empty()).then(|| text.to_owned())
        });
        let before = errors.len();
        let mut error = |field: &str, message: String| {
            errors.push(ImportError {
                row: row_no,
                field: field.to_owned(),
                message,
            });
        };
        let name = cell(0);
        if name.is_empty() || name.chars().count() > 50 {
            error(HEADERS[0], "姓名不能为空，且不超过 50 个字".into());
        }
        let phone = Phone::parse(cell(1))
            .map_err(|e| error(HEADERS[1], e.to_string()))
            .ok();
        if let Some(phone) = &phone
            && let Some(first) = seen_phones.insert(phone.as_str().to_owned(), row_no)
        {
            error(HEADERS[1], format!("手机号与第 {first} 行重复"));
        }
        let path: Vec<String> = cell(2).split('/').map(|s| s.trim().to_owned()).collect();
        let names: Vec<&str> = path.iter().map(String::as_str).collect();
        if let Some(problem) = tree::path_problem(&names) {
            error(HEADERS[2], problem);
        } else if names
            .last()
            .and_then(|n| OrgKind::infer_from_name(n))
            .is_some_and(|k| !k.holds_members())
        {
            error(HEADERS[2], "党员须隶属于县委以下的基层组织".into());
        }
        let mut categories = BTreeSet::new();
        let mut probationary = false;
        for part in split_categories(cell(3)) {
            if PROBATIONARY.contains(&part) {
                probationary = true;
                continue;
            }
            match MemberCategory::from_zh(part) {
                Some(c) => {
                    categories.insert(c);
                }
                None => error(
                    HEADERS[3],
                    format!(
                        "未知的党员类别“{part}”（可选：在职、无职设岗、流动、困难、离退休、预备党员）"
                    ),
                ),
            }
        }
        let joined = match cell(4) {
            "" => None,
            text => match parse::parse_date(text) {
                Some(d) if d > today => {
                    error(HEADERS[4], "入党日期不能晚于今天".into());
                    None
                }
                Some(d) if d < founded => {
                    error(HEADERS[4], "入党日期不能早于 1921-07-01".into());
                    None
                }
                Some(d) => Some(d),
                None => {
                    error(
                        HEADERS[4],
                        format!("日期“{text}”无法识别，请写成 2001-07-01"),
                    );
                    None
                }
            },
        };
        let community = match cell(5) {
            "" => None,
            text => match text.rsplit_once('/') {
                Some((street_text, name)) => {
                    let name = name.trim();
                    let street_text = street_text.rsplit('/').next().unwrap_or("").trim();
                    match find_street(&streets, street_text) {
                        Err(message) => {
                            error(HEADERS[5], message);
                            None
                        }
                        Ok(street) => match by_street.get(&(street, name.to_owned())) {
                            Some(id) => Some(CommunityRef::Existing(*id)),
                            None => {
                                if let Some(problem) = tree::name_problem(name) {
                                    error(HEADERS[5], format!("社区名称：{problem}"));
                                    None
                                } else {
                                    let allowed = match may_create.get(&street) {
                                        Some(allowed) => *allowed,
                                        None => {
                                            let allowed = match actor {
                                                Some(caller) => {
                                                    caller.reaches(conn, ADMINS, street).await?
                                                }
                                                None => true,
                                            };
                                            may_create.insert(street, allowed);
                                            allowed
                                        }
                                    };
                                    if allowed {
                                        Some(CommunityRef::New {
                                            street,
                                            name: name.to_owned(),
                                        })
                                    } else {
                                        error(
                                            HEADERS[5],
                                            format!("社区“{name}”不存在，且您无权在该街道新建社区"),
                                        );
                                        None
                                    }
                                }
                            }
                        },
                    }
                }
                None => match communities.get(text).map(Vec::as_slice) {
                    Some([id]) => Some(CommunityRef::Existing(*id)),
                    Some([_, _, ..]) => {
                        error(
                            HEADERS[5],
                            format!("有多个名为“{text}”的社区，请写成“街道/社区”"),
                        );
                        None
                    }
                    _ => {
                        error(
                            HEADERS[5],
                            format!("社区“{text}”不存在；如需新建，请写成“街道/{text}”"),
                        );
                        None
                    }
                },
            },
        };
        if employer
            .as_ref()
            .is_some_and(|e| e.as_ref().is_some_and(|e| e.chars().count() > 100))
        {
            error(parse::EMPLOYER_HEADER, "工作单位不能超过 100 个字".into());
        }
        if errors.len() == before
            && let Some(phone) = phone
        {
            rows.push(Row {
                name: name.to_owned(),
                phone,
                path,
                categories,
                joined,
                probationary,
                community,
                employer,
            });
        }
    }

    // Paths must lie where the importing admin may act.
    let mut path_ids: HashMap<Vec<String>, Option<i64>> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
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
                let row_no = row_number(sheet, &columns, &row.phone).unwrap_or(index + 2);
                errors.push(ImportError {
                    row: row_no,
                    field: HEADERS[2].into(),
                    message: "无权向该组织导入党员".into(),
                });
            }
        }
        path_ids.insert(row.path.clone(), if complete { deepest } else { None });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Ok(ImportReport {
            errors,
            dry_run: true,
            ..Default::default()
        });
    }

    // Compare with what is stored.
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
            if let Some(cat) = MemberCategory::from_code(&c.category) {
                existing_categories
                    .entry(c.member_id)
                    .or_default()
                    .insert(cat);
            }
        }
    }
    let new_communities: BTreeSet<(i64, String)> = rows
        .iter()
        .filter_map(|r| match &r.community {
            Some(CommunityRef::New { street, name }) => Some((*street, name.clone())),
            _ => None,
        })
        .collect();
    let street_names: HashMap<i64, &str> =
        streets.iter().map(|s| (s.id, s.name.as_str())).collect();
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
                        == row.categories;
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
                    status: Set("active".into()),
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
                member_category::Entity::delete_many()
                    .filter(member_category::Column::MemberId.eq(m.id))
                    .exec(conn)
                    .await?;
                m.id
            }
        };
        if !row.categories.is_empty() {
            member_category::Entity::insert_many(row.categories.iter().map(|c| {
                member_category::ActiveModel {
                    member_id: Set(member_id),
                    category: Set(c.code().to_owned()),
                }
            }))
            .exec_without_returning(conn)
            .await?;
        }
    }
    Ok(report)
}

/// A file marks members probationary; only the member page records 转正
/// (with its date), so a file never makes a formal member probationary
/// again once 转正 was recorded, nor a probationary one formal.
fn wanted_probationary(row: &Row, m: &member::Model) -> bool {
    m.probationary || (row.probationary && m.formal_on.is_none())
}

#[derive(sea_orm::FromQueryResult)]
struct Street {
    id: i64,
    name: String,
}

/// Live townships and streets, where communities are set up.
async fn street_units(conn: &impl ConnectionTrait) -> Result<Vec<Street>, sea_orm::DbErr> {
    crate::sql::fetch_all::<Street>(
        conn,
        "SELECT id, name FROM org_unit WHERE kind IN ('working_committee', 'party_committee') \
         AND dissolved_at IS NULL ORDER BY id",
        [],
    )
    .await
}

/// The township or street a roster names: its unit's full name, or the
/// name without the committee's suffix (城关街道 for 城关街道党工委).
fn find_street(streets: &[Street], text: &str) -> Result<i64, String> {
    let exact: Vec<i64> = streets
        .iter()
        .filter(|s| s.name == text)
        .map(|s| s.id)
        .collect();
    let hits = if exact.is_empty() && !text.is_empty() {
        streets
            .iter()
            .filter(|s| s.name.starts_with(text))
            .map(|s| s.id)
            .collect()
    } else {
        exact
    };
    match hits.as_slice() {
        [id] => Ok(*id),
        [] => Err(format!("找不到街道（乡镇）“{text}”")),
        _ => Err(format!("“{text}”对应多个街道（乡镇），请写全称")),
    }
}

/// The sheet row number of a phone, for errors found after parsing.
fn row_number(sheet: &Sheet, columns: &[usize; 6], phone: &Phone) -> Option<usize> {
    sheet
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, cells)| {
            cells
                .get(columns[1])
                .and_then(|c| Phone::parse(c).ok())
                .as_ref()
                == Some(phone)
        })
        .map(|(i, _)| i + 1)
}
