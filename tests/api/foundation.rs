//! The HTTP foundation: probes, the JSON error model, OpenAPI, headers,
//! static PWA serving, the database layer and demo seeding.

use std::collections::HashMap;

use reqwest::header;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::Value;
use zhibu_migrations::{Migrator, MigratorTrait};
use zhibu_server::db::Db;
use zhibu_server::startup::Application;
use zhibu_tests::{TestDatabase, spawn_app, spawn_app_with, test_settings};

#[tokio::test]
async fn healthz_and_readyz_answer_ok_with_json() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }
}

async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "error bodies are JSON"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "message in Chinese: {message}"
    );
    body
}

#[tokio::test]
async fn malformed_json_answers_400_with_the_json_error_body() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.api("/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"phone\": \"13800000000\", ")
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "malformed_json").await;
}

#[tokio::test]
async fn a_wrong_content_type_answers_415_with_the_json_error_body() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.api("/auth/login"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body("{\"phone\": \"13800000000\", \"password\": \"x\"}")
        .send()
        .await
        .unwrap();
    assert_error(response, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn an_oversized_body_answers_413_with_the_json_error_body() {
    let app = spawn_app().await;
    let huge = format!(
        "{{\"phone\": \"{}\", \"password\": \"x\"}}",
        "1".repeat(app.settings.max_body_bytes + 10)
    );
    let response = app
        .client
        .post(app.api("/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_error(response, 413, "payload_too_large").await;
}

#[tokio::test]
async fn a_body_with_wrong_fields_answers_422() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.api("/auth/login"))
        .json(&serde_json::json!({"phone": 1}))
        .send()
        .await
        .unwrap();
    assert_error(response, 422, "invalid_body").await;
}

#[tokio::test]
async fn unknown_api_routes_answer_404_with_the_json_error_body() {
    let app = spawn_app().await;
    for path in ["/api/v1/nothing-here", "/api/v2/me", "/api/"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_error(response, 404, "not_found").await;
    }
    // A known path with a method it does not take says which it takes.
    let response = app
        .client
        .delete(app.api("/auth/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "POST");
    assert_error(response, 405, "method_not_allowed").await;
    let response = app
        .client
        .put(app.api("/theme-days/12"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET, PATCH");
    assert_error(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn the_openapi_document_lists_the_api_and_the_docs_page_renders() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/orgs/{id}/members",
        "/api/v1/admin/roster",
        "/healthz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    // Error bodies with extra fields are described by their own schemas.
    for schema in ["ErrorBody", "AlreadyCheckedIn", "WechatUnbound"] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema} described"
        );
    }
    let docs = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn responses_carry_security_headers_and_a_request_id() {
    let app = spawn_app().await;
    for path in ["/healthz", "/api/v1/nothing", "/"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let h = response.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("'wasm-unsafe-eval'")
                && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert!(h.contains_key(header::REFERRER_POLICY));
        assert_eq!(
            h["x-request-id"].to_str().unwrap().len(),
            36,
            "a UUID request id"
        );
    }
}

#[tokio::test]
async fn json_responses_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    for (accept, expected) in [("br", "br"), ("gzip", "gzip")] {
        let response = app
            .client
            .get(app.url("/api/openapi.json"))
            .header(header::ACCEPT_ENCODING, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[header::CONTENT_ENCODING], expected);
    }
}

/// Writes a tiny built PWA to a temp dir.
fn fake_dist() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zhibu-dist-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>支部</title>").unwrap();
    std::fs::write(
        dir.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(
        dir.join("assets/app-0123456789abcdef.js"),
        "console.log('raw')",
    )
    .unwrap();
    std::fs::write(
        dir.join("assets/app-0123456789abcdef.js.br"),
        b"BROTLI-BYTES",
    )
    .unwrap();
    dir
}

#[tokio::test]
async fn the_pwa_is_served_with_immutable_assets_and_a_no_cache_shell() {
    let dist = fake_dist();
    let dir = dist.clone();
    let app = spawn_app_with(move |s| s.public_dir = dir).await;
    let index = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert_eq!(index.headers()[header::CACHE_CONTROL], "no-cache");
    assert!(
        index.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let etag = index.headers()[header::ETAG].clone();
    assert!(index.text().await.unwrap().contains("支部"));

    let revalidated = app
        .client
        .get(app.url("/index.html"))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);

    let sw = app.client.get(app.url("/sw.js")).send().await.unwrap();
    assert_eq!(sw.headers()[header::CACHE_CONTROL], "no-cache");

    let asset = app
        .client
        .get(app.url("/assets/app-0123456789abcdef.js"))
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(
        asset.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(asset.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(asset.bytes().await.unwrap().as_ref(), b"BROTLI-BYTES");

    let plain = app
        .client
        .get(app.url("/assets/app-0123456789abcdef.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.text().await.unwrap(), "console.log('raw')");

    // Client-side routes get the shell; missing files do not.
    let route = app
        .client
        .get(app.url("/checkin/today"))
        .send()
        .await
        .unwrap();
    assert_eq!(route.status(), 200);
    assert!(route.text().await.unwrap().contains("支部"));
    assert_eq!(
        app.client
            .get(app.url("/assets/missing.js"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    std::fs::remove_dir_all(dist).unwrap();
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let database = TestDatabase::create().await;
    let db = Db::connect(&database.url).await.unwrap();
    Migrator::up(db.writer(), None).await.unwrap();
    let applied = Migrator::get_applied_migrations(db.writer())
        .await
        .unwrap()
        .len();
    assert_eq!(applied, Migrator::migrations().len());
    Migrator::down(db.writer(), None).await.unwrap();
    assert!(
        Migrator::get_applied_migrations(db.writer())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        db.writer()
            .execute_unprepared("SELECT * FROM member")
            .await
            .is_err(),
        "tables dropped"
    );
    Migrator::up(db.writer(), None).await.unwrap();
    db.writer()
        .execute_unprepared("SELECT * FROM member")
        .await
        .unwrap();
    db.close().await;
}

#[tokio::test]
async fn the_server_refuses_to_start_without_a_real_jwt_secret_outside_demo_mode() {
    let database = TestDatabase::create().await;
    let mut settings = test_settings(&database.url);
    settings.jwt_secret = None;
    let error = Application::build(settings.clone())
        .await
        .err()
        .expect("refused");
    assert!(format!("{error:#}").contains("ZHIBU_JWT_SECRET"));
    settings.jwt_secret = Some(secrecy::SecretString::from("short"));
    assert!(Application::build(settings).await.is_err());
}

#[tokio::test]
async fn the_demo_seed_runs_once_and_a_second_start_reuses_the_data() {
    let database = TestDatabase::create().await;
    let mut settings = test_settings(&database.url);
    settings.demo = true;
    settings.demo_activity = true;
    settings.jwt_secret = None;
    let first = Application::build(settings.clone()).await.unwrap();
    let report = first.demo_report().unwrap().clone();
    assert_eq!(
        report.applied,
        zhibu_server::demo::steps()
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
    );
    let members = zhibu_server::entities::member::Entity::find()
        .count(first.db().reader())
        .await
        .unwrap();
    assert!(members >= 300, "a few hundred members, got {members}");
    // With theme days attended and hours approved, rolled up consistently.
    let checkins = zhibu_server::entities::checkin::Entity::find()
        .count(first.db().reader())
        .await
        .unwrap();
    let logs = zhibu_server::entities::service_log::Entity::find()
        .count(first.db().reader())
        .await
        .unwrap();
    assert!(
        checkins > 100 && logs > 200,
        "{checkins} check-ins, {logs} logs"
    );
    assert!(
        zhibu_server::volunteer::rollup::verify(first.db().reader())
            .await
            .unwrap()
            .is_empty()
    );
    let secret = zhibu_server::meta::get(first.db().reader(), "demo_jwt_secret")
        .await
        .unwrap();
    first.db().clone().close().await;
    drop(first);

    let second = Application::build(settings).await.unwrap();
    let report = second.demo_report().unwrap();
    assert!(report.applied.is_empty());
    assert_eq!(
        zhibu_server::entities::member::Entity::find()
            .count(second.db().reader())
            .await
            .unwrap(),
        members
    );
    assert_eq!(
        zhibu_server::meta::get(second.db().reader(), "demo_jwt_secret")
            .await
            .unwrap(),
        secret,
        "sessions survive a restart"
    );
}

#[tokio::test]
async fn concurrent_writes_never_surface_a_locked_database() {
    let app = spawn_app().await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let client = app.client.clone();
        let url = app.api("/auth/login");
        tasks.push(tokio::spawn(async move {
            // Each failed login writes a throttle row.
            client
                .post(url)
                .json(&serde_json::json!({"phone": format!("1390000{:04}", i), "password": "wrong-password"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for t in tasks {
        *statuses.entry(t.await.unwrap()).or_default() += 1;
    }
    // Failures past the per-address limit are throttled; nothing else.
    assert!(
        statuses.keys().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert_eq!(statuses.get(&401), Some(&60), "{statuses:?}");
}
