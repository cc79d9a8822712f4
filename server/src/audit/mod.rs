//! The audit trail: who decided what, when and why. Kept, never edited;
//! admins read it (`GET /audit`), newest first.

pub mod handlers;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, FromQueryResult};
use zhibu_shared::api::Page;
use zhibu_shared::audit::AuditEntry;
use zhibu_shared::auth::IdName;

use crate::access::{ADMINS, Caller};
use crate::entities::audit_log;
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

pub async fn record(
    conn: &impl ConnectionTrait,
    actor_id: Option<i64>,
    action: &str,
    object_type: &str,
    object_id: &str,
    detail: Option<String>,
) -> Result<(), DbErr> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        actor_id: Set(actor_id),
        action: Set(action.to_owned()),
        object_type: Set(object_type.to_owned()),
        object_id: Set(object_id.to_owned()),
        detail: Set(detail),
        at: Set(now()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The same action on many objects, in a few statements.
pub async fn record_many(
    conn: &impl ConnectionTrait,
    actor_id: Option<i64>,
    action: &str,
    object_type: &str,
    object_ids: &[String],
) -> Result<(), DbErr> {
    let at = now();
    for chunk in object_ids.chunks(500) {
        audit_log::Entity::insert_many(chunk.iter().map(|id| audit_log::ActiveModel {
            actor_id: Set(actor_id),
            action: Set(action.to_owned()),
            object_type: Set(object_type.to_owned()),
            object_id: Set(id.clone()),
            detail: Set(None),
            at: Set(at),
            ..Default::default()
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// The most entries one page holds.
pub const MAX_PAGE: u64 = 200;

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    at: DateTime<FixedOffset>,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    action: String,
    object_type: String,
    object_id: String,
    detail: Option<String>,
}

/// What `GET /audit` asks for.
pub struct AuditQuery {
    pub org_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub limit: u64,
    pub before: Option<i64>,
}

/// `GET /audit`: the entries about a unit's subtree (done by its members
/// or to them), newest first, for admins over the unit. Entries without an
/// actor (the command line) are shown to admins of the whole county.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    query: &AuditQuery,
    tz: Tz,
) -> ApiResult<Page<AuditEntry>> {
    caller.require(conn, ADMINS, query.org_id).await?;
    if query.to < query.from || (query.to - query.from).num_days() > 366 {
        return Err(ApiError::invalid(
            "to",
            "查询范围须在一年以内，且结束不早于开始",
        ));
    }
    let is_root = crate::orgs::tree::find_root(conn)
        .await?
        .is_some_and(|root| root.id == query.org_id);
    let start = crate::time::start_of_day(query.from, tz);
    let end = crate::time::start_of_day(query.to + chrono::Duration::days(1), tz);
    let limit = query.limit.clamp(1, MAX_PAGE);
    let rows = sql::fetch_all::<Row>(
        conn,
        "SELECT a.id, a.at, a.actor_id, m.name AS actor_name, a.action, a.object_type, a.object_id, a.detail \
         FROM audit_log a LEFT JOIN member m ON m.id = a.actor_id \
         WHERE a.at >= $1 AND a.at < $2 AND a.id < $3 AND ( \
           m.branch_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $4) \
           OR (a.object_type = 'member' AND a.object_id IN ( \
             SELECT CAST(t.id AS TEXT) FROM member t JOIN org_closure c ON c.descendant_id = t.branch_id \
             WHERE c.ancestor_id = $4)) \
           OR (a.actor_id IS NULL AND $5) ) \
         ORDER BY a.id DESC LIMIT $6",
        [
            start.into(),
            end.into(),
            query.before.unwrap_or(i64::MAX).into(),
            query.org_id.into(),
            is_root.into(),
            (limit as i64 + 1).into(),
        ],
    )
    .await?;
    let more = rows.len() as u64 > limit;
    let items: Vec<AuditEntry> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at.with_timezone(&tz).fixed_offset(),
            actor: r.actor_id.map(|id| IdName {
                id,
                name: r.actor_name.unwrap_or_default(),
            }),
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            detail: r.detail,
        })
        .collect();
    let next_cursor = if more {
        items.last().map(|e| e.id.to_string())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}
