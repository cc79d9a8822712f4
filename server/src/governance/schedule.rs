//! Obligations: what each branch owes of 三会一课 in the periods under way,
//! made by the scheduler (at start, hourly, after imports and new units)
//! so what a unit owed stays as it was when its structure changes later.

use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use zhibu_shared::governance::{MeetingKind, Period, Quarter, obligations};
use zhibu_shared::org::OrgKind;
use zhibu_shared::theme_day::Month;

use super::{LEDGER_KINDS, tally};
use crate::sql;

#[derive(FromQueryResult)]
struct Unit {
    id: i64,
    formal: i64,
    groups: i64,
}

/// Makes the obligations of the month and the quarter containing `today`
/// for every live branch and general branch. Idempotent.
pub async fn schedule(conn: &impl ConnectionTrait, today: NaiveDate) -> Result<(), DbErr> {
    let periods = [
        Period::Month(Month::of(today)),
        Period::Quarter(Quarter::of(today)),
    ];
    for period in periods {
        ensure_obligations(conn, period).await?;
    }
    Ok(())
}

/// The obligations of one period (also used by the demo for past periods).
pub async fn ensure_obligations(conn: &impl ConnectionTrait, period: Period) -> Result<(), DbErr> {
    let units = sql::fetch_all::<Unit>(
        conn,
        &format!(
            "SELECT o.id, CAST(COALESCE(c.formal, 0) AS BIGINT) AS formal, \
             (SELECT COUNT(*) FROM org_unit g WHERE g.parent_id = o.id AND g.kind = {group} \
              AND g.dissolved_at IS NULL) AS groups \
             FROM org_unit o LEFT JOIN org_member_count c ON c.org_id = o.id \
             WHERE o.kind IN ({kinds}) AND o.dissolved_at IS NULL ORDER BY o.id",
            group = sql::lit(OrgKind::PartyGroup),
            kinds = sql::lits(&LEDGER_KINDS)
        ),
        [],
    )
    .await?;
    let quarterly = matches!(period, Period::Quarter(_));
    let label = period.to_string();
    let existing: HashSet<(i64, MeetingKind)> = sql::fetch_all::<Existing>(
        conn,
        "SELECT org_id, kind FROM obligation WHERE period = $1",
        [label.as_str().into()],
    )
    .await?
    .into_iter()
    .map(|e| (e.org_id, e.kind))
    .collect();
    let wanted: Vec<(i64, MeetingKind)> = units
        .iter()
        .flat_map(|u| {
            obligations(u.formal, u.groups > 0)
                .into_iter()
                .filter(|k| k.quarterly() == quarterly)
                .map(move |k| (u.id, k))
        })
        .filter(|key| !existing.contains(key))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    for chunk in wanted.chunks(300) {
        let rows = (0..chunk.len())
            .map(|i| {
                let (org, kind, period) = (3 * i + 1, 3 * i + 2, 3 * i + 3);
                // Meetings already held count when an obligation comes late
                // (a branch reaching seven formal members mid-month).
                format!(
                    "(${org}, ${kind}, ${period}, (SELECT COUNT(*) FROM meeting m \
                     WHERE m.org_id = ${org} AND m.kind = ${kind} AND m.period = ${period}))"
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let values = chunk
            .iter()
            .flat_map(|(org, kind)| [(*org).into(), kind.code().into(), label.as_str().into()]);
        sql::execute(
            conn,
            &format!(
                "INSERT INTO obligation (org_id, kind, period, meetings) VALUES {rows} \
                 ON CONFLICT (org_id, kind, period) DO NOTHING"
            ),
            values,
        )
        .await?;
    }
    tally::recount_obligations(conn, &label).await
}

#[derive(FromQueryResult)]
struct Existing {
    org_id: i64,
    kind: MeetingKind,
}
