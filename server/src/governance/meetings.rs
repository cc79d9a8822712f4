//! The 三会一课 ledger: a branch's meeting records and what it owes. A
//! meeting is recorded offline-safe (the phone's UUID is the idempotency
//! key) and meets the obligation of its kind and period; a theme day can
//! be recorded as the month's assembly or lecture without typing it again.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder,
};
use zhibu_shared::checkin::ReviewStatus;
use zhibu_shared::governance::{
    MAX_ATTENDEES, MAX_MINUTES_CHARS, MAX_PERSON_CHARS, MAX_RECORD_AGE_DAYS, MAX_TOPIC_CHARS,
    Meeting, MeetingKind, MeetingLedger, MeetingRequest, Obligation, Period, Quarter,
};
use zhibu_shared::org::MemberStatus;
use zhibu_shared::theme_day::Month;

use super::tally::{self, Metric};
use super::{
    attachments, client_id, id_name, kept_unit, names, optional_text, request_hash, required_text,
};
use crate::access::Caller;
use crate::entities::{meeting, meeting_attendee, theme_day};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

/// Whether a request created the meeting or found it already recorded.
pub enum Recorded {
    Created(Meeting),
    Replayed(Meeting),
}

/// What a request asks for once the theme day filled the gaps.
struct Filled {
    held_on: NaiveDate,
    topic: String,
    host: String,
    recorder: Option<String>,
    minutes: Option<String>,
    attendees: Vec<i64>,
}

/// `POST /orgs/{id}/meetings`.
pub async fn record(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    req: &MeetingRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Recorded> {
    let unit = kept_unit(conn, caller, org_id).await?;
    let id = client_id(&req.id)?;
    let filled = fill(conn, caller, org_id, req).await?;
    let hash = request_hash(&[
        &org_id.to_string(),
        req.kind.code(),
        &filled.held_on.to_string(),
        &filled.topic,
        &filled.host,
        filled.recorder.as_deref().unwrap_or(""),
        filled.minutes.as_deref().unwrap_or(""),
        &filled
            .attendees
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        &req.theme_day_id.map(|t| t.to_string()).unwrap_or_default(),
    ]);
    if let Some(existing) = meeting::Entity::find_by_id(id.clone()).one(conn).await? {
        if existing.request_hash != hash || existing.org_id != org_id {
            return Err(ApiError::conflict(
                "id_reused",
                "该记录编号已用于另一条会议记录",
            ));
        }
        return Ok(Recorded::Replayed(one(conn, &id, tz).await?));
    }
    validate(conn, org_id, &filled, today).await?;
    let period = req.kind.period_of(filled.held_on).to_string();
    meeting::Entity::insert(meeting::ActiveModel {
        id: Set(id.clone()),
        org_id: Set(unit.id),
        kind: Set(req.kind),
        held_on: Set(filled.held_on),
        period: Set(period.clone()),
        topic: Set(filled.topic.clone()),
        host: Set(filled.host.clone()),
        recorder: Set(filled.recorder.clone()),
        minutes: Set(filled.minutes.clone()),
        theme_day_id: Set(req.theme_day_id),
        request_hash: Set(hash),
        recorded_by: Set(caller.member_id),
        created_at: Set(now()),
    })
    .exec_without_returning(conn)
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict { .. } => {
            ApiError::conflict("already_recorded", "这次主题党日已记为该类会议")
        }
        other => other,
    })?;
    if !filled.attendees.is_empty() {
        for chunk in filled.attendees.chunks(300) {
            meeting_attendee::Entity::insert_many(chunk.iter().map(|m| {
                meeting_attendee::ActiveModel {
                    meeting_id: Set(id.clone()),
                    member_id: Set(*m),
                }
            }))
            .exec_without_returning(conn)
            .await?;
        }
    }
    meet_obligation(conn, org_id, req.kind, &period).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "meeting.record",
        "meeting",
        &id,
        Some(serde_json::json!({"org_id": org_id, "kind": req.kind.code(), "held_on": filled.held_on}).to_string()),
    )
    .await?;
    Ok(Recorded::Created(one(conn, &id, tz).await?))
}

/// Counts a meeting towards its obligation; the first one meets it.
async fn meet_obligation(
    conn: &impl ConnectionTrait,
    org_id: i64,
    kind: MeetingKind,
    period: &str,
) -> ApiResult<()> {
    #[derive(FromQueryResult)]
    struct Count {
        meetings: i32,
    }
    let after = sql::fetch_one::<Count>(
        conn,
        "UPDATE obligation SET meetings = meetings + 1 WHERE org_id = $1 AND kind = $2 AND period = $3 \
         RETURNING meetings",
        [org_id.into(), kind.code().into(), period.into()],
    )
    .await?;
    if after.is_some_and(|c| c.meetings == 1) {
        tally::add(conn, org_id, period, Metric::Met(kind), 1).await?;
    }
    Ok(())
}

