//! The reminders: what is planned (by the scheduler, idempotently) and
//! what each job does when it runs. The theme day the evening before
//! (18:00) and on the morning (07:30); one digest a day (09:00) for each
//! reviewer with approvals waiting; one a day for secretaries whose
//! rectifications or meetings fall due within a week. Never a reminder of
//! what a member did not do: only what is coming.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter};
use serde::Deserialize;
use zhibu_shared::governance::{MeetingKind, Period, ProblemStatus, Quarter};
use zhibu_shared::notify::{JobKind, NotificationKind};
use zhibu_shared::org::Role;
use zhibu_shared::theme_day::Month;

use super::Context;
use super::centre::{self, Message};
use super::jobs::Planned;
use crate::access::{Caller, Grant};
use crate::entities::{job, notification, role_grant, theme_day};
use crate::sql;

/// When the reminders go out, in the county's time.
pub const EVE_AT: (u32, u32) = (18, 0);
pub const MORNING_AT: (u32, u32) = (7, 30);
pub const DIGEST_AT: (u32, u32) = (9, 0);
/// How far ahead deadlines are announced.
pub const DEADLINE_DAYS: i64 = 7;

fn local(tz: Tz, date: NaiveDate, (h, m): (u32, u32)) -> DateTime<FixedOffset> {
    let time = NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    tz.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.fixed_offset())
        .unwrap_or_else(|| crate::time::start_of_day(date, tz))
}

#[derive(Debug, Deserialize)]
struct DayPayload {
    theme_day_id: i64,
    date: NaiveDate,
}

#[derive(Debug, Deserialize)]
struct DigestPayload {
    date: NaiveDate,
}

#[derive(Debug, Deserialize)]
struct PushPayload {
    notification_id: i64,
}

/// Plans the reminders of the coming days. Idempotent (the job keys).
pub async fn plan(
    conn: &impl ConnectionTrait,
    tz: Tz,
    now: DateTime<FixedOffset>,
) -> Result<(), sea_orm::DbErr> {
    let today = now.with_timezone(&tz).date_naive();
    let soon = today + Duration::days(2);
    #[derive(FromQueryResult)]
    struct Day {
        id: i64,
        date: NaiveDate,
    }
    // Only the days not planned yet: every server start and every new unit
    // runs this pass, and a province holds 100,000 theme days in the week
    // of the first Thursday. The insert below stays idempotent by its keys.
    let planned_key = |kind: JobKind| {
        format!(
            "SELECT 1 FROM job j WHERE j.key = '{kind}:' || CAST(d.id AS TEXT) || ':' || CAST(d.date AS TEXT)",
            kind = kind.code()
        )
    };
    let days = sql::fetch_all::<Day>(
        conn,
        &format!(
            "SELECT d.id, d.date FROM theme_day d WHERE d.date >= $1 AND d.date <= $2 \
             AND (NOT EXISTS ({}) OR NOT EXISTS ({}))",
            planned_key(JobKind::ThemeDayEve),
            planned_key(JobKind::ThemeDayMorning)
        ),
        [today.into(), soon.into()],
    )
    .await?;
    let mut planned = Vec::new();
    for day in days {
        let payload = serde_json::json!({"theme_day_id": day.id, "date": day.date});
        planned.push(Planned {
            kind: JobKind::ThemeDayEve,
            key: format!("{}:{}:{}", JobKind::ThemeDayEve.code(), day.id, day.date),
            run_at: local(tz, day.date - Duration::days(1), EVE_AT),
            payload: Some(payload.clone()),
        });
        planned.push(Planned {
            kind: JobKind::ThemeDayMorning,
            key: format!(
                "{}:{}:{}",
                JobKind::ThemeDayMorning.code(),
                day.id,
                day.date
            ),
            run_at: local(tz, day.date, MORNING_AT),
            payload: Some(payload),
        });
    }
    for date in [today, today + Duration::days(1)] {
        let payload = Some(serde_json::json!({"date": date}));
        planned.push(Planned {
            kind: JobKind::ApprovalsDigest,
            key: format!("approvals_digest:{date}"),
            run_at: local(tz, date, DIGEST_AT),
            payload: payload.clone(),
        });
        planned.push(Planned {
            kind: JobKind::Deadlines,
            key: format!("deadlines:{date}"),
            run_at: local(tz, date, DIGEST_AT),
            payload,
        });
    }
    super::jobs::plan(conn, &planned, now).await?;
    Ok(())
}

fn payload<T: for<'de> Deserialize<'de>>(job: &job::Model) -> anyhow::Result<T> {
    let text = job.payload.as_deref().unwrap_or("null");
    serde_json::from_str(text).map_err(|e| anyhow::anyhow!("job {} payload {text:?}: {e}", job.id))
}

