//! Hours reports, read from the roll-ups: O(children) rows whatever the
//! number of logs. No rankings anywhere: child units come by name, months
//! in order, kinds in the vocabulary's order.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    Value,
};
use zhibu_shared::auth::IdName;
use zhibu_shared::org::Role;
use zhibu_shared::theme_day::Month;
use zhibu_shared::volunteer::{HoursReport, HoursRow, ServiceKind};

use super::rollup::{COMMUNITY, ORG, range_bits};
use crate::access::Caller;
use crate::entities::{community, org_unit};
use crate::error::{ApiError, ApiResult};
use crate::sql;

const ANY_ROLE: &[Role] = &[
    Role::Secretary,
    Role::OrgOfficer,
    Role::Admin,
    Role::CommunityAdmin,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Child,
    Month,
    Kind,
}

impl By {
    pub fn parse(text: Option<&str>) -> ApiResult<By> {
        match text.unwrap_or("child") {
            "child" => Ok(By::Child),
            "month" => Ok(By::Month),
            "kind" => Ok(By::Kind),
            _ => Err(ApiError::invalid("by", "by 须为 child、month 或 kind")),
        }
    }

    fn code(self) -> &'static str {
        match self {
            By::Child => "child",
            By::Month => "month",
            By::Kind => "kind",
        }
    }
}

#[derive(FromQueryResult)]
struct Sum {
    key: String,
    minutes: i64,
    entries: i64,
}

#[derive(FromQueryResult)]
struct Distinct {
    key: String,
    members: i64,
}

#[derive(FromQueryResult)]
struct MonthMembers {
    month: i32,
    members: i64,
}

