//! What every handler can reach: the database, settings, keys and the
//! clients built once at startup. Its own module, so handlers do not
//! depend on how the server is started.

use std::sync::Arc;

use crate::auth::tokens::JwtKeys;
use crate::auth::wechat::WechatClient;
use crate::checkins::batch::CheckinWriter;
use crate::checkins::codes::CodeSigner;
use crate::config::Settings;
use crate::db::Db;

/// What every handler can reach.
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub keys: JwtKeys,
    pub wechat: WechatClient,
    pub codes: CodeSigner,
    /// The check-in burst's group commit (see `checkins::batch`).
    pub checkin_writes: CheckinWriter,
    pub timezone: chrono_tz::Tz,
    /// The app's public address (`ZHIBU_PUBLIC_URL`), the base of every
    /// link the server hands out.
    pub public_url: String,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<crate::client_ip::Network>,
    /// Where attachments are kept.
    pub files: crate::files::Files,
    /// Web Push: the allowed push services.
    pub push: crate::notify::push::PushClient,
    /// Prometheus metrics, when `ZHIBU_METRICS_BIND` turns them on.
    pub metrics: Option<Arc<crate::metrics::Metrics>>,
}
