//! Crediting approved logs and keeping the roll-ups.
//!
//! An approved log is credited once to each scope in a set: the member's
//! branch as of the log's date and every ancestor of that branch (at
//! approval time), the community where it was done, and the sector
//! committee whose activity it was. The set is stored in `service_credit`,
//! so taking a credit back (a correction) subtracts exactly what was added,
//! even after the tree has changed. `hours_rollup` and `hours_participation`
//! are sums over the credits, and `hours_month` the rollup's sums over
//! kinds; all are changed in the caller's transaction.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Value,
};

use crate::entities::{community, org_unit, service_credit, service_log};
use crate::sql;

mod verify;
pub use verify::{Difference, rebuild, rebuild_member_counts, verify};

pub const ORG: &str = "o";
pub const COMMUNITY: &str = "c";

type RollupKey = (String, i64, String, String);
type MonthKey = (String, i64, String);
type ParticipationKey = (String, i64, String, String, i64);

/// Changes to apply to the roll-up tables, summed before writing so a bulk
/// approval writes each row once.
#[derive(Debug, Default)]
pub struct Deltas {
    rollup: BTreeMap<RollupKey, (i64, i64)>,
    month: BTreeMap<MonthKey, (i64, i64)>,
    participation: BTreeMap<ParticipationKey, (i64, i64)>,
}

impl Deltas {
    fn add(&mut self, scope_kind: &str, scope_id: i64, log: &service_log::Model, sign: i64) {
        let minutes = i64::from(log.minutes) * sign;
        let r = self
            .rollup
            .entry((
                scope_kind.to_owned(),
                scope_id,
                log.month.clone(),
                log.kind.code().to_owned(),
            ))
            .or_default();
        r.0 += minutes;
        r.1 += sign;
        let m = self
            .month
            .entry((scope_kind.to_owned(), scope_id, log.month.clone()))
            .or_default();
        m.0 += minutes;
        m.1 += sign;
        let p = self
            .participation
            .entry((
                scope_kind.to_owned(),
                scope_id,
                log.month.clone(),
                log.kind.code().to_owned(),
                log.member_id,
            ))
            .or_default();
        p.0 += minutes;
        p.1 += sign;
    }
}

#[derive(FromQueryResult)]
struct Ancestor {
    ancestor_id: i64,
}

/// The scopes an approved log counts for.
async fn scopes_of(
    conn: &impl ConnectionTrait,
    log: &service_log::Model,
) -> Result<BTreeSet<(&'static str, i64)>, DbErr> {
    let mut scopes = BTreeSet::new();
    for a in sql::fetch_all::<Ancestor>(
        conn,
        "SELECT ancestor_id FROM org_closure WHERE descendant_id = $1",
        [log.branch_id.into()],
    )
    .await?
    {
        scopes.insert((ORG, a.ancestor_id));
    }
    if let Some(community_id) = log.community_id
        && community::Entity::find_by_id(community_id)
            .one(conn)
            .await?
            .is_some()
    {
        scopes.insert((COMMUNITY, community_id));
    }
    // A sector committee's activity counts for it; service in a grid
    // (党小组) of the branch counts for the grid.
    if let Some(org_id) = log.org_id
        && let Some(unit) = org_unit::Entity::find_by_id(org_id).one(conn).await?
        && matches!(
            unit.kind,
            zhibu_shared::org::OrgKind::SectorCommittee | zhibu_shared::org::OrgKind::PartyGroup
        )
    {
        scopes.insert((ORG, org_id));
    }
    Ok(scopes)
}

/// Records the credits of a log being approved and adds them to `deltas`.
pub async fn credit(
    conn: &impl ConnectionTrait,
    log: &service_log::Model,
    deltas: &mut Deltas,
) -> Result<(), DbErr> {
    let scopes = scopes_of(conn, log).await?;
    let rows = scopes.iter().map(|(kind, id)| service_credit::ActiveModel {
        log_id: sea_orm::ActiveValue::Set(log.id.clone()),
        scope_kind: sea_orm::ActiveValue::Set((*kind).to_owned()),
        scope_id: sea_orm::ActiveValue::Set(*id),
    });
    service_credit::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    for (kind, id) in scopes {
        deltas.add(kind, id, log, 1);
    }
    Ok(())
}

