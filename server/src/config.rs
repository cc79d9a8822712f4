//! Layered configuration: built-in defaults → optional TOML file → `ZHIBU_*`
//! environment variables (and `DATABASE_URL` as a fallback for the database).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The default embedded database: a SQLite file beside the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/zhibu.db?mode=rwc";

/// The shortest JWT secret accepted outside demo mode, in bytes.
pub const MIN_JWT_SECRET_LEN: usize = 32;

#[derive(Clone, Deserialize)]
pub struct Settings {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: String,
    /// HMAC key for session tokens. Required outside demo mode.
    pub jwt_secret: Option<SecretString>,
    /// The built PWA (`cargo xtask build-app` writes `dist/`).
    pub public_dir: PathBuf,
    /// IANA zone of the county: month boundaries and "the first Thursday".
    pub timezone: String,
    /// Base URL of WeChat's server API (tests point it at a local fake).
    pub wechat_api_base: String,
    pub wechat_appid: Option<String>,
    pub wechat_secret: Option<SecretString>,
    /// Seeds the demo county and its logins. Never on in production.
    pub demo: bool,
    /// With `demo`: also seed activity (past attendance, volunteer hours).
    pub demo_activity: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// Seconds a graceful shutdown waits for requests in flight.
    pub shutdown_timeout_secs: u64,
    /// Failed logins from one address in 15 minutes before it is throttled.
    pub login_failures_per_ip: u64,
    /// Where members reach the app (`https://zhibu.example.gov.cn`): QR codes
    /// and certificate links are built from it, never from request headers.
    /// Unset, links use the address the server listens on.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (comma-separated
    /// addresses or CIDR blocks). Empty: the peer address is the client.
    pub trusted_proxies: Option<String>,
    /// Where attachments are kept: a directory (`data/files`, `file:///…`)
    /// or S3-compatible storage (`s3://bucket/prefix`).
    pub storage_url: String,
    /// For S3-compatible storage; unset, the standard `AWS_*` variables apply.
    pub storage_endpoint: Option<String>,
    pub storage_region: Option<String>,
    pub storage_access_key_id: Option<String>,
    pub storage_secret_access_key: Option<SecretString>,
    /// Allows an `http://` endpoint (a storage server on the local network).
    pub storage_allow_http: bool,
}

