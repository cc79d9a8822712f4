//! Service logs: a member logs what they did; whoever organised it decides;
//! approved logs are locked and credited; a correction is a new request
//! that, once approved, replaces the original's credit instead of adding.
//!
//! Here logging and corrections; `review` decides them.

mod review;

pub use review::review;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, TryInsertResult,
};
use sha2::{Digest, Sha256};
use zhibu_shared::auth::IdName;
use zhibu_shared::theme_day::Month;
use zhibu_shared::volunteer::{
    LogStatus, MAX_MINUTES_PER_DAY, ServiceKind, ServiceLog, ServiceLogRequest, log_problems,
};

use crate::access::Caller;
use crate::entities::{community, member, service_log};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

#[derive(FromQueryResult)]
struct LogRow {
    id: String,
    member_id: i64,
    member_name: String,
    kind: ServiceKind,
    date: NaiveDate,
    minutes: i32,
    start_minute: Option<i16>,
    community_id: Option<i64>,
    community_name: Option<String>,
    org_id: Option<i64>,
    org_name: Option<String>,
    note: Option<String>,
    status: LogStatus,
    reason: Option<String>,
    corrects_id: Option<String>,
    post_id: Option<i64>,
    post_name: Option<String>,
    helped_member_id: Option<i64>,
    helped_name: Option<String>,
    created_at: DateTime<FixedOffset>,
}

const LOG_SELECT: &str = "SELECT l.id, l.member_id, m.name AS member_name, l.kind, l.date, l.minutes, l.start_minute, \
     l.community_id, c.name AS community_name, l.org_id, o.name AS org_name, l.note, l.status, l.reason, l.corrects_id, \
     l.post_id, p.name AS post_name, l.helped_member_id, h.name AS helped_name, l.created_at \
     FROM service_log l JOIN member m ON m.id = l.member_id \
     LEFT JOIN community c ON c.id = l.community_id LEFT JOIN org_unit o ON o.id = l.org_id \
     LEFT JOIN post p ON p.id = l.post_id LEFT JOIN member h ON h.id = l.helped_member_id";

fn format_start(minute: Option<i16>) -> Option<String> {
    minute.map(|m| format!("{:02}:{:02}", m / 60, m % 60))
}

fn view(r: LogRow, tz: Tz) -> ServiceLog {
    ServiceLog {
        id: r.id,
        member: IdName {
            id: r.member_id,
            name: r.member_name,
        },
        kind: r.kind,
        date: r.date,
        minutes: r.minutes.max(0) as u32,
        start_time: format_start(r.start_minute),
        community: r.community_id.map(|id| IdName {
            id,
            name: r.community_name.unwrap_or_default(),
        }),
        org: r.org_id.map(|id| IdName {
            id,
            name: r.org_name.unwrap_or_default(),
        }),
        note: r.note,
        status: r.status,
        reason: r.reason,
        corrects_id: r.corrects_id,
        post: r.post_id.map(|id| IdName {
            id,
            name: r.post_name.unwrap_or_default(),
        }),
        helped: r.helped_member_id.map(|id| IdName {
            id,
            name: r.helped_name.unwrap_or_default(),
        }),
        created_at: r.created_at.with_timezone(&tz).fixed_offset(),
    }
}

/// Logs matching `condition` (over `l`), in date order.
pub async fn logs_where(
    conn: &impl ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
    tz: Tz,
    limit: Option<usize>,
) -> Result<Vec<ServiceLog>, DbErr> {
    let query = format!(
        "{LOG_SELECT} WHERE {condition} ORDER BY l.date, l.created_at, l.id{}",
        sql::limit(limit)
    );
    Ok(sql::fetch_all::<LogRow>(conn, &query, values)
        .await?
        .into_iter()
        .map(|r| view(r, tz))
        .collect())
}

async fn one_log(conn: &impl ConnectionTrait, id: &str, tz: Tz) -> ApiResult<ServiceLog> {
    logs_where(conn, "l.id = $1", vec![id.into()], tz, None)
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound)
}

fn request_hash(req: &ServiceLogRequest, corrects: Option<&str>) -> String {
    let canonical = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}",
        req.kind.code(),
        req.date,
        req.minutes,
        req.community_id.map(|c| c.to_string()).unwrap_or_default(),
        req.org_id.map(|c| c.to_string()).unwrap_or_default(),
        req.start_time.as_deref().unwrap_or("").trim(),
        req.note.as_deref().unwrap_or("").trim(),
        corrects.unwrap_or("")
    ) + &match (req.post_id, req.helped_member_id) {
        // Logs stored before posts and 帮扶 existed keep their hash.
        (None, None) => String::new(),
        (post, helped) => format!(
            "|{}|{}",
            post.map(|p| p.to_string()).unwrap_or_default(),
            helped.map(|p| p.to_string()).unwrap_or_default()
        ),
    };
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_start(text: &str) -> Option<i16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (i16, i16) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
}

