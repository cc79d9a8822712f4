//! Make-ups (补课) for absentees; an approved one counts as attendance.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use zhibu_shared::auth::IdName;
use zhibu_shared::checkin::{
    CheckinMethod, Decision, Makeup, MakeupRequest, ReviewResult, ReviewStatus,
};

use super::{attendance_candidates, is_participant, managed, member_names};
use crate::access::Caller;

use crate::entities::{checkin, makeup, theme_day};
use crate::error::{ApiError, ApiResult};
use crate::review;
use crate::time::now;

pub(super) async fn makeup_views(
    conn: &impl ConnectionTrait,
    rows: Vec<makeup::Model>,
) -> Result<Vec<Makeup>, DbErr> {
    let names = member_names(conn, rows.iter().map(|r| r.member_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| Makeup {
            id: r.id,
            theme_day_id: r.theme_day_id,
            member: IdName {
                id: r.member_id,
                name: names.get(&r.member_id).cloned().unwrap_or_default(),
            },
            studied: r.studied,
            studied_on: r.studied_on,
            status: r.status,
            reason: r.reason,
        })
        .collect())
}

/// `POST /theme-days/{id}/makeups`: an absentee asks to make up (补课).
pub async fn request_makeup(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    req: &MakeupRequest,
    today: NaiveDate,
) -> ApiResult<Makeup> {
    let model = theme_day::Entity::find_by_id(theme_day_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !is_participant(conn, caller.member_id, model.org_id).await? {
        return Err(ApiError::NotFound);
    }
    if now() <= model.ends_at {
        return Err(ApiError::conflict(
            "theme_day_not_over",
            "主题党日结束后才能申请补课",
        ));
    }
    let studied = req.studied.trim();
    if studied.is_empty() || studied.chars().count() > 500 {
        return Err(ApiError::invalid(
            "studied",
            "请填写补学内容（不超过 500 字）",
        ));
    }
    if req.studied_on > today || req.studied_on < model.date {
        return Err(ApiError::invalid(
            "studied_on",
            "补学日期须在主题党日之后、今天之前",
        ));
    }
    let present = checkin::Entity::find()
        .filter(checkin::Column::ThemeDayId.eq(theme_day_id))
        .filter(checkin::Column::MemberId.eq(caller.member_id))
        .filter(checkin::Column::Status.is_in([ReviewStatus::Approved, ReviewStatus::Pending]))
        .one(conn)
        .await?;
    if present.is_some() {
        return Err(ApiError::conflict("not_absent", "您已签到，无需补课"));
    }
    let open = makeup::Entity::find()
        .filter(makeup::Column::ThemeDayId.eq(theme_day_id))
        .filter(makeup::Column::MemberId.eq(caller.member_id))
        .filter(makeup::Column::Status.is_in([ReviewStatus::Approved, ReviewStatus::Pending]))
        .one(conn)
        .await?;
    if open.is_some() {
        return Err(ApiError::conflict("makeup_exists", "已有补课申请"));
    }
    let inserted = makeup::Entity::insert(makeup::ActiveModel {
        theme_day_id: Set(theme_day_id),
        member_id: Set(caller.member_id),
        studied: Set(studied.to_owned()),
        studied_on: Set(req.studied_on),
        status: Set(ReviewStatus::Pending),
        reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    let row = makeup::Entity::find_by_id(inserted.last_insert_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(makeup_views(conn, vec![row]).await?.remove(0))
}

pub async fn list_makeups(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
) -> ApiResult<Vec<Makeup>> {
    managed(conn, caller, theme_day_id).await?;
    let rows = makeup::Entity::find()
        .filter(makeup::Column::ThemeDayId.eq(theme_day_id))
        .order_by_asc(makeup::Column::Id)
        .all(conn)
        .await?;
    Ok(makeup_views(conn, rows).await?)
}

/// `POST /makeups/review`: an approved make-up counts as attendance
/// (`makeup`).
pub async fn review_makeups(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
    decision: Decision,
    reason: Option<&str>,
) -> ApiResult<ReviewResult<i64>> {
    let named = review::named(ids)?;
    let rows = makeup::Entity::find()
        .filter(makeup::Column::Id.is_in(named.clone()))
        .all(conn)
        .await?;
    let candidates = attendance_candidates(
        conn,
        rows.iter()
            .map(|r| (r.id, r.member_id, r.status, r.theme_day_id))
            .collect(),
    )
    .await?;
    let mut batch = review::screen(conn, caller, named, candidates, decision, reason).await?;
    let by_id: HashMap<i64, &makeup::Model> = rows.iter().map(|r| (r.id, r)).collect();
    for id in std::mem::take(&mut batch.decide) {
        if !batch.claim(conn, "makeup", id).await? || decision != Decision::Approve {
            continue;
        }
        let Some(row) = by_id.get(&id) else { continue };
        // A rejected check-in gives way to the make-up.
        checkin::Entity::delete_many()
            .filter(checkin::Column::ThemeDayId.eq(row.theme_day_id))
            .filter(checkin::Column::MemberId.eq(row.member_id))
            .filter(checkin::Column::Status.eq(ReviewStatus::Rejected.code()))
            .exec(conn)
            .await?;
        checkin::Entity::insert(checkin::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            theme_day_id: Set(row.theme_day_id),
            member_id: Set(row.member_id),
            method: Set(CheckinMethod::Makeup),
            status: Set(ReviewStatus::Approved),
            at: Set(batch.at),
            client_time: Set(None),
            inside_geofence: Set(None),
            reason: Set(None),
            request_hash: Set(String::new()),
            recorded_by: Set(Some(caller.member_id)),
            decided_by: Set(Some(caller.member_id)),
            decided_at: Set(Some(batch.at)),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(conn)
        .await?;
    }
    Ok(batch.finish(conn, "补课申请").await?)
}
