//! `GET /review/pending`: one inbox of everything the caller may decide.

use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, Value};
use zhibu_shared::checkin::ReviewStatus;
use zhibu_shared::volunteer::{InboxKind, LogStatus, PendingInbox};

use super::{
    COMMUNITY_REVIEWERS, COMMUNITY_UNIT_SQL, UNIT_REVIEWERS, log_by_community_sql,
    log_review_unit_sql,
};
use crate::access::{Caller, MANAGERS};
use crate::error::{ApiError, ApiResult};
use crate::sql;

/// One page of the inbox: every kind, or the one asked for, `limit` rows
/// each after the row `cursor` names (the last row of the page before).
#[derive(Debug, Clone)]
pub struct InboxQuery {
    pub kind: Option<InboxKind>,
    pub limit: usize,
    pub cursor: Option<String>,
}

impl InboxQuery {
    fn wants(&self, kind: InboxKind) -> bool {
        self.kind.is_none_or(|k| k == kind)
    }

    /// ` AND keys > the cursor row's keys`, read from the stored row so the
    /// comparison never depends on how a timestamp is written.
    fn after(
        &self,
        keys: &str,
        row_keys: &str,
        numeric: bool,
        values: &mut Vec<Value>,
    ) -> ApiResult<String> {
        let Some(cursor) = &self.cursor else {
            return Ok(String::new());
        };
        if numeric {
            let id: i64 = cursor
                .parse()
                .map_err(|_| ApiError::invalid("cursor", "翻页标记无效"))?;
            values.push(id.into());
        } else {
            if cursor.is_empty() || cursor.len() > 64 {
                return Err(ApiError::invalid("cursor", "翻页标记无效"));
            }
            values.push(cursor.clone().into());
        }
        Ok(format!(" AND ({keys}) > ({row_keys} = ${})", values.len()))
    }
}

/// The first `limit` rows, and the cursor of the next page when there are more.
fn page<T>(mut rows: Vec<T>, limit: usize, id: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(id);
    (rows, next)
}

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
    query: &InboxQuery,
    tz: Tz,
) -> ApiResult<PendingInbox> {
    if query.cursor.is_some() && query.kind.is_none() {
        return Err(ApiError::invalid("cursor", "翻页时须指明 kind"));
    }
    let mut inbox = PendingInbox::default();
    let managers = caller.orgs_with(MANAGERS);
    let units = caller.orgs_with(UNIT_REVIEWERS);
    let communities = caller.orgs_with(COMMUNITY_REVIEWERS);
    // One row more than a page tells whether another page follows.
    let fetch = Some(query.limit + 1);

    if !managers.is_empty() && query.wants(InboxKind::Checkins) {
        let mut values = Vec::new();
        let mut condition = format!(
            "c.status = {pending} AND EXISTS (SELECT 1 FROM theme_day t WHERE t.id = c.theme_day_id AND {})",
            under("t.org_id", &managers, &mut values),
            pending = sql::lit(ReviewStatus::Pending)
        );
        condition += &query.after(
            "c.at, c.id",
            "SELECT k.at, k.id FROM checkin k WHERE k.id",
            false,
            &mut values,
        )?;
        let rows = crate::checkins::checkins_where(conn, &condition, values, tz, fetch).await?;
        (inbox.checkins, inbox.next_cursor.checkins) = page(rows, query.limit, |c| c.id.clone());
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
    if !cases.is_empty() && query.wants(InboxKind::ServiceLogs) {
        let mut condition = format!(
            "l.status = {} AND ({})",
            sql::lit(LogStatus::Pending),
            cases.join(" OR ")
        );
        condition += &query.after(
            "l.date, l.created_at, l.id",
            "SELECT k.date, k.created_at, k.id FROM service_log k WHERE k.id",
            false,
            &mut values,
        )?;
        let rows = super::logs::logs_where(conn, &condition, values, tz, fetch).await?;
        (inbox.service_logs, inbox.next_cursor.service_logs) =
            page(rows, query.limit, |l| l.id.clone());
    }

    if !communities.is_empty() && query.wants(InboxKind::CommunityReports) {
        let mut values = Vec::new();
        let mut condition = format!(
            "r.status = {pending} AND EXISTS (SELECT 1 FROM community cm WHERE cm.id = r.community_id AND {})",
            under(COMMUNITY_UNIT_SQL, &communities, &mut values),
            pending = sql::lit(LogStatus::Pending)
        );
        condition += &query.after(
            "r.id",
            "SELECT k.id FROM community_report k WHERE k.id",
            true,
            &mut values,
        )?;
        let rows = super::community::reports_where(conn, &condition, values, tz, fetch).await?;
        (inbox.community_reports, inbox.next_cursor.community_reports) =
            page(rows, query.limit, |r| r.id.to_string());
    }

    if !units.is_empty() && query.wants(InboxKind::SectorMemberships) {
        let mut values = Vec::new();
        let mut condition = format!(
            "s.status = {} AND {}",
            sql::lit(LogStatus::Pending),
            under("s.committee_id", &units, &mut values)
        );
        condition += &query.after(
            "s.id",
            "SELECT k.id FROM sector_membership k WHERE k.id",
            true,
            &mut values,
        )?;
        let rows = super::sectors::memberships_where(conn, &condition, values, fetch).await?;
        (
            inbox.sector_memberships,
            inbox.next_cursor.sector_memberships,
        ) = page(rows, query.limit, |m| m.id.to_string());
    }
    Ok(inbox)
}
