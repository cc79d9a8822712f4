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
                log.kind.clone(),
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
                log.kind.clone(),
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
    if let Some(org_id) = log.org_id
        && let Some(unit) = org_unit::Entity::find_by_id(org_id).one(conn).await?
        && unit.kind == zhibu_shared::org::OrgKind::SectorCommittee.code()
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

/// A roll-up row that differs from the recomputation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub table: &'static str,
    pub key: String,
    pub stored: (i64, i64),
    pub expected: (i64, i64),
}

#[derive(FromQueryResult)]
struct RollupRow {
    scope_kind: String,
    scope_id: i64,
    month: String,
    kind: String,
    minutes: i64,
    entries: i64,
}

#[derive(FromQueryResult)]
struct MonthRow {
    scope_kind: String,
    scope_id: i64,
    month: String,
    minutes: i64,
    entries: i64,
}

#[derive(FromQueryResult)]
struct ParticipationRow {
    scope_kind: String,
    scope_id: i64,
    month: String,
    kind: String,
    member_id: i64,
    minutes: i64,
    entries: i64,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

#[derive(FromQueryResult)]
struct RangeRow {
    scope_kind: String,
    scope_id: i64,
    year: i32,
    first_month: i32,
    last_month: i32,
    members: i64,
}

#[derive(FromQueryResult)]
struct MemberRow {
    scope_kind: String,
    scope_id: i64,
    year: i32,
    member_id: i64,
    months: i64,
}

/// Recomputes every roll-up from the raw logs and their credits, and the
/// kept member counts from the members, and lists what differs, including
/// approved logs without credits and credits of logs that no longer count.
pub async fn verify(conn: &impl ConnectionTrait) -> Result<Vec<Difference>, DbErr> {
    let mut differences = Vec::new();
    let expected_rollup: BTreeMap<RollupKey, (i64, i64)> = sql::fetch_all::<RollupRow>(
        conn,
        "SELECT c.scope_kind, c.scope_id, l.month, l.kind, CAST(SUM(l.minutes) AS BIGINT) AS minutes, COUNT(*) AS entries \
         FROM service_credit c JOIN service_log l ON l.id = c.log_id WHERE l.status = 'approved' \
         GROUP BY c.scope_kind, c.scope_id, l.month, l.kind",
        [],
    )
    .await?
    .into_iter()
    .map(|r| ((r.scope_kind, r.scope_id, r.month, r.kind), (r.minutes, r.entries)))
    .collect();
    let stored_rollup: BTreeMap<RollupKey, (i64, i64)> = sql::fetch_all::<RollupRow>(
        conn,
        "SELECT scope_kind, scope_id, month, kind, minutes, entries FROM hours_rollup",
        [],
    )
    .await?
    .into_iter()
    .map(|r| {
        (
            (r.scope_kind, r.scope_id, r.month, r.kind),
            (r.minutes, r.entries),
        )
    })
    .collect();
    compare(
        "hours_rollup",
        &stored_rollup,
        &expected_rollup,
        &mut differences,
    );
    let mut expected_month: BTreeMap<MonthKey, (i64, i64)> = BTreeMap::new();
    for ((sk, sid, month, _), (minutes, entries)) in &expected_rollup {
        let sums = expected_month
            .entry((sk.clone(), *sid, month.clone()))
            .or_default();
        sums.0 += minutes;
        sums.1 += entries;
    }
    let stored_month: BTreeMap<MonthKey, (i64, i64)> = sql::fetch_all::<MonthRow>(
        conn,
        "SELECT scope_kind, scope_id, month, minutes, entries FROM hours_month",
        [],
    )
    .await?
    .into_iter()
    .map(|r| ((r.scope_kind, r.scope_id, r.month), (r.minutes, r.entries)))
    .collect();
    compare(
        "hours_month",
        &stored_month,
        &expected_month,
        &mut differences,
    );

    let expected_participation: BTreeMap<ParticipationKey, (i64, i64)> = sql::fetch_all::<ParticipationRow>(
        conn,
        "SELECT c.scope_kind, c.scope_id, l.month, l.kind, l.member_id, CAST(SUM(l.minutes) AS BIGINT) AS minutes, COUNT(*) AS entries \
         FROM service_credit c JOIN service_log l ON l.id = c.log_id WHERE l.status = 'approved' \
         GROUP BY c.scope_kind, c.scope_id, l.month, l.kind, l.member_id",
        [],
    )
    .await?
    .into_iter()
    .map(|r| ((r.scope_kind, r.scope_id, r.month, r.kind, r.member_id), (r.minutes, r.entries)))
    .collect();
    let stored_participation: BTreeMap<ParticipationKey, (i64, i64)> = sql::fetch_all::<ParticipationRow>(
        conn,
        "SELECT scope_kind, scope_id, month, kind, member_id, minutes, entries FROM hours_participation",
        [],
    )
    .await?
    .into_iter()
    .map(|r| ((r.scope_kind, r.scope_id, r.month, r.kind, r.member_id), (r.minutes, r.entries)))
    .collect();
    compare(
        "hours_participation",
        &stored_participation,
        &expected_participation,
        &mut differences,
    );

    let mut expected_members: BTreeMap<(String, i64, i32, i64), (i64, i64)> = BTreeMap::new();
    for (scope_kind, scope_id, month, _, member) in expected_participation.keys() {
        let bit: i64 = month
            .get(5..7)
            .and_then(|m| m.parse::<u32>().ok())
            .map_or(0, |m| 1 << (m - 1));
        expected_members
            .entry((scope_kind.clone(), *scope_id, year_of(month), *member))
            .or_default()
            .0 |= bit;
    }
    let stored_members: BTreeMap<(String, i64, i32, i64), (i64, i64)> =
        sql::fetch_all::<MemberRow>(
            conn,
            "SELECT scope_kind, scope_id, year, member_id, months FROM hours_member",
            [],
        )
        .await?
        .into_iter()
        .map(|r| {
            (
                (r.scope_kind, r.scope_id, r.year, r.member_id),
                (r.months, 0),
            )
        })
        .collect();
    compare(
        "hours_member",
        &stored_members,
        &expected_members,
        &mut differences,
    );

    let mut expected_ranges: BTreeMap<RangeKey, (i64, i64)> = BTreeMap::new();
    for ((scope_kind, scope_id, year, _), (months, _)) in &expected_members {
        for (first, last, bits) in month_ranges() {
            if months & bits != 0 {
                expected_ranges
                    .entry((scope_kind.clone(), *scope_id, *year, first, last))
                    .or_default()
                    .0 += 1;
            }
        }
    }
    let stored_ranges: BTreeMap<RangeKey, (i64, i64)> =
        sql::fetch_all::<RangeRow>(
            conn,
            "SELECT scope_kind, scope_id, year, first_month, last_month, members FROM hours_member_range",
            [],
        )
        .await?
        .into_iter()
        .map(|r| {
            (
                (r.scope_kind, r.scope_id, r.year, r.first_month as u32, r.last_month as u32),
                (r.members, 0),
            )
        })
        .collect();
    compare(
        "hours_member_range",
        &stored_ranges,
        &expected_ranges,
        &mut differences,
    );

    let expected_counts = member_counts(
        conn,
        "SELECT o.id AS org_id, COUNT(m.id) AS members, \
         CAST(COALESCE(SUM(CASE WHEN m.probationary THEN 0 ELSE 1 END), 0) AS BIGINT) AS formal \
         FROM org_unit o JOIN org_closure c ON c.ancestor_id = o.id \
         JOIN member m ON m.branch_id = c.descendant_id AND m.status = 'active' GROUP BY o.id",
    )
    .await?;
    let stored_counts = member_counts(
        conn,
        "SELECT org_id, members, formal FROM org_member_count WHERE members <> 0 OR formal <> 0",
    )
    .await?;
    compare(
        "org_member_count",
        &stored_counts,
        &expected_counts,
        &mut differences,
    );

    let uncredited = sql::fetch_one::<Count>(
        conn,
        "SELECT COUNT(*) AS n FROM service_log l WHERE l.status = 'approved' \
         AND NOT EXISTS (SELECT 1 FROM service_credit c WHERE c.log_id = l.id)",
        [],
    )
    .await?
    .map_or(0, |c| c.n);
    if uncredited > 0 {
        differences.push(Difference {
            table: "service_credit",
            key: "approved logs without credits".into(),
            stored: (0, 0),
            expected: (uncredited, 0),
        });
    }
    let stray = sql::fetch_one::<Count>(
        conn,
        "SELECT COUNT(*) AS n FROM service_credit c JOIN service_log l ON l.id = c.log_id WHERE l.status <> 'approved'",
        [],
    )
    .await?
    .map_or(0, |c| c.n);
    if stray > 0 {
        differences.push(Difference {
            table: "service_credit",
            key: "credits of logs that do not count".into(),
            stored: (stray, 0),
            expected: (0, 0),
        });
    }
    Ok(differences)
}

#[derive(FromQueryResult)]
struct MemberCount {
    org_id: i64,
    members: i64,
    formal: i64,
}

async fn member_counts(
    conn: &impl ConnectionTrait,
    query: &str,
) -> Result<BTreeMap<i64, (i64, i64)>, DbErr> {
    Ok(sql::fetch_all::<MemberCount>(conn, query, [])
        .await?
        .into_iter()
        .map(|c| (c.org_id, (c.members, c.formal)))
        .collect())
}

fn compare<K: Ord + std::fmt::Debug>(
    table: &'static str,
    stored: &BTreeMap<K, (i64, i64)>,
    expected: &BTreeMap<K, (i64, i64)>,
    out: &mut Vec<Difference>,
) {
    for (key, value) in expected {
        if stored.get(key) != Some(value) {
            out.push(Difference {
                table,
                key: format!("{key:?}"),
                stored: stored.get(key).copied().unwrap_or((0, 0)),
                expected: *value,
            });
        }
    }
    for (key, value) in stored {
        if !expected.contains_key(key) {
            out.push(Difference {
                table,
                key: format!("{key:?}"),
                stored: *value,
                expected: (0, 0),
            });
        }
    }
}

/// Rebuilds the roll-up tables from the credits (`verify-rollups --fix`).
pub async fn rebuild(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    conn.execute_unprepared("DELETE FROM service_credit WHERE log_id IN (SELECT id FROM service_log WHERE status <> 'approved')").await?;
    let uncredited = service_log::Model::find_by_statement(sql::stmt(
        conn,
        "SELECT * FROM service_log l WHERE l.status = 'approved' \
         AND NOT EXISTS (SELECT 1 FROM service_credit c WHERE c.log_id = l.id)",
        [],
    ))
    .all(conn)
    .await?;
    let mut deltas = Deltas::default();
    for log in uncredited {
        credit(conn, &log, &mut deltas).await?;
    }
    drop(deltas);
    conn.execute_unprepared("DELETE FROM hours_rollup").await?;
    conn.execute_unprepared("DELETE FROM hours_month").await?;
    conn.execute_unprepared("DELETE FROM hours_participation")
        .await?;
    conn.execute_unprepared("DELETE FROM hours_member").await?;
    conn.execute_unprepared(
        "INSERT INTO hours_rollup (scope_kind, scope_id, month, kind, minutes, entries) \
         SELECT c.scope_kind, c.scope_id, l.month, l.kind, CAST(SUM(l.minutes) AS BIGINT), COUNT(*) \
         FROM service_credit c JOIN service_log l ON l.id = c.log_id WHERE l.status = 'approved' \
         GROUP BY c.scope_kind, c.scope_id, l.month, l.kind",
    )
    .await?;
    conn.execute_unprepared(
        "INSERT INTO hours_month (scope_kind, scope_id, month, minutes, entries) \
         SELECT scope_kind, scope_id, month, CAST(SUM(minutes) AS BIGINT), CAST(SUM(entries) AS BIGINT) \
         FROM hours_rollup GROUP BY scope_kind, scope_id, month",
    )
    .await?;
    conn.execute_unprepared(
        "INSERT INTO hours_participation (scope_kind, scope_id, month, kind, member_id, minutes, entries) \
         SELECT c.scope_kind, c.scope_id, l.month, l.kind, l.member_id, CAST(SUM(l.minutes) AS BIGINT), COUNT(*) \
         FROM service_credit c JOIN service_log l ON l.id = c.log_id WHERE l.status = 'approved' \
         GROUP BY c.scope_kind, c.scope_id, l.month, l.kind, l.member_id",
    )
    .await?;
    conn.execute_unprepared(&format!(
        "INSERT INTO hours_member (scope_kind, scope_id, year, member_id, months) \
         SELECT scope_kind, scope_id, CAST(substr(month, 1, 4) AS INTEGER), member_id, SUM(DISTINCT {MONTH_BIT}) \
         FROM hours_participation GROUP BY scope_kind, scope_id, CAST(substr(month, 1, 4) AS INTEGER), member_id"
    ))
    .await?;
    conn.execute_unprepared("DELETE FROM org_member_count")
        .await?;
    conn.execute_unprepared(
        "INSERT INTO org_member_count (org_id, members, formal) \
         SELECT o.id, COUNT(m.id), COALESCE(SUM(CASE WHEN m.id IS NULL OR m.probationary THEN 0 ELSE 1 END), 0) \
         FROM org_unit o LEFT JOIN org_closure c ON c.ancestor_id = o.id \
         LEFT JOIN member m ON m.branch_id = c.descendant_id AND m.status = 'active' GROUP BY o.id",
    )
    .await?;
    conn.execute_unprepared("DELETE FROM hours_member_range")
        .await?;
    let ranges: Vec<String> = month_ranges()
        .map(|(first, last, bits)| format!("({first}, {last}, {bits})"))
        .collect();
    // Members of a scope share few month patterns: join the patterns, not
    // the members, with the 78 ranges.
    conn.execute_unprepared(&format!(
        "WITH r (first_month, last_month, bits) AS (VALUES {}), \
         p AS (SELECT scope_kind, scope_id, year, months, COUNT(*) AS n FROM hours_member \
         GROUP BY scope_kind, scope_id, year, months) \
         INSERT INTO hours_member_range (scope_kind, scope_id, year, first_month, last_month, members) \
         SELECT p.scope_kind, p.scope_id, p.year, r.first_month, r.last_month, SUM(p.n) \
         FROM p JOIN r ON (p.months & r.bits) <> 0 \
         GROUP BY p.scope_kind, p.scope_id, p.year, r.first_month, r.last_month",
        ranges.join(", ")
    ))
    .await?;
    Ok(())
}
