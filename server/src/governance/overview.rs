//! The overview for a unit and its superiors: per child, meetings done,
//! due and overdue, problems found, rectified and open, and venues, for a
//! quarter. Read from the counts `tally` keeps: a few rows a child,
//! whatever the number of villages below. Counts only, ordered by name,
//! never a ranking or a score (burden rule).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, FromQueryResult};
use zhibu_shared::governance::{
    GovernanceCounts, GovernanceOverview, GovernanceRow, MeetingKind, Period, ProblemSource,
    Quarter, TALK_AFTER_INSPECTIONS,
};

use super::RECORD_KEEPERS;
use super::tally::{self, ALWAYS, Metric};
use crate::access::Caller;
use crate::error::{ApiError, ApiResult};
use crate::sql;

#[derive(FromQueryResult)]
struct Unit {
    id: i64,
    name: String,
    parent_id: Option<i64>,
}

/// `GET /orgs/{id}/governance?quarter=`.
pub async fn overview(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    quarter: Quarter,
    today: NaiveDate,
) -> ApiResult<GovernanceOverview> {
    let roots = caller.orgs_with(RECORD_KEEPERS);
    if roots.is_empty() {
        return Err(ApiError::NotFound);
    }
    // The unit and its live children in one query, which also checks that
    // the caller's roles reach the unit; then their counts by key. Two
    // index reads of O(children) rows, as hours are: a join of the two
    // left PostgreSQL's generic plans free to scan every count.
    let mut values: Vec<sea_orm::Value> = vec![org_id.into()];
    let reachable_from = sql::placeholders(values.len() + 1, roots.len());
    values.extend(roots.into_iter().map(Into::into));
    let units = sql::fetch_all::<Unit>(
        conn,
        &format!(
            "SELECT id, name, parent_id FROM org_unit WHERE id = $1 AND dissolved_at IS NULL \
             AND EXISTS (SELECT 1 FROM org_closure a WHERE a.descendant_id = $1 \
             AND a.ancestor_id IN ({reachable_from})) \
             UNION ALL SELECT c.id, c.name, c.parent_id FROM org_unit c \
             WHERE c.parent_id = $1 AND c.dissolved_at IS NULL"
        ),
        values,
    )
    .await?;
    // No row for the unit: it does not exist, was dissolved, or lies
    // outside the caller's reach (its children are then not shown).
    let mut unit: Option<zhibu_shared::auth::IdName> = None;
    let mut children: Vec<zhibu_shared::auth::IdName> = Vec::new();
    for row in units {
        let id_name = zhibu_shared::auth::IdName {
            id: row.id,
            name: row.name,
        };
        if row.id == org_id {
            unit = Some(id_name);
        } else if row.parent_id == Some(org_id) {
            children.push(id_name);
        }
    }
    let unit = unit.ok_or(ApiError::NotFound)?;
    children.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let mut periods: Vec<Period> = quarter.months().iter().map(|m| Period::Month(*m)).collect();
    periods.push(Period::Quarter(quarter));
    let mut labels: Vec<String> = periods.iter().map(ToString::to_string).collect();
    labels.push(ALWAYS.to_owned());
    let scopes: Vec<i64> = std::iter::once(org_id)
        .chain(children.iter().map(|c| c.id))
        .collect();
    let child_ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let (rows, talks) = counts(conn, &scopes, &labels, &child_ids, today).await?;
    let mut by_scope: HashMap<i64, Vec<tally::TallyRow>> = HashMap::new();
    for row in rows {
        by_scope.entry(row.scope_id).or_default().push(row);
    }
    let quarter_label = quarter.to_string();
    let counts_of = |scope: i64| -> GovernanceCounts {
        let mut counts = GovernanceCounts::default();
        let mut owed: HashMap<(String, MeetingKind), i64> = HashMap::new();
        let mut met: HashMap<(String, MeetingKind), i64> = HashMap::new();
        for row in by_scope.get(&scope).map(Vec::as_slice).unwrap_or(&[]) {
            match tally::Metric::parse(&row.metric) {
                Some(Metric::Owed(kind)) => {
                    owed.insert((row.period.clone(), kind), row.n);
                }
                Some(Metric::Met(kind)) => {
                    met.insert((row.period.clone(), kind), row.n);
                }
                Some(Metric::ProblemsFound) if row.period == quarter_label => {
                    counts.problems_found = row.n.max(0) as u64;
                }
                Some(Metric::ProblemsAccepted) if row.period == quarter_label => {
                    counts.problems_rectified = row.n.max(0) as u64;
                }
                Some(Metric::Venues) if row.period == ALWAYS => counts.venues = row.n.max(0) as u64,
                Some(Metric::VenuesComplete) if row.period == ALWAYS => {
                    counts.venues_complete = row.n.max(0) as u64;
                }
                _ => {}
            }
        }
        for ((label, kind), n) in &owed {
            let done = met
                .get(&(label.clone(), *kind))
                .copied()
                .unwrap_or(0)
                .min(*n);
            counts.meetings_done += done.max(0) as u64;
            let left = (n - done).max(0) as u64;
            let ended = Period::parse(label).is_some_and(|p| today > p.last_day());
            if ended {
                counts.meetings_overdue += left;
            } else {
                counts.meetings_due += left;
            }
        }
        counts.problems_open = counts
            .problems_found
            .saturating_sub(counts.problems_rectified);
        counts
    };
    Ok(GovernanceOverview {
        total: counts_of(org_id),
        children: children
            .iter()
            .map(|c| GovernanceRow {
                counts: counts_of(c.id),
                talk_suggested: talks.get(&c.id).copied().unwrap_or(0)
                    >= i64::from(TALK_AFTER_INSPECTIONS),
                org: c.clone(),
            })
            .collect(),
        org: unit,
        quarter,
    })
}

