//! Counts per unit and its ancestors (`governance_tally`), changed in the
//! same transaction as the records they count, so the overview of a county
//! reads a few rows per child whatever the number of villages. Each count
//! is credited to the ancestors the unit has when it happens, as hours are.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use zhibu_shared::governance::MeetingKind;

use crate::sql;

/// The timeless period of counts that have none (venues).
pub const ALWAYS: &str = "*";

/// A count's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Obligations of a kind made for the period.
    Owed(MeetingKind),
    /// Of those, the ones met by a meeting.
    Met(MeetingKind),
    /// Problems raised in the quarter, and those accepted as rectified.
    ProblemsFound,
    ProblemsAccepted,
    /// Venues registered, and those meeting all ten items.
    Venues,
    VenuesComplete,
}

impl Metric {
    pub fn code(self) -> String {
        match self {
            Metric::Owed(kind) => format!("ob:{}", kind.code()),
            Metric::Met(kind) => format!("met:{}", kind.code()),
            Metric::ProblemsFound => "found".to_owned(),
            Metric::ProblemsAccepted => "accepted".to_owned(),
            Metric::Venues => "venue".to_owned(),
            Metric::VenuesComplete => "venue_full".to_owned(),
        }
    }

    pub fn parse(code: &str) -> Option<Metric> {
        if let Some(kind) = code.strip_prefix("ob:") {
            return MeetingKind::from_code(kind).map(Metric::Owed);
        }
        if let Some(kind) = code.strip_prefix("met:") {
            return MeetingKind::from_code(kind).map(Metric::Met);
        }
        match code {
            "found" => Some(Metric::ProblemsFound),
            "accepted" => Some(Metric::ProblemsAccepted),
            "venue" => Some(Metric::Venues),
            "venue_full" => Some(Metric::VenuesComplete),
            _ => None,
        }
    }
}

