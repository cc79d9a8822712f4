//! Theme Party Days (主题党日, "1+1+N") and check-in, one module per thing a
//! secretary or member does: the schedule, the theme day itself, the
//! check-in, roll-call and review, dues, the study item, make-ups and
//! attendance. This module holds what they share: who attends a theme day,
//! who manages it, and its API views.

pub mod attendance;
pub mod batch;
pub mod check_in;
pub mod codes;
pub mod dues;
pub mod handlers;
pub mod makeups;
pub mod roll_call;
pub mod schedule;
pub mod study;
pub mod theme_days;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter};
use zhibu_shared::auth::IdName;
use zhibu_shared::checkin::{
    Checkin, CheckinMethod, Geofence, ReviewStatus, ThemeDay, ThemeDayRef, ThemeDayStatus,
};
use zhibu_shared::org::{MemberStatus, OrgKind};
use zhibu_shared::theme_day::Month;
use zhibu_shared::volunteer::LogStatus;

use crate::access::{Caller, MANAGERS};
use crate::entities::{org_unit, theme_day};
use crate::error::{ApiError, ApiResult};
use crate::review;
use crate::sql;
use crate::time::now;
pub use attendance::{attendance, my_attendance, org_attendance};
pub use check_in::{CheckinOutcome, MAX_WRONG_CODES, WRONG_CODE_WINDOW_MINUTES, check_in};
pub use dues::{list_dues, record_dues};
pub use makeups::{list_makeups, request_makeup, review_makeups};
pub use roll_call::{list_checkins, review_checkins, roll_call};
use schedule::holder_kind_list;
pub use schedule::{
    HOLDER_KINDS, SCHEDULED_MONTHS_AHEAD, ensure_theme_days, schedule, theme_days_of,
};
pub use study::mark_study;
pub use theme_days::{current_code, get_theme_day, my_theme_days, org_theme_days, patch_theme_day};

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
        "SELECT CASE WHEN o.kind = {group} THEN o.parent_id ELSE o.id END AS id \
         FROM member m JOIN org_unit o ON o.id = m.branch_id WHERE m.id = {member} \
         AND (o.kind IN ({kinds}) OR o.kind = {group}) \
         UNION SELECT committee_id AS id FROM sector_membership WHERE member_id = {member} AND status = {approved}",
        kinds = holder_kind_list(),
        group = sql::lit(OrgKind::PartyGroup),
        approved = sql::lit(LogStatus::Approved)
    )
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
        &format!(
            "SELECT p.id, p.name FROM ( \
             SELECT m.id AS id, m.name AS name FROM member m JOIN org_unit o ON o.id = m.branch_id \
             WHERE m.status = {active} AND (m.branch_id = $1 OR (o.kind = {group} AND o.parent_id = $1)) \
             UNION SELECT m.id AS id, m.name AS name FROM sector_membership s JOIN member m ON m.id = s.member_id \
             WHERE s.committee_id = $1 AND s.status = {approved} AND m.status = {active}) p ORDER BY p.id",
            active = sql::lit(MemberStatus::Active),
            group = sql::lit(OrgKind::PartyGroup),
            approved = sql::lit(LogStatus::Approved)
        ),
        [holder.into()],
    )
    .await
}

/// The ids of the members expected at a holding unit's theme days.
pub async fn expected_members(conn: &impl ConnectionTrait, holder: i64) -> Result<Vec<i64>, DbErr> {
    Ok(participants(conn, holder)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
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

#[derive(FromQueryResult)]
struct CheckinRow {
    id: String,
    theme_day_id: i64,
    member_id: i64,
    member_name: String,
    method: CheckinMethod,
    status: ReviewStatus,
    at: DateTime<FixedOffset>,
    client_time: Option<DateTime<FixedOffset>>,
    reason: Option<String>,
    day_date: chrono::NaiveDate,
    day_title: String,
    day_org_id: i64,
    day_org_name: String,
}

fn checkin_view(r: CheckinRow, tz: Tz) -> Checkin {
    Checkin {
        id: r.id,
        theme_day_id: r.theme_day_id,
        member: IdName {
            id: r.member_id,
            name: r.member_name,
        },
        method: r.method,
        status: r.status,
        at: r.at.with_timezone(&tz).fixed_offset(),
        claimed_at: r.client_time.map(|c| c.with_timezone(&tz).fixed_offset()),
        reason: r.reason,
        theme_day: Some(ThemeDayRef {
            id: r.theme_day_id,
            date: r.day_date,
            title: r.day_title,
            org: IdName {
                id: r.day_org_id,
                name: r.day_org_name,
            },
        }),
    }
}

const CHECKIN_SELECT: &str = "SELECT c.id, c.theme_day_id, c.member_id, m.name AS member_name, c.method, c.status, c.at, c.client_time, c.reason, \
     td.date AS day_date, td.title AS day_title, td.org_id AS day_org_id, tdo.name AS day_org_name \
     FROM checkin c JOIN member m ON m.id = c.member_id \
     JOIN theme_day td ON td.id = c.theme_day_id JOIN org_unit tdo ON tdo.id = td.org_id";

pub async fn checkins_where(
    conn: &impl ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
    tz: Tz,
    limit: Option<usize>,
) -> Result<Vec<Checkin>, DbErr> {
    let query = format!(
        "{CHECKIN_SELECT} WHERE {condition} ORDER BY c.at, c.id{}",
        sql::limit(limit)
    );
    Ok(sql::fetch_all::<CheckinRow>(conn, &query, values)
        .await?
        .into_iter()
        .map(|r| checkin_view(r, tz))
        .collect())
}

/// Check-ins and make-ups (id, member, status, theme day) as the review
/// pipeline sees them: decided by the managers of the theme day's unit.
async fn attendance_candidates<Id>(
    conn: &impl ConnectionTrait,
    rows: Vec<(Id, i64, ReviewStatus, i64)>,
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
                pending: status == ReviewStatus::Pending,
            })
        })
        .collect())
}

/// The names of members, by id, for views of their records.
async fn member_names(
    conn: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>, DbErr> {
    let ids: Vec<i64> = ids.collect();
    let mut names = HashMap::new();
    for chunk in ids.chunks(500) {
        for m in crate::entities::member::Entity::find()
            .filter(crate::entities::member::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            names.insert(m.id, m.name);
        }
    }
    Ok(names)
}