/// Delivers one notification by push and WeChat (a push job). Runs with
/// no transaction open: each write is its own statement, and a consent
/// spent on a failed send is given back.
pub async fn deliver(
    db: &crate::db::Db,
    context: &Context<'_>,
    job: &job::Model,
    now: DateTime<FixedOffset>,
) -> anyhow::Result<Option<Outcome>> {
    let PushPayload { notification_id } = payload(job)?;
    let Some(note) = notification::Entity::find_by_id(notification_id)
        .one(db.writer())
        .await?
    else {
        return Ok(Some(Outcome::Done));
    };
    // Quiet hours defer a push, never drop it.
    let settings = centre::settings(db.writer(), note.member_id).await?;
    let when = centre::after_quiet_hours(now, &settings, context.tz);
    if when > now {
        return Ok(Some(Outcome::Deferred(when)));
    }
    super::push::send(db.writer(), context.push, &note).await?;
    super::wechat::send(
        db.writer(),
        context.wechat,
        context.settings,
        &note,
        context.tz,
    )
    .await?;
    Ok(Some(Outcome::Done))
}

/// What running a job came to.
pub enum Outcome {
    Done,
    /// Not now (the member's quiet hours): run it again then.
    Deferred(DateTime<FixedOffset>),
}

/// Runs one job inside the caller's transaction.
pub async fn run(
    conn: &impl ConnectionTrait,
    context: &Context<'_>,
    job: &job::Model,
    now: DateTime<FixedOffset>,
) -> anyhow::Result<Outcome> {
    match job.kind {
        JobKind::ThemeDayEve | JobKind::ThemeDayMorning => {
            theme_day(
                conn,
                context,
                payload(job)?,
                job.kind == JobKind::ThemeDayEve,
                now,
            )
            .await?
        }
        JobKind::ApprovalsDigest => {
            approvals(conn, context, payload::<DigestPayload>(job)?.date, now).await?
        }
        JobKind::Deadlines => deadlines(conn, payload::<DigestPayload>(job)?.date, now).await?,
        // Delivered by `deliver`, outside a transaction.
        JobKind::Push => anyhow::bail!("a push job runs through deliver"),
    }
    Ok(Outcome::Done)
}

async fn theme_day(
    conn: &impl ConnectionTrait,
    context: &Context<'_>,
    plan: DayPayload,
    eve: bool,
    now: DateTime<FixedOffset>,
) -> anyhow::Result<()> {
    let Some(day) = theme_day::Entity::find_by_id(plan.theme_day_id)
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    // A day moved since it was planned has reminders of its own; one over
    // already needs none.
    if day.date != plan.date || now > day.ends_at {
        return Ok(());
    }
    let tz = context.tz;
    let members = crate::checkins::expected_members(conn, day.org_id).await?;
    let wanted = centre::settings_of(conn, &members).await?;
    let starts = day.starts_at.with_timezone(&tz);
    let when = format!(
        "{}月{}日 {}",
        starts.format("%-m"),
        starts.format("%-d"),
        starts.format("%H:%M")
    );
    let place = if day.location.trim().is_empty() {
        String::new()
    } else {
        format!("，{}", day.location.trim())
    };
    let message = Message {
        kind: NotificationKind::ThemeDay,
        title: if eve {
            "明天是主题党日".to_owned()
        } else {
            "今天是主题党日".to_owned()
        },
        body: format!("{when}{place}：{}", day.title),
        url: "/checkin".to_owned(),
    };
    let today = now.with_timezone(&tz).date_naive();
    for member in members {
        if let Some(settings) = wanted.get(&member) {
            centre::notify(conn, member, settings, &message, today, now).await?;
        }
    }
    Ok(())
}

/// Members with a setting on, and the roles they hold.
async fn opted_in(
    conn: &impl ConnectionTrait,
    column: &str,
    roles: &[Role],
) -> anyhow::Result<BTreeMap<i64, Vec<Grant>>> {
    #[derive(FromQueryResult)]
    struct Row {
        member_id: i64,
    }
    let members: Vec<i64> = sql::fetch_all::<Row>(
        conn,
        &format!(
            "SELECT DISTINCT g.member_id FROM role_grant g JOIN notification_setting s ON s.member_id = g.member_id \
             WHERE s.{column} = TRUE ORDER BY g.member_id"
        ),
        [],
    )
    .await?
    .into_iter()
    .map(|r| r.member_id)
    .collect();
    let mut out: BTreeMap<i64, Vec<Grant>> = BTreeMap::new();
    for chunk in members.chunks(500) {
        for g in role_grant::Entity::find()
            .filter(role_grant::Column::MemberId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            if roles.contains(&g.role) {
                out.entry(g.member_id).or_default().push(Grant {
                    role: g.role,
                    org_id: g.org_id,
                });
            }
        }
    }
    Ok(out)
}

