//! Password and activation-code guessing, throttled in the database so
//! every server node sees the same counts, without handing an attacker a
//! way to lock the owner out:
//!
//! - one phone from one address: 5 failures in 15 minutes, then that
//!   address is refused for that phone (429 with `Retry-After`);
//! - one address: `login_failures_per_ip` failures (100 by default: mobile
//!   carriers put whole towns behind one address);
//! - one phone from anywhere: after 10 failures, tries are spaced 10 s
//!   apart. This slows a guesser with many addresses but never locks the
//!   owner out for longer than a few seconds.
//!
//! An attempt is recorded before the secret is checked and forgiven on
//! success, so a burst of concurrent guesses cannot slip past the limit of
//! its phone and address; it counts against the address and the phone as a
//! whole only once it has failed, so a village logging in at once is not
//! throttled.

use chrono::{DateTime, Duration, FixedOffset};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, IntoCondition},
};

use crate::entities::login_failure;
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_FAILURES_PER_PHONE_AND_ADDRESS: u64 = 5;
pub const SLOW_AFTER_FAILURES_PER_PHONE: u64 = 10;
pub const SLOW_SPACING_SECS: i64 = 10;

#[derive(FromQueryResult)]
struct Counts {
    pair: i64,
    address: i64,
    phone: i64,
}

/// Records an attempt at `phone` from `ip` until proven otherwise; 429
/// (and the attempt forgotten) when a limit is reached. Returns the
/// attempt, to settle with `failed` or `forgive`.
pub async fn begin_attempt(
    conn: &impl ConnectionTrait,
    phone: &str,
    ip: &str,
    per_ip: u64,
) -> ApiResult<i64> {
    let now = now();
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let attempt = login_failure::Entity::insert(login_failure::ActiveModel {
        phone: Set(phone.to_owned()),
        ip: Set(ip.to_owned()),
        at: Set(now),
        failed: Set(false),
        ..Default::default()
    })
    .exec(conn)
    .await?
    .last_insert_id;
    let counts = sql::fetch_one::<Counts>(
        conn,
        "SELECT \
         (SELECT COUNT(*) FROM login_failure WHERE phone = $1 AND ip = $2 AND at > $3) AS pair, \
         (SELECT COUNT(*) FROM login_failure WHERE ip = $2 AND failed = $4 AND at > $3) AS address, \
         (SELECT COUNT(*) FROM login_failure WHERE phone = $1 AND failed = $4 AND at > $3) AS phone",
        [phone.into(), ip.into(), since.into(), true.into()],
    )
    .await?
    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("login throttle counts")))?;
    // The pair's count includes this attempt.
    let refusal = if counts.pair as u64 > MAX_FAILURES_PER_PHONE_AND_ADDRESS {
        let nth = nth_recent(
            conn,
            login_failure::Column::Phone.eq(phone),
            login_failure::Column::Ip.eq(ip),
            MAX_FAILURES_PER_PHONE_AND_ADDRESS,
            since,
        )
        .await?;
        Some(window_left(nth, now))
    } else if counts.address as u64 >= per_ip.max(1) {
        let nth = nth_recent(
            conn,
            login_failure::Column::Ip.eq(ip),
            login_failure::Column::Failed.eq(true),
            per_ip.max(1),
            since,
        )
        .await?;
        Some(window_left(nth, now))
    } else if counts.phone as u64 >= SLOW_AFTER_FAILURES_PER_PHONE {
        let last = nth_recent(
            conn,
            login_failure::Column::Phone.eq(phone),
            login_failure::Column::Failed.eq(true),
            1,
            since,
        )
        .await?;
        last.map(|at| SLOW_SPACING_SECS - (now - at).num_seconds())
            .filter(|left| *left > 0)
    } else {
        None
    };
    if let Some(retry) = refusal {
        login_failure::Entity::delete_by_id(attempt)
            .exec(conn)
            .await?;
        let retry = retry.max(1);
        return Err(ApiError::TooManyRequests {
            retry_after_secs: retry as u64,
            message: if retry < 60 {
                format!("尝试次数过多，请 {retry} 秒后再试")
            } else {
                format!("尝试次数过多，请 {} 分钟后再试", (retry + 59) / 60)
            },
        });
    }
    // Old rows only matter for a window; trimming here keeps the table small.
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lt(now - Duration::days(1)))
        .exec(conn)
        .await?;
    Ok(attempt)
}

/// When the `n`-th most recent matching row was recorded.
async fn nth_recent(
    conn: &impl ConnectionTrait,
    filter: impl IntoCondition,
    and: impl IntoCondition,
    n: u64,
    since: DateTime<FixedOffset>,
) -> Result<Option<DateTime<FixedOffset>>, DbErr> {
    Ok(login_failure::Entity::find()
        .filter(filter)
        .filter(and)
        .filter(login_failure::Column::At.gt(since))
        .order_by_desc(login_failure::Column::At)
        .offset(n.saturating_sub(1))
        .limit(1)
        .one(conn)
        .await?
        .map(|row| row.at))
}

/// Seconds until a row recorded at `at` leaves the window.
fn window_left(at: Option<DateTime<FixedOffset>>, now: DateTime<FixedOffset>) -> i64 {
    at.map(|at| (at + Duration::minutes(WINDOW_MINUTES) - now).num_seconds())
        .unwrap_or(60)
}

/// The attempt failed: it now counts against the address and the phone.
pub async fn failed(conn: &impl ConnectionTrait, attempt: i64) -> Result<(), DbErr> {
    login_failure::Entity::update_many()
        .col_expr(login_failure::Column::Failed, Expr::value(true))
        .filter(login_failure::Column::Id.eq(attempt))
        .exec(conn)
        .await?;
    Ok(())
}

/// A success from an address forgives that address's failures at the
/// phone; an attacker's failures elsewhere keep counting.
pub async fn forgive(conn: &impl ConnectionTrait, phone: &str, ip: &str) -> Result<(), DbErr> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Phone.eq(phone))
        .filter(login_failure::Column::Ip.eq(ip))
        .exec(conn)
        .await?;
    Ok(())
}