/// Takes back the credits of a log that stops counting.
pub async fn uncredit(
    conn: &impl ConnectionTrait,
    log: &service_log::Model,
    deltas: &mut Deltas,
) -> Result<(), DbErr> {
    let credits = service_credit::Entity::find()
        .filter(service_credit::Column::LogId.eq(log.id.clone()))
        .all(conn)
        .await?;
    for c in &credits {
        deltas.add(&c.scope_kind, c.scope_id, log, -1);
    }
    service_credit::Entity::delete_many()
        .filter(service_credit::Column::LogId.eq(log.id.clone()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Writes summed deltas: upserts, then removes rows that fell to nothing.
pub async fn apply(conn: &impl ConnectionTrait, deltas: Deltas) -> Result<(), DbErr> {
    let touched: BTreeSet<(i64, i32)> = deltas
        .participation
        .iter()
        .filter(|(_, (m, e))| *m != 0 || *e != 0)
        .map(|((_, _, month, _, member), _)| (*member, year_of(month)))
        .collect();
    add_sums(
        conn,
        "hours_rollup",
        "scope_kind, scope_id, month, kind",
        deltas
            .rollup
            .into_iter()
            .map(|((sk, sid, month, kind), sums)| {
                (vec![sk.into(), sid.into(), month.into(), kind.into()], sums)
            }),
    )
    .await?;
    add_sums(
        conn,
        "hours_month",
        "scope_kind, scope_id, month",
        deltas
            .month
            .into_iter()
            .map(|((sk, sid, month), sums)| (vec![sk.into(), sid.into(), month.into()], sums)),
    )
    .await?;
    add_sums(
        conn,
        "hours_participation",
        "scope_kind, scope_id, month, kind, member_id",
        deltas
            .participation
            .into_iter()
            .map(|((sk, sid, month, kind, member), sums)| {
                (
                    vec![
                        sk.into(),
                        sid.into(),
                        month.into(),
                        kind.into(),
                        member.into(),
                    ],
                    sums,
                )
            }),
    )
    .await?;
    let mut ranges = RangeDeltas::new();
    for (member, year) in touched {
        refresh_member_year(conn, member, year, &mut ranges).await?;
    }
    apply_ranges(conn, ranges).await
}

/// Adds (minutes, entries) to the rows of a sums table keyed by `keys`, 100
/// rows a statement, and deletes the rows left with no entries.
async fn add_sums(
    conn: &impl ConnectionTrait,
    table: &str,
    keys: &str,
    rows: impl Iterator<Item = (Vec<Value>, (i64, i64))>,
) -> Result<(), DbErr> {
    let rows: Vec<_> = rows.filter(|(_, (m, e))| *m != 0 || *e != 0).collect();
    let width = rows.first().map_or(0, |(key, _)| key.len()) + 2;
    for chunk in rows.chunks(100) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * width);
        let tuples: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, (key, (minutes, entries)))| {
                values.extend(key.iter().cloned());
                values.extend([(*minutes).into(), (*entries).into()]);
                format!("({})", sql::placeholders(i * width + 1, width))
            })
            .collect();
        let query = format!(
            "INSERT INTO {table} ({keys}, minutes, entries) VALUES {} \
             ON CONFLICT ({keys}) DO UPDATE SET \
             minutes = {table}.minutes + excluded.minutes, entries = {table}.entries + excluded.entries",
            tuples.join(", ")
        );
        sql::execute(conn, &query, values).await?;
    }
    conn.execute_unprepared(&format!("DELETE FROM {table} WHERE entries <= 0"))
        .await?;
    Ok(())
}

/// Changes to `hours_member_range`: (scope kind, scope, year, first month,
/// last month) → members gained or lost.
type RangeDeltas = BTreeMap<RangeKey, i64>;
type RangeKey = (String, i64, i32, u32, u32);

/// Every month range inside a year, with its bits.
pub fn month_ranges() -> impl Iterator<Item = (u32, u32, i64)> {
    (1..=12u32)
        .flat_map(|first| (first..=12).map(move |last| (first, last, range_bits(first, last))))
}

/// The bits of months `first..=last` (1-based) in an `hours_member` mask.
pub fn range_bits(first: u32, last: u32) -> i64 {
    ((1_i64 << last) - 1) & !((1_i64 << (first - 1)) - 1)
}