#[derive(FromQueryResult)]
struct Total {
    minutes: Option<i64>,
    entries: Option<i64>,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

/// Sums and distinct members of `scope` grouped by `group` (a column of
/// the roll-up tables) over the month range.
async fn grouped(
    conn: &impl ConnectionTrait,
    scope_kind: &str,
    scope_ids: &[i64],
    from: Month,
    to: Month,
    group: &str,
) -> Result<(HashMap<String, (i64, i64)>, HashMap<String, i64>), DbErr> {
    if scope_ids.is_empty() {
        return Ok((HashMap::new(), HashMap::new()));
    }
    let ids = sql::placeholders(4, scope_ids.len());
    let mut values: Vec<Value> = vec![
        scope_kind.into(),
        from.to_string().into(),
        to.to_string().into(),
    ];
    values.extend(scope_ids.iter().map(|id| (*id).into()));
    // Only the by-kind sums need the rows of each kind.
    let table = if group == "kind" {
        "hours_rollup"
    } else {
        "hours_month"
    };
    let sums = sql::fetch_all::<Sum>(
        conn,
        &format!(
            "SELECT CAST({group} AS TEXT) AS key, CAST(SUM(minutes) AS BIGINT) AS minutes, CAST(SUM(entries) AS BIGINT) AS entries FROM {table} \
             WHERE scope_kind = $1 AND month >= $2 AND month <= $3 AND scope_id IN ({ids}) GROUP BY {group}"
        ),
        values.clone(),
    )
    .await?;
    let members = match group {
        // Distinct members per kind need the monthly rows.
        "kind" => {
            sql::fetch_all::<Distinct>(
                conn,
                &format!(
                    "SELECT CAST(kind AS TEXT) AS key, COUNT(DISTINCT member_id) AS members FROM hours_participation \
                     WHERE scope_kind = $1 AND month >= $2 AND month <= $3 AND scope_id IN ({ids}) GROUP BY kind"
                ),
                values,
            )
            .await?
        }
        "month" if from.year == to.year => {
            let ids = sql::placeholders(5, scope_ids.len());
            let mut values: Vec<Value> = vec![
                scope_kind.into(),
                from.year.into(),
                (from.month as i32).into(),
                (to.month as i32).into(),
            ];
            values.extend(scope_ids.iter().map(|id| (*id).into()));
            let rows = sql::fetch_all::<MonthMembers>(
                conn,
                &format!(
                    "SELECT first_month AS month, CAST(SUM(members) AS BIGINT) AS members FROM hours_member_range \
                     WHERE scope_kind = $1 AND year = $2 AND first_month = last_month AND first_month >= $3 \
                     AND first_month <= $4 AND scope_id IN ({ids}) GROUP BY first_month"
                ),
                values,
            )
            .await?;
            rows.into_iter()
                .map(|r| Distinct {
                    key: Month {
                        year: from.year,
                        month: r.month as u32,
                    }
                    .to_string(),
                    members: r.members,
                })
                .collect()
        }
        "month" => members_by_month(conn, scope_kind, scope_ids, from, to).await?,
        _ if from.year == to.year => {
            let ids = sql::placeholders(5, scope_ids.len());
            let mut values: Vec<Value> = vec![
                scope_kind.into(),
                from.year.into(),
                (from.month as i32).into(),
                (to.month as i32).into(),
            ];
            values.extend(scope_ids.iter().map(|id| (*id).into()));
            sql::fetch_all::<Distinct>(
                conn,
                &format!(
                    "SELECT CAST(scope_id AS TEXT) AS key, members FROM hours_member_range \
                     WHERE scope_kind = $1 AND year = $2 AND first_month = $3 AND last_month = $4 AND scope_id IN ({ids})"
                ),
                values,
            )
            .await?
        }
        _ => {
            let (filter, mut member_values) = member_range(4, from, to);
            let ids = sql::placeholders(4 + member_values.len(), scope_ids.len());
            let mut values: Vec<Value> = vec![scope_kind.into(), from.year.into(), to.year.into()];
            values.append(&mut member_values);
            values.extend(scope_ids.iter().map(|id| (*id).into()));
            sql::fetch_all::<Distinct>(
                conn,
                &format!(
                    "SELECT CAST(scope_id AS TEXT) AS key, COUNT(DISTINCT member_id) AS members FROM hours_member \
                     WHERE scope_kind = $1 AND year >= $2 AND year <= $3 AND {filter} AND scope_id IN ({ids}) GROUP BY scope_id"
                ),
                values,
            )
            .await?
        }
    };
    Ok((
        sums.into_iter()
            .map(|s| (s.key, (s.minutes, s.entries)))
            .collect(),
        members.into_iter().map(|m| (m.key, m.members)).collect(),
    ))
}

async fn totals(
    conn: &impl ConnectionTrait,
    scope_kind: &str,
    scope_id: i64,
    from: Month,
    to: Month,
) -> Result<(i64, i64, i64), DbErr> {
    let values: Vec<Value> = vec![
        scope_kind.into(),
        scope_id.into(),
        from.to_string().into(),
        to.to_string().into(),
    ];
    let total = sql::fetch_one::<Total>(
        conn,
        "SELECT CAST(SUM(minutes) AS BIGINT) AS minutes, CAST(SUM(entries) AS BIGINT) AS entries FROM hours_month \
         WHERE scope_kind = $1 AND scope_id = $2 AND month >= $3 AND month <= $4",
        values.clone(),
    )
    .await?;
    let members = if from.year == to.year {
        sql::fetch_one::<Count>(
            conn,
            "SELECT members AS n FROM hours_member_range \
             WHERE scope_kind = $1 AND scope_id = $2 AND year = $3 AND first_month = $4 AND last_month = $5",
            [
                scope_kind.into(),
                scope_id.into(),
                from.year.into(),
                (from.month as i32).into(),
                (to.month as i32).into(),
            ],
        )
        .await?
    } else {
        let (filter, mut member_values) = member_range(5, from, to);
        let mut values: Vec<Value> = vec![
            scope_kind.into(),
            scope_id.into(),
            from.year.into(),
            to.year.into(),
        ];
        values.append(&mut member_values);
        sql::fetch_one::<Count>(
            conn,
            &format!(
                "SELECT COUNT(DISTINCT member_id) AS n FROM hours_member \
                 WHERE scope_kind = $1 AND scope_id = $2 AND year >= $3 AND year <= $4 AND {filter}"
            ),
            values,
        )
        .await?
    };
    let (minutes, entries) =
        total.map_or((0, 0), |t| (t.minutes.unwrap_or(0), t.entries.unwrap_or(0)));
    Ok((minutes, entries, members.map_or(0, |c| c.n)))
}

/// The `hours_member` condition for a range across years (ranges inside
/// one year read `hours_member_range`): a member counts when a bit of
/// theirs falls inside the range in its year. Uses four parameters from
/// `$first` on.
fn member_range(first: usize, from: Month, to: Month) -> (String, Vec<Value>) {
    let all = range_bits(1, 12);
    let low = range_bits(from.month, 12);
    let high = range_bits(1, to.month);
    let (y1, lo, y2, hi) = (first, first + 1, first + 2, first + 3);
    (
        format!(
            "(months & (CASE WHEN year = ${y1} THEN ${lo} ELSE {all} END) & (CASE WHEN year = ${y2} THEN ${hi} ELSE {all} END)) <> 0"
        ),
        vec![from.year.into(), low.into(), to.year.into(), high.into()],
    )
}

#[derive(FromQueryResult)]
struct YearBits {
    year: i32,
    m1: i64,
    m2: i64,
    m3: i64,
    m4: i64,
    m5: i64,
    m6: i64,
    m7: i64,
    m8: i64,
    m9: i64,
    m10: i64,
    m11: i64,
    m12: i64,
}

/// Distinct members per month: one pass counting each month's bit.
async fn members_by_month(
    conn: &impl ConnectionTrait,
    scope_kind: &str,
    scope_ids: &[i64],
    from: Month,
    to: Month,
) -> Result<Vec<Distinct>, DbErr> {
    let bits: Vec<String> = (0..12)
        .map(|k| format!("CAST(SUM((months >> {k}) & 1) AS BIGINT) AS m{}", k + 1))
        .collect();
    let ids = sql::placeholders(4, scope_ids.len());
    let mut values: Vec<Value> = vec![scope_kind.into(), from.year.into(), to.year.into()];
    values.extend(scope_ids.iter().map(|id| (*id).into()));
    let rows = sql::fetch_all::<YearBits>(
        conn,
        &format!(
            "SELECT year, {} FROM hours_member WHERE scope_kind = $1 AND year >= $2 AND year <= $3 \
             AND scope_id IN ({ids}) GROUP BY year",
            bits.join(", ")
        ),
        values,
    )
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let counts = [
            r.m1, r.m2, r.m3, r.m4, r.m5, r.m6, r.m7, r.m8, r.m9, r.m10, r.m11, r.m12,
        ];
        for (i, members) in counts.into_iter().enumerate() {
            let month = Month {
                year: r.year,
                month: i as u32 + 1,
            };
            if month >= from && month <= to {
                out.push(Distinct {
                    key: month.to_string(),
                    members,
                });
            }
        }
    }
    Ok(out)
}