/// The metric under which `counts` returns the inspections behind a
/// suggested talk (no tally metric is spelt so).
const TALKS: &str = "talks";

/// The counts of `scopes` for `periods`, and for each of `units`, in how
/// many inspections of the past year problems came up in its subtree.
/// Usually one statement; a unit with more children than one statement
/// may name reads them a chunk at a time.
async fn counts(
    conn: &impl ConnectionTrait,
    scopes: &[i64],
    periods: &[String],
    units: &[i64],
    today: NaiveDate,
) -> ApiResult<(Vec<tally::TallyRow>, HashMap<i64, i64>)> {
    let since = crate::time::start_of_day(today - chrono::Duration::days(365), chrono_tz::UTC);
    if scopes.len() > CHUNK || units.len() > CHUNK {
        let rows = tally::read(conn, scopes, periods).await?;
        let mut talks = HashMap::new();
        for chunk in units.chunks(CHUNK) {
            talks.extend(talk_counts(conn, &[], &[], chunk, since).await?.1);
        }
        return Ok((rows, talks));
    }
    talk_counts(conn, scopes, periods, units, since).await
}

/// At most this many units a statement.
const CHUNK: usize = 400;

/// The tally rows of `scopes` × `periods` (none when `scopes` is empty),
/// with the talk counts of `units` after them in the same statement.
/// Problems are few: the talk count reads them, not the tree (`CROSS
/// JOIN` keeps SQLite's join in that order).
async fn talk_counts(
    conn: &impl ConnectionTrait,
    scopes: &[i64],
    periods: &[String],
    units: &[i64],
    since: chrono::DateTime<chrono::FixedOffset>,
) -> ApiResult<(Vec<tally::TallyRow>, HashMap<i64, i64>)> {
    let mut parts = Vec::new();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    if !scopes.is_empty() && !periods.is_empty() {
        let scope_list = sql::placeholders(values.len() + 1, scopes.len());
        values.extend(scopes.iter().map(|s| (*s).into()));
        let period_list = sql::placeholders(values.len() + 1, periods.len());
        values.extend(periods.iter().map(|p| p.as_str().into()));
        parts.push(format!(
            "SELECT scope_id, period, metric, n FROM governance_tally \
             WHERE scope_id IN ({scope_list}) AND period IN ({period_list})"
        ));
    }
    if !units.is_empty() {
        values.push(since.into());
        let since_at = values.len();
        let unit_list = sql::placeholders(values.len() + 1, units.len());
        values.extend(units.iter().map(|u| (*u).into()));
        parts.push(format!(
            "SELECT c.ancestor_id AS scope_id, '' AS period, '{TALKS}' AS metric, \
             COUNT(DISTINCT p.inspection_id) AS n FROM problem p \
             CROSS JOIN org_closure c WHERE c.descendant_id = p.org_id \
             AND p.source = {} AND p.raised_at >= ${since_at} AND c.ancestor_id IN ({unit_list}) \
             GROUP BY c.ancestor_id",
            sql::lit(ProblemSource::Inspection),
        ));
    }
    if parts.is_empty() {
        return Ok((Vec::new(), HashMap::new()));
    }
    let mut rows = Vec::new();
    let mut talks = HashMap::new();
    for row in sql::fetch_all::<tally::TallyRow>(conn, &parts.join(" UNION ALL "), values).await? {
        if row.metric == TALKS {
            talks.insert(row.scope_id, row.n);
        } else {
            rows.push(row);
        }
    }
    Ok((rows, talks))
}