impl std::fmt::Debug for Settings {
    // Written by hand so that secrets can never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("public_dir", &self.public_dir)
            .field("timezone", &self.timezone)
            .field("wechat_api_base", &self.wechat_api_base)
            .field("wechat_appid", &self.wechat_appid)
            .field(
                "wechat_secret",
                &self.wechat_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("demo", &self.demo)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("workers", &self.workers)
            .field("public_url", &self.public_url)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("storage_url", &redact_url(&self.storage_url))
            .field("storage_endpoint", &self.storage_endpoint)
            .field("storage_region", &self.storage_region)
            .field("storage_access_key_id", &self.storage_access_key_id)
            .field(
                "storage_secret_access_key",
                &self
                    .storage_secret_access_key
                    .as_ref()
                    .map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// Hides the password of a database URL for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

impl Settings {
    /// Reads the layers from the process environment and an optional file.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Settings> {
        Self::load_from(config_file, std::env::vars().collect())
    }

    /// Reads the layers from the given environment (tests pass their own).
    pub fn load_from(
        config_file: Option<&Path>,
        env: HashMap<String, String>,
    ) -> anyhow::Result<Settings> {
        let mut builder = config::Config::builder()
            .set_default("database_url", DEFAULT_DATABASE_URL)?
            .set_default("bind", "127.0.0.1:8080")?
            .set_default("public_dir", "dist")?
            .set_default("timezone", "Asia/Shanghai")?
            .set_default("wechat_api_base", "https://api.weixin.qq.com")?
            .set_default("demo", false)?
            .set_default("demo_activity", true)?
            .set_default("max_body_bytes", 256 * 1024)?
            .set_default("workers", 0)?
            .set_default("shutdown_timeout_secs", 10)?
            .set_default("login_failures_per_ip", 100)?
            .set_default("storage_url", "data/files")?
            .set_default("storage_allow_http", false)?;
        if let Some(url) = env.get("DATABASE_URL") {
            builder = builder.set_default("database_url", url.as_str())?;
        }
        let file = config_file
            .map(Path::to_path_buf)
            .or_else(|| env.get("ZHIBU_CONFIG").map(PathBuf::from));
        if let Some(file) = &file {
            builder = builder.add_source(config::File::from(file.as_path()).required(true));
        } else {
            builder = builder.add_source(config::File::with_name("zhibu").required(false));
        }
        let env_source = config::Environment::with_prefix("ZHIBU")
            .prefix_separator("_")
            .try_parsing(true)
            .source(Some(env.into_iter().collect()));
        let settings: Settings = builder
            .add_source(env_source)
            .build()?
            .try_deserialize()
            .context("reading the configuration")?;
        settings.timezone()?;
        settings.public_url()?;
        settings.trusted_proxies()?;
        Ok(settings)
    }

    /// `ZHIBU_TRUSTED_PROXIES`, parsed.
    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<crate::client_ip::Network>> {
        crate::client_ip::parse_list(self.trusted_proxies.as_deref().unwrap_or(""))
            .map_err(|e| anyhow::anyhow!("ZHIBU_TRUSTED_PROXIES: {e}"))
    }

    /// `ZHIBU_PUBLIC_URL` without a trailing slash, when set.
    pub fn public_url(&self) -> anyhow::Result<Option<String>> {
        let Some(url) = self
            .public_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            return Ok(None);
        };
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .filter(|rest| !rest.is_empty() && !rest.contains(['?', '#', ' ']))
            .with_context(|| {
                format!("ZHIBU_PUBLIC_URL must be an http(s) address such as https://zhibu.example.cn, not {url:?}")
            })?;
        let _ = rest;
        Ok(Some(url.trim_end_matches('/').to_owned()))
    }

    /// The county's time zone.
    pub fn timezone(&self) -> anyhow::Result<chrono_tz::Tz> {
        self.timezone
            .parse()
            .map_err(|_| anyhow::anyhow!("ZHIBU_TIMEZONE: unknown time zone {:?}", self.timezone))
    }

    /// The configured JWT secret when it is strong enough to use in production.
    pub fn production_jwt_secret(&self) -> anyhow::Result<&SecretString> {
        let secret = self.jwt_secret.as_ref().context(
            "ZHIBU_JWT_SECRET is not set: outside demo mode the server needs a random secret \
             of at least 32 bytes (e.g. `openssl rand -base64 48`)",
        )?;
        anyhow::ensure!(
            secret.expose_secret().len() >= MIN_JWT_SECRET_LEN,
            "ZHIBU_JWT_SECRET is too short: use at least {MIN_JWT_SECRET_LEN} random bytes"
        );
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_apply_without_file_or_environment() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.timezone().unwrap(), chrono_tz::Asia::Shanghai);
        assert!(!s.demo);
    }

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        let dir = std::env::temp_dir().join(format!("zhibu-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("zhibu.toml");
        std::fs::write(
            &file,
            "bind = \"0.0.0.0:9000\"\ntimezone = \"Asia/Urumqi\"\n",
        )
        .unwrap();
        let s = Settings::load_from(
            Some(&file),
            env(&[
                ("ZHIBU_BIND", "127.0.0.1:7000"),
                ("ZHIBU_WECHAT_APPID", "wx1"),
            ]),
        )
        .unwrap();
        assert_eq!(s.bind, "127.0.0.1:7000");
        assert_eq!(s.timezone, "Asia/Urumqi");
        assert_eq!(s.wechat_appid.as_deref(), Some("wx1"));
    }

    #[test]
    fn database_url_falls_back_to_the_conventional_variable() {
        let s = Settings::load_from(None, env(&[("DATABASE_URL", "postgres://a@b/c")])).unwrap();
        assert_eq!(s.database_url, "postgres://a@b/c");
        let s = Settings::load_from(
            None,
            env(&[
                ("DATABASE_URL", "postgres://a@b/c"),
                ("ZHIBU_DATABASE_URL", "sqlite://x.db"),
            ]),
        )
        .unwrap();
        assert_eq!(s.database_url, "sqlite://x.db");
    }

    #[test]
    fn a_missing_or_short_jwt_secret_is_refused_outside_demo_mode() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert!(s.production_jwt_secret().is_err());
        let s = Settings::load_from(None, env(&[("ZHIBU_JWT_SECRET", "short")])).unwrap();
        assert!(s.production_jwt_secret().is_err());
        let long = "x".repeat(40);
        let s = Settings::load_from(None, env(&[("ZHIBU_JWT_SECRET", &long)])).unwrap();
        assert!(s.production_jwt_secret().is_ok());
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let s = Settings::load_from(
            None,
            env(&[
                ("ZHIBU_JWT_SECRET", "super-secret-value-that-is-long-enough"),
                ("ZHIBU_WECHAT_SECRET", "wechat-secret"),
                ("ZHIBU_DATABASE_URL", "postgres://app:hunter2@db/zhibu"),
            ]),
        )
        .unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("super-secret"));
        assert!(!shown.contains("wechat-secret"));
        assert!(!shown.contains("hunter2"));
    }

    #[test]
    fn the_public_url_must_be_an_http_address_and_loses_its_trailing_slash() {
        let s = Settings::load_from(
            None,
            env(&[("ZHIBU_PUBLIC_URL", "https://zhibu.example.cn/")]),
        )
        .unwrap();
        assert_eq!(
            s.public_url().unwrap().as_deref(),
            Some("https://zhibu.example.cn")
        );
        assert!(Settings::load_from(None, env(&[("ZHIBU_PUBLIC_URL", "evil.example")])).is_err());
        let unset = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(unset.public_url().unwrap(), None);
    }

    #[test]
    fn an_unknown_time_zone_is_refused() {
        assert!(Settings::load_from(None, env(&[("ZHIBU_TIMEZONE", "Mars/Base")])).is_err());
    }
}
