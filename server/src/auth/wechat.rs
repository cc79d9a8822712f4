//! WeChat mini-program login: `code2Session` on WeChat's server API, then
//! either a session for the bound member or a short-lived bind ticket.
//! WeChat's `session_key` is kept in our database and never sent on.

use std::time::Duration;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use zhibu_shared::auth::{ActivateRequest, Session, WechatBindRequest};

use super::sessions;
use super::tokens::{BIND_TICKET_TTL_SECS, JwtKeys, TokenType};
use crate::config::Settings;
use crate::entities::wechat_account;
use crate::error::{ApiError, ApiResult};
use crate::time::now;

/// What a WeChat login answers when the account is not yet bound.
pub enum WechatLogin {
    Session(Box<Session>),
    Unbound { bind_ticket: String },
}

pub struct WechatClient {
    pub(crate) http: reqwest::Client,
    pub(crate) api_base: String,
    pub(crate) appid: Option<String>,
    pub(crate) secret: Option<SecretString>,
}

#[derive(Debug, Deserialize)]
struct Code2Session {
    #[serde(default)]
    openid: Option<String>,
    #[serde(default)]
    session_key: Option<String>,
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

impl WechatClient {
    pub fn new(settings: &Settings) -> anyhow::Result<WechatClient> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(3))
            .build()?;
        Ok(WechatClient {
            http,
            api_base: settings.wechat_api_base.trim_end_matches('/').to_owned(),
            appid: settings.wechat_appid.clone(),
            secret: settings.wechat_secret.clone(),
        })
    }

    /// Exchanges a `wx.login` code for the openid and session key.
    async fn code2session(&self, code: &str) -> ApiResult<(String, String)> {
        let (Some(appid), Some(secret)) = (&self.appid, &self.secret) else {
            return Err(ApiError::Forbidden {
                code: "wechat_not_configured",
                message: "本服务未启用微信登录".into(),
            });
        };
        let unavailable = |e: &dyn std::fmt::Display| {
            tracing::warn!(error = %e, "WeChat code2Session failed");
            ApiError::Unavailable
        };
        let answer: Code2Session = self
            .http
            .get(format!("{}/sns/jscode2session", self.api_base))
            .query(&[
                ("appid", appid.as_str()),
                ("secret", secret.expose_secret()),
                ("js_code", code),
                ("grant_type", "authorization_code"),
            ])
            .send()
            .await
            .map_err(|e| unavailable(&e))?
            .json()
            .await
            .map_err(|e| unavailable(&e))?;
        match (answer.errcode, answer.openid, answer.session_key) {
            (0, Some(openid), Some(session_key)) => Ok((openid, session_key)),
            (40029 | 40163, _, _) => Err(ApiError::Unauthorized {
                code: "wechat_invalid_code",
                message: "微信登录凭证无效或已使用，请重试".into(),
            }),
            (45011, _, _) => Err(ApiError::TooManyRequests {
                retry_after_secs: 60,
                message: "微信登录过于频繁，请稍后再试".into(),
            }),
            (40226, _, _) => Err(ApiError::Forbidden {
                code: "wechat_risky_user",
                message: "微信判定该账号存在风险，暂不能登录".into(),
            }),
            (code, _, _) => Err(unavailable(&format!("errcode {code}: {}", answer.errmsg))),
        }
    }
}

/// `POST /auth/wechat`.
pub async fn login(
    conn: &impl ConnectionTrait,
    keys: &JwtKeys,
    client: &WechatClient,
    code: &str,
) -> ApiResult<WechatLogin> {
    if code.trim().is_empty() {
        return Err(ApiError::invalid("code", "缺少微信登录凭证"));
    }
    let (openid, session_key) = client.code2session(code).await?;
    wechat_account::Entity::insert(wechat_account::ActiveModel {
        openid: Set(openid.clone()),
        member_id: Set(None),
        session_key: Set(session_key),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(wechat_account::Column::Openid)
            .update_columns([
                wechat_account::Column::SessionKey,
                wechat_account::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    let account = wechat_account::Entity::find_by_id(openid.clone())
        .one(conn)
        .await?;
    match account.and_then(|a| a.member_id) {
        Some(member_id) if crate::members::is_active(conn, member_id).await? => {
            Ok(WechatLogin::Session(Box::new(
                sessions::open_session(conn, keys, member_id).await?,
            )))
        }
        _ => Ok(WechatLogin::Unbound {
            bind_ticket: keys.issue(
                TokenType::WechatBind,
                openid,
                None,
                None,
                BIND_TICKET_TTL_SECS,
            )?,
        }),
    }
}

/// How a member proves who they are when binding WeChat.
pub enum BindProof {
    Password(String),
    /// A member who never signed in: the code and the password they choose.
    ActivationCode {
        code: String,
        new_password: String,
    },
}

impl BindProof {
    /// From the request: a password, or a code with a new password.
    pub fn of(req: &WechatBindRequest) -> ApiResult<BindProof> {
        match (&req.password, &req.code, &req.new_password) {
            (_, Some(code), Some(new_password)) => Ok(BindProof::ActivationCode {
                code: code.clone(),
                new_password: new_password.clone(),
            }),
            (_, Some(_), None) => Err(ApiError::invalid("new_password", "请设置登录密码")),
            (Some(password), None, _) => Ok(BindProof::Password(password.clone())),
            (None, None, _) => Err(ApiError::invalid("password", "请输入密码或激活码")),
        }
    }
}

/// `POST /auth/wechat/bind`: proves the member with phone + password and
/// links the ticket's openid to them.
pub async fn bind(
    conn: &impl ConnectionTrait,
    keys: &JwtKeys,
    ticket: &str,
    phone: &str,
    proof: BindProof,
    ip: &str,
    per_ip: u64,
) -> ApiResult<Session> {
    let claims = keys
        .verify(ticket, TokenType::WechatBind)
        .ok_or(ApiError::Unauthorized {
            code: "invalid_bind_ticket",
            message: "绑定凭证无效或已过期，请重新微信登录".into(),
        })?;
    // The same checks and throttle as a login or an activation.
    let session = match proof {
        BindProof::Password(password) => {
            sessions::login_with_password(conn, keys, phone, &password, ip, per_ip).await?
        }
        BindProof::ActivationCode { code, new_password } => {
            let request = ActivateRequest {
                phone: phone.to_owned(),
                code,
                password: new_password,
            };
            super::activation::activate(conn, keys, &request, ip, per_ip, crate::time::now())
                .await?
        }
    };
    let member_id = session.member.id;
    // One WeChat account per member: a new binding replaces an old one.
    wechat_account::Entity::update_many()
        .col_expr(
            wechat_account::Column::MemberId,
            Expr::value(Option::<i64>::None),
        )
        .filter(wechat_account::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    wechat_account::Entity::update_many()
        .col_expr(wechat_account::Column::MemberId, Expr::value(member_id))
        .filter(wechat_account::Column::Openid.eq(claims.sub.as_str()))
        .exec(conn)
        .await?;
    Ok(session)
}