/// The request with what a theme day supplies.
async fn fill(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    req: &MeetingRequest,
) -> ApiResult<Filled> {
    let day = match req.theme_day_id {
        Some(day_id) => Some(
            theme_day::Entity::find_by_id(day_id)
                .one(conn)
                .await?
                .filter(|d| d.org_id == org_id)
                .ok_or_else(|| ApiError::invalid("theme_day_id", "不是本支部的主题党日"))?,
        ),
        None => None,
    };
    let held_on = req
        .held_on
        .or(day.as_ref().map(|d| d.date))
        .ok_or_else(|| ApiError::invalid("held_on", "请填写会议日期"))?;
    let topic = match (&req.topic, &day) {
        (Some(topic), _) => required_text("topic", Some(topic), MAX_TOPIC_CHARS, "会议主题")?,
        (None, Some(d)) => {
            let item = d.study_item.trim();
            let topic = if item.is_empty() {
                d.title.trim()
            } else {
                item
            };
            topic.chars().take(MAX_TOPIC_CHARS).collect()
        }
        (None, None) => required_text("topic", None, MAX_TOPIC_CHARS, "会议主题")?,
    };
    let host = match &req.host {
        Some(host) => required_text("host", Some(host), MAX_PERSON_CHARS, "主持人")?,
        None if day.is_some() => names(conn, "member", [caller.member_id])
            .await?
            .remove(&caller.member_id)
            .unwrap_or_default(),
        None => required_text("host", None, MAX_PERSON_CHARS, "主持人")?,
    };
    let attendees = match (&req.attendee_ids, &day) {
        (Some(ids), _) => ids.clone(),
        (None, Some(d)) => present_at(conn, d.id).await?,
        (None, None) => Vec::new(),
    };
    let attendees: Vec<i64> = attendees
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(Filled {
        held_on,
        topic,
        host,
        recorder: optional_text(
            "recorder",
            req.recorder.as_deref(),
            MAX_PERSON_CHARS,
            "记录人",
        )?,
        minutes: optional_text(
            "minutes",
            req.minutes.as_deref(),
            MAX_MINUTES_CHARS,
            "会议记录",
        )?,
        attendees,
    })
}

/// Members whose check-in at a theme day was approved.
async fn present_at(conn: &impl ConnectionTrait, theme_day_id: i64) -> ApiResult<Vec<i64>> {
    #[derive(FromQueryResult)]
    struct Present {
        member_id: i64,
    }
    Ok(sql::fetch_all::<Present>(
        conn,
        &format!(
            "SELECT member_id FROM checkin WHERE theme_day_id = $1 AND status = {} ORDER BY member_id",
            sql::lit(ReviewStatus::Approved)
        ),
        [theme_day_id.into()],
    )
    .await?
    .into_iter()
    .map(|p| p.member_id)
    .collect())
}

async fn validate(
    conn: &impl ConnectionTrait,
    org_id: i64,
    filled: &Filled,
    today: NaiveDate,
) -> ApiResult<()> {
    if filled.held_on > today {
        return Err(ApiError::invalid("held_on", "会议日期不能晚于今天"));
    }
    if filled.held_on < today - Duration::days(MAX_RECORD_AGE_DAYS) {
        return Err(ApiError::invalid(
            "held_on",
            format!("只能补录 {MAX_RECORD_AGE_DAYS} 天内的会议"),
        ));
    }
    if filled.attendees.len() > MAX_ATTENDEES {
        return Err(ApiError::invalid(
            "attendee_ids",
            format!("参会人员最多 {MAX_ATTENDEES} 人"),
        ));
    }
    if filled.attendees.is_empty() {
        return Ok(());
    }
    #[derive(FromQueryResult)]
    struct Hit {
        id: i64,
    }
    let mut found = BTreeSet::new();
    for chunk in filled.attendees.chunks(300) {
        let query = format!(
            "SELECT m.id FROM member m JOIN org_closure c ON c.descendant_id = m.branch_id \
             WHERE c.ancestor_id = $1 AND m.status = {} AND m.id IN ({})",
            sql::lit(MemberStatus::Active),
            sql::placeholders(2, chunk.len())
        );
        let values = std::iter::once(org_id.into()).chain(chunk.iter().map(|m| (*m).into()));
        found.extend(
            sql::fetch_all::<Hit>(conn, &query, values)
                .await?
                .into_iter()
                .map(|h| h.id),
        );
    }
    if found.len() != filled.attendees.len() {
        return Err(ApiError::invalid(
            "attendee_ids",
            "参会人员须为本组织的在册党员",
        ));
    }
    Ok(())
}

