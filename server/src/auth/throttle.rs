//! Login throttling kept in the database, so every server node sees the
//! same counts: at most 5 failures per phone and 30 per address in any
//! 15 minutes, then 429 with `Retry-After`.
//!
//! An attempt is recorded before the password is checked and forgiven on
//! success, so a burst of concurrent guesses cannot slip past the limit.

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
pub const MAX_FAILURES_PER_IP: u64 = 30;

/// Records an attempt as a failure until proven otherwise; 429 (and the
/// attempt forgotten) when the phone or the address is over its limit.
pub async fn begin_attempt(conn: &impl ConnectionTrait, phone: &str, ip: &str) -> ApiResult<()> {
    let now = now();
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let attempt = login_failure::Entity::insert(login_failure::ActiveModel {
        phone: Set(phone.to_owned()),
        ip: Set(ip.to_owned()),
        at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?
    .last_insert_id;
    for (column, value, limit) in [
        (login_failure::Column::Phone, phone, MAX_FAILURES_PER_PHONE),
        (login_failure::Column::Ip, ip, MAX_FAILURES_PER_IP),
    ] {
        let recent = login_failure::Entity::find()
            .filter(column.eq(value))
            .filter(login_failure::Column::At.gt(since))
            .count(conn)
            .await?;
        if recent > limit {
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
