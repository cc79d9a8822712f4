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
