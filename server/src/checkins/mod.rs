//! Theme Party Days and check-in: the first-Thursday schedule (materialised
//! on first read, so nobody has to create it), rotating signed codes,
//! roll-call, review, dues paid on site, the study item, make-ups and
//! attendance rolled up the tree.

pub mod batch;
pub mod codes;
pub mod handlers;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, TryInsertResult,
};
use sha2::{Digest, Sha256};
use zhibu_shared::auth::IdName;
use zhibu_shared::checkin::{
    Attendance, AttendanceReport, AttendanceRow, Checkin, CheckinCode, CheckinMethod,
    CheckinRequest, Decision, DuesPayment, DuesPaymentRequest, Geofence, Makeup, MakeupRequest,
    MyAttendance, PaymentMethod, ReviewResult, ReviewStatus, ThemeDay, ThemeDayPatch,
    ThemeDayStatus, WrongCodes,
};
use zhibu_shared::org::OrgKind;
use zhibu_shared::theme_day::{Month, distance_m, dues_standard_fen};

use crate::access::{Caller, MANAGERS};
use crate::auth::sessions::{LIVE_SESSION_IS, LIVE_SESSION_TABLES};
use crate::auth::{AuthMember, AuthToken};
use crate::entities::{
    checkin, checkin_failure, dues_payment, makeup, member, org_unit, study_record, theme_day,
};
use crate::error::{ApiError, ApiResult};
use crate::review;
use crate::sql;
use crate::time::now;
use codes::{CodeSigner, STEP_SECS};

/// Units that hold a theme day every month.
pub const HOLDER_KINDS: [OrgKind; 3] = [
    OrgKind::Branch,
    OrgKind::GeneralBranch,
    OrgKind::SectorCommittee,
];

/// The default check-in window, county time: the morning of the day.
const DEFAULT_START: (u32, u32) = (8, 30);
const DEFAULT_END: (u32, u32) = (11, 30);
/// How late an offline check-in may arrive.
const OFFLINE_GRACE_HOURS: i64 = 24;
/// How far a phone's clock may run ahead of the server's.
const CLOCK_SKEW_SECS: i64 = 120;

fn holder_kind_list() -> String {
    HOLDER_KINDS
        .iter()
        .map(|k| format!("'{}'", k.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn local_time(tz: Tz, date: NaiveDate, (h, m): (u32, u32)) -> DateTime<FixedOffset> {
    let naive = date.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default());
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc).fixed_offset())
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive).fixed_offset())
}

