//! Web Push from the PWA's service worker: the server's VAPID key pair is
//! made once and kept in the database (the first server to start wins, so
//! every server signs with the same key); subscriptions are stored per
//! member; a notification is encrypted (RFC 8291, `web-push-native`) and
//! sent with reqwest. A push service answering 404 or 410 means the
//! subscription is gone: it is removed. Endpoints are bounded to the push
//! services the configuration names, so a member cannot make the server
//! call an address of its own choosing.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use web_push_native::jwt_simple::algorithms::ES256KeyPair;
use web_push_native::p256::PublicKey;
use web_push_native::{Auth, WebPushBuilder};
use zhibu_shared::notify::{PushSubscriptionRequest, VapidKey};

use crate::config::Settings;
use crate::entities::{notification, push_subscription, wechat_account, wechat_consent};
use crate::error::{ApiError, ApiResult};
use crate::time::now;

/// Where the VAPID private key is kept.
const VAPID_KEY: &str = "vapid_private_key";
/// Subscriptions one member may keep (one per browser).
const MAX_SUBSCRIPTIONS: usize = 10;

pub struct PushClient {
    http: reqwest::Client,
    /// Hosts of the push services endpoints may name.
    hosts: Vec<String>,
    /// The `sub` of VAPID: how a push service reaches the operator.
    contact: String,
}

impl PushClient {
    pub fn new(settings: &Settings) -> anyhow::Result<PushClient> {
        Ok(PushClient {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .connect_timeout(Duration::from_secs(5))
                .build()?,
            hosts: settings
                .push_hosts
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            contact: settings
                .public_url()?
                .unwrap_or_else(|| "mailto:admin@zhibu.invalid".to_owned()),
        })
    }

    fn allows(&self, endpoint: &str) -> bool {
        let Ok(uri) = endpoint.parse::<http::Uri>() else {
            return false;
        };
        let Some(host) = uri.host().map(str::to_ascii_lowercase) else {
            return false;
        };
        let secure = uri.scheme_str() == Some("https");
        let local = host == "127.0.0.1" || host == "localhost";
        (secure || local)
            && self
                .hosts
                .iter()
                .any(|allowed| host == *allowed || host.ends_with(&format!(".{allowed}")))
    }
}

/// The server's VAPID key pair, made on first use and kept.
pub async fn key_pair(conn: &impl ConnectionTrait) -> anyhow::Result<ES256KeyPair> {
    let fresh = URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes());
    let stored = crate::meta::get_or_insert(conn, VAPID_KEY, &fresh).await?;
    let bytes = URL_SAFE_NO_PAD.decode(stored.trim())?;
    ES256KeyPair::from_bytes(&bytes).map_err(|e| anyhow::anyhow!("the stored VAPID key: {e}"))
}

/// `GET /push/vapid-public-key`.
pub async fn public_key(conn: &impl ConnectionTrait) -> ApiResult<VapidKey> {
    use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
    let pair = key_pair(conn).await?;
    let point = PublicKey::from_sec1_bytes(&pair.public_key().to_bytes())
        .map_err(|e| anyhow::anyhow!("the VAPID public key: {e}"))?
        .to_encoded_point(false);
    Ok(VapidKey {
        public_key: URL_SAFE_NO_PAD.encode(point.as_bytes()),
    })
}

