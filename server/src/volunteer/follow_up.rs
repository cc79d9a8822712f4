//! The secretary's follow-up list: members with no approved service in a
//! quarter, to visit in person; never a ranking. And the date ranges of
//! log lists.

use sea_orm::{ConnectionTrait, FromQueryResult};
use zhibu_shared::auth::IdName;
use zhibu_shared::org::MemberStatus;
use zhibu_shared::theme_day::Month;

use crate::access::{Caller, MANAGERS};
use crate::error::{ApiError, ApiResult};
use crate::sql;

/// The months of a quarter written `2026-Q4`.
pub fn quarter_months(text: &str) -> ApiResult<(Month, Month)> {
    let bad = || ApiError::invalid("quarter", "季度须写成 2026-Q4");
    let (year, q) = text.trim().split_once("-Q").ok_or_else(bad)?;
    let year: i32 = year.parse().map_err(|_| bad())?;
    let q: u32 = q.parse().map_err(|_| bad())?;
    if !(1..=4).contains(&q) {
        return Err(bad());
    }
    Ok((
        Month {
            year,
            month: q * 3 - 2,
        },
        Month { year, month: q * 3 },
    ))
}

#[derive(FromQueryResult)]
struct Named {
    id: i64,
    name: String,
}

/// `GET /orgs/{id}/follow-up?quarter=`: members with no approved service
/// in the quarter, for the secretary to follow up in person. Managers only;
/// never a ranking.
pub async fn follow_up(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    quarter: &str,
) -> ApiResult<Vec<IdName>> {
    let (from, to) = quarter_months(quarter)?;
    caller.require(conn, MANAGERS, org_id).await?;
    let rows = sql::fetch_all::<Named>(
        conn,
        &format!(
            "SELECT m.id, m.name FROM org_closure oc JOIN member m ON m.branch_id = oc.descendant_id \
             WHERE oc.ancestor_id = $1 AND m.status = {active} AND NOT EXISTS ( \
               SELECT 1 FROM hours_participation p WHERE p.member_id = m.id AND p.scope_kind = '{org}' \
               AND p.month >= $2 AND p.month <= $3) ORDER BY m.id",
            active = sql::lit(MemberStatus::Active),
            org = super::rollup::ORG
        ),
        [
            org_id.into(),
            from.to_string().into(),
            to.to_string().into(),
        ],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| IdName {
            id: r.id,
            name: r.name,
        })
        .collect())
}
