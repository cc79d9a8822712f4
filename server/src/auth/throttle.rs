//! Login throttling kept in the database, so every server node sees the
//! same counts: at most 5 failures per phone and (by default) 100 per
//! address in any 15 minutes, then 429 with `Retry-After`. The address
//! limit is generous because mobile carriers put whole towns behind one
//! address.
//!
//! An attempt is recorded against the phone before the password is checked
//! and forgiven on success, so a burst of concurrent guesses at one account
//! cannot slip past its limit. It counts against the address only once it
//! has failed, so a village logging in at once is not throttled.

use chrono::Duration;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::login_failure;
use crate::error::{ApiError, ApiResult};
use crate::time::now;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_FAILURES_PER_PHONE: u64 = 5;

/// Records an attempt as a failure of the phone until proven otherwise;
/// 429 (and the attempt forgotten) when the phone or the address is over
/// its limit. Returns the attempt, to settle with `failed` or `forgive`.
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
        // The address is filled in when the attempt has failed.
        ip: Set(String::new()),
        at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?
    .last_insert_id;
    // The phone's count includes this attempt; the address's does not.
    for (column, value, limit, counted) in [
        (
            login_failure::Column::Phone,
            phone,
            MAX_FAILURES_PER_PHONE,
            1,
        ),
        (login_failure::Column::Ip, ip, per_ip.max(1), 0),
    ] {
        let recent = login_failure::Entity::find()
            .filter(column.eq(value))
            .filter(login_failure::Column::At.gt(since))
            .count(conn)
            .await?;
        if recent >= limit + counted {
            login_failure::Entity::delete_by_id(attempt)
                .exec(conn)
                .await?;
            // The limit-th most recent failure decides when a try is allowed again.
            let nth = login_failure::Entity::find()
                .filter(column.eq(value))
                .filter(login_failure::Column::At.gt(since))
                .order_by_desc(login_failure::Column::At)
                .offset(limit - 1)
                .limit(1)
                .one(conn)
                .await?;
            let retry = nth
                .map(|f| (f.at + Duration::minutes(WINDOW_MINUTES) - now).num_seconds())
                .unwrap_or(60)
                .max(1);
            return Err(ApiError::TooManyRequests {
                retry_after_secs: retry as u64,
                message: format!("登录失败次数过多，请 {} 分钟后再试", (retry + 59) / 60),
            });
        }
    }
    // Old rows only matter for a window; trimming here keeps the table small.
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lt(now - Duration::days(1)))
        .exec(conn)
        .await?;
    Ok(attempt)
}

/// The attempt failed: it now counts against the address too.
pub async fn failed(conn: &impl ConnectionTrait, attempt: i64, ip: &str) -> Result<(), DbErr> {
    login_failure::Entity::update_many()
        .col_expr(
            login_failure::Column::Ip,
            sea_orm::sea_query::Expr::value(ip),
        )
        .filter(login_failure::Column::Id.eq(attempt))
        .exec(conn)
        .await?;
    Ok(())
}

/// A successful login forgives the phone's failures, this attempt included.
pub async fn forgive(conn: &impl ConnectionTrait, phone: &str) -> Result<(), DbErr> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Phone.eq(phone))
        .exec(conn)
        .await?;
    Ok(())
}