/// Whether `other` is another active member of `member_id`'s branch (its
/// party groups included).
async fn same_branch(
    conn: &impl ConnectionTrait,
    member_id: i64,
    other: i64,
) -> Result<bool, DbErr> {
    if member_id == other {
        return Ok(false);
    }
    let holders = crate::checkins::holders_of_member(conn, member_id).await?;
    let theirs = crate::checkins::holders_of_member(conn, other).await?;
    Ok(member::Entity::find_by_id(other)
        .one(conn)
        .await?
        .is_some_and(|m| m.status == zhibu_shared::org::MemberStatus::Active)
        && holders.iter().any(|h| theirs.contains(h)))
}

/// Whether a log by `member_id` may name `org_id` as the unit that
/// organised it: a unit whose theme days they attend, or a grid (党小组)
/// of such a unit.
async fn may_organise(
    conn: &impl ConnectionTrait,
    member_id: i64,
    org_id: i64,
) -> Result<bool, DbErr> {
    let holders = crate::checkins::holders_of_member(conn, member_id).await?;
    if holders.contains(&org_id) {
        return Ok(true);
    }
    Ok(crate::entities::org_unit::Entity::find_by_id(org_id)
        .one(conn)
        .await?
        .is_some_and(|u| {
            u.kind == zhibu_shared::org::OrgKind::PartyGroup
                && u.dissolved_at.is_none()
                && u.parent_id.is_some_and(|p| holders.contains(&p))
        }))
}

/// The member's branch on `date`, from their branch history.
pub async fn branch_on(
    conn: &impl ConnectionTrait,
    member_id: i64,
    date: NaiveDate,
) -> Result<Option<i64>, DbErr> {
    #[derive(FromQueryResult)]
    struct Branch {
        branch_id: i64,
    }
    let found = sql::fetch_one::<Branch>(
        conn,
        "SELECT branch_id FROM member_branch_history WHERE member_id = $1 AND valid_from <= $2 \
         AND (valid_to IS NULL OR valid_to > $2) ORDER BY valid_from DESC LIMIT 1",
        [member_id.into(), date.into()],
    )
    .await?;
    match found {
        Some(b) => Ok(Some(b.branch_id)),
        None => Ok(member::Entity::find_by_id(member_id)
            .one(conn)
            .await?
            .map(|m| m.branch_id)),
    }
}

/// The checked facts of a new log or correction.
struct Checked {
    start_minute: Option<i16>,
    note: Option<String>,
}

/// Every rule of docs/api.md for a log; all problems at once, as 422.
async fn check(
    conn: &impl ConnectionTrait,
    member_id: i64,
    req: &ServiceLogRequest,
    today: NaiveDate,
    ignore: Option<&str>,
) -> ApiResult<Checked> {
    let mut fields: BTreeMap<String, String> = log_problems(req.minutes, req.date, today)
        .into_iter()
        .map(|(f, m)| (f.to_owned(), m))
        .collect();
    let start_minute = match req
        .start_time
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(text) => match parse_start(text) {
            Some(start) if i32::from(start) + req.minutes as i32 <= 24 * 60 => Some(start),
            Some(_) => {
                fields.insert("start_time".into(), "服务不能跨越午夜，请分两天记录".into());
                None
            }
            None => {
                fields.insert("start_time".into(), "开始时间须写成 HH:MM".into());
                None
            }
        },
    };
    let note = req
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
        fields.insert("note".into(), "备注不能超过 200 字".into());
    }
    if let Some(c) = req.community_id
        && community::Entity::find_by_id(c).one(conn).await?.is_none()
    {
        fields.insert("community_id".into(), "社区不存在".into());
    }
    // The unit that organised it: the member's own, a grid of their branch,
    // or a sector committee they joined — with a community too, when a
    // sector committee's activity was held in one (three ledgers at once).
    if let Some(o) = req.org_id
        && !may_organise(conn, member_id, o).await?
    {
        fields.insert(
            "org_id".into(),
            "只能记录本人所在支部、本支部网格或已加入的行业党委组织的服务".into(),
        );
    }
    if let Some(post) = req.post_id
        && !crate::classes::posts::holds(conn, member_id, post).await?
    {
        fields.insert("post_id".into(), "只能记录本人所在岗位的服务".into());
    }
    if let Some(helped) = req.helped_member_id
        && !same_branch(conn, member_id, helped).await?
    {
        fields.insert("helped_member_id".into(), "帮扶对象须为本支部党员".into());
    }
    if !fields.is_empty() {
        return Err(ApiError::invalid_fields(fields));
    }
    let same_day = service_log::Entity::find()
        .filter(service_log::Column::MemberId.eq(member_id))
        .filter(service_log::Column::Date.eq(req.date))
        .filter(
            service_log::Column::Status
                .is_in([LogStatus::Pending.code(), LogStatus::Approved.code()]),
        )
        .all(conn)
        .await?
        .into_iter()
        .filter(|l| {
            Some(l.id.as_str()) != ignore
                && l.corrects_id.as_deref().is_none_or(|c| Some(c) != ignore)
        })
        .collect::<Vec<_>>();
    let total: u32 = same_day
        .iter()
        .map(|l| l.minutes.max(0) as u32)
        .sum::<u32>()
        + req.minutes;
    if total > MAX_MINUTES_PER_DAY {
        return Err(ApiError::invalid(
            "minutes",
            "当天服务时长合计不能超过 24 小时",
        ));
    }
    for other in &same_day {
        if let (Some(a), Some(b)) = (start_minute, other.start_minute) {
            let (a_end, b_end) = (
                i32::from(a) + req.minutes as i32,
                i32::from(b) + other.minutes,
            );
            if i32::from(a) < b_end && i32::from(b) < a_end {
                return Err(ApiError::invalid(
                    "start_time",
                    "与当天已有的服务记录时间重叠",
                ));
            }
        } else if other.kind == req.kind
            && other.community_id == req.community_id
            && other.org_id == req.org_id
        {
            return Err(ApiError::invalid(
                "date",
                "当天已有同类、同地点的服务记录，请勿重复记录",
            ));
        }
    }
    Ok(Checked { start_minute, note })
}

