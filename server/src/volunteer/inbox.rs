//! `GET /review/pending`: one inbox of everything the caller may decide.

use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, Value};
use zhibu_shared::checkin::ReviewStatus;
use zhibu_shared::volunteer::{LogStatus, PendingInbox};

use super::{
    COMMUNITY_REVIEWERS, COMMUNITY_UNIT_SQL, UNIT_REVIEWERS, log_by_community_sql,
    log_review_unit_sql,
};
use crate::access::{Caller, MANAGERS};
use crate::error::ApiResult;
use crate::sql;

/// At most this many of each kind, the oldest first, limited in SQL.
const LIMIT: usize = 200;

/// `$first…` placeholders for `ids`, appended to `values`.
fn in_list(ids: &[i64], values: &mut Vec<Value>) -> String {
    let first = values.len() + 1;
    values.extend(ids.iter().map(|id| (*id).into()));
    crate::sql::placeholders(first, ids.len())
}

/// `EXISTS` the unit `column` lies under one of `roots`.
fn under(column: &str, roots: &[i64], values: &mut Vec<Value>) -> String {
    format!(
        "EXISTS (SELECT 1 FROM org_closure oc WHERE oc.descendant_id = {column} AND oc.ancestor_id IN ({}))",
        in_list(roots, values)
    )
}

pub async fn pending(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    tz: Tz,
) -> ApiResult<PendingInbox> {
    let mut inbox = PendingInbox::default();
    let managers = caller.orgs_with(MANAGERS);
    let units = caller.orgs_with(UNIT_REVIEWERS);
    let communities = caller.orgs_with(COMMUNITY_REVIEWERS);

    if !managers.is_empty() {
        let mut values = Vec::new();
        let condition = format!(
            "c.status = {pending} AND EXISTS (SELECT 1 FROM theme_day t WHERE t.id = c.theme_day_id AND {})",
            under("t.org_id", &managers, &mut values),
            pending = sql::lit(ReviewStatus::Pending)
        );
        inbox.checkins =
            crate::checkins::checkins_where(conn, &condition, values, tz, Some(LIMIT)).await?;
    }

    // A log goes to whoever `log_review_unit_sql` names.
    let mut values = Vec::new();
    let mut cases = Vec::new();
    if !communities.is_empty() {
        cases.push(format!(
            "({} AND {})",
            log_by_community_sql(),
            under(
                &format!("({})", log_review_unit_sql()),
                &communities,
                &mut values
            )
        ));
    }
    if !units.is_empty() {
        cases.push(format!(
            "(NOT {} AND {})",
            log_by_community_sql(),
            under(&format!("({})", log_review_unit_sql()), &units, &mut values)
        ));
    }
    if !cases.is_empty() {
        let condition = format!(
            "l.status = {} AND ({})",
            sql::lit(LogStatus::Pending),
            cases.join(" OR ")
        );
        inbox.service_logs =
            super::logs::logs_where(conn, &condition, values, tz, Some(LIMIT)).await?;
    }

    if !communities.is_empty() {
        let mut values = Vec::new();
        let condition = format!(
            "r.status = {pending} AND EXISTS (SELECT 1 FROM community cm WHERE cm.id = r.community_id AND {})",
            under(COMMUNITY_UNIT_SQL, &communities, &mut values),
            pending = sql::lit(LogStatus::Pending)
        );
        inbox.community_reports =
            super::community::reports_where(conn, &condition, values, tz, Some(LIMIT)).await?;
    }

    if !units.is_empty() {
        let mut values = Vec::new();
        let condition = format!(
            "s.status = {} AND {}",
            sql::lit(LogStatus::Pending),
            under("s.committee_id", &units, &mut values)
        );
        inbox.sector_memberships =
            super::sectors::memberships_where(conn, &condition, values, Some(LIMIT)).await?;
    }
    Ok(inbox)
}
