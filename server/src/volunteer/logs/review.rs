//! Deciding service logs through the one review pipeline: each log is
//! decided by the reviewers of the unit or community that organised it
//! (`log_review_unit_sql`), and an approved correction replaces the credit
//! of the log it corrects.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter};
use zhibu_shared::review::{Decision, ReviewResult, SkipReason};
use zhibu_shared::volunteer::LogStatus;

use crate::access::Caller;
use crate::entities::service_log;
use crate::error::{ApiError, ApiResult};
use crate::review;
use crate::sql;
use crate::volunteer::rollup::{self, Deltas};
use crate::volunteer::{
    COMMUNITY_REVIEWERS, UNIT_REVIEWERS, log_by_community_sql, log_review_unit_sql,
};

#[derive(FromQueryResult)]
struct ReviewScope {
    id: String,
    unit: Option<i64>,
    by_community: bool,
}

/// For each log, the unit whose reviewers decide it and the roles they
/// hold, by the one rule (`log_review_unit_sql`), in one query.
async fn review_scopes(
    conn: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashMap<String, (i64, &'static [zhibu_shared::org::Role])>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = format!(
        "SELECT l.id, {} AS unit, \
         CASE WHEN {} THEN TRUE ELSE FALSE END AS by_community \
         FROM service_log l WHERE l.id IN ({})",
        log_review_unit_sql(),
        log_by_community_sql(),
        sql::placeholders(1, ids.len())
    );
    Ok(
        sql::fetch_all::<ReviewScope>(conn, &query, ids.iter().map(|id| id.as_str().into()))
            .await?
            .into_iter()
            .filter_map(|s| {
                let roles = if s.by_community {
                    COMMUNITY_REVIEWERS
                } else {
                    UNIT_REVIEWERS
                };
                Some((s.id, (s.unit?, roles)))
            })
            .collect(),
    )
}

/// `POST /service-logs/review`: bulk decisions through the one review
/// pipeline; roll-ups change in the same transaction.
pub async fn review(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[String],
    decision: Decision,
    reason: Option<&str>,
) -> ApiResult<ReviewResult<String>> {
    let named = review::named(ids)?;
    let logs = service_log::Entity::find()
        .filter(service_log::Column::Id.is_in(named.clone()))
        .all(conn)
        .await?;
    let scopes = review_scopes(conn, &named).await?;
    let candidates = logs
        .iter()
        .filter_map(|log| {
            let (unit, roles) = *scopes.get(&log.id)?;
            Some(review::Candidate {
                id: log.id.clone(),
                member_id: log.member_id,
                pending: log.status == LogStatus::Pending,
                unit,
                roles,
            })
        })
        .collect();
    let mut batch = review::screen(conn, caller, named, candidates, decision, reason).await?;
    let mut by_id: std::collections::HashMap<String, service_log::Model> =
        logs.into_iter().map(|l| (l.id.clone(), l)).collect();
    let mut deltas = Deltas::default();
    for id in std::mem::take(&mut batch.decide) {
        let Some(log) = by_id.remove(&id) else {
            continue;
        };
        if !batch.claim(conn, "service_log", id.clone()).await? || decision != Decision::Approve {
            continue;
        }
        if let Some(original) = &log.corrects_id {
            // Only the current version is replaced: a correction of a log
            // that was already superseded would count twice.
            let replaced = sql::execute(
                conn,
                "UPDATE service_log SET status = $1, decided_by = $2, decided_at = $3 \
                 WHERE id = $4 AND status = $5",
                [
                    LogStatus::Superseded.code().into(),
                    caller.member_id.into(),
                    batch.at.into(),
                    original.clone().into(),
                    LogStatus::Approved.code().into(),
                ],
            )
            .await?;
            if replaced != 1 {
                set_status(
                    conn,
                    &log.id,
                    LogStatus::Rejected,
                    Some(SkipReason::Stale.zh().into()),
                    caller.member_id,
                    batch.at,
                )
                .await?;
                let detail = serde_json::json!({"to": LogStatus::Rejected.code(), "reason": SkipReason::Stale.zh()});
                crate::audit::record(
                    conn,
                    Some(caller.member_id),
                    "service_log.review",
                    "service_log",
                    &log.id,
                    Some(detail.to_string()),
                )
                .await?;
                batch.unclaim(id, SkipReason::Stale);
                continue;
            }
            let original = service_log::Entity::find_by_id(original.clone())
                .one(conn)
                .await?
                .ok_or(ApiError::NotFound)?;
            rollup::uncredit(conn, &original, &mut deltas).await?;
        }
        rollup::credit(conn, &log, &mut deltas).await?;
    }
    rollup::apply(conn, deltas).await?;
    Ok(batch.finish(conn, "志愿服务记录").await?)
}

async fn set_status(
    conn: &impl ConnectionTrait,
    id: &str,
    status: LogStatus,
    reason: Option<String>,
    by: i64,
    at: DateTime<FixedOffset>,
) -> Result<(), DbErr> {
    service_log::Entity::update_many()
        .col_expr(service_log::Column::Status, Expr::value(status.code()))
        .col_expr(service_log::Column::Reason, Expr::value(reason))
        .col_expr(service_log::Column::DecidedBy, Expr::value(by))
        .col_expr(service_log::Column::DecidedAt, Expr::value(at))
        .filter(service_log::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}
