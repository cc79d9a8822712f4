//! What the server keeps made ahead of time: the theme days of the coming
//! months, the 三会一课 obligations of the periods under way and the
//! reminders of the coming days. Idempotent,
//! so every server node may run it: at start, hourly, after imports and
//! after units are created.

use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, DbErr};

pub async fn run(conn: &impl ConnectionTrait, tz: Tz) -> Result<(), DbErr> {
    crate::checkins::schedule(conn, tz).await?;
    crate::governance::schedule(conn, crate::time::today(tz)).await?;
    crate::notify::reminders::plan(conn, tz, crate::time::now()).await
}