/// Adds to `out` how a member's months in one scope changed the ranges:
/// a range gains the member when it now holds a month of theirs and did
/// not before, and loses them the other way round.
fn range_changes(scope: (&str, i64), year: i32, before: i64, after: i64, out: &mut RangeDeltas) {
    if before == after {
        return;
    }
    for (first, last, bits) in month_ranges() {
        let change = i64::from(after & bits != 0) - i64::from(before & bits != 0);
        if change != 0 {
            *out.entry((scope.0.to_owned(), scope.1, year, first, last))
                .or_default() += change;
        }
    }
}

async fn apply_ranges(conn: &impl ConnectionTrait, ranges: RangeDeltas) -> Result<(), DbErr> {
    let changes: Vec<_> = ranges.into_iter().filter(|(_, n)| *n != 0).collect();
    for chunk in changes.chunks(150) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 6);
        let rows: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, ((sk, sid, year, first, last), n))| {
                values.extend([
                    sk.clone().into(),
                    (*sid).into(),
                    (*year).into(),
                    (*first as i32).into(),
                    (*last as i32).into(),
                    (*n).into(),
                ]);
                format!("({})", sql::placeholders(i * 6 + 1, 6))
            })
            .collect();
        let query = format!(
            "INSERT INTO hours_member_range (scope_kind, scope_id, year, first_month, last_month, members) VALUES {} \
             ON CONFLICT (scope_kind, scope_id, year, first_month, last_month) DO UPDATE SET \
             members = hours_member_range.members + excluded.members",
            rows.join(", ")
        );
        sql::execute(conn, &query, values).await?;
    }
    if !changes.is_empty() {
        conn.execute_unprepared("DELETE FROM hours_member_range WHERE members <= 0")
            .await?;
    }
    Ok(())
}

#[derive(FromQueryResult)]
struct ScopeMonths {
    scope_kind: String,
    scope_id: i64,
    months: i64,
}

/// Runs a statement returning `hours_member` rows as scope → months.
async fn scope_months(
    conn: &impl ConnectionTrait,
    query: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<BTreeMap<(String, i64), i64>, DbErr> {
    Ok(sql::fetch_all::<ScopeMonths>(conn, query, values)
        .await?
        .into_iter()
        .map(|r| ((r.scope_kind, r.scope_id), r.months))
        .collect())
}

fn year_of(month: &str) -> i32 {
    month.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

/// The month's bit of a `YYYY-MM` column, in SQL both engines read.
const MONTH_BIT: &str = "(1 << (CAST(substr(month, 6, 2) AS INTEGER) - 1))";

/// Recomputes a member's `hours_member` rows for a year from the monthly
/// participation (the bits are an OR, so they are rebuilt, not decremented).
async fn refresh_member_year(
    conn: &impl ConnectionTrait,
    member: i64,
    year: i32,
    ranges: &mut RangeDeltas,
) -> Result<(), DbErr> {
    // The old rows come back from the delete and the new ones from the
    // insert, so the range counts change without reading the table again.
    let before = scope_months(
        conn,
        "DELETE FROM hours_member WHERE member_id = $1 AND year = $2 RETURNING scope_kind, scope_id, months",
        [member.into(), year.into()],
    )
    .await?;
    let query = format!(
        "INSERT INTO hours_member (scope_kind, scope_id, year, member_id, months) \
         SELECT scope_kind, scope_id, $2, member_id, SUM(DISTINCT {MONTH_BIT}) FROM hours_participation \
         WHERE member_id = $1 AND month >= $3 AND month <= $4 GROUP BY scope_kind, scope_id, member_id \
         RETURNING scope_kind, scope_id, months"
    );
    let after = scope_months(
        conn,
        &query,
        [
            member.into(),
            year.into(),
            format!("{year:04}-01").into(),
            format!("{year:04}-12").into(),
        ],
    )
    .await?;
    let scopes: BTreeSet<&(String, i64)> = before.keys().chain(after.keys()).collect();
    for scope in scopes {
        range_changes(
            (&scope.0, scope.1),
            year,
            before.get(scope).copied().unwrap_or(0),
            after.get(scope).copied().unwrap_or(0),
            ranges,
        );
    }
    Ok(())
}
