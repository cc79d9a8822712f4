//! WeChat subscribe messages for the mini-program: each `accept` the member
//! gives in `wx.requestSubscribeMessage` allows one message of that
//! template, so consents are counted and spent one per send. The access
//! token is cached in the database, shared by every server, and fetched
//! again when WeChat says it expired. Sent through the configured WeChat
//! base URL (a local fake in tests), like login.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use secrecy::ExposeSecret;
use serde::Deserialize;
use zhibu_shared::notify::{NotificationKind, WechatConsentRequest};

use crate::auth::wechat::WechatClient;
use crate::config::Settings;
use crate::entities::{notification, wechat_account, wechat_consent};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

const TOKEN_KEY: &str = "wechat_access_token";
/// Consents one member may bank for a template.
const MAX_CONSENTS: i32 = 50;

/// The template a kind of notification is sent with, when configured.
pub fn template_for(settings: &Settings, kind: NotificationKind) -> Option<&str> {
    match kind {
        NotificationKind::ThemeDay => settings.wechat_template_theme_day.as_deref(),
        NotificationKind::Approvals => settings.wechat_template_approvals.as_deref(),
        NotificationKind::Deadlines => settings.wechat_template_deadlines.as_deref(),
        NotificationKind::Results => settings.wechat_template_results.as_deref(),
    }
}

/// `POST /me/wechat-consents`: one more message of a configured template.
pub async fn consent(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    member_id: i64,
    req: &WechatConsentRequest,
) -> ApiResult<()> {
    let template = req.template_id.trim();
    let known = NotificationKind::ALL
        .iter()
        .any(|k| template_for(settings, *k) == Some(template));
    if template.is_empty() || !known {
        return Err(ApiError::invalid("template_id", "不是本服务的订阅消息模板"));
    }
    sql::execute(
        conn,
        &format!(
            "INSERT INTO wechat_consent (member_id, template_id, remaining, updated_at) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (member_id, template_id) DO UPDATE SET \
             remaining = CASE WHEN wechat_consent.remaining < {MAX_CONSENTS} THEN wechat_consent.remaining + 1 \
             ELSE wechat_consent.remaining END, updated_at = excluded.updated_at"
        ),
        [member_id.into(), template.into(), now().into()],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: i64,
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

#[derive(Debug, Deserialize)]
struct SendAnswer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

/// The cached access token, or a fresh one.
async fn access_token(
    conn: &impl ConnectionTrait,
    client: &WechatClient,
    at: DateTime<FixedOffset>,
) -> anyhow::Result<String> {
    if let Some(cached) = crate::meta::get(conn, TOKEN_KEY).await?
        && let Some((token, until)) = cached.split_once('|')
        && until.parse::<i64>().is_ok_and(|u| u > at.timestamp() + 60)
    {
        return Ok(token.to_owned());
    }
    let (Some(appid), Some(secret)) = (&client.appid, &client.secret) else {
        anyhow::bail!("WeChat is not configured");
    };
    let answer: TokenAnswer = client
        .http
        .get(format!("{}/cgi-bin/token", client.api_base))
        .query(&[
            ("grant_type", "client_credential"),
            ("appid", appid.as_str()),
            ("secret", secret.expose_secret()),
        ])
        .send()
        .await?
        .json()
        .await?;
    let Some(token) = answer.access_token.filter(|_| answer.errcode == 0) else {
        anyhow::bail!(
            "WeChat token: errcode {}: {}",
            answer.errcode,
            answer.errmsg
        );
    };
    let until = at.timestamp() + answer.expires_in.clamp(60, 7200);
    crate::meta::set(conn, TOKEN_KEY, &format!("{token}|{until}")).await?;
    Ok(token)
}

/// Sends a notification as a subscribe message when the member uses the
/// mini-program and has a consent for its template left; spends one.
pub async fn send(
    conn: &impl ConnectionTrait,
    client: &WechatClient,
    settings: &Settings,
    note: &notification::Model,
    tz: Tz,
) -> anyhow::Result<()> {
    let Some(template) = template_for(settings, note.kind) else {
        return Ok(());
    };
    let Some(account) = wechat_account::Entity::find()
        .filter(wechat_account::Column::MemberId.eq(note.member_id))
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    // One message per consent: spent before sending, given back when the
    // send fails and will be tried again.
    let spent = sql::execute(
        conn,
        "UPDATE wechat_consent SET remaining = remaining - 1 WHERE member_id = $1 AND template_id = $2 \
         AND remaining > 0",
        [note.member_id.into(), template.into()],
    )
    .await?;
    if spent == 0 {
        return Ok(());
    }
    let sent = send_once(conn, client, settings, note, &account.openid, template, tz).await;
    if sent.is_err() {
        sql::execute(
            conn,
            "UPDATE wechat_consent SET remaining = remaining + 1 WHERE member_id = $1 AND template_id = $2",
            [note.member_id.into(), template.into()],
        )
        .await?;
    }
    sent
}

async fn send_once(
    conn: &impl ConnectionTrait,
    client: &WechatClient,
    settings: &Settings,
    note: &notification::Model,
    openid: &str,
    template: &str,
    tz: Tz,
) -> anyhow::Result<()> {
    let at = note.created_at.with_timezone(&tz);
    let body = serde_json::json!({
        "touser": openid,
        "template_id": template,
        "page": format!("{}?url={}", settings.wechat_page, note.url),
        "data": {
            "thing1": {"value": short(&note.title)},
            "thing2": {"value": short(&note.body)},
            "time3": {"value": at.format("%Y-%m-%d %H:%M").to_string()},
        },
    });
    for attempt in 0..2 {
        let token = access_token(conn, client, now()).await?;
        let answer: SendAnswer = client
            .http
            .post(format!(
                "{}/cgi-bin/message/subscribe/send",
                client.api_base
            ))
            .query(&[("access_token", token.as_str())])
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        match answer.errcode {
            0 => return Ok(()),
            // The member withdrew consent: nothing to retry.
            43101 => return Ok(()),
            // The token expired early: fetch a new one once.
            40001 | 42001 if attempt == 0 => {
                sql::execute(
                    conn,
                    "DELETE FROM app_meta WHERE key = $1",
                    [TOKEN_KEY.into()],
                )
                .await?;
            }
            code => anyhow::bail!(
                "WeChat subscribeMessage.send: errcode {code}: {}",
                answer.errmsg
            ),
        }
    }
    anyhow::bail!("WeChat kept refusing the access token")
}

/// WeChat's `thing` fields hold at most 20 characters.
fn short(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 20 {
        text.to_owned()
    } else {
        chars[..19].iter().collect::<String>() + "…"
    }
}

/// Consents left, for tests.
pub async fn remaining(
    conn: &impl ConnectionTrait,
    member_id: i64,
    template: &str,
) -> anyhow::Result<i32> {
    Ok(
        wechat_consent::Entity::find_by_id((member_id, template.to_owned()))
            .one(conn)
            .await?
            .map_or(0, |c| c.remaining),
    )
}