/// `GET /orgs/{id}/meetings?from=&to=`: the meetings held and the
/// obligations of the months `from..=to` (at most 24).
pub async fn ledger(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    from: Month,
    to: Month,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<MeetingLedger> {
    super::require_read(conn, caller, org_id, today).await?;
    let unit = super::live_unit(conn, org_id).await?;
    let months = month_range(from, to)?;
    let first = months[0].first_day();
    let last = Period::Month(*months.last().unwrap_or(&to)).last_day();
    let rows = meeting::Entity::find()
        .filter(meeting::Column::OrgId.eq(org_id))
        .filter(meeting::Column::HeldOn.gte(first))
        .filter(meeting::Column::HeldOn.lte(last))
        .order_by_asc(meeting::Column::HeldOn)
        .order_by_asc(meeting::Column::CreatedAt)
        .all(conn)
        .await?;
    let meetings = views(conn, rows, tz).await?;
    let mut periods: Vec<String> = months.iter().map(ToString::to_string).collect();
    let quarters: BTreeSet<String> = months
        .iter()
        .map(|m| Quarter::of_month(*m).to_string())
        .collect();
    periods.extend(quarters);
    #[derive(FromQueryResult)]
    struct Owed {
        kind: MeetingKind,
        period: String,
        meetings: i32,
    }
    let query = format!(
        "SELECT kind, period, meetings FROM obligation WHERE org_id = $1 AND period IN ({})",
        sql::placeholders(2, periods.len())
    );
    let values = std::iter::once(org_id.into()).chain(periods.iter().map(|p| p.as_str().into()));
    let mut due: Vec<Obligation> = sql::fetch_all::<Owed>(conn, &query, values)
        .await?
        .into_iter()
        .filter_map(|o| {
            let period = Period::parse(&o.period)?;
            Some(Obligation {
                kind: o.kind,
                period,
                status: period.status(o.meetings > 0, today),
                meetings: o.meetings.max(0) as u32,
            })
        })
        .collect();
    due.sort_by_key(|o| (o.period.first_day(), o.kind));
    Ok(MeetingLedger {
        org: zhibu_shared::auth::IdName {
            id: unit.id,
            name: unit.name,
        },
        meetings,
        due,
    })
}

/// Months `from..=to`, at most 24.
pub fn month_range(from: Month, to: Month) -> ApiResult<Vec<Month>> {
    if from > to {
        return Err(ApiError::invalid("from", "开始月份不能晚于结束月份"));
    }
    let mut out = Vec::new();
    let mut month = from;
    while month <= to {
        out.push(month);
        if out.len() > 24 {
            return Err(ApiError::invalid("to", "一次最多查询 24 个月"));
        }
        month = month.next();
    }
    Ok(out)
}

/// One meeting as recorded.
pub async fn one(conn: &impl ConnectionTrait, id: &str, tz: Tz) -> ApiResult<Meeting> {
    let row = meeting::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(views(conn, vec![row], tz).await?.remove(0))
}

/// `GET /meetings/{id}` for those who may read the unit's records.
pub async fn get(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Meeting> {
    let row = meeting::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::require_read(conn, caller, row.org_id, today).await?;
    Ok(views(conn, vec![row], tz).await?.remove(0))
}

/// Views of meetings with their attendees and attachments.
pub async fn views(
    conn: &impl ConnectionTrait,
    rows: Vec<meeting::Model>,
    tz: Tz,
) -> ApiResult<Vec<Meeting>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut attendees: HashMap<String, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(300) {
        for a in meeting_attendee::Entity::find()
            .filter(meeting_attendee::Column::MeetingId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            attendees.entry(a.meeting_id).or_default().push(a.member_id);
        }
    }
    let people = names(
        conn,
        "member",
        attendees
            .values()
            .flatten()
            .copied()
            .chain(rows.iter().map(|r| r.recorded_by)),
    )
    .await?;
    let units = names(conn, "org_unit", rows.iter().map(|r| r.org_id)).await?;
    let mut files = attachments::of_owners(conn, attachments::Owner::MEETING, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut present = attendees.remove(&r.id).unwrap_or_default();
            present.sort_by(|a, b| people.get(a).cmp(&people.get(b)).then(a.cmp(b)));
            Meeting {
                period: r.kind.period_of(r.held_on),
                org: id_name(&units, r.org_id),
                attendees: present.into_iter().map(|m| id_name(&people, m)).collect(),
                attachments: files.remove(&r.id).unwrap_or_default(),
                recorded_by: id_name(&people, r.recorded_by),
                created_at: r.created_at.with_timezone(&tz).fixed_offset(),
                id: r.id,
                kind: r.kind,
                held_on: r.held_on,
                topic: r.topic,
                host: r.host,
                recorder: r.recorder,
                minutes: r.minutes,
                theme_day_id: r.theme_day_id,
            }
        })
        .collect())
}
