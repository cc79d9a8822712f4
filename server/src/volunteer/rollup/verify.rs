//! Checking the roll-ups against a recomputation from the approved logs
//! (`zhibu verify-rollups`), and rebuilding them from the logs.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use zhibu_shared::org::MemberStatus;
use zhibu_shared::volunteer::LogStatus;

use crate::entities::service_log;
use crate::sql;

use super::{
    Deltas, MONTH_BIT, MonthKey, ParticipationKey, RangeKey, RollupKey, credit, month_ranges,
    year_of,
};

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
    let (approved, active) = (
        sql::lit(LogStatus::Approved),
        sql::lit(MemberStatus::Active),
    );
    let mut differences = Vec::new();
    let expected_rollup: BTreeMap<RollupKey, (i64, i64)> = sql::fetch_all::<RollupRow>(
        conn,
        &format!("SELECT c.scope_kind, c.scope_id, l.month, l.kind, CAST(SUM(l.minutes) AS BIGINT) AS minutes, COUNT(*) AS entries \
         FROM service_credit c JOIN service_log l ON l.id = c.log_id WHERE l.status = {approved} \
         GROUP BY c.scope_kind, c.scope_id, l.month, l.kind"),
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
        &format!("SELECT c.scope_kind, c.scope_id, l.month, l.kind, l.member_id, CAST(SUM(l.minutes) AS BIGINT) AS minutes, COUNT(*) AS entries \
         FROM service_credit c JOIN service_log l ON l.id = c.log_id WHERE l.status = {approved} \
         GROUP BY c.scope_kind, c.scope_id, l.month, l.kind, l.member_id"),
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
        &format!(
            "SELECT o.id AS org_id, COUNT(m.id) AS members, \
         CAST(COALESCE(SUM(CASE WHEN m.probationary THEN 0 ELSE 1 END), 0) AS BIGINT) AS formal \
         FROM org_unit o JOIN org_closure c ON c.ancestor_id = o.id \
         JOIN member m ON m.branch_id = c.descendant_id AND m.status = {active} GROUP BY o.id"
        ),
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
        &format!(
            "SELECT COUNT(*) AS n FROM service_log l WHERE l.status = {approved} \
         AND NOT EXISTS (SELECT 1 FROM service_credit c WHERE c.log_id = l.id)"
        ),
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
        &format!("SELECT COUNT(*) AS n FROM service_credit c JOIN service_log l ON l.id = c.log_id WHERE l.status <> {approved}"),
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
    let stored_tally = crate::governance::tally::stored(conn).await?;
    let expected_tally = crate::governance::tally::expected(conn).await?;
    let as_pair =
        |m: &BTreeMap<(i64, String, String), i64>| -> BTreeMap<(i64, String, String), (i64, i64)> {
            m.iter().map(|(k, n)| (k.clone(), (*n, 0))).collect()
        };
    compare(
        "governance_tally",
        &as_pair(&stored_tally),
        &as_pair(&expected_tally),
        &mut differences,
    );
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

/// Recounts `org_member_count` from the members and the closure table (its
/// triggers keep it between rebuilds).
pub async fn rebuild_member_counts(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    conn.execute_unprepared("DELETE FROM org_member_count")
        .await?;
    conn.execute_unprepared(&format!(
        "INSERT INTO org_member_count (org_id, members, formal) \
         SELECT o.id, COUNT(m.id), COALESCE(SUM(CASE WHEN m.id IS NULL OR m.probationary THEN 0 ELSE 1 END), 0) \
         FROM org_unit o LEFT JOIN org_closure c ON c.ancestor_id = o.id \
         LEFT JOIN member m ON m.branch_id = c.descendant_id AND m.status = {} GROUP BY o.id",
        sql::lit(MemberStatus::Active)
    ))
    .await?;
    Ok(())
}

/// Rebuilds the roll-up tables from the credits (`verify-rollups --fix`).
pub async fn rebuild(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    crate::governance::tally::rebuild(conn).await?;
    let approved = sql::lit(LogStatus::Approved);
    conn.execute_unprepared(&format!("DELETE FROM service_credit WHERE log_id IN (SELECT id FROM service_log WHERE status <> {approved})")).await?;
    let uncredited = service_log::Model::find_by_statement(sql::stmt(
        conn,
        &format!(
            "SELECT * FROM service_log l WHERE l.status = {approved} \
         AND NOT EXISTS (SELECT 1 FROM service_credit c WHERE c.log_id = l.id)"
        ),
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
        &format!("INSERT INTO hours_rollup (scope_kind, scope_id, month, kind, minutes, entries) \
         SELECT c.scope_kind, c.scope_id, l.month, l.kind, CAST(SUM(l.minutes) AS BIGINT), COUNT(*) \
         FROM service_credit c JOIN service_log l ON l.id = c.log_id WHERE l.status = {approved} \
         GROUP BY c.scope_kind, c.scope_id, l.month, l.kind"),
    )
    .await?;
    conn.execute_unprepared(
        "INSERT INTO hours_month (scope_kind, scope_id, month, minutes, entries) \
         SELECT scope_kind, scope_id, month, CAST(SUM(minutes) AS BIGINT), CAST(SUM(entries) AS BIGINT) \
         FROM hours_rollup GROUP BY scope_kind, scope_id, month",
    )
    .await?;
    conn.execute_unprepared(
        &format!("INSERT INTO hours_participation (scope_kind, scope_id, month, kind, member_id, minutes, entries) \
         SELECT c.scope_kind, c.scope_id, l.month, l.kind, l.member_id, CAST(SUM(l.minutes) AS BIGINT), COUNT(*) \
         FROM service_credit c JOIN service_log l ON l.id = c.log_id WHERE l.status = {approved} \
         GROUP BY c.scope_kind, c.scope_id, l.month, l.kind, l.member_id"),
    )
    .await?;
    conn.execute_unprepared(&format!(
        "INSERT INTO hours_member (scope_kind, scope_id, year, member_id, months) \
         SELECT scope_kind, scope_id, CAST(substr(month, 1, 4) AS INTEGER), member_id, SUM(DISTINCT {MONTH_BIT}) \
         FROM hours_participation GROUP BY scope_kind, scope_id, CAST(substr(month, 1, 4) AS INTEGER), member_id"
    ))
    .await?;
    rebuild_member_counts(conn).await?;
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