/// What a log request answers: the row and whether this call created it.
pub struct LogOutcome {
    pub log: ServiceLog,
    pub created: bool,
}

async fn replay(
    conn: &impl ConnectionTrait,
    id: &str,
    member_id: i64,
    hash: &str,
    tz: Tz,
) -> ApiResult<Option<LogOutcome>> {
    match service_log::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
    {
        Some(row) if row.member_id == member_id && row.request_hash == hash => {
            Ok(Some(LogOutcome {
                log: one_log(conn, id, tz).await?,
                created: false,
            }))
        }
        Some(_) => Err(ApiError::conflict(
            "idempotency_conflict",
            "该记录编号已用于另一条不同的记录",
        )),
        None => Ok(None),
    }
}

fn correction_pending() -> ApiError {
    ApiError::conflict("correction_pending", "该记录已有待审核的更正申请")
}

/// `POST /service-logs` (and corrections, with `corrects`), inside the
/// caller's transaction.
pub async fn create(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    req: &ServiceLogRequest,
    corrects: Option<&str>,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<LogOutcome> {
    let id = uuid::Uuid::parse_str(req.id.trim())
        .map_err(|_| ApiError::invalid("id", "记录编号须为 UUID"))?
        .hyphenated()
        .to_string();
    let hash = request_hash(req, corrects);
    // The daily cap and the overlap rule read the member's other logs: no
    // other write about this member may interleave until the insert commits.
    sql::lock_member(conn, caller.member_id).await?;
    if let Some(answer) = replay(conn, &id, caller.member_id, &hash, tz).await? {
        return Ok(answer);
    }
    if let Some(original) = corrects {
        let original = service_log::Entity::find_by_id(original.to_owned())
            .one(conn)
            .await?
            .filter(|l| l.member_id == caller.member_id)
            .ok_or(ApiError::NotFound)?;
        if original.status != LogStatus::Approved {
            return Err(ApiError::conflict(
                "not_approved",
                "只有已通过的记录需要申请更正；待审核的记录请等待审核",
            ));
        }
        // A second pending correction is refused by the unique index on
        // insert (below), not by reading first.
    }
    let checked = check(conn, caller.member_id, req, today, corrects).await?;
    let branch_id = branch_on(conn, caller.member_id, req.date)
        .await?
        .ok_or(ApiError::NotFound)?;
    let inserted = service_log::Entity::insert(service_log::ActiveModel {
        id: Set(id.clone()),
        member_id: Set(caller.member_id),
        kind: Set(req.kind),
        date: Set(req.date),
        month: Set(Month::of(req.date).to_string()),
        minutes: Set(req.minutes as i32),
        start_minute: Set(checked.start_minute),
        community_id: Set(req.community_id),
        org_id: Set(req.org_id),
        branch_id: Set(branch_id),
        note: Set(checked.note),
        status: Set(LogStatus::Pending),
        request_hash: Set(hash.clone()),
        corrects_id: Set(corrects.map(str::to_owned)),
        post_id: Set(req.post_id),
        helped_member_id: Set(req.helped_member_id),
        reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(now()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(conn)
    .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        return match replay(conn, &id, caller.member_id, &hash, tz).await? {
            Some(answer) => Ok(answer),
            // The unique index on pending corrections refused a second one.
            None if corrects.is_some() => Err(correction_pending()),
            None => Err(ApiError::Internal(anyhow::anyhow!(
                "service log conflict without a row"
            ))),
        };
    }
    Ok(LogOutcome {
        log: one_log(conn, &id, tz).await?,
        created: true,
    })
}

/// `GET /me/service-logs`.
pub async fn mine(
    conn: &impl ConnectionTrait,
    member_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    tz: Tz,
) -> ApiResult<Vec<ServiceLog>> {
    Ok(logs_where(
        conn,
        "l.member_id = $1 AND l.date >= $2 AND l.date <= $3",
        vec![member_id.into(), from.into(), to.into()],
        tz,
        None,
    )
    .await?)
}