fn months_between(from: Month, to: Month) -> Vec<Month> {
    let mut out = Vec::new();
    let mut m = from;
    while m <= to && out.len() < 240 {
        out.push(m);
        m = m.next();
    }
    out
}

pub(super) fn check_range(from: Month, to: Month) -> ApiResult<()> {
    if to < from {
        return Err(ApiError::invalid("to", "结束月份不能早于开始月份"));
    }
    if months_between(from, to).len() > 120 {
        return Err(ApiError::invalid("to", "一次最多查询 10 年"));
    }
    Ok(())
}

fn rows_by_month_or_kind(
    by: By,
    from: Month,
    to: Month,
    sums: &HashMap<String, (i64, i64)>,
    members: &HashMap<String, i64>,
) -> Vec<HoursRow> {
    let keys: Vec<(String, String)> = match by {
        By::Month => months_between(from, to)
            .into_iter()
            .map(|m| (m.to_string(), format!("{}年{}月", m.year, m.month)))
            .collect(),
        _ => ServiceKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), k.zh().to_owned()))
            .collect(),
    };
    keys.into_iter()
        .map(|(key, name)| {
            let (minutes, entries) = sums.get(&key).copied().unwrap_or((0, 0));
            HoursRow {
                members: members.get(&key).copied().unwrap_or(0),
                key,
                name,
                minutes,
                entries,
            }
        })
        .collect()
}

/// `GET /orgs/{id}/hours`.
pub async fn org_hours(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    from: Month,
    to: Month,
    by: By,
) -> ApiResult<HoursReport> {
    check_range(from, to)?;
    // The dashboard's usual read (one year, by child) is one query, with
    // the access check inside it.
    if by == By::Child && from.year == to.year {
        return child_report_in_year(conn, caller, org_id, from, to).await;
    }
    caller.require(conn, ANY_ROLE, org_id).await?;
    let unit = org_unit::Entity::find_by_id(org_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (total_minutes, total_entries, members) = totals(conn, ORG, org_id, from, to).await?;
    let member_count = crate::orgs::org_views(conn, vec![unit.clone()])
        .await?
        .first()
        .map_or(0, |o| o.member_count as i64);
    let rows = match by {
        By::Child => {
            let children = org_unit::Entity::find()
                .filter(org_unit::Column::ParentId.eq(org_id))
                .order_by_asc(org_unit::Column::Id)
                .all(conn)
                .await?;
            let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
            let (sums, distinct) = grouped(conn, ORG, &ids, from, to, "scope_id").await?;
            children
                .into_iter()
                .map(|c| {
                    let key = c.id.to_string();
                    let (minutes, entries) = sums.get(&key).copied().unwrap_or((0, 0));
                    HoursRow {
                        members: distinct.get(&key).copied().unwrap_or(0),
                        key,
                        name: c.name,
                        minutes,
                        entries,
                    }
                })
                .collect()
        }
        _ => {
            let column = if by == By::Month { "month" } else { "kind" };
            let (sums, distinct) = grouped(conn, ORG, &[org_id], from, to, column).await?;
            rows_by_month_or_kind(by, from, to, &sums, &distinct)
        }
    };
    Ok(hours_report(
        IdName {
            id: unit.id,
            name: unit.name,
        },
        (from, to, by),
        (total_minutes, total_entries, members),
        member_count,
        rows,
    ))
}

fn hours_report(
    org: IdName,
    (from, to, by): (Month, Month, By),
    (total_minutes, total_entries, members): (i64, i64, i64),
    member_count: i64,
    mut rows: Vec<HoursRow>,
) -> HoursReport {
    if by == By::Child {
        // By name, the same on every engine, so a unit is found where expected.
        rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.key.cmp(&b.key)));
    }
    HoursReport {
        org,
        from,
        to,
        by: by.code().into(),
        total_minutes,
        total_entries,
        members,
        member_count,
        participation: if member_count > 0 {
            members as f64 / member_count as f64
        } else {
            0.0
        },
        rows,
    }
}

