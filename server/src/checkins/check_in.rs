//! The check-in itself, the busiest call of the month: one read, a share
//! of a group-committed insert, idempotent by the phone's UUID; refused
//! codes are kept for the throttle and the secretary.

use chrono::{DateTime, Duration, FixedOffset};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};
use zhibu_shared::auth::IdName;
use zhibu_shared::checkin::{Checkin, CheckinMethod, CheckinRequest, ReviewStatus};
use zhibu_shared::theme_day::distance_m;

use super::codes::CodeSigner;
use super::{checkins_where, geofence_of, holders_of_member_query};
use crate::auth::AuthToken;
use crate::auth::sessions::{LIVE_SESSION_TABLES, live_session_is};
use crate::entities::{checkin, checkin_failure, theme_day};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

/// How late an offline check-in may arrive.
const OFFLINE_GRACE_HOURS: i64 = 24;
/// How far a phone's clock may run ahead of the server's.
const CLOCK_SKEW_SECS: i64 = 120;
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
         WHERE {} AND t.id = $3 AND t.org_id IN ({})",
        live_session_is(),
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

/// What identifies a check-in body for idempotency. Coordinates are left
/// out on purpose: not even a hash of a location is kept.
pub(super) fn request_hash(theme_day_id: i64, req: &CheckinRequest) -> String {
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
            let mut checkin = checkins_where(conn, "c.id = $1", vec![id.into()], tz, None)
                .await?
                .remove(0);
            // A replay answers exactly what the first answer was.
            checkin.theme_day = None;
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
        let mut first = checkins_where(conn, "c.id = $1", vec![row.id.into()], tz, None)
            .await?
            .remove(0);
        first.theme_day = None;
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
    writes: &super::batch::CheckinWriter,
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
            method,
            status,
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
        theme_day: None,
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
