//! The notification centre: what a member opted in to, their quiet hours,
//! their notifications (newest first, with the unread count) and marking
//! them read. Making a notification stores it for the bell and plans its
//! delivery by push; the push waits out the member's quiet hours when it
//! runs (`after_quiet_hours`), so a change of quiet hours counts too.

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter,
};
use zhibu_shared::notify::JobKind;
use zhibu_shared::notify::{
    MAX_READ_BATCH, Notification, NotificationKind, NotificationPage, NotificationSettings,
    is_quiet, parse_time,
};

use super::jobs::{self, Planned};
use crate::entities::{notification, notification_setting};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

/// The settings of one member; the defaults (nothing on) if never saved.
pub async fn settings(
    conn: &impl ConnectionTrait,
    member_id: i64,
) -> Result<NotificationSettings, DbErr> {
    Ok(notification_setting::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .map(view_settings)
        .unwrap_or_default())
}

/// The settings of several members at once.
pub async fn settings_of(
    conn: &impl ConnectionTrait,
    members: &[i64],
) -> Result<HashMap<i64, NotificationSettings>, DbErr> {
    let mut out = HashMap::new();
    for chunk in members.chunks(500) {
        for row in notification_setting::Entity::find()
            .filter(notification_setting::Column::MemberId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(row.member_id, view_settings(row));
        }
    }
    Ok(out)
}

fn view_settings(row: notification_setting::Model) -> NotificationSettings {
    NotificationSettings {
        theme_day: row.theme_day,
        approvals: row.approvals,
        deadlines: row.deadlines,
        results: row.results,
        quiet_from: row.quiet_from,
        quiet_to: row.quiet_to,
    }
}

