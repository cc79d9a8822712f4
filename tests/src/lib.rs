//! Test support shared by the integration tests, the browser tests and the
//! load generator: start the real server on a fresh database.
//!
//! The database is a fresh SQLite file per app, or a fresh PostgreSQL
//! database on the server named by `ZHIBU_TEST_PG` when that is set.

pub mod floor;
pub mod synthetic;

use std::collections::HashMap;
use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database};
use secrecy::SecretString;
use zhibu_server::config::Settings;
use zhibu_server::db::Db;
use zhibu_server::startup::Application;

/// A JWT secret for tests only.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

/// Which engine tests run on in this process.
pub fn test_pg_url() -> Option<String> {
    std::env::var("ZHIBU_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A database made for one test and removed when dropped.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteDir(PathBuf),
    Postgres { server_url: String, name: String },
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        match test_pg_url() {
            Some(server_url) => {
                let admin = Database::connect(&server_url)
                    .await
                    .expect("ZHIBU_TEST_PG must point at a reachable PostgreSQL server");
                let (name, database) = TestDatabase::postgres(&server_url);
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("creating a test database");
                let _ = admin.close().await;
                database
            }
            None => TestDatabase::sqlite().expect("creating a temp dir").1,
        }
    }

    /// A fresh SQLite file, whatever `ZHIBU_TEST_PG` says.
    pub fn create_sqlite() -> TestDatabase {
        TestDatabase::sqlite().expect("creating a temp dir").1
    }

    /// A fresh, empty database on the PostgreSQL server at `server_url`.
    pub async fn create_postgres(server_url: &str) -> TestDatabase {
        let admin = Database::connect(server_url)
            .await
            .expect("a reachable PostgreSQL server");
        let (name, database) = TestDatabase::postgres(server_url);
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("creating a test database");
        let _ = admin.close().await;
        database
    }

    /// A new database holding a copy of this one, which must have no open
    /// connections: the load generator measures two sizes of one county side
    /// by side.
    pub async fn copy(&self) -> anyhow::Result<TestDatabase> {
        use anyhow::Context;
        match &self.cleanup {
            Cleanup::Postgres { server_url, name } => {
                let (copy_name, copy) = TestDatabase::postgres(server_url);
                let admin = Database::connect(server_url).await?;
                let statement =
                    format!("CREATE DATABASE {copy_name} TEMPLATE {name} STRATEGY FILE_COPY");
                // A closed pool's backends may take a moment to exit, and a
                // template must have none.
                let mut attempts = 0;
                while let Err(error) = admin.execute_unprepared(&statement).await {
                    attempts += 1;
                    if attempts > 20 {
                        return Err(error).context("copying a test database");
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                }
                let _ = admin.close().await;
                Ok(copy)
            }
            Cleanup::SqliteDir(dir) => {
                let (target, copy) = TestDatabase::sqlite()?;
                for file in ["zhibu.db", "zhibu.db-wal"] {
                    if dir.join(file).exists() {
                        std::fs::copy(dir.join(file), target.join(file))
                            .with_context(|| format!("copying {file}"))?;
                    }
                }
                Ok(copy)
            }
        }
    }

    /// A fresh name for a database on `server_url` (not yet created), and
    /// the handle that drops it.
    fn postgres(server_url: &str) -> (String, TestDatabase) {
        let name = format!("zhibu_test_{}", uuid::Uuid::new_v4().simple());
        let database = TestDatabase {
            url: with_database_name(server_url, &name),
            cleanup: Cleanup::Postgres {
                server_url: server_url.to_owned(),
                name: name.clone(),
            },
        };
        (name, database)
    }

    /// A fresh, empty temp directory for a SQLite file, and the handle
    /// that removes it.
    fn sqlite() -> std::io::Result<(PathBuf, TestDatabase)> {
        let id = uuid::Uuid::new_v4().simple();
        let dir = std::env::temp_dir().join(format!("zhibu-test-{id}"));
        std::fs::create_dir_all(&dir)?;
        let database = TestDatabase {
            url: format!("sqlite://{}/zhibu.db?mode=rwc", dir.display()),
            cleanup: Cleanup::SqliteDir(dir.clone()),
        };
        Ok((dir, database))
    }
}

/// Replaces the database name (the URL path) of a PostgreSQL URL.
pub fn with_database_name(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { server_url, name } => {
                let (server_url, name) = (server_url.clone(), name.clone());
                // Drop runs inside the test's runtime; a fresh thread with its
                // own runtime can block on the cleanup without nesting.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a runtime for cleanup");
                    rt.block_on(async move {
                        if let Ok(admin) = Database::connect(&server_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Settings for a test server: port 0, a test secret, one worker.
pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings::load_from(None, HashMap::new()).expect("default settings");
    settings.database_url = database_url.to_owned();
    settings.bind = "127.0.0.1:0".to_owned();
    settings.jwt_secret = Some(SecretString::from(TEST_JWT_SECRET));
    settings.public_dir = std::env::var("ZHIBU_TEST_PUBLIC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/nonexistent-zhibu-dist"));
    settings.workers = 2;
    // Tests that want the demo's past activity turn it back on.
    settings.demo_activity = false;
    settings.shutdown_timeout_secs = 1;
    // Tests run due jobs themselves, at the times they choose.
    settings.run_jobs = false;
    // Attachments of a test go to a directory of its own.
    settings.storage_url = std::env::temp_dir()
        .join(format!("zhibu-files-{}", uuid::Uuid::new_v4().simple()))
        .display()
        .to_string();
    settings
}

/// A running server on its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub port: u16,
    /// `http://127.0.0.1:PORT/metrics` when `metrics_bind` was set.
    pub metrics_url: Option<String>,
    pub client: reqwest::Client,
    pub db: Db,
    pub settings: Settings,
    // Declared last: the database outlives the handles above.
    pub database: TestDatabase,
}

impl TestApp {
    /// `address` + `/api/v1` + `path`.
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.address, path)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server after `configure` adjusted its settings.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    // ZHIBU_TEST_LOG=debug shows the server's logs for a failing test.
    if let Ok(filter) = std::env::var("ZHIBU_TEST_LOG") {
        zhibu_server::telemetry::init_tracing(&filter);
    }
    let database = TestDatabase::create().await;
    let mut settings = test_settings(&database.url);
    configure(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("the application builds");
    let port = app.port();
    let metrics_url = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}/metrics"));
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        metrics_url,
        client,
        db,
        settings,
        database,
    }
}

/// The password `TestApp::activate` sets.
pub const ACTIVATED_PASSWORD: &str = "my-own-password-1";

/// The demo password of every demo member.
pub const DEMO_PASSWORD: &str = "demo1234";

/// A running server seeded with the demo county.
pub async fn spawn_demo_app() -> TestApp {
    spawn_app_with(|s| s.demo = true).await
}

impl TestApp {
    /// Logs in with phone + password, panicking unless it succeeds.
    pub async fn login_as(&self, phone: &str, password: &str) -> zhibu_shared::auth::Session {
        let response = self
            .client
            .post(self.api("/auth/login"))
            .json(&serde_json::json!({"phone": phone, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(
            response.status(),
            200,
            "login of {phone} failed: {}",
            response.text().await.unwrap_or_default()
        );
        response.json().await.expect("a session")
    }

    /// Logs a demo member in and returns the access token.
    pub async fn token(&self, phone: &str) -> String {
        self.login_as(phone, DEMO_PASSWORD).await.access_token
    }

    /// Ends the session the access token belongs to, panicking unless the
    /// server answers 204.
    pub async fn logout(&self, token: &str) {
        let response = self
            .client
            .post(self.api("/auth/logout"))
            .bearer_auth(token)
            .send()
            .await
            .expect("logout request");
        assert_eq!(response.status(), 204, "logout failed");
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.api(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(self.api(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// The OpenAPI document the server serves.
    pub async fn openapi(&self) -> serde_json::Value {
        self.client
            .get(self.url("/api/openapi.json"))
            .send()
            .await
            .expect("GET /api/openapi.json")
            .json()
            .await
            .expect("the OpenAPI document is JSON")
    }

    /// The id of the unit at a path of names from the county down.
    pub async fn org_id(&self, names: &[&str]) -> i64 {
        zhibu_server::orgs::tree::find_path(self.db.reader(), names)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no unit at {names:?}"))
    }

    /// Has `manager` issue an activation code for `member_id`, activates
    /// the member with it (setting `ACTIVATED_PASSWORD`) and returns their
    /// session: how a real member first signs in.
    pub async fn activate(&self, manager: &str, member_id: i64) -> zhibu_shared::auth::Session {
        let issued = self
            .post(
                &format!("/members/{member_id}/activation"),
                manager,
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(
            issued.status(),
            201,
            "issuing an activation code for {member_id}"
        );
        let issued: zhibu_shared::auth::ActivationCode = issued.json().await.expect("a code");
        let phone = {
            use sea_orm::EntityTrait;
            zhibu_server::entities::member::Entity::find_by_id(member_id)
                .one(self.db.reader())
                .await
                .expect("query")
                .expect("the member")
                .phone
        };
        let response = self
            .client
            .post(self.api("/auth/activate"))
            .json(&serde_json::json!({"phone": phone, "code": issued.code, "password": ACTIVATED_PASSWORD}))
            .send()
            .await
            .expect("activate request");
        assert_eq!(
            response.status(),
            200,
            "activation failed: {}",
            response.text().await.unwrap_or_default()
        );
        response.json().await.expect("a session")
    }

    /// The id of the member with this phone.
    pub async fn member_id(&self, phone: &str) -> i64 {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        zhibu_server::entities::member::Entity::find()
            .filter(zhibu_server::entities::member::Column::Phone.eq(phone))
            .one(self.db.reader())
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no member {phone}"))
            .id
    }
}

/// Demo logins (docs/api.md).
pub mod demo {
    pub const ADMIN: &str = "13800000000";
    pub const SECRETARY: &str = "13800000001";
    pub const MEMBER: &str = "13800000002";
    pub const RIDER: &str = "13800000003";
    pub const COMMUNITY_ADMIN: &str = "13800000004";
    pub const COUNTY: &str = "东明县委";
    pub const STREET: &str = "城关街道党工委";
    pub const BRANCH_A: &str = "东关社区党支部";
    pub const BRANCH_B: &str = "西关社区党支部";
}

/// The `zhibu` binary beside the test binary (`cargo xtask test` builds
/// it; `cargo build -p zhibu-server --bin zhibu` does too).
pub fn zhibu_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/debug");
    let binary = dir.join("zhibu");
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build -p zhibu-server --bin zhibu` (cargo xtask test does)",
        binary.display()
    );
    binary
}

/// A second server on the same database, as when several stateless
/// servers share one PostgreSQL.
pub async fn spawn_second_app(first: &TestApp) -> (String, Db) {
    let app = Application::build(first.settings.clone())
        .await
        .expect("a second instance builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    (address, db)
}