/// Creates the month's theme days of `org_ids` that do not exist yet.
pub async fn ensure_theme_days(
    conn: &impl ConnectionTrait,
    org_ids: &[i64],
    month: Month,
    tz: Tz,
) -> Result<(), DbErr> {
    let date = month.theme_date();
    let title = format!("{}年{}月主题党日", month.year, month.month);
    for chunk in org_ids.chunks(200) {
        let rows = chunk.iter().map(|org_id| theme_day::ActiveModel {
            org_id: Set(*org_id),
            month: Set(month.to_string()),
            date: Set(date),
            starts_at: Set(local_time(tz, date, DEFAULT_START)),
            ends_at: Set(local_time(tz, date, DEFAULT_END)),
            title: Set(title.clone()),
            study_item: Set(String::new()),
            location: Set(String::new()),
            activities: Set("[]".into()),
            geofence_lat: Set(None),
            geofence_lng: Set(None),
            geofence_radius_m: Set(None),
            updated_at: Set(now()),
            ..Default::default()
        });
        theme_day::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([theme_day::Column::OrgId, theme_day::Column::Month])
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Months ahead whose theme days exist before anyone asks (this month and
/// the next two), so reads never write.
pub const SCHEDULED_MONTHS_AHEAD: u32 = 2;

/// Creates the theme days of every holding unit for this month and the
/// next ones. Idempotent, so every server node may run it: at start, every
/// hour, and after units are created.
pub async fn schedule(conn: &impl ConnectionTrait, tz: Tz) -> Result<(), DbErr> {
    let query = format!(
        "SELECT id FROM org_unit WHERE kind IN ({}) AND dissolved_at IS NULL ORDER BY id",
        holder_kind_list()
    );
    let holders: Vec<i64> = sql::fetch_all::<IdRow>(conn, &query, [])
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut month = Month::of(crate::time::today(tz));
    for _ in 0..=SCHEDULED_MONTHS_AHEAD {
        ensure_theme_days(conn, &holders, month, tz).await?;
        month = month.next();
    }
    Ok(())
}

/// The month's theme days of `org_ids` (read only: `schedule` creates them).
pub async fn theme_days_of(
    reader: &impl ConnectionTrait,
    org_ids: &[i64],
    month: Month,
) -> Result<Vec<theme_day::Model>, DbErr> {
    if org_ids.is_empty() {
        return Ok(Vec::new());
    }
    theme_day::Entity::find()
        .filter(theme_day::Column::OrgId.is_in(org_ids.to_vec()))
        .filter(theme_day::Column::Month.eq(month.to_string()))
        .order_by_asc(theme_day::Column::OrgId)
        .all(reader)
        .await
}

fn status_at(model: &theme_day::Model, at: DateTime<FixedOffset>) -> ThemeDayStatus {
    if at < model.starts_at {
        ThemeDayStatus::Upcoming
    } else if at <= model.ends_at {
        ThemeDayStatus::Open
    } else {
        ThemeDayStatus::Closed
    }
}

fn geofence_of(model: &theme_day::Model) -> Option<Geofence> {
    match (
        model.geofence_lat,
        model.geofence_lng,
        model.geofence_radius_m,
    ) {
        (Some(lat), Some(lng), Some(r)) => Some(Geofence {
            lat,
            lng,
            radius_m: r.max(0) as u32,
        }),
        _ => None,
    }
}

/// The API view, with times in the county's zone.
pub fn view(model: &theme_day::Model, org_name: &str, tz: Tz) -> ThemeDay {
    let local = |t: DateTime<FixedOffset>| t.with_timezone(&tz).fixed_offset();
    ThemeDay {
        id: model.id,
        org: IdName {
            id: model.org_id,
            name: org_name.to_owned(),
        },
        date: model.date,
        starts_at: local(model.starts_at),
        ends_at: local(model.ends_at),
        title: model.title.clone(),
        study_item: model.study_item.clone(),
        location: model.location.clone(),
        activities: serde_json::from_str(&model.activities).unwrap_or_default(),
        status: status_at(model, now()),
        geofence: geofence_of(model),
    }
}

async fn org_names(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, String>, DbErr> {
    let mut names = HashMap::new();
    for chunk in ids.chunks(500) {
        for o in org_unit::Entity::find()
            .filter(org_unit::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            names.insert(o.id, o.name);
        }
    }
    Ok(names)
}

async fn views(
    conn: &impl ConnectionTrait,
    models: &[theme_day::Model],
    tz: Tz,
) -> Result<Vec<ThemeDay>, DbErr> {
    let ids: Vec<i64> = models.iter().map(|m| m.org_id).collect();
    let names = org_names(conn, &ids).await?;
    Ok(models
        .iter()
        .map(|m| view(m, names.get(&m.org_id).map_or("", String::as_str), tz))
        .collect())
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i64,
}

/// The units whose theme days a member attends: the holder of their branch
/// (a party group's branch) and the sector committees they belong to.
pub async fn holders_of_member(
    conn: &impl ConnectionTrait,
    member_id: i64,
) -> Result<Vec<i64>, DbErr> {
    let query = holders_of_member_query("$1");
    let mut ids: Vec<i64> = sql::fetch_all::<IdRow>(conn, &query, [member_id.into()])
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The query behind `holders_of_member`, with the member as `member`.
fn holders_of_member_query(member: &str) -> String {
    format!(
        "SELECT CASE WHEN o.kind = 'party_group' THEN o.parent_id ELSE o.id END AS id \
         FROM member m JOIN org_unit o ON o.id = m.branch_id WHERE m.id = {member} \
         AND (o.kind IN ({kinds}) OR o.kind = 'party_group') \
         UNION SELECT committee_id AS id FROM sector_membership WHERE member_id = {member} AND status = 'approved'",
        kinds = holder_kind_list()
    )
}

/// The check-in's one read, run by every member on the first Thursday
/// morning: the caller's session is live (401 if not) and the theme day is
/// one they attend (404 if not, as for a missing one).
async fn attendee(
    conn: &impl ConnectionTrait,
    token: AuthToken,
    theme_day_id: i64,
    now: DateTime<FixedOffset>,
) -> ApiResult<(IdName, theme_day::Model, i64)> {
    let query = format!(
        "SELECT t.*, m.name AS attendee_name, \
         (SELECT COUNT(*) FROM checkin_failure f WHERE f.member_id = $2 AND f.theme_day_id = $3 AND f.at > $4) AS wrong_codes \
         FROM theme_day t, {LIVE_SESSION_TABLES} \
         WHERE {LIVE_SESSION_IS} AND t.id = $3 AND t.org_id IN ({})",
        holders_of_member_query("$2")
    );
    let row = conn
        .query_one_raw(sql::stmt(
            conn,
            &query,
            [
                token.session_id.clone().into(),
                token.member_id.into(),
                theme_day_id.into(),
                (now - Duration::minutes(WRONG_CODE_WINDOW_MINUTES)).into(),
            ],
        ))
        .await?;
    let Some(row) = row else {
        // Rare: tell an ended session (401) from a theme day not theirs.
        token.live(conn).await?;
        return Err(ApiError::NotFound);
    };
    let model = theme_day::Model::from_query_result(&row, "")?;
    let attendee = IdName {
        id: token.member_id,
        name: row.try_get("", "attendee_name")?,
    };
    let wrong_codes: i64 = row.try_get("", "wrong_codes")?;
    Ok((attendee, model, wrong_codes))
}

/// Holding units in the subtree of `org_id`.
pub async fn holders_in_subtree(
    conn: &impl ConnectionTrait,
    org_id: i64,
) -> Result<Vec<i64>, DbErr> {
    let query = format!(
        "SELECT o.id FROM org_closure c JOIN org_unit o ON o.id = c.descendant_id \
         WHERE c.ancestor_id = $1 AND o.kind IN ({}) ORDER BY o.id",
        holder_kind_list()
    );
    Ok(sql::fetch_all::<IdRow>(conn, &query, [org_id.into()])
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

#[derive(FromQueryResult)]
struct Participant {
    id: i64,
    name: String,
}

/// Active members expected at the holder's theme day.
async fn participants(conn: &impl ConnectionTrait, holder: i64) -> Result<Vec<Participant>, DbErr> {
    sql::fetch_all::<Participant>(
        conn,
        "SELECT p.id, p.name FROM ( \
         SELECT m.id AS id, m.name AS name FROM member m JOIN org_unit o ON o.id = m.branch_id \
         WHERE m.status = 'active' AND (m.branch_id = $1 OR (o.kind = 'party_group' AND o.parent_id = $1)) \
         UNION SELECT m.id AS id, m.name AS name FROM sector_membership s JOIN member m ON m.id = s.member_id \
         WHERE s.committee_id = $1 AND s.status = 'approved' AND m.status = 'active') p ORDER BY p.id",
        [holder.into()],
    )
    .await
}

async fn is_participant(
    conn: &impl ConnectionTrait,
    member_id: i64,
    holder: i64,
) -> Result<bool, DbErr> {
    Ok(holders_of_member(conn, member_id).await?.contains(&holder))
}

async fn load(conn: &impl ConnectionTrait, id: i64) -> ApiResult<(theme_day::Model, String)> {
    let model = theme_day::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let name = org_unit::Entity::find_by_id(model.org_id)
        .one(conn)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok((model, name))
}

/// A theme day the caller manages (secretary, org officer, admin above it).
async fn managed(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> ApiResult<(theme_day::Model, String)> {
    let found = load(conn, id).await?;
    caller.require(conn, MANAGERS, found.0.org_id).await?;
    Ok(found)
}

/// A theme day the caller attends or manages.
async fn visible(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> ApiResult<(theme_day::Model, String)> {
    let found = load(conn, id).await?;
    if is_participant(conn, caller.member_id, found.0.org_id).await?
        || caller.reaches(conn, MANAGERS, found.0.org_id).await?
    {
        Ok(found)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Months from `from` to `to` inclusive; at most two years.
fn months(from: Month, to: Month) -> ApiResult<Vec<Month>> {
    let mut out = Vec::new();
    let mut m = from;
    while m <= to {
        out.push(m);
        if out.len() > 24 {
            return Err(ApiError::invalid("to", "一次最多查询 24 个月"));
        }
        m = m.next();
    }
    Ok(out)
}

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
pub async fn patch_theme_day(
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
    Ok(CheckinCode {
        token,
        short_code: signer.short_code(id, step),
        url,
        expires_at: expires,
        qr_svg,
    })
}

#[derive(FromQueryResult)]
struct CheckinRow {
    id: String,
    theme_day_id: i64,
    member_id: i64,
    member_name: String,
    method: String,
    status: String,
    at: DateTime<FixedOffset>,
    client_time: Option<DateTime<FixedOffset>>,
    reason: Option<String>,
}

fn checkin_view(r: CheckinRow, tz: Tz) -> Checkin {
    Checkin {
        id: r.id,
        theme_day_id: r.theme_day_id,
        member: IdName {
            id: r.member_id,
            name: r.member_name,
        },
        method: CheckinMethod::from_code(&r.method).unwrap_or(CheckinMethod::Code),
        status: ReviewStatus::from_code(&r.status).unwrap_or(ReviewStatus::Pending),
        at: r.at.with_timezone(&tz).fixed_offset(),
        claimed_at: r.client_time.map(|c| c.with_timezone(&tz).fixed_offset()),
        reason: r.reason,
    }
}

const CHECKIN_SELECT: &str = "SELECT c.id, c.theme_day_id, c.member_id, m.name AS member_name, c.method, c.status, c.at, c.client_time, c.reason \
     FROM checkin c JOIN member m ON m.id = c.member_id";

pub async fn checkins_where(
    conn: &impl ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
    tz: Tz,
) -> Result<Vec<Checkin>, DbErr> {
    let query = format!("{CHECKIN_SELECT} WHERE {condition} ORDER BY c.at, c.id");
    Ok(sql::fetch_all::<CheckinRow>(conn, &query, values)
        .await?
        .into_iter()
        .map(|r| checkin_view(r, tz))
        .collect())
}

/// What identifies a check-in body for idempotency. Coordinates are left
/// out on purpose: not even a hash of a location is kept.
fn request_hash(theme_day_id: i64, req: &CheckinRequest) -> String {
    let canonical = format!(
        "{theme_day_id}|{}|{}|{}",
        req.token.as_deref().unwrap_or("").trim(),
        req.short_code.as_deref().unwrap_or("").trim(),
        req.client_time
            .map(|t| t.timestamp_millis().to_string())
            .unwrap_or_default()
    );
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The answer to a check-in: the row and whether this call created it.
pub struct CheckinOutcome {
    pub checkin: Checkin,
    pub created: bool,
}

/// Resolves a replay or a second check-in against what is stored. One
/// query, so a concurrent copy is seen either entirely or not at all.
async fn existing_answer(
    conn: &impl ConnectionTrait,
    id: &str,
    theme_day_id: i64,
    member_id: i64,
    hash: &str,
    tz: Tz,
) -> ApiResult<Option<CheckinOutcome>> {
    let rows = checkin::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(checkin::Column::Id.eq(id))
                .add(
                    sea_orm::Condition::all()
                        .add(checkin::Column::ThemeDayId.eq(theme_day_id))
                        .add(checkin::Column::MemberId.eq(member_id)),
                ),
        )
        .all(conn)
        .await?;
    if let Some(row) = rows.iter().find(|r| r.id == id) {
        if row.member_id == member_id
            && row.theme_day_id == theme_day_id
            && row.request_hash == hash
        {
            let checkin = checkins_where(conn, "c.id = $1", vec![id.into()], tz)
                .await?
                .remove(0);
            return Ok(Some(CheckinOutcome {
                checkin,
                created: false,
            }));
        }
        return Err(ApiError::conflict(
            "idempotency_conflict",
            "该签到编号已用于另一次不同的签到",
        ));
    }
    if let Some(row) = rows.into_iter().next() {
        let first = checkins_where(conn, "c.id = $1", vec![row.id.into()], tz)
            .await?
            .remove(0);
        return Err(ApiError::Conflict {
            code: "already_checked_in",
            message: match first.status {
                ReviewStatus::Approved => "您已签到".into(),
                ReviewStatus::Pending => "您已签到，等待书记审核".into(),
                ReviewStatus::Rejected => "您的签到未通过审核，请联系书记".into(),
            },
            details: Some(serde_json::json!({ "checkin": first })),
        });
    }
    Ok(None)
}

/// `POST /theme-days/{id}/checkins`: a member checks in with the rotating
/// code; idempotent by the phone's UUID.
///
/// This is the busiest call of the month, so the common case costs one
/// read (session, theme day and attendance together) and a share of a
/// group-committed insert; replays and second check-ins are resolved only
/// when the insert conflicts (or a stale code is presented).
pub async fn check_in(
    reader: &impl ConnectionTrait,
    writes: &batch::CheckinWriter,
    token: AuthToken,
    theme_day_id: i64,
    req: &CheckinRequest,
    signer: &CodeSigner,
    tz: Tz,
) -> ApiResult<CheckinOutcome> {
    let id = uuid::Uuid::parse_str(req.id.trim())
        .map_err(|_| ApiError::invalid("id", "签到编号须为 UUID"))?
        .hyphenated()
        .to_string();
    let now = now();
    let (member, model, wrong_codes) = attendee(reader, token, theme_day_id, now).await?;
    let hash = request_hash(theme_day_id, req);
    let admitted = if wrong_codes >= MAX_WRONG_CODES {
        Err(Refusal::Throttled)
    } else {
        admit(&model, req, signer, now)
    };
    let (method, at) = match admitted {
        Ok(found) => found,
        // A replay of a check-in made while its code was fresh is still a
        // replay, however old the code is now.
        Err(refusal) => {
            if let Some(answer) =
                existing_answer(writes.connection(), &id, theme_day_id, member.id, &hash, tz)
                    .await?
            {
                return Ok(answer);
            }
            return Err(refuse(writes.connection(), refusal, &model, member.id, now).await?);
        }
    };
    let inside = match (geofence_of(&model), req.lat, req.lng) {
        (Some(g), Some(lat), Some(lng)) => {
            Some(distance_m(g.lat, g.lng, lat, lng) <= f64::from(g.radius_m))
        }
        _ => None,
    };
    let claimed = (method == CheckinMethod::Offline).then_some(at);
    let reason = if let Some(claimed) = claimed {
        // The code was valid when the phone says it was scanned, but a code
        // can be photographed and sent on later: a person decides.
        Some(format!(
            "离线或迟到提交（扫码时间 {}），待书记审核",
            claimed.with_timezone(&tz).format("%H:%M")
        ))
    } else if geofence_of(&model).is_some() && inside.is_none() {
        Some("未提供位置，待书记审核".to_owned())
    } else if inside == Some(false) {
        Some("不在签到范围内，待书记审核".to_owned())
    } else {
        None
    };
    let status = if reason.is_none() {
        ReviewStatus::Approved
    } else {
        ReviewStatus::Pending
    };
    // Written with whatever other check-ins are queued (group commit).
    let inserted = writes
        .insert(checkin::Model {
            id: id.clone(),
            theme_day_id,
            member_id: member.id,
            method: method.code().into(),
            status: status.code().into(),
            at: now,
            client_time: claimed,
            inside_geofence: inside,
            reason: reason.clone(),
            request_hash: hash.clone(),
            recorded_by: None,
            decided_by: None,
            decided_at: None,
        })
        .await?;
    if !inserted {
        // A concurrent copy of this request, a replay, or another check-in
        // of the same member: answer from what is stored.
        return existing_answer(writes.connection(), &id, theme_day_id, member.id, &hash, tz)
            .await?
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("check-in conflict without a row")));
    }
    let checkin = Checkin {
        id,
        theme_day_id,
        member,
        method,
        status,
        at: now.with_timezone(&tz).fixed_offset(),
        claimed_at: claimed.map(|c| c.with_timezone(&tz).fixed_offset()),
        reason,
    };
    Ok(CheckinOutcome {
        checkin,
        created: true,
    })
}

/// Wrong codes one member may present for one theme day within
/// `WRONG_CODE_WINDOW_MINUTES` before further tries answer 429.
pub const MAX_WRONG_CODES: i64 = 5;
pub const WRONG_CODE_WINDOW_MINUTES: i64 = 10;

/// Why a check-in was not admitted.
enum Refusal {
    /// Too many wrong codes lately.
    Throttled,
    /// Neither now nor the claimed time lies in the check-in window.
    NotOpen,
    /// The code is wrong (or stale at every time it was tested against).
    WrongCode,
    /// A rule of the request itself (no code, a clock ahead, too late).
    Invalid(ApiError),
}

/// Checks the window and the presented code: valid now (`code`), or valid
/// at the claimed time of a check-in made offline or late within the last
/// day (`offline`, always reviewed). Codes are tested only for a time in
/// the window, so a closed or future day tells a guesser nothing.
fn admit(
    model: &theme_day::Model,
    req: &CheckinRequest,
    signer: &CodeSigner,
    now: DateTime<FixedOffset>,
) -> Result<(CheckinMethod, DateTime<FixedOffset>), Refusal> {
    let token = req.token.as_deref().filter(|t| !t.trim().is_empty());
    let short_code = req.short_code.as_deref().filter(|c| !c.trim().is_empty());
    if token.is_none() && short_code.is_none() {
        return Err(Refusal::Invalid(ApiError::invalid(
            "short_code",
            "请扫描签到二维码或输入 6 位签到码",
        )));
    }
    let open = |at: DateTime<FixedOffset>| model.starts_at <= at && at <= model.ends_at;
    let open_now = open(now);
    if open_now && signer.verify(model.id, token, short_code, now.timestamp()) {
        return Ok((CheckinMethod::Code, now));
    }
    let claimed = match req.client_time {
        None if open_now => return Err(Refusal::WrongCode),
        None => return Err(Refusal::NotOpen),
        // To the microsecond, as both engines store it.
        Some(claimed) => DateTime::from_timestamp_micros(claimed.timestamp_micros())
            .unwrap_or_default()
            .fixed_offset(),
    };
    if claimed > now + Duration::seconds(CLOCK_SKEW_SECS) {
        return Err(Refusal::Invalid(ApiError::invalid(
            "client_time",
            "签到时间晚于当前时间，请检查手机时间",
        )));
    }
    if now - claimed > Duration::hours(OFFLINE_GRACE_HOURS) {
        return Err(Refusal::Invalid(ApiError::invalid(
            "client_time",
            "离线签到须在 24 小时内同步",
        )));
    }
    if !open(claimed) {
        return Err(if open_now {
            Refusal::WrongCode
        } else {
            Refusal::NotOpen
        });
    }
    if signer.verify(model.id, token, short_code, claimed.timestamp()) {
        Ok((CheckinMethod::Offline, claimed))
    } else {
        Err(Refusal::WrongCode)
    }
}

/// The answer to a refused check-in; a wrong code is kept (for the
/// throttle and the secretary) and audited.
async fn refuse(
    writer: &impl ConnectionTrait,
    refusal: Refusal,
    model: &theme_day::Model,
    member_id: i64,
    now: DateTime<FixedOffset>,
) -> ApiResult<ApiError> {
    Ok(match refusal {
        Refusal::Invalid(error) => error,
        Refusal::NotOpen => ApiError::Validation {
            code: "not_open",
            message: "本次主题党日当前不在签到时间内".into(),
            fields: Default::default(),
        },
        Refusal::WrongCode => {
            checkin_failure::Entity::insert(checkin_failure::ActiveModel {
                theme_day_id: Set(model.id),
                member_id: Set(member_id),
                at: Set(now),
                ..Default::default()
            })
            .exec_without_returning(writer)
            .await?;
            crate::audit::record(
                writer,
                Some(member_id),
                "checkin.wrong_code",
                "theme_day",
                &model.id.to_string(),
                None,
            )
            .await?;
            ApiError::invalid("short_code", "签到码无效或已过期，请扫描最新的二维码")
        }
        Refusal::Throttled => {
            // The oldest of the last few failures leaves the window first.
            let window = checkin_failure::Entity::find()
                .filter(checkin_failure::Column::MemberId.eq(member_id))
                .filter(checkin_failure::Column::ThemeDayId.eq(model.id))
                .order_by_desc(checkin_failure::Column::At)
                .offset((MAX_WRONG_CODES - 1) as u64)
                .one(writer)
                .await?;
            let retry = window
                .map(|f| (f.at + Duration::minutes(WRONG_CODE_WINDOW_MINUTES) - now).num_seconds())
                .unwrap_or(60)
                .max(1);
            ApiError::TooManyRequests {
                retry_after_secs: retry as u64,
                message: format!(
                    "签到码错误次数过多，请 {} 分钟后再试，或请书记代为签到",
                    (retry + 59) / 60
                ),
            }
        }
    })
}

/// `POST /theme-days/{id}/roll-call`: the secretary records members present
/// (nobody is forced to use the app).
pub async fn roll_call(
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
    for member_id in member_ids {
        let existing = checkin::Entity::find()
            .filter(checkin::Column::ThemeDayId.eq(theme_day_id))
            .filter(checkin::Column::MemberId.eq(*member_id))
            .one(conn)
            .await?;
        match existing {
            Some(row) if row.status == ReviewStatus::Approved.code() => {}
            Some(row) => {
                checkin::Entity::update_many()
                    .col_expr(
                        checkin::Column::Status,
                        Expr::value(ReviewStatus::Approved.code()),
                    )
                    .col_expr(checkin::Column::Reason, Expr::value(Option::<String>::None))
                    .col_expr(checkin::Column::DecidedBy, Expr::value(caller.member_id))
                    .col_expr(checkin::Column::DecidedAt, Expr::value(now))
                    .filter(checkin::Column::Id.eq(row.id.clone()))
                    .exec(conn)
                    .await?;
                crate::audit::record(
                    conn,
                    Some(caller.member_id),
                    "checkin.roll_call_approve",
                    "checkin",
                    &row.id,
                    None,
                )
                .await?;
            }
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                checkin::Entity::insert(checkin::ActiveModel {
                    id: Set(id.clone()),
                    theme_day_id: Set(theme_day_id),
                    member_id: Set(*member_id),
                    method: Set(CheckinMethod::RollCall.code().into()),
                    status: Set(ReviewStatus::Approved.code().into()),
                    at: Set(now),
                    client_time: Set(None),
                    inside_geofence: Set(None),
                    reason: Set(None),
                    request_hash: Set(String::new()),
                    recorded_by: Set(Some(caller.member_id)),
                    decided_by: Set(Some(caller.member_id)),
                    decided_at: Set(Some(now)),
                })
                .exec_without_returning(conn)
                .await?;
                crate::audit::record(
                    conn,
                    Some(caller.member_id),
                    "checkin.roll_call",
                    "checkin",
                    &id,
                    None,
                )
                .await?;
            }
        }
    }
    let placeholders = sql::placeholders(2, member_ids.len());
    let mut values: Vec<sea_orm::Value> = vec![theme_day_id.into()];
    values.extend(member_ids.iter().map(|id| (*id).into()));
    Ok(checkins_where(
        conn,
        &format!("c.theme_day_id = $1 AND c.member_id IN ({placeholders})"),
        values,
        tz,
    )
    .await?)
}

pub async fn list_checkins(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    tz: Tz,
) -> ApiResult<Vec<Checkin>> {
    managed(conn, caller, theme_day_id).await?;
    Ok(checkins_where(conn, "c.theme_day_id = $1", vec![theme_day_id.into()], tz).await?)
}

/// `GET /theme-days/{id}/attendance`.
pub async fn attendance(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
) -> ApiResult<Attendance> {
    let (model, _) = managed(conn, caller, theme_day_id).await?;
    let expected = participants(conn, model.org_id).await?;
    let statuses: HashMap<i64, String> = checkin::Entity::find()
        .filter(checkin::Column::ThemeDayId.eq(theme_day_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.member_id, c.status))
        .collect();
    let status_of = |id: i64| statuses.get(&id).map(String::as_str);
    #[derive(FromQueryResult)]
    struct Wrong {
        id: i64,
        name: String,
        count: i64,
    }
    let wrong_codes = sql::fetch_all::<Wrong>(
        conn,
        "SELECT m.id, m.name, COUNT(*) AS count FROM checkin_failure f JOIN member m ON m.id = f.member_id \
         WHERE f.theme_day_id = $1 GROUP BY m.id, m.name ORDER BY m.name, m.id",
        [theme_day_id.into()],
    )
    .await?
    .into_iter()
    .map(|w| WrongCodes {
        member: IdName {
            id: w.id,
            name: w.name,
        },
        count: w.count.max(0) as u64,
    })
    .collect();
    Ok(Attendance {
        wrong_codes,
        expected: expected.len() as u64,
        present: expected
            .iter()
            .filter(|p| status_of(p.id) == Some("approved"))
            .count() as u64,
        pending: expected
            .iter()
            .filter(|p| status_of(p.id) == Some("pending"))
            .count() as u64,
        absent: expected
            .into_iter()
            .filter(|p| !matches!(status_of(p.id), Some("approved" | "pending")))
            .map(|p| IdName {
                id: p.id,
                name: p.name,
            })
            .collect(),
    })
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
    Ok(batch.result())
}

/// Check-ins and make-ups (id, member, status, theme day) as the review
/// pipeline sees them: decided by the managers of the theme day's unit.
async fn attendance_candidates<Id>(
    conn: &impl ConnectionTrait,
    rows: Vec<(Id, i64, String, i64)>,
) -> Result<Vec<review::Candidate<Id>>, DbErr> {
    let days: HashSet<i64> = rows.iter().map(|r| r.3).collect();
    let units: HashMap<i64, i64> = theme_day::Entity::find()
        .filter(theme_day::Column::Id.is_in(days))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.org_id))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(id, member_id, status, day)| {
            Some(review::Candidate {
                unit: *units.get(&day)?,
                roles: MANAGERS,
                id,
                member_id,
                status,
            })
        })
        .collect())
}

fn payment_method(code: &str) -> PaymentMethod {
    if code == "transfer" {
        PaymentMethod::Transfer
    } else {
        PaymentMethod::Cash
    }
}

async fn dues_views(
    conn: &impl ConnectionTrait,
    rows: Vec<dues_payment::Model>,
    tz: Tz,
) -> Result<Vec<DuesPayment>, DbErr> {
    let ids: Vec<i64> = rows.iter().map(|r| r.member_id).collect();
    let mut names = HashMap::new();
    for chunk in ids.chunks(500) {
        for m in member::Entity::find()
            .filter(member::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            names.insert(m.id, m.name);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| DuesPayment {
            id: r.id,
            member: IdName {
                id: r.member_id,
                name: names.get(&r.member_id).cloned().unwrap_or_default(),
            },
            month: Month::parse(&r.month).unwrap_or(Month {
                year: 1970,
                month: 1,
            }),
            amount_fen: r.amount_fen,
            method: payment_method(&r.method),
            standard_fen: r.standard_fen,
            at: r.at.with_timezone(&tz).fixed_offset(),
        })
        .collect())
}

/// `POST /theme-days/{id}/dues`: the first "1", paid on site. Recorded
/// (not processed) against the standard computed by the shared tier rules.
pub async fn record_dues(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    req: &DuesPaymentRequest,
    tz: Tz,
) -> ApiResult<DuesPayment> {
    let (model, _) = managed(conn, caller, theme_day_id).await?;
    if !participants(conn, model.org_id)
        .await?
        .iter()
        .any(|p| p.id == req.member_id)
    {
        return Err(ApiError::invalid("member_id", "该党员不参加本次主题党日"));
    }
    if !(1..=10_000_000).contains(&req.amount_fen) {
        return Err(ApiError::invalid(
            "amount_fen",
            "金额须在 0.01 元到 10 万元之间",
        ));
    }
    if req
        .monthly_income_fen
        .is_some_and(|i| !(0..=1_000_000_000).contains(&i))
    {
        return Err(ApiError::invalid("monthly_income_fen", "月收入数额无效"));
    }
    let standard = match (req.basis, req.monthly_income_fen) {
        (Some(basis), income) => Some(dues_standard_fen(basis, income.unwrap_or(0))),
        (None, _) => None,
    };
    let inserted = dues_payment::Entity::insert(dues_payment::ActiveModel {
        member_id: Set(req.member_id),
        month: Set(model.month.clone()),
        amount_fen: Set(req.amount_fen),
        method: Set(match req.method {
            PaymentMethod::Cash => "cash".into(),
            PaymentMethod::Transfer => "transfer".into(),
        }),
        standard_fen: Set(standard),
        theme_day_id: Set(Some(theme_day_id)),
        recorded_by: Set(caller.member_id),
        at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict { .. } => {
            ApiError::conflict("dues_already_recorded", "该党员本月党费已登记")
        }
        other => other,
    })?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "dues.record",
        "dues_payment",
        &inserted.last_insert_id.to_string(),
        None,
    )
    .await?;
    let row = dues_payment::Entity::find_by_id(inserted.last_insert_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(dues_views(conn, vec![row], tz).await?.remove(0))
}

pub async fn list_dues(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    tz: Tz,
) -> ApiResult<Vec<DuesPayment>> {
    let (model, _) = managed(conn, caller, theme_day_id).await?;
    let ids: Vec<i64> = participants(conn, model.org_id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            dues_payment::Entity::find()
                .filter(dues_payment::Column::Month.eq(model.month.clone()))
                .filter(dues_payment::Column::MemberId.is_in(chunk.to_vec()))
                .all(conn)
                .await?,
        );
    }
    rows.sort_by_key(|r| r.id);
    Ok(dues_views(conn, rows, tz).await?)
}

/// `POST /theme-days/{id}/study`: the second "1" done. Secretaries mark
/// anyone expected; a member may mark only themself.
pub async fn mark_study(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    member_ids: &[i64],
) -> ApiResult<u64> {
    let model = theme_day::Entity::find_by_id(theme_day_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let manager = caller.reaches(conn, MANAGERS, model.org_id).await?;
    if !manager {
        if !is_participant(conn, caller.member_id, model.org_id).await? {
            return Err(ApiError::NotFound);
        }
        if member_ids != [caller.member_id] {
            return Err(ApiError::forbidden("只能为自己登记学习"));
        }
    }
    let expected: HashSet<i64> = participants(conn, model.org_id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    if member_ids.is_empty() || member_ids.iter().any(|id| !expected.contains(id)) {
        return Err(ApiError::invalid(
            "member_ids",
            "所选党员须参加本次主题党日",
        ));
    }
    let rows = member_ids.iter().map(|id| study_record::ActiveModel {
        theme_day_id: Set(theme_day_id),
        member_id: Set(*id),
        recorded_by: Set(caller.member_id),
        at: Set(now()),
    });
    let result = study_record::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([
            study_record::Column::ThemeDayId,
            study_record::Column::MemberId,
        ])
        .exec_without_returning(conn)
        .await?;
    Ok(match result {
        TryInsertResult::Inserted(n) => n,
        _ => 0,
    })
}

async fn makeup_views(
    conn: &impl ConnectionTrait,
    rows: Vec<makeup::Model>,
) -> Result<Vec<Makeup>, DbErr> {
    let ids: Vec<i64> = rows.iter().map(|r| r.member_id).collect();
    let mut names = HashMap::new();
    for chunk in ids.chunks(500) {
        for m in member::Entity::find()
            .filter(member::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            names.insert(m.id, m.name);
        }
    }
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
            status: ReviewStatus::from_code(&r.status).unwrap_or(ReviewStatus::Pending),
            reason: r.reason,
        })
        .collect())
}

/// `POST /theme-days/{id}/makeups`: an absentee asks to make up (补课).
pub async fn request_makeup(
    conn: &impl ConnectionTrait,
    auth: &AuthMember,
    theme_day_id: i64,
    req: &MakeupRequest,
    today: NaiveDate,
) -> ApiResult<Makeup> {
    let model = theme_day::Entity::find_by_id(theme_day_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !is_participant(conn, auth.member_id, model.org_id).await? {
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
        .filter(checkin::Column::MemberId.eq(auth.member_id))
        .filter(checkin::Column::Status.is_in(["approved", "pending"]))
        .one(conn)
        .await?;
    if present.is_some() {
        return Err(ApiError::conflict("not_absent", "您已签到，无需补课"));
    }
    let open = makeup::Entity::find()
        .filter(makeup::Column::ThemeDayId.eq(theme_day_id))
        .filter(makeup::Column::MemberId.eq(auth.member_id))
        .filter(makeup::Column::Status.is_in(["approved", "pending"]))
        .one(conn)
        .await?;
    if open.is_some() {
        return Err(ApiError::conflict("makeup_exists", "已有补课申请"));
    }
    let inserted = makeup::Entity::insert(makeup::ActiveModel {
        theme_day_id: Set(theme_day_id),
        member_id: Set(auth.member_id),
        studied: Set(studied.to_owned()),
        studied_on: Set(req.studied_on),
        status: Set("pending".into()),
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
            .map(|r| (r.id, r.member_id, r.status.clone(), r.theme_day_id))
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
            method: Set(CheckinMethod::Makeup.code().into()),
            status: Set(ReviewStatus::Approved.code().into()),
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
    Ok(batch.result())
}

/// `GET /me/attendance?from=&to=`: my theme days with what I did.
pub async fn my_attendance(
    reader: &impl ConnectionTrait,
    member_id: i64,
    from: Month,
    to: Month,
    tz: Tz,
) -> ApiResult<Vec<MyAttendance>> {
    let days = my_theme_days(reader, member_id, from, to, tz).await?;
    let ids: Vec<i64> = days.iter().map(|d| d.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut checkins: HashMap<i64, Checkin> = HashMap::new();
    let placeholders = sql::placeholders(2, ids.len());
    let mut values: Vec<sea_orm::Value> = vec![member_id.into()];
    values.extend(ids.iter().map(|id| (*id).into()));
    for c in checkins_where(
        reader,
        &format!("c.member_id = $1 AND c.theme_day_id IN ({placeholders})"),
        values,
        tz,
    )
    .await?
    {
        checkins.insert(c.theme_day_id, c);
    }
    let studied: HashSet<i64> = study_record::Entity::find()
        .filter(study_record::Column::MemberId.eq(member_id))
        .filter(study_record::Column::ThemeDayId.is_in(ids.clone()))
        .all(reader)
        .await?
        .into_iter()
        .map(|s| s.theme_day_id)
        .collect();
    let dues_rows = dues_payment::Entity::find()
        .filter(dues_payment::Column::MemberId.eq(member_id))
        .all(reader)
        .await?;
    let dues: HashMap<String, DuesPayment> = dues_views(reader, dues_rows, tz)
        .await?
        .into_iter()
        .map(|d| (d.month.to_string(), d))
        .collect();
    let makeup_rows = makeup::Entity::find()
        .filter(makeup::Column::MemberId.eq(member_id))
        .filter(makeup::Column::ThemeDayId.is_in(ids))
        .order_by_asc(makeup::Column::Id)
        .all(reader)
        .await?;
    let mut makeups: HashMap<i64, Makeup> = HashMap::new();
    for m in makeup_views(reader, makeup_rows).await? {
        makeups.insert(m.theme_day_id, m);
    }
    Ok(days
        .into_iter()
        .map(|day| MyAttendance {
            checkin: checkins.remove(&day.id),
            study_done: studied.contains(&day.id),
            dues: dues.get(&Month::of(day.date).to_string()).cloned(),
            makeup: makeups.remove(&day.id),
            theme_day: day,
        })
        .collect())
}

#[derive(FromQueryResult)]
struct HolderCount {
    holder: i64,
    n: i64,
}

#[derive(FromQueryResult)]
struct StatusCount {
    theme_day_id: i64,
    status: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct Link {
    ancestor_id: i64,
    descendant_id: i64,
}

/// `GET /orgs/{id}/attendance?month=`: the month's theme days of every
/// holder below the unit, summed for the unit and for each child.
pub async fn org_attendance(
    reader: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    month: Month,
) -> ApiResult<AttendanceReport> {
    caller.require(reader, MANAGERS, org_id).await?;
    let unit = org_unit::Entity::find_by_id(org_id)
        .one(reader)
        .await?
        .ok_or(ApiError::NotFound)?;
    let holders = holders_in_subtree(reader, org_id).await?;
    let days = theme_days_of(reader, &holders, month).await?;
    let day_of_holder: HashMap<i64, i64> = days.iter().map(|d| (d.org_id, d.id)).collect();

    // Expected members per holder: its own members and party groups, plus
    // a sector committee's approved members.
    let mut expected: HashMap<i64, u64> = HashMap::new();
    for row in sql::fetch_all::<HolderCount>(
        reader,
        "SELECT CASE WHEN o.kind = 'party_group' THEN o.parent_id ELSE o.id END AS holder, COUNT(*) AS n \
         FROM org_closure c JOIN member m ON m.branch_id = c.descendant_id JOIN org_unit o ON o.id = m.branch_id \
         WHERE c.ancestor_id = $1 AND m.status = 'active' \
         GROUP BY CASE WHEN o.kind = 'party_group' THEN o.parent_id ELSE o.id END",
        [org_id.into()],
    )
    .await?
    .into_iter()
    .chain(
        sql::fetch_all::<HolderCount>(
            reader,
            "SELECT s.committee_id AS holder, COUNT(*) AS n FROM org_closure c \
             JOIN sector_membership s ON s.committee_id = c.descendant_id JOIN member m ON m.id = s.member_id \
             WHERE c.ancestor_id = $1 AND s.status = 'approved' AND m.status = 'active' GROUP BY s.committee_id",
            [org_id.into()],
        )
        .await?,
    ) {
        if day_of_holder.contains_key(&row.holder) {
            *expected.entry(row.holder).or_default() += row.n.max(0) as u64;
        }
    }
    let mut counts: HashMap<i64, (u64, u64)> = HashMap::new();
    if !days.is_empty() {
        let ids: Vec<i64> = days.iter().map(|d| d.id).collect();
        for chunk in ids.chunks(500) {
            let query = format!(
                "SELECT theme_day_id, status, COUNT(*) AS n FROM checkin WHERE theme_day_id IN ({}) GROUP BY theme_day_id, status",
                sql::placeholders(1, chunk.len())
            );
            for row in
                sql::fetch_all::<StatusCount>(reader, &query, chunk.iter().map(|id| (*id).into()))
                    .await?
            {
                let entry = counts.entry(row.theme_day_id).or_default();
                match row.status.as_str() {
                    "approved" => entry.0 += row.n.max(0) as u64,
                    "pending" => entry.1 += row.n.max(0) as u64,
                    _ => {}
                }
            }
        }
    }
    let children = org_unit::Entity::find()
        .filter(org_unit::Column::ParentId.eq(org_id))
        .order_by_asc(org_unit::Column::Id)
        .all(reader)
        .await?;
    let mut child_of_holder: BTreeMap<i64, i64> = BTreeMap::new();
    if !children.is_empty() {
        let query = format!(
            "SELECT ancestor_id, descendant_id FROM org_closure WHERE ancestor_id IN ({})",
            sql::placeholders(1, children.len())
        );
        for link in
            sql::fetch_all::<Link>(reader, &query, children.iter().map(|c| c.id.into())).await?
        {
            if day_of_holder.contains_key(&link.descendant_id) {
                child_of_holder.insert(link.descendant_id, link.ancestor_id);
            }
        }
    }
    let row_for = |org: IdName, holders: &mut dyn Iterator<Item = i64>| {
        let mut row = AttendanceRow {
            org,
            theme_days: 0,
            expected: 0,
            present: 0,
            pending: 0,
        };
        for holder in holders {
            let Some(day) = day_of_holder.get(&holder) else {
                continue;
            };
            let (present, pending) = counts.get(day).copied().unwrap_or((0, 0));
            row.theme_days += 1;
            row.expected += expected.get(&holder).copied().unwrap_or(0);
            row.present += present;
            row.pending += pending;
        }
        row
    };
    let total = row_for(
        IdName {
            id: unit.id,
            name: unit.name,
        },
        &mut holders.iter().copied(),
    );
    let rows = children
        .into_iter()
        .map(|c| {
            let mut own = child_of_holder
                .iter()
                .filter(|(_, child)| **child == c.id)
                .map(|(h, _)| *h);
            row_for(
                IdName {
                    id: c.id,
                    name: c.name,
                },
                &mut own,
            )
        })
        .collect();
    Ok(AttendanceReport { month, total, rows })
}
