//! What a secretary does with check-ins: roll-call for members without a
//! phone (nobody is forced to use the app), the list and the review.

use std::collections::HashSet;

use chrono_tz::Tz;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait,
};
use zhibu_shared::checkin::{Checkin, CheckinMethod, Decision, ReviewResult, ReviewStatus};

use super::{attendance_candidates, checkins_where, managed, participants};
use crate::access::Caller;
use crate::entities::checkin;
use crate::error::{ApiError, ApiResult};
use crate::review;
use crate::sql;
use crate::time::now;

/// `POST /theme-days/{id}/roll-call`: the secretary records members present
/// (nobody is forced to use the app).
/// All of a roll-call or none of it.
pub async fn roll_call(
    db: &sea_orm::DatabaseConnection,
    caller: &Caller,
    theme_day_id: i64,
    member_ids: &[i64],
    tz: Tz,
) -> ApiResult<Vec<Checkin>> {
    let txn = db.begin().await?;
    let done = record_roll_call(&txn, caller, theme_day_id, member_ids, tz).await?;
    txn.commit().await?;
    Ok(done)
}

/// The same, inside the caller's transaction.
pub async fn record_roll_call(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    member_ids: &[i64],
    tz: Tz,
) -> ApiResult<Vec<Checkin>> {
    let (model, _) = managed(conn, caller, theme_day_id).await?;
    if member_ids.is_empty() || member_ids.len() > 1000 {
        return Err(ApiError::invalid("member_ids", "请选择 1 到 1000 名党员"));
    }
    let expected: HashSet<i64> = participants(conn, model.org_id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    if let Some(stranger) = member_ids.iter().find(|id| !expected.contains(id)) {
        return Err(ApiError::invalid(
            "member_ids",
            format!("党员 {stranger} 不参加本次主题党日"),
        ));
    }
    let now = now();
    // A few statements whatever the branch's size: read what exists,
    // approve the pending ones, insert the rest.
    let mut existing = Vec::new();
    for chunk in member_ids.chunks(CHUNK) {
        existing.extend(
            checkin::Entity::find()
                .filter(checkin::Column::ThemeDayId.eq(theme_day_id))
                .filter(checkin::Column::MemberId.is_in(chunk.to_vec()))
                .all(conn)
                .await?,
        );
    }
    let present: HashSet<i64> = existing.iter().map(|c| c.member_id).collect();
    let to_approve: Vec<String> = existing
        .into_iter()
        .filter(|c| c.status != ReviewStatus::Approved)
        .map(|c| c.id)
        .collect();
    for chunk in to_approve.chunks(CHUNK) {
        checkin::Entity::update_many()
            .col_expr(
                checkin::Column::Status,
                Expr::value(ReviewStatus::Approved.code()),
            )
            .col_expr(checkin::Column::Reason, Expr::value(Option::<String>::None))
            .col_expr(checkin::Column::DecidedBy, Expr::value(caller.member_id))
            .col_expr(checkin::Column::DecidedAt, Expr::value(now))
            .filter(checkin::Column::Id.is_in(chunk.to_vec()))
            .exec(conn)
            .await?;
    }
    let missing: HashSet<i64> = member_ids
        .iter()
        .copied()
        .filter(|id| !present.contains(id))
        .collect();
    let new_rows: Vec<(String, i64)> = missing
        .into_iter()
        .map(|member_id| (uuid::Uuid::new_v4().to_string(), member_id))
        .collect();
    for chunk in new_rows.chunks(CHUNK) {
        // A member who checks in on their own meanwhile keeps that check-in.
        checkin::Entity::insert_many(chunk.iter().map(|(id, member_id)| checkin::ActiveModel {
            id: Set(id.clone()),
            theme_day_id: Set(theme_day_id),
            member_id: Set(*member_id),
            method: Set(CheckinMethod::RollCall),
            status: Set(ReviewStatus::Approved),
            at: Set(now),
            client_time: Set(None),
            inside_geofence: Set(None),
            reason: Set(None),
            request_hash: Set(String::new()),
            recorded_by: Set(Some(caller.member_id)),
            decided_by: Set(Some(caller.member_id)),
            decided_at: Set(Some(now)),
        }))
        .on_conflict_do_nothing_on([checkin::Column::ThemeDayId, checkin::Column::MemberId])
        .exec_without_returning(conn)
        .await?;
    }
    let placeholders = sql::placeholders(2, member_ids.len());
    let mut values: Vec<sea_orm::Value> = vec![theme_day_id.into()];
    values.extend(member_ids.iter().map(|id| (*id).into()));
    let recorded = checkins_where(
        conn,
        &format!("c.theme_day_id = $1 AND c.member_id IN ({placeholders})"),
        values,
        tz,
        None,
    )
    .await?;
    let inserted: HashSet<&String> = new_rows.iter().map(|(id, _)| id).collect();
    let recorded_new: Vec<String> = recorded
        .iter()
        .filter(|c| inserted.contains(&c.id))
        .map(|c| c.id.clone())
        .collect();
    crate::audit::record_many(
        conn,
        Some(caller.member_id),
        "checkin.roll_call",
        "checkin",
        &recorded_new,
    )
    .await?;
    crate::audit::record_many(
        conn,
        Some(caller.member_id),
        "checkin.roll_call_approve",
        "checkin",
        &to_approve,
    )
    .await?;
    Ok(recorded)
}

/// Rows per statement, well inside both engines' parameter limits.
const CHUNK: usize = 500;

pub async fn list_checkins(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    tz: Tz,
) -> ApiResult<Vec<Checkin>> {
    managed(conn, caller, theme_day_id).await?;
    Ok(checkins_where(
        conn,
        "c.theme_day_id = $1",
        vec![theme_day_id.into()],
        tz,
        None,
    )
    .await?)
}

/// `POST /checkins/review`: pending check-ins decided through the one
/// review pipeline, every decision audited.
pub async fn review_checkins(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[String],
    decision: Decision,
    reason: Option<&str>,
) -> ApiResult<ReviewResult<String>> {
    let named = review::named(ids)?;
    let rows = checkin::Entity::find()
        .filter(checkin::Column::Id.is_in(named.clone()))
        .all(conn)
        .await?;
    let candidates = attendance_candidates(
        conn,
        rows.into_iter()
            .map(|r| (r.id, r.member_id, r.status, r.theme_day_id))
            .collect(),
    )
    .await?;
    let mut batch = review::screen(conn, caller, named, candidates, decision, reason).await?;
    for id in std::mem::take(&mut batch.decide) {
        batch.claim(conn, "checkin", id).await?;
    }
    Ok(batch.finish(conn, "签到").await?)
}
