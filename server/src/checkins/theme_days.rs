//! Reading and filling in theme days: a member's and a unit's months, the
//! secretary's changes, and the rotating code shown on the live screen.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};
use zhibu_shared::checkin::{CheckinCode, ThemeDay, ThemeDayPatch};
use zhibu_shared::theme_day::Month;

use super::codes::{CodeSigner, STEP_SECS};
use super::schedule::theme_days_of;
use super::{holders_in_subtree, holders_of_member, managed, months, view, views, visible};
use crate::access::{Caller, MANAGERS};
use crate::entities::theme_day;
use crate::error::{ApiError, ApiResult};
use crate::time::now;

/// `GET /me/theme-days`.
pub async fn my_theme_days(
    reader: &impl ConnectionTrait,
    member_id: i64,
    from: Month,
    to: Month,
    tz: Tz,
) -> ApiResult<Vec<ThemeDay>> {
    let holders = holders_of_member(reader, member_id).await?;
    let mut all = Vec::new();
    for month in months(from, to)? {
        all.extend(theme_days_of(reader, &holders, month).await?);
    }
    all.sort_by_key(|t| (t.date, t.org_id));
    Ok(views(reader, &all, tz).await?)
}

/// `GET /orgs/{id}/theme-days?month=`: the holders in the unit's subtree.
pub async fn org_theme_days(
    reader: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    month: Month,
    tz: Tz,
) -> ApiResult<Vec<ThemeDay>> {
    let holders = if caller.reaches(reader, MANAGERS, org_id).await? {
        holders_in_subtree(reader, org_id).await?
    } else {
        // Members see the theme days of the units they attend.
        let mine = holders_of_member(reader, caller.member_id).await?;
        if !mine.contains(&org_id) {
            return Err(ApiError::NotFound);
        }
        vec![org_id]
    };
    let models = theme_days_of(reader, &holders, month).await?;
    Ok(views(reader, &models, tz).await?)
}

pub async fn get_theme_day(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    tz: Tz,
) -> ApiResult<ThemeDay> {
    let (model, name) = visible(conn, caller, id).await?;
    Ok(view(&model, &name, tz))
}

fn text_field(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(ApiError::invalid(field, format!("不能超过 {max} 个字")));
    }
    Ok(value.to_owned())
}

/// `PATCH /theme-days/{id}`: secretaries move the day and fill it in.
/// The whole patch, with its audit, or nothing.
pub async fn patch_theme_day(
    db: &sea_orm::DatabaseConnection,
    caller: &Caller,
    id: i64,
    patch: ThemeDayPatch,
    tz: Tz,
) -> ApiResult<ThemeDay> {
    let txn = db.begin().await?;
    let done = apply_patch(&txn, caller, id, patch, tz).await?;
    txn.commit().await?;
    Ok(done)
}

/// The same, inside the caller's transaction.
async fn apply_patch(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    patch: ThemeDayPatch,
    tz: Tz,
) -> ApiResult<ThemeDay> {
    let (mut model, name) = managed(conn, caller, id).await?;
    let month = Month::parse(&model.month)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("bad month")))?;
    if let Some(date) = patch.date {
        if Month::of(date) != month {
            return Err(ApiError::invalid(
                "date",
                format!("只能在 {month} 月内调整日期"),
            ));
        }
        // Moving the day keeps the times of day unless new ones are given.
        let shift = date.signed_duration_since(model.date);
        model.starts_at += shift;
        model.ends_at += shift;
        model.date = date;
    }
    if let Some(title) = &patch.title {
        let title = text_field("title", title, 100)?;
        if title.is_empty() {
            return Err(ApiError::invalid("title", "标题不能为空"));
        }
        model.title = title;
    }
    if let Some(study) = &patch.study_item {
        model.study_item = text_field("study_item", study, 500)?;
    }
    if let Some(location) = &patch.location {
        model.location = text_field("location", location, 200)?;
    }
    if let Some(starts_at) = patch.starts_at {
        model.starts_at = starts_at.with_timezone(&Utc).fixed_offset();
        // The day is the county's date it starts on, so make-ups and
        // meetings recorded from it see the day it really was.
        let date = model.starts_at.with_timezone(&tz).date_naive();
        if Month::of(date) != month {
            return Err(ApiError::invalid(
                "starts_at",
                format!("只能在 {month} 月内调整时间"),
            ));
        }
        model.date = date;
    }
    if let Some(ends_at) = patch.ends_at {
        model.ends_at = ends_at.with_timezone(&Utc).fixed_offset();
    }
    if model.ends_at <= model.starts_at {
        return Err(ApiError::invalid("ends_at", "结束时间须晚于开始时间"));
    }
    if model.ends_at - model.starts_at > Duration::hours(24) {
        return Err(ApiError::invalid("ends_at", "签到时段不能超过 24 小时"));
    }
    if let Some(activities) = &patch.activities {
        if activities.len() > 20 {
            return Err(ApiError::invalid("activities", "活动最多 20 项"));
        }
        let cleaned = activities
            .iter()
            .map(|a| text_field("activities", a, 50))
            .collect::<ApiResult<Vec<_>>>()?
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect::<Vec<_>>();
        model.activities = serde_json::to_string(&cleaned).unwrap_or_else(|_| "[]".into());
    }
    if let Some(geofence) = patch.geofence {
        match geofence {
            Some(g) => {
                if !(-90.0..=90.0).contains(&g.lat) || !(-180.0..=180.0).contains(&g.lng) {
                    return Err(ApiError::invalid("geofence", "坐标无效"));
                }
                if !(20..=5000).contains(&g.radius_m) {
                    return Err(ApiError::invalid(
                        "geofence",
                        "签到范围半径须在 20 到 5000 米之间",
                    ));
                }
                (
                    model.geofence_lat,
                    model.geofence_lng,
                    model.geofence_radius_m,
                ) = (Some(g.lat), Some(g.lng), Some(g.radius_m as i32));
            }
            None => {
                (
                    model.geofence_lat,
                    model.geofence_lng,
                    model.geofence_radius_m,
                ) = (None, None, None)
            }
        }
    }
    model.updated_at = now();
    let active: theme_day::ActiveModel = model.clone().into();
    let mut active = sea_orm::ActiveModelTrait::reset_all(active);
    active.id = sea_orm::ActiveValue::Unchanged(model.id);
    theme_day::Entity::update(active).exec(conn).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "theme_day.update",
        "theme_day",
        &id.to_string(),
        serde_json::to_string(&patch).ok(),
    )
    .await?;
    Ok(view(&model, &name, tz))
}

/// `GET /theme-days/{id}/code`: the code of this 30-second step.
pub async fn current_code(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    signer: &CodeSigner,
    origin: &str,
) -> ApiResult<CheckinCode> {
    managed(conn, caller, id).await?;
    let now = Utc::now().timestamp();
    let step = CodeSigner::step_at(now);
    let token = signer.token(id, step);
    let url = format!("{origin}/checkin/{id}?t={token}");
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("QR code: {e}")))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let expires = DateTime::from_timestamp((step + 1) * STEP_SECS, 0)
        .unwrap_or_default()
        .fixed_offset();
    let short_code = signer.short_code(id, step);
    Ok(CheckinCode {
        mini_program: zhibu_shared::links::checkin(id, &token, &short_code),
        token,
        short_code,
        url,
        expires_at: expires,
        qr_svg,
    })
}