#[derive(FromQueryResult)]
struct UnitHours {
    id: i64,
    name: String,
    minutes: Option<i64>,
    entries: Option<i64>,
    members: Option<i64>,
    member_count: Option<i64>,
}

/// Hours of `org_id` and of each of its children over months of one year,
/// with their member counts, in one query reading O(children) roll-up rows;
/// the same query checks that the caller's roles reach the unit.
async fn child_report_in_year(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    from: Month,
    to: Month,
) -> ApiResult<HoursReport> {
    let roots = caller.orgs_with(ANY_ROLE);
    if roots.is_empty() {
        return Err(ApiError::NotFound);
    }
    let mut values: Vec<Value> = vec![
        org_id.into(),
        ORG.into(),
        from.to_string().into(),
        to.to_string().into(),
        from.year.into(),
        (from.month as i32).into(),
        (to.month as i32).into(),
    ];
    let reachable_from = sql::placeholders(values.len() + 1, roots.len());
    values.extend(roots.into_iter().map(Into::into));
    // No rows: the unit does not exist or lies outside the caller's reach.
    let mut units = sql::fetch_all::<UnitHours>(
        conn,
        &format!("SELECT o.id, o.name, s.minutes, s.entries, r.members, c.members AS member_count FROM org_unit o \
         LEFT JOIN (SELECT scope_id, CAST(SUM(minutes) AS BIGINT) AS minutes, CAST(SUM(entries) AS BIGINT) AS entries \
         FROM hours_month WHERE scope_kind = $2 AND month >= $3 AND month <= $4 \
         AND scope_id IN (SELECT id FROM org_unit WHERE id = $1 OR parent_id = $1) \
         GROUP BY scope_id) s ON s.scope_id = o.id \
         LEFT JOIN hours_member_range r ON r.scope_kind = $2 AND r.scope_id = o.id AND r.year = $5 \
         AND r.first_month = $6 AND r.last_month = $7 \
         LEFT JOIN org_member_count c ON c.org_id = o.id \
         WHERE (o.id = $1 OR o.parent_id = $1) AND EXISTS (SELECT 1 FROM org_closure a \
         WHERE a.descendant_id = $1 AND a.ancestor_id IN ({reachable_from})) ORDER BY o.id"),
        values,
    )
    .await?;
    let unit = units
        .iter()
        .position(|u| u.id == org_id)
        .map(|i| units.remove(i))
        .ok_or(ApiError::NotFound)?;
    let children = units;
    let rows = children
        .into_iter()
        .map(|c| HoursRow {
            key: c.id.to_string(),
            name: c.name,
            minutes: c.minutes.unwrap_or(0),
            entries: c.entries.unwrap_or(0),
            members: c.members.unwrap_or(0),
        })
        .collect();
    Ok(hours_report(
        IdName {
            id: unit.id,
            name: unit.name,
        },
        (from, to, By::Child),
        (
            unit.minutes.unwrap_or(0),
            unit.entries.unwrap_or(0),
            unit.members.unwrap_or(0),
        ),
        unit.member_count.unwrap_or(0).max(0),
        rows,
    ))
}

/// `GET /communities/{id}/hours`: for the community's admins and anyone
/// whose role reaches the community's township.
pub async fn community_hours(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    community_id: i64,
    from: Month,
    to: Month,
    by: By,
) -> ApiResult<HoursReport> {
    check_range(from, to)?;
    let c = community::Entity::find_by_id(community_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !caller
        .reaches(conn, ANY_ROLE, super::community::community_unit(&c))
        .await?
    {
        return Err(ApiError::NotFound);
    }
    let by = if by == By::Child { By::Month } else { by };
    let (total_minutes, total_entries, members) =
        totals(conn, COMMUNITY, community_id, from, to).await?;
    let column = if by == By::Month { "month" } else { "kind" };
    let (sums, distinct) = grouped(conn, COMMUNITY, &[community_id], from, to, column).await?;
    // Communities have no members of their own: no participation.
    Ok(hours_report(
        IdName {
            id: c.id,
            name: c.name,
        },
        (from, to, by),
        (total_minutes, total_entries, members),
        0,
        rows_by_month_or_kind(by, from, to, &sums, &distinct),
    ))
}