/// `PUT /me/notification-settings`.
pub async fn save_settings(
    conn: &impl ConnectionTrait,
    member_id: i64,
    wanted: &NotificationSettings,
) -> ApiResult<NotificationSettings> {
    let mut fields = std::collections::BTreeMap::new();
    for (field, text) in [
        ("quiet_from", &wanted.quiet_from),
        ("quiet_to", &wanted.quiet_to),
    ] {
        if parse_time(text).is_none() {
            fields.insert(field.to_owned(), "时间须写成 HH:MM".to_owned());
        }
    }
    if !fields.is_empty() {
        return Err(ApiError::invalid_fields(fields));
    }
    notification_setting::Entity::insert(notification_setting::ActiveModel {
        member_id: Set(member_id),
        theme_day: Set(wanted.theme_day),
        approvals: Set(wanted.approvals),
        deadlines: Set(wanted.deadlines),
        results: Set(wanted.results),
        quiet_from: Set(wanted.quiet_from.trim().to_owned()),
        quiet_to: Set(wanted.quiet_to.trim().to_owned()),
        updated_at: Set(now()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(notification_setting::Column::MemberId)
            .update_columns([
                notification_setting::Column::ThemeDay,
                notification_setting::Column::Approvals,
                notification_setting::Column::Deadlines,
                notification_setting::Column::Results,
                notification_setting::Column::QuietFrom,
                notification_setting::Column::QuietTo,
                notification_setting::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(settings(conn, member_id).await?)
}

/// The first moment at or after `at` outside the member's quiet hours.
pub fn after_quiet_hours(
    at: DateTime<FixedOffset>,
    settings: &NotificationSettings,
    tz: Tz,
) -> DateTime<FixedOffset> {
    let Some((from, to)) = settings.quiet_hours() else {
        return at;
    };
    let local = at.with_timezone(&tz);
    if !is_quiet(local.time(), from, to) {
        return at;
    }
    // The quiet hours end today, or tomorrow when they started before midnight.
    let mut day = local.date_naive();
    if local.time() >= to {
        day = day.succ_opt().unwrap_or(day);
    }
    tz.from_local_datetime(&day.and_time(to))
        .earliest()
        .map(|t| t.fixed_offset())
        .unwrap_or(at + Duration::hours(8))
}

/// What to tell a member.
pub struct Message {
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub url: String,
}

/// Stores a notification for a member who wants its kind and plans its
/// push. A second reminder of the kind that day is dropped (the unique
/// index decides). Returns the new id, if any.
pub async fn notify(
    conn: &impl ConnectionTrait,
    member_id: i64,
    settings: &NotificationSettings,
    message: &Message,
    day: NaiveDate,
    at: DateTime<FixedOffset>,
) -> Result<Option<i64>, DbErr> {
    if !settings.wants(message.kind) {
        return Ok(None);
    }
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let conflict = if message.kind.is_reminder() {
        " ON CONFLICT (member_id, kind, day) WHERE kind <> 'results' DO NOTHING"
    } else {
        ""
    };
    let inserted = sql::fetch_one::<Id>(
        conn,
        &format!(
            "INSERT INTO notification (member_id, kind, day, title, body, url, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7){conflict} RETURNING id"
        ),
        [
            member_id.into(),
            message.kind.code().into(),
            day.to_string().into(),
            message.title.as_str().into(),
            message.body.as_str().into(),
            message.url.as_str().into(),
            at.into(),
        ],
    )
    .await?;
    let Some(Id { id }) = inserted else {
        return Ok(None);
    };
    if super::push::has_channels(conn, member_id).await? {
        jobs::plan(
            conn,
            &[Planned {
                kind: JobKind::Push,
                key: format!("push:{id}"),
                run_at: at,
                payload: Some(serde_json::json!({"notification_id": id})),
            }],
            at,
        )
        .await?;
    }
    Ok(Some(id))
}

/// Tells the members whose requests a review decided, one notification a
/// member for the batch: how many passed and, for those refused, why.
pub async fn results(
    conn: &impl ConnectionTrait,
    what: &str,
    decided: &[(i64, bool)],
    reason: Option<&str>,
) -> Result<(), DbErr> {
    if decided.is_empty() {
        return Ok(());
    }
    let mut by_member: HashMap<i64, (u32, u32)> = HashMap::new();
    for (member, approved) in decided {
        let entry = by_member.entry(*member).or_default();
        if *approved {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    let members: Vec<i64> = by_member.keys().copied().collect();
    let wanted = settings_of(conn, &members).await?;
    let at = now();
    // Results are not kept to one a day, so the day is only a label.
    let day = at.date_naive();
    for (member, (approved, rejected)) in by_member {
        let Some(settings) = wanted.get(&member) else {
            continue;
        };
        let (title, body) = if rejected == 0 {
            (
                format!("{what}已通过"),
                format!("您的 {approved} 项{what}已审核通过"),
            )
        } else {
            (
                format!("{what}未通过"),
                format!(
                    "您的 {rejected} 项{what}未通过审核{}",
                    reason.map(|r| format!("：{r}")).unwrap_or_default()
                ),
            )
        };
        let message = Message {
            kind: NotificationKind::Results,
            title,
            body,
            url: "/me".to_owned(),
        };
        notify(conn, member, settings, &message, day, at).await?;
    }
    Ok(())
}

/// `GET /me/notifications`: newest first, 50 a page.
pub async fn list(
    conn: &impl ConnectionTrait,
    member_id: i64,
    cursor: Option<i64>,
    tz: Tz,
) -> ApiResult<NotificationPage> {
    const PAGE: u64 = 50;
    let mut query =
        notification::Entity::find().filter(notification::Column::MemberId.eq(member_id));
    if let Some(cursor) = cursor {
        query = query.filter(notification::Column::Id.lt(cursor));
    }
    let rows = sea_orm::QueryOrder::order_by_desc(query, notification::Column::Id)
        .all(conn)
        .await?;
    let more = rows.len() as u64 > PAGE;
    let items: Vec<Notification> = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|n| Notification {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            url: n.url,
            at: n.created_at.with_timezone(&tz).fixed_offset(),
            read: n.read_at.is_some(),
        })
        .collect();
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let unread = sql::fetch_one::<Count>(
        conn,
        "SELECT COUNT(*) AS n FROM notification WHERE member_id = $1 AND read_at IS NULL",
        [member_id.into()],
    )
    .await?
    .map_or(0, |c| c.n);
    Ok(NotificationPage {
        next_cursor: more
            .then(|| items.last().map(|n| n.id.to_string()))
            .flatten(),
        items,
        unread: unread.max(0) as u64,
    })
}

/// `POST /me/notifications/read`: the caller's own; 404 when none of the
/// ids is theirs.
pub async fn mark_read(conn: &impl ConnectionTrait, member_id: i64, ids: &[i64]) -> ApiResult<u64> {
    if ids.is_empty() || ids.len() > MAX_READ_BATCH {
        return Err(ApiError::invalid(
            "ids",
            format!("请选择 1 到 {MAX_READ_BATCH} 条通知"),
        ));
    }
    let query = format!(
        "UPDATE notification SET read_at = $2 WHERE member_id = $1 AND read_at IS NULL AND id IN ({})",
        sql::placeholders(3, ids.len())
    );
    let values = [member_id.into(), now().into()]
        .into_iter()
        .chain(ids.iter().map(|i| (*i).into()));
    let marked = sql::execute(conn, &query, values).await?;
    if marked == 0 {
        // None of them is the caller's unread one: as if none existed.
        let owned = notification::Entity::find()
            .filter(notification::Column::MemberId.eq(member_id))
            .filter(notification::Column::Id.is_in(ids.to_vec()))
            .one(conn)
            .await?;
        if owned.is_none() {
            return Err(ApiError::NotFound);
        }
    }
    Ok(marked)
}