async fn approvals(
    conn: &impl ConnectionTrait,
    context: &Context<'_>,
    date: NaiveDate,
    now: DateTime<FixedOffset>,
) -> anyhow::Result<()> {
    let tz = context.tz;
    let reviewers = opted_in(conn, "approvals", Role::ALL).await?;
    let members: Vec<i64> = reviewers.keys().copied().collect();
    let wanted = centre::settings_of(conn, &members).await?;
    for (member, grants) in reviewers {
        let caller = Caller {
            member_id: member,
            branch_id: 0,
            grants,
        };
        let query = crate::volunteer::inbox::InboxQuery {
            kind: None,
            limit: crate::params::MAX_PAGE as usize,
            cursor: None,
        };
        let inbox = crate::volunteer::inbox::pending(conn, &caller, &query, tz)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let waiting = inbox.checkins.len()
            + inbox.service_logs.len()
            + inbox.community_reports.len()
            + inbox.sector_memberships.len();
        if waiting == 0 {
            continue;
        }
        let Some(settings) = wanted.get(&member) else {
            continue;
        };
        let message = Message {
            kind: NotificationKind::Approvals,
            title: "有待审核的事项".to_owned(),
            body: if inbox.has_more() {
                format!("{waiting} 多项等待您审核")
            } else {
                format!("共 {waiting} 项等待您审核")
            },
            url: "/review".to_owned(),
        };
        centre::notify(conn, member, settings, &message, date, now).await?;
    }
    Ok(())
}

async fn deadlines(
    conn: &impl ConnectionTrait,
    date: NaiveDate,
    now: DateTime<FixedOffset>,
) -> anyhow::Result<()> {
    let secretaries = opted_in(conn, "deadlines", crate::governance::problems::RECTIFIERS).await?;
    let members: Vec<i64> = secretaries.keys().copied().collect();
    let wanted = centre::settings_of(conn, &members).await?;
    let until = date + Duration::days(DEADLINE_DAYS);
    for (member, grants) in secretaries {
        let mut lines = Vec::new();
        let mut first_unit = None;
        for grant in &grants {
            let problems = due_problems(conn, grant.org_id, until).await?;
            let meetings = due_meetings(conn, grant.org_id, date, until).await?;
            if problems == 0 && meetings.is_empty() {
                continue;
            }
            first_unit.get_or_insert(grant.org_id);
            if problems > 0 {
                lines.push(format!("{problems} 项整改将于 {DEADLINE_DAYS} 天内到期"));
            }
            for (kind, last) in meetings {
                lines.push(format!(
                    "{}须在{}月{}日前开展",
                    kind.zh(),
                    last.format("%-m"),
                    last.format("%-d")
                ));
            }
        }
        let (Some(unit), Some(settings)) = (first_unit, wanted.get(&member)) else {
            continue;
        };
        lines.dedup();
        let message = Message {
            kind: NotificationKind::Deadlines,
            title: "近期到期事项".to_owned(),
            body: lines.join("；"),
            url: format!("/orgs/{unit}"),
        };
        centre::notify(conn, member, settings, &message, date, now).await?;
    }
    Ok(())
}

/// Open or reopened problems of a unit due by `until` (overdue ones too).
async fn due_problems(
    conn: &impl ConnectionTrait,
    org_id: i64,
    until: NaiveDate,
) -> anyhow::Result<i64> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    Ok(sql::fetch_one::<Count>(
        conn,
        &format!(
            "SELECT COUNT(*) AS n FROM problem WHERE org_id = $1 AND status IN ({}) AND deadline <= $2",
            sql::lits(&[ProblemStatus::Open, ProblemStatus::Reopened])
        ),
        [org_id.into(), until.into()],
    )
    .await?
    .map_or(0, |c| c.n))
}

/// Meetings a unit still owes in periods ending by `until`.
async fn due_meetings(
    conn: &impl ConnectionTrait,
    org_id: i64,
    today: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<Vec<(MeetingKind, NaiveDate)>> {
    let periods = [
        Period::Month(Month::of(today)),
        Period::Quarter(Quarter::of(today)),
    ];
    #[derive(FromQueryResult)]
    struct Owed {
        kind: MeetingKind,
        period: String,
    }
    let owed = sql::fetch_all::<Owed>(
        conn,
        "SELECT kind, period FROM obligation WHERE org_id = $1 AND meetings = 0 AND period IN ($2, $3) ORDER BY period, kind",
        [
            org_id.into(),
            periods[0].to_string().into(),
            periods[1].to_string().into(),
        ],
    )
    .await?;
    let mut out: HashMap<MeetingKind, NaiveDate> = HashMap::new();
    for o in owed {
        if let Some(period) = Period::parse(&o.period)
            && period.last_day() <= until
        {
            out.insert(o.kind, period.last_day());
        }
    }
    let mut out: Vec<(MeetingKind, NaiveDate)> = out.into_iter().collect();
    out.sort();
    Ok(out)
}
