//! Layered configuration: built-in defaults → optional TOML file → `ZHIBU_*`
//! environment variables (and `DATABASE_URL` as a fallback for the database).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The default embedded database: a SQLite file beside the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/zhibu.db?mode=rwc";

/// The Web Push services of the browsers members use.
pub const DEFAULT_PUSH_HOSTS: &str = "fcm.googleapis.com,updates.push.services.mozilla.com,push.services.mozilla.com,notify.windows.com,push.apple.com";

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
    /// Where `/metrics` (Prometheus) is served, e.g. `127.0.0.1:9090`. Unset,
    /// there is no metrics endpoint: it never shares the public address.
    pub metrics_bind: Option<String>,
    /// `text` (default) or `json`: one JSON object per log line.
    pub log_format: String,
    /// Hosts of the Web Push services subscriptions may name (comma-separated);
    /// the server calls no other push address.
    pub push_hosts: String,
    /// WeChat subscribe-message templates, per kind of notification.
    pub wechat_template_theme_day: Option<String>,
    pub wechat_template_approvals: Option<String>,
    pub wechat_template_deadlines: Option<String>,
    pub wechat_template_results: Option<String>,
    /// The mini-program page a subscribe message opens.
    pub wechat_page: String,
    /// Runs due reminders every minute in `serve` (`zhibu jobs run-due` runs them by hand).
    pub run_jobs: bool,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl std::fmt::Debug for Settings {
    // Built from `effective`, which redacts, so secrets never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct("Settings");
        for (name, value) in self.effective() {
            out.field(name, &value);
        }
        out.finish()
    }
}

/// Whether `url` names a database the server can open: a `sqlite:` file
/// or a `postgres://` server, in the syntax the driver accepts.
pub fn check_database_url(url: &str) -> anyhow::Result<()> {
    use std::str::FromStr;
    let shown = redact_url(url);
    if url.starts_with("sqlite:") {
        sea_orm::sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .with_context(|| format!("ZHIBU_DATABASE_URL {shown} is not a valid SQLite URL"))?;
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or("")
            .split('?')
            .next()
            .unwrap_or("");
        anyhow::ensure!(
            !path.is_empty(),
            "ZHIBU_DATABASE_URL {shown} names no file (e.g. sqlite://data/zhibu.db?mode=rwc)"
        );
        Ok(())
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        sea_orm::sqlx::postgres::PgConnectOptions::from_str(url)
            .with_context(|| format!("ZHIBU_DATABASE_URL {shown} is not a valid PostgreSQL URL"))?;
        let host = url.split_once("://").map_or("", |(_, rest)| rest);
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        anyhow::ensure!(
            !host.starts_with('/') && !host.is_empty(),
            "ZHIBU_DATABASE_URL {shown} names no host (e.g. postgres://zhibu:PASSWORD@db-host/zhibu)"
        );
        Ok(())
    } else {
        anyhow::bail!(
            "ZHIBU_DATABASE_URL {shown} must start with sqlite:// (a file) or postgres:// (a server)"
        )
    }
}

