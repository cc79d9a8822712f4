//! Reminders that help without nagging (docs/api.md, "Notifications"): a
//! durable job queue (`jobs`), the reminders it runs (`reminders`: the
//! theme day the evening before and on the morning, a daily digest of
//! approvals waiting, deadlines of meetings and rectifications), the
//! notification centre with members' opt-ins and quiet hours (`centre`),
//! and delivery by Web Push (`push`) and WeChat subscribe messages
//! (`wechat`). Everything is opt-in; quiet hours defer and never drop; a
//! reminder of a kind comes at most once a day; nothing here is counted as
//! a measure of anyone.

pub mod centre;
pub mod handlers;
pub mod jobs;
pub mod push;
pub mod reminders;
pub mod wechat;

use chrono_tz::Tz;

use crate::auth::wechat::WechatClient;
use crate::config::Settings;

/// What running jobs needs besides the database.
pub struct Context<'a> {
    pub tz: Tz,
    pub settings: &'a Settings,
    pub push: &'a push::PushClient,
    pub wechat: &'a WechatClient,
}
