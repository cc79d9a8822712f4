//! Reminders and the notification centre on the wire (docs/api.md,
//! "Notifications"), and the rules both sides need: quiet hours and what a
//! member has opted in to. Reminders help, never nag: everything is opt-in,
//! quiet hours defer and never drop, at most one reminder of a kind a day.

use chrono::{DateTime, FixedOffset, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::vocabulary::vocabulary;

vocabulary! {
    /// What a notification is about; each is opted in to separately.
    NotificationKind {
        ThemeDay = "theme_day", "主题党日提醒";
        Approvals = "approvals", "待审核汇总";
        Deadlines = "deadlines", "到期提醒";
        Results = "results", "审核结果";
    }
}

impl NotificationKind {
    /// Reminders come at most once a day; results come when decided.
    pub fn is_reminder(self) -> bool {
        self != NotificationKind::Results
    }
}

vocabulary! {
    /// Work the server does at a given time.
    JobKind {
        ThemeDayEve = "theme_day_eve", "主题党日前一晚提醒";
        ThemeDayMorning = "theme_day_morning", "主题党日当天提醒";
        ApprovalsDigest = "approvals_digest", "待审核汇总";
        Deadlines = "deadlines", "到期提醒";
        Push = "push", "推送";
    }
}

vocabulary! {
    /// Where a job stands.
    JobStatus {
        Due = "due", "待执行";
        Done = "done", "已完成";
        Failed = "failed", "已失败";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    /// A path of the app to open.
    pub url: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<FixedOffset>,
    pub read: bool,
}

/// `GET /me/notifications`: newest first, in pages, with the unread count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub unread: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST /me/notifications/read`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadRequest {
    pub ids: Vec<i64>,
}

/// Most notifications one read request names.
pub const MAX_READ_BATCH: usize = 200;

/// What a member has opted in to, and their quiet hours (`HH:MM` in the
/// county's time zone). Everything is off until the member turns it on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationSettings {
    pub theme_day: bool,
    pub approvals: bool,
    pub deadlines: bool,
    pub results: bool,
    pub quiet_from: String,
    pub quiet_to: String,
}

pub const DEFAULT_QUIET_FROM: &str = "22:00";
pub const DEFAULT_QUIET_TO: &str = "07:00";

impl Default for NotificationSettings {
    fn default() -> NotificationSettings {
        NotificationSettings {
            theme_day: false,
            approvals: false,
            deadlines: false,
            results: false,
            quiet_from: DEFAULT_QUIET_FROM.to_owned(),
            quiet_to: DEFAULT_QUIET_TO.to_owned(),
        }
    }
}

impl NotificationSettings {
    pub fn wants(&self, kind: NotificationKind) -> bool {
        match kind {
            NotificationKind::ThemeDay => self.theme_day,
            NotificationKind::Approvals => self.approvals,
            NotificationKind::Deadlines => self.deadlines,
            NotificationKind::Results => self.results,
        }
    }

    /// The quiet hours, when both ends are valid `HH:MM` times.
    pub fn quiet_hours(&self) -> Option<(NaiveTime, NaiveTime)> {
        Some((parse_time(&self.quiet_from)?, parse_time(&self.quiet_to)?))
    }
}

/// `HH:MM`, 00:00–23:59.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// Whether `at` (a time of day) falls in the quiet hours `from..to`,
/// which may wrap past midnight (22:00–07:00). Equal ends: no quiet hours.
pub fn is_quiet(at: NaiveTime, from: NaiveTime, to: NaiveTime) -> bool {
    if from == to {
        false
    } else if from < to {
        at >= from && at < to
    } else {
        at >= from || at < to
    }
}

/// `POST /me/push-subscriptions`: what `pushManager.subscribe` gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushSubscriptionRequest {
    pub endpoint: String,
    pub keys: PushKeys,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushKeys {
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The shared authentication secret, base64url.
    pub auth: String,
}

/// `GET /push/vapid-public-key`: the server's application server key for
/// `pushManager.subscribe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VapidKey {
    /// Uncompressed P-256 point, base64url without padding.
    pub public_key: String,
}

/// `POST /me/wechat-consents`: the mini-program's `wx.requestSubscribeMessage`
/// answered "accept" for this template: one message may be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WechatConsentRequest {
    pub template_id: String,
}

/// A job as the organisation department sees it (`GET /admin/jobs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Job {
    pub id: i64,
    pub kind: JobKind,
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub run_at: DateTime<FixedOffset>,
    pub status: JobStatus,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub done_at: Option<DateTime<FixedOffset>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> NaiveTime {
        parse_time(text).unwrap()
    }

    #[test]
    fn quiet_hours_wrap_past_midnight() {
        let (from, to) = (t("22:00"), t("07:00"));
        assert!(is_quiet(t("22:00"), from, to));
        assert!(is_quiet(t("03:15"), from, to));
        assert!(!is_quiet(t("07:00"), from, to));
        assert!(!is_quiet(t("18:00"), from, to));
        assert!(is_quiet(t("13:00"), t("12:00"), t("14:00")));
        assert!(!is_quiet(t("03:00"), t("08:00"), t("08:00")));
    }

    #[test]
    fn times_are_written_hh_mm() {
        assert!(parse_time("7:00").is_none());
        assert!(parse_time("24:00").is_none());
        assert!(parse_time("07:60").is_none());
        assert_eq!(parse_time("07:05"), NaiveTime::from_hms_opt(7, 5, 0));
    }

    #[test]
    fn nothing_is_wanted_until_the_member_opts_in() {
        let settings = NotificationSettings::default();
        assert!(NotificationKind::ALL.iter().all(|k| !settings.wants(*k)));
        assert!(!NotificationKind::Results.is_reminder());
    }
}