/// Whether `address` (`host:port`) can be listened on or connected to.
fn check_address(variable: &str, address: &str) -> anyhow::Result<()> {
    use std::net::ToSocketAddrs;
    let resolved = address.to_socket_addrs().with_context(|| {
        format!("{variable} {address:?} is not an address such as 127.0.0.1:8080")
    })?;
    anyhow::ensure!(
        resolved.count() > 0,
        "{variable} {address:?} resolves to no address"
    );
    Ok(())
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

    /// Reads the layers without checking their values (`zhibu configtest`
    /// lists every problem instead of stopping at the first).
    pub fn load_unchecked(config_file: Option<&Path>) -> anyhow::Result<Settings> {
        Self::read_layers(config_file, std::env::vars().collect())
    }

    /// Reads the layers from the given environment (tests pass their own).
    pub fn load_from(
        config_file: Option<&Path>,
        env: HashMap<String, String>,
    ) -> anyhow::Result<Settings> {
        let settings = Self::read_layers(config_file, env)?;
        settings.timezone()?;
        settings.public_url()?;
        settings.trusted_proxies()?;
        settings.metrics_bind()?;
        settings.log_format()?;
        Ok(settings)
    }

    fn read_layers(
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
            .set_default("storage_allow_http", false)?
            .set_default("log_format", "text")?
            .set_default("push_hosts", DEFAULT_PUSH_HOSTS)?
            .set_default("wechat_page", "pages/index/index")?
            .set_default("run_jobs", true)?;
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
        builder
            .add_source(env_source)
            .build()
            .and_then(|c| c.try_deserialize())
            .context("reading the configuration")
    }

    /// Every setting as `zhibu configtest` prints it, secrets redacted.
    pub fn effective(&self) -> Vec<(&'static str, String)> {
        let secret = |s: &Option<SecretString>| {
            match s {
                Some(_) => "[redacted]",
                None => "(unset)",
            }
            .to_owned()
        };
        let optional = |s: &Option<String>| s.clone().unwrap_or_else(|| "(unset)".into());
        vec![
            ("database_url", redact_url(&self.database_url)),
            ("bind", self.bind.clone()),
            ("jwt_secret", secret(&self.jwt_secret)),
            ("public_dir", self.public_dir.display().to_string()),
            ("timezone", self.timezone.clone()),
            ("wechat_api_base", self.wechat_api_base.clone()),
            ("wechat_appid", optional(&self.wechat_appid)),
            ("wechat_secret", secret(&self.wechat_secret)),
            ("demo", self.demo.to_string()),
            ("demo_activity", self.demo_activity.to_string()),
            ("max_body_bytes", self.max_body_bytes.to_string()),
            ("workers", self.workers.to_string()),
            (
                "shutdown_timeout_secs",
                self.shutdown_timeout_secs.to_string(),
            ),
            (
                "login_failures_per_ip",
                self.login_failures_per_ip.to_string(),
            ),
            ("public_url", optional(&self.public_url)),
            ("trusted_proxies", optional(&self.trusted_proxies)),
            ("metrics_bind", optional(&self.metrics_bind)),
            ("log_format", self.log_format.clone()),
            ("storage_url", redact_url(&self.storage_url)),
            ("storage_endpoint", optional(&self.storage_endpoint)),
            ("storage_region", optional(&self.storage_region)),
            (
                "storage_access_key_id",
                optional(&self.storage_access_key_id),
            ),
            (
                "storage_secret_access_key",
                secret(&self.storage_secret_access_key),
            ),
            ("storage_allow_http", self.storage_allow_http.to_string()),
            ("push_hosts", self.push_hosts.clone()),
            (
                "wechat_template_theme_day",
                optional(&self.wechat_template_theme_day),
            ),
            (
                "wechat_template_approvals",
                optional(&self.wechat_template_approvals),
            ),
            (
                "wechat_template_deadlines",
                optional(&self.wechat_template_deadlines),
            ),
            (
                "wechat_template_results",
                optional(&self.wechat_template_results),
            ),
            ("wechat_page", self.wechat_page.clone()),
            ("run_jobs", self.run_jobs.to_string()),
        ]
    }

    /// What would stop `zhibu serve` with these settings, all at once, for
    /// `zhibu configtest`: the secret (outside demo mode), the database URL,
    /// the addresses, the public URL and the rest.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut check = |result: anyhow::Result<()>| {
            if let Err(error) = result {
                problems.push(format!("{error:#}"));
            }
        };
        if !self.demo {
            check(self.production_jwt_secret().map(|_| ()));
        }
        check(check_database_url(&self.database_url));
        check(check_address("ZHIBU_BIND", &self.bind));
        check(self.metrics_bind().map(|_| ()));
        check(self.public_url().map(|_| ()));
        check(self.timezone().map(|_| ()));
        check(self.trusted_proxies().map(|_| ()));
        check(self.log_format().map(|_| ()));
        problems
    }

    /// What works but is probably not meant, for `zhibu configtest`.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if !self.demo
            && self
                .public_url
                .as_deref()
                .is_none_or(|u| u.trim().is_empty())
        {
            warnings.push(
                "ZHIBU_PUBLIC_URL is not set: QR codes and certificates will link to the listening address"
                    .to_owned(),
            );
        }
        if !self.public_dir.join("index.html").exists() {
            warnings.push(format!(
                "ZHIBU_PUBLIC_DIR {} holds no built PWA (run `cargo xtask build-app`); only the API will be served",
                self.public_dir.display()
            ));
        }
        if self.demo {
            warnings
                .push("demo mode is on: the demo county and its logins will be seeded".to_owned());
        }
        warnings
    }

    /// `ZHIBU_METRICS_BIND`, checked: an address of its own, never the
    /// public one.
    pub fn metrics_bind(&self) -> anyhow::Result<Option<String>> {
        let Some(bind) = self
            .metrics_bind
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
        else {
            return Ok(None);
        };
        check_address("ZHIBU_METRICS_BIND", bind)?;
        anyhow::ensure!(
            bind != self.bind.trim() || bind.ends_with(":0"),
            "ZHIBU_METRICS_BIND must differ from ZHIBU_BIND ({bind}): metrics are served on an address of their own"
        );
        Ok(Some(bind.to_owned()))
    }

    /// `ZHIBU_LOG_FORMAT`, parsed.
    pub fn log_format(&self) -> anyhow::Result<LogFormat> {
        match self.log_format.trim().to_ascii_lowercase().as_str() {
            "" | "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => anyhow::bail!("ZHIBU_LOG_FORMAT must be `text` or `json`, not {other:?}"),
        }
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
    fn configtest_lists_every_problem_of_bad_settings() {
        let s = Settings::load_from(
            None,
            env(&[
                ("ZHIBU_JWT_SECRET", "short"),
                ("ZHIBU_DATABASE_URL", "mysql://root@db/zhibu"),
                ("ZHIBU_BIND", "no-port"),
            ]),
        )
        .unwrap();
        let problems = s.problems();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("ZHIBU_JWT_SECRET is too short"));
        assert!(problems[1].contains("must start with sqlite://"));
        assert!(problems[2].contains("ZHIBU_BIND"));
        let demo = Settings::load_from(None, env(&[("ZHIBU_DEMO", "true")])).unwrap();
        assert_eq!(demo.problems(), Vec::<String>::new());
    }

    #[test]
    fn database_urls_are_checked_for_their_engine() {
        assert!(check_database_url("sqlite://data/zhibu.db?mode=rwc").is_ok());
        assert!(check_database_url("postgres://zhibu:pw@db-host/zhibu").is_ok());
        assert!(check_database_url("postgres:///zhibu").is_err());
        assert!(check_database_url("sqlite://").is_err());
        let refused = check_database_url("mysql://app:hunter2@db/x").unwrap_err();
        assert!(!refused.to_string().contains("hunter2"), "{refused}");
    }

    #[test]
    fn metrics_never_share_the_public_address_and_log_formats_are_known() {
        let same = Settings::load_from(
            None,
            env(&[
                ("ZHIBU_BIND", "127.0.0.1:8080"),
                ("ZHIBU_METRICS_BIND", "127.0.0.1:8080"),
            ]),
        );
        assert!(same.is_err());
        let own =
            Settings::load_from(None, env(&[("ZHIBU_METRICS_BIND", "127.0.0.1:9090")])).unwrap();
        assert_eq!(
            own.metrics_bind().unwrap().as_deref(),
            Some("127.0.0.1:9090")
        );
        let json = Settings::load_from(None, env(&[("ZHIBU_LOG_FORMAT", "json")])).unwrap();
        assert_eq!(json.log_format().unwrap(), LogFormat::Json);
        assert!(Settings::load_from(None, env(&[("ZHIBU_LOG_FORMAT", "xml")])).is_err());
    }

    #[test]
    fn an_unknown_time_zone_is_refused() {
        assert!(Settings::load_from(None, env(&[("ZHIBU_TIMEZONE", "Mars/Base")])).is_err());
    }
}