/// `POST /me/push-subscriptions`: kept per endpoint; subscribing again
/// from the same browser replaces its keys.
pub async fn subscribe(
    conn: &impl ConnectionTrait,
    client: &PushClient,
    member_id: i64,
    req: &PushSubscriptionRequest,
) -> ApiResult<()> {
    let endpoint = req.endpoint.trim();
    if endpoint.len() > 1000 || !client.allows(endpoint) {
        return Err(ApiError::invalid("endpoint", "不支持的推送服务地址"));
    }
    let p256dh = URL_SAFE_NO_PAD.decode(req.keys.p256dh.trim()).ok();
    if p256dh
        .as_deref()
        .and_then(|k| PublicKey::from_sec1_bytes(k).ok())
        .is_none()
    {
        return Err(ApiError::invalid("keys.p256dh", "推送订阅的公钥无效"));
    }
    if URL_SAFE_NO_PAD
        .decode(req.keys.auth.trim())
        .map(|a| a.len())
        != Ok(16)
    {
        return Err(ApiError::invalid("keys.auth", "推送订阅的 auth 无效"));
    }
    let held = push_subscription::Entity::find()
        .filter(push_subscription::Column::MemberId.eq(member_id))
        .all(conn)
        .await?;
    if held.len() >= MAX_SUBSCRIPTIONS && !held.iter().any(|s| s.endpoint == endpoint) {
        return Err(ApiError::conflict(
            "too_many_subscriptions",
            "订阅的设备过多，请先在其他设备上关闭推送",
        ));
    }
    push_subscription::Entity::delete_many()
        .filter(push_subscription::Column::Endpoint.eq(endpoint))
        .exec(conn)
        .await?;
    push_subscription::Entity::insert(push_subscription::ActiveModel {
        member_id: Set(member_id),
        endpoint: Set(endpoint.to_owned()),
        p256dh: Set(req.keys.p256dh.trim().to_owned()),
        auth: Set(req.keys.auth.trim().to_owned()),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// `DELETE /me/push-subscriptions?endpoint=`: the browser turned push off.
pub async fn unsubscribe(
    conn: &impl ConnectionTrait,
    member_id: i64,
    endpoint: &str,
) -> ApiResult<()> {
    push_subscription::Entity::delete_many()
        .filter(push_subscription::Column::MemberId.eq(member_id))
        .filter(push_subscription::Column::Endpoint.eq(endpoint.trim()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Whether a notification to this member can go anywhere but the bell.
pub async fn has_channels(conn: &impl ConnectionTrait, member_id: i64) -> Result<bool, DbErr> {
    if push_subscription::Entity::find()
        .filter(push_subscription::Column::MemberId.eq(member_id))
        .one(conn)
        .await?
        .is_some()
    {
        return Ok(true);
    }
    let consented = wechat_consent::Entity::find()
        .filter(wechat_consent::Column::MemberId.eq(member_id))
        .filter(wechat_consent::Column::Remaining.gt(0))
        .one(conn)
        .await?
        .is_some();
    Ok(consented
        && wechat_account::Entity::find()
            .filter(wechat_account::Column::MemberId.eq(member_id))
            .one(conn)
            .await?
            .is_some())
}

/// Sends a notification to every browser of its member. Gone subscriptions
/// are removed; any other failure fails the job, to be tried again.
pub async fn send(
    conn: &impl ConnectionTrait,
    client: &PushClient,
    note: &notification::Model,
) -> anyhow::Result<()> {
    let subscriptions = push_subscription::Entity::find()
        .filter(push_subscription::Column::MemberId.eq(note.member_id))
        .all(conn)
        .await?;
    if subscriptions.is_empty() {
        return Ok(());
    }
    let pair = key_pair(conn).await?;
    let payload = serde_json::json!({
        "title": note.title, "body": note.body, "url": note.url, "id": note.id,
    })
    .to_string();
    let mut failures = Vec::new();
    for s in subscriptions {
        // An endpoint that is no longer allowed is not called.
        if !client.allows(&s.endpoint) {
            continue;
        }
        let request = build(&s, &pair, &client.contact, &payload)?;
        let (parts, body) = request.into_parts();
        let mut outgoing = client.http.post(s.endpoint.as_str()).body(body);
        for (name, value) in parts.headers.iter() {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
        match outgoing.send().await {
            Ok(response) if response.status().is_success() => {}
            Ok(response) if matches!(response.status().as_u16(), 404 | 410) => {
                push_subscription::Entity::delete_by_id(s.id)
                    .exec(conn)
                    .await?;
                tracing::info!(subscription = s.id, "push subscription gone; removed");
            }
            Ok(response) => failures.push(format!("push service answered {}", response.status())),
            Err(error) => failures.push(format!("push service unreachable: {error}")),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(failures.join("; "))
    }
}

fn build(
    s: &push_subscription::Model,
    pair: &ES256KeyPair,
    contact: &str,
    payload: &str,
) -> anyhow::Result<http::Request<Vec<u8>>> {
    let key = PublicKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(&s.p256dh)?)?;
    let auth = URL_SAFE_NO_PAD.decode(&s.auth)?;
    anyhow::ensure!(
        auth.len() == 16,
        "a stored push auth of {} bytes",
        auth.len()
    );
    let builder = WebPushBuilder::new(s.endpoint.parse()?, key, Auth::clone_from_slice(&auth))
        .with_valid_duration(Duration::from_secs(24 * 3600))
        .with_vapid(pair, contact);
    builder
        .build(payload.as_bytes().to_vec())
        .map_err(|e| anyhow::anyhow!("encrypting a push message: {e}"))
}