/// Adds `delta` to a count of `org_id` and of every unit above it.
pub async fn add(
    conn: &impl ConnectionTrait,
    org_id: i64,
    period: &str,
    metric: Metric,
    delta: i64,
) -> Result<(), DbErr> {
    if delta == 0 {
        return Ok(());
    }
    sql::execute(
        conn,
        "INSERT INTO governance_tally (scope_id, period, metric, n) \
         SELECT ancestor_id, $2, $3, $4 FROM org_closure WHERE descendant_id = $1 \
         ON CONFLICT (scope_id, period, metric) DO UPDATE SET n = governance_tally.n + excluded.n",
        [
            org_id.into(),
            period.into(),
            metric.code().into(),
            delta.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Adds (`sign` 1) or takes away (-1) a unit's subtree counts — the rows
/// of its own scope — to or from every unit above it, when it moves.
pub async fn shift_subtree(
    conn: &impl ConnectionTrait,
    org_id: i64,
    sign: i64,
) -> Result<(), DbErr> {
    sql::execute(
        conn,
        "INSERT INTO governance_tally (scope_id, period, metric, n) \
         SELECT a.ancestor_id, s.period, s.metric, s.n * $2 FROM governance_tally s \
         JOIN org_closure a ON a.descendant_id = s.scope_id AND a.depth > 0 \
         WHERE s.scope_id = $1 \
         ON CONFLICT (scope_id, period, metric) DO UPDATE SET n = governance_tally.n + excluded.n",
        [org_id.into(), sign.into()],
    )
    .await?;
    Ok(())
}

/// Counts the obligations of a period and those met again from the
/// obligation rows (the scheduler after making them; `verify-rollups --fix`).
pub async fn recount_obligations(conn: &impl ConnectionTrait, period: &str) -> Result<(), DbErr> {
    sql::execute(
        conn,
        "DELETE FROM governance_tally WHERE period = $1 AND (metric LIKE 'ob:%' OR metric LIKE 'met:%')",
        [period.into()],
    )
    .await?;
    for (prefix, condition) in [("ob:", ""), ("met:", " AND o.meetings > 0")] {
        sql::execute(
            conn,
            &format!(
                "INSERT INTO governance_tally (scope_id, period, metric, n) \
                 SELECT c.ancestor_id, o.period, '{prefix}' || o.kind, COUNT(*) \
                 FROM obligation o JOIN org_closure c ON c.descendant_id = o.org_id \
                 WHERE o.period = $1{condition} GROUP BY c.ancestor_id, o.period, o.kind"
            ),
            [period.into()],
        )
        .await?;
    }
    Ok(())
}

#[derive(FromQueryResult)]
pub struct TallyRow {
    pub scope_id: i64,
    pub period: String,
    pub metric: String,
    pub n: i64,
}

/// The counts of `scopes` for `periods`: a few rows a scope.
pub async fn read(
    conn: &impl ConnectionTrait,
    scopes: &[i64],
    periods: &[String],
) -> Result<Vec<TallyRow>, DbErr> {
    let mut rows = Vec::new();
    if scopes.is_empty() || periods.is_empty() {
        return Ok(rows);
    }
    for chunk in scopes.chunks(400) {
        let query = format!(
            "SELECT scope_id, period, metric, n FROM governance_tally \
             WHERE scope_id IN ({}) AND period IN ({})",
            sql::placeholders(1, chunk.len()),
            sql::placeholders(chunk.len() + 1, periods.len())
        );
        let values = chunk
            .iter()
            .map(|s| (*s).into())
            .chain(periods.iter().map(|p| p.as_str().into()));
        rows.extend(sql::fetch_all::<TallyRow>(conn, &query, values).await?);
    }
    Ok(rows)
}

/// What the counts should be, worked out again from the records under
/// today's tree: (scope, period, metric) → n.
pub async fn expected(
    conn: &impl ConnectionTrait,
) -> Result<std::collections::BTreeMap<(i64, String, String), i64>, DbErr> {
    use zhibu_shared::governance::{ProblemStatus, VenueItem};
    let query = format!(
        "SELECT c.ancestor_id AS scope_id, o.period, 'ob:' || o.kind AS metric, COUNT(*) AS n \
         FROM obligation o JOIN org_closure c ON c.descendant_id = o.org_id GROUP BY c.ancestor_id, o.period, o.kind \
         UNION ALL SELECT c.ancestor_id, o.period, 'met:' || o.kind, COUNT(*) \
         FROM obligation o JOIN org_closure c ON c.descendant_id = o.org_id WHERE o.meetings > 0 \
         GROUP BY c.ancestor_id, o.period, o.kind \
         UNION ALL SELECT c.ancestor_id, p.quarter, 'found', COUNT(*) \
         FROM problem p JOIN org_closure c ON c.descendant_id = p.org_id GROUP BY c.ancestor_id, p.quarter \
         UNION ALL SELECT c.ancestor_id, p.quarter, 'accepted', COUNT(*) \
         FROM problem p JOIN org_closure c ON c.descendant_id = p.org_id WHERE p.status = {accepted} \
         GROUP BY c.ancestor_id, p.quarter \
         UNION ALL SELECT c.ancestor_id, '{always}', 'venue', COUNT(*) \
         FROM venue v JOIN org_closure c ON c.descendant_id = v.org_id GROUP BY c.ancestor_id \
         UNION ALL SELECT c.ancestor_id, '{always}', 'venue_full', COUNT(*) \
         FROM venue v JOIN org_closure c ON c.descendant_id = v.org_id \
         WHERE (SELECT COUNT(*) FROM venue_item i WHERE i.org_id = v.org_id AND i.met = TRUE) = {items} \
         GROUP BY c.ancestor_id",
        accepted = sql::lit(ProblemStatus::Accepted),
        always = ALWAYS,
        items = VenueItem::ALL.len()
    );
    Ok(sql::fetch_all::<TallyRow>(conn, &query, [])
        .await?
        .into_iter()
        .filter(|r| r.n != 0)
        .map(|r| ((r.scope_id, r.period, r.metric), r.n))
        .collect())
}

/// The counts as stored.
pub async fn stored(
    conn: &impl ConnectionTrait,
) -> Result<std::collections::BTreeMap<(i64, String, String), i64>, DbErr> {
    Ok(sql::fetch_all::<TallyRow>(
        conn,
        "SELECT scope_id, period, metric, n FROM governance_tally WHERE n <> 0",
        [],
    )
    .await?
    .into_iter()
    .map(|r| ((r.scope_id, r.period, r.metric), r.n))
    .collect())
}

/// Rewrites every count from the records (`verify-rollups --fix`, after a
/// unit moved: counts follow today's tree).
pub async fn rebuild(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    let expected = expected(conn).await?;
    conn.execute_unprepared("DELETE FROM governance_tally")
        .await?;
    let rows: Vec<_> = expected.into_iter().collect();
    for chunk in rows.chunks(200) {
        let values = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    4 * i + 1,
                    4 * i + 2,
                    4 * i + 3,
                    4 * i + 4
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        sql::execute(
            conn,
            &format!("INSERT INTO governance_tally (scope_id, period, metric, n) VALUES {values}"),
            chunk.iter().flat_map(|((scope, period, metric), n)| {
                [
                    (*scope).into(),
                    period.as_str().into(),
                    metric.as_str().into(),
                    (*n).into(),
                ]
            }),
        )
        .await?;
    }
    Ok(())
}
