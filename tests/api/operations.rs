//! Operating a county's server with the real `zhibu` command: recovering a
//! locked-out account, copying the county between engines, checking the
//! configuration and health, metrics on their own address, and the
//! example deployment's commands.

use std::process::Output;
use std::time::Duration;

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use zhibu_server::entities::audit_log;
use zhibu_server::startup::Application;
use zhibu_shared::theme_day::Month;
use zhibu_tests::{
    DEMO_PASSWORD, TEST_JWT_SECRET, TestDatabase, demo, spawn_app_with, spawn_demo_app,
    test_pg_url, test_settings, zhibu_binary,
};

/// Runs `zhibu ARGS` with only the given environment (and PATH).
async fn zhibu(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = tokio::process::Command::new(zhibu_binary());
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("ZHIBU_PUBLIC_DIR", "/nonexistent-zhibu-dist");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().await.expect("running zhibu")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

async fn get_json(client: &reqwest::Client, url: String, token: &str) -> Value {
    let response = client.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn recover_account_ends_the_sessions_and_its_code_opens_the_account_once() {
    let app = spawn_demo_app().await;
    let admin_id = app.member_id(demo::ADMIN).await;
    let old = app.login_as(demo::ADMIN, DEMO_PASSWORD).await;
    assert_eq!(app.get("/me", &old.access_token).await.status(), 200);

    let output = zhibu(
        &["recover-account", demo::ADMIN],
        &[("ZHIBU_DATABASE_URL", &app.settings.database_url)],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    let code = printed
        .lines()
        .find_map(|l| l.strip_prefix("activation code: "))
        .unwrap_or_else(|| panic!("no code in {printed}"))
        .trim()
        .to_owned();
    assert_eq!(code.len(), 8, "{printed}");
    assert!(!printed.contains(DEMO_PASSWORD));

    // The old session is over, access and refresh alike, and so is the
    // old password.
    assert_eq!(app.get("/me", &old.access_token).await.status(), 401);
    let refreshed = app
        .client
        .post(app.api("/auth/refresh"))
        .json(&json!({"refresh_token": old.refresh_token}))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 401);
    let login = app
        .client
        .post(app.api("/auth/login"))
        .json(&json!({"phone": demo::ADMIN, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 401);

    // The code opens the account once, with a password of the admin's own.
    let activate = |password: &'static str| {
        app.client
            .post(app.api("/auth/activate"))
            .json(&json!({"phone": demo::ADMIN, "code": code, "password": password}))
            .send()
    };
    let first = activate("a-new-password-1").await.unwrap();
    assert_eq!(first.status(), 200, "{}", first.text().await.unwrap());
    let again = activate("another-password-2").await.unwrap();
    assert_eq!(again.status(), 401);
    let session = app.login_as(demo::ADMIN, "a-new-password-1").await;
    assert_eq!(app.get("/me", &session.access_token).await.status(), 200);

    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("member.recover"))
        .filter(audit_log::Column::ObjectId.eq(admin_id.to_string()))
        .count(app.db.reader())
        .await
        .unwrap();
    assert_eq!(audited, 1);

    // An unknown phone changes nothing and says why.
    let unknown = zhibu(
        &["recover-account", "13999999999"],
        &[("ZHIBU_DATABASE_URL", &app.settings.database_url)],
    )
    .await;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("13999999999"),
        "{}",
        stderr(&unknown)
    );
    assert!(!stdout(&unknown).contains("activation code"));
}

/// What the county's pages show: hours by child unit, last month's
/// attendance, and member counts of the county and its units.
async fn county_answers(
    address: &str,
    client: &reqwest::Client,
    token: &str,
    county: i64,
) -> Value {
    let month = Month::of(today());
    let hours = get_json(
        client,
        format!(
            "{address}/api/v1/orgs/{county}/hours?from={}&to={month}&by=child",
            month.previous().previous()
        ),
        token,
    )
    .await;
    let attendance = get_json(
        client,
        format!(
            "{address}/api/v1/orgs/{county}/attendance?month={}",
            month.previous()
        ),
        token,
    )
    .await;
    let org = get_json(client, format!("{address}/api/v1/orgs/{county}"), token).await;
    let children = get_json(
        client,
        format!("{address}/api/v1/orgs/{county}/children"),
        token,
    )
    .await;
    json!({"hours": hours, "attendance": attendance, "org": org, "children": children})
}

/// Serves `database_url` (not in demo mode: nothing is seeded again).
async fn serve(database_url: &str) -> (String, zhibu_server::db::Db) {
    let settings = test_settings(database_url);
    let app = Application::build(settings).await.expect("the copy serves");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    (address, db)
}

/// Small batches, so that parents and children land in different batches
/// (within one statement both engines would forgive the order).
async fn copy_to(source: &str, target: &str) -> Output {
    zhibu(
        &["copy-to", target, "--batch", "10"],
        &[("ZHIBU_DATABASE_URL", source)],
    )
    .await
}

/// Copies `from` into `to` with `zhibu copy-to`, serves the copy and checks
/// it answers as the source did, with clean roll-ups and fresh ids.
async fn copy_and_compare(
    from: &str,
    to: &TestDatabase,
    client: &reqwest::Client,
    admin: &str,
    county: i64,
    expected: &Value,
) {
    let mark = login_failure_high_water(from).await;
    assert!(mark > 0, "logins leave deleted attempts behind");
    let output = copy_to(from, &to.url).await;
    let printed = stdout(&output);
    assert!(output.status.success(), "{printed}\n{}", stderr(&output));
    assert!(printed.contains("row counts match"), "{printed}");
    assert!(printed.contains("roll-ups on the copy match"), "{printed}");
    assert!(printed.contains("service_log:"), "{printed}");

    let (address, db) = serve(&to.url).await;
    // The admin's session came along: the same token reads the same pages.
    let answers = county_answers(&address, client, admin, county).await;
    assert_eq!(&answers, expected);
    assert_eq!(
        zhibu_server::volunteer::rollup::verify(db.reader())
            .await
            .unwrap(),
        vec![]
    );
    // New rows get ids after the copied ones: an activation code and its
    // audit entry go in without colliding.
    let member = zhibu_server::entities::member::Entity::find()
        .filter(zhibu_server::entities::member::Column::Phone.eq(demo::MEMBER))
        .one(db.reader())
        .await
        .unwrap()
        .unwrap();
    let issued = client
        .post(format!("{address}/api/v1/members/{}/activation", member.id))
        .bearer_auth(admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(issued.status(), 201, "{}", issued.text().await.unwrap());
    // Ids the source handed out and deleted are not handed out again: a
    // failed login's row comes after every attempt the source numbered.
    let failed = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&json!({"phone": demo::MEMBER, "password": "not-the-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 401);
    let newest = zhibu_server::entities::login_failure::Entity::find()
        .all(db.reader())
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.id)
        .max()
        .unwrap();
    assert!(newest > mark, "new id {newest} after the source's {mark}");
    db.close().await;
}

/// The highest login-attempt id the database at `url` has handed out
/// (successful attempts are deleted, so it is above the largest id left).
async fn login_failure_high_water(url: &str) -> i64 {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let db = zhibu_server::db::Db::connect(url).await.unwrap();
    let backend = db.backend();
    let query = match backend {
        DatabaseBackend::Postgres => "SELECT last_value AS n FROM login_failure_id_seq",
        _ => "SELECT seq AS n FROM sqlite_sequence WHERE name = 'login_failure'",
    };
    let n = db
        .reader()
        .query_one_raw(Statement::from_string(backend, query))
        .await
        .unwrap()
        .map_or(0, |row| row.try_get::<i64>("", "n").unwrap());
    db.close().await;
    n
}

#[tokio::test]
async fn copy_to_moves_the_demo_county_between_engines_and_it_reads_the_same() {
    let source = TestDatabase::create_sqlite();
    let mut settings = test_settings(&source.url);
    settings.demo = true;
    settings.demo_activity = true;
    let app = Application::build(settings).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let source_db = app.db().clone();
    let server = tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&json!({"phone": demo::ADMIN, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin = login["access_token"].as_str().unwrap().to_owned();
    let county = zhibu_server::orgs::tree::find_path(source_db.reader(), &[demo::COUNTY])
        .await
        .unwrap()
        .unwrap();
    // A branch moved under a unit made after it: its parent has the
    // higher id, so the copy must insert units parents first, not by id.
    let newer: Value = client
        .post(format!("{address}/api/v1/orgs/{county}/children"))
        .bearer_auth(&admin)
        .json(&json!({"name": "新城街道党工委", "kind": "working_committee"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let newer = newer["id"].as_i64().expect("the new unit");
    let branch = zhibu_server::orgs::tree::find_path(
        source_db.reader(),
        &[demo::COUNTY, demo::STREET, demo::BRANCH_B],
    )
    .await
    .unwrap()
    .unwrap();
    assert!(branch < newer);
    let moved = client
        .post(format!("{address}/api/v1/orgs/{branch}/move"))
        .bearer_auth(&admin)
        .json(&json!({"parent_id": newer}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200, "{}", moved.text().await.unwrap());
    let expected = county_answers(&address, &client, &admin, county).await;
    assert!(
        expected["hours"]["total_minutes"].as_i64().unwrap() > 0,
        "{expected}"
    );
    assert!(
        expected["org"]["member_count"].as_i64().unwrap() > 100,
        "{expected}"
    );
    // The copy is taken with the server stopped, as the README says.
    server.abort();
    source_db.close().await;

    match test_pg_url() {
        Some(pg) => {
            // SQLite → PostgreSQL, then that copy back into SQLite.
            let postgres = TestDatabase::create_postgres(&pg).await;
            copy_and_compare(&source.url, &postgres, &client, &admin, county, &expected).await;
            let back = TestDatabase::create_sqlite();
            copy_and_compare(&postgres.url, &back, &client, &admin, county, &expected).await;
        }
        None => {
            let copy = TestDatabase::create_sqlite();
            copy_and_compare(&source.url, &copy, &client, &admin, county, &expected).await;
        }
    }
}

#[tokio::test]
async fn copy_to_refuses_a_target_that_holds_anything() {
    let source = spawn_demo_app().await;
    let target = spawn_app_with(|_| {}).await;
    // An app table with a single row is enough to refuse.
    zhibu_server::audit::record(target.db.writer(), None, "test.mark", "test", "1", None)
        .await
        .unwrap();
    let output = copy_to(&source.settings.database_url, &target.settings.database_url).await;
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stderr(&output).contains("not empty"), "{}", stderr(&output));
    assert_eq!(
        zhibu_server::entities::member::Entity::find()
            .count(target.db.reader())
            .await
            .unwrap(),
        0
    );
}

fn good_env(database_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ZHIBU_DATABASE_URL", database_url.to_owned()),
        ("ZHIBU_JWT_SECRET", TEST_JWT_SECRET.to_owned()),
        ("ZHIBU_PUBLIC_URL", "https://zhibu.example.cn".to_owned()),
        ("ZHIBU_BIND", "127.0.0.1:8080".to_owned()),
        ("ZHIBU_METRICS_BIND", "127.0.0.1:9090".to_owned()),
    ]
}

async fn configtest(env: &[(&'static str, String)]) -> Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    zhibu(&["configtest"], &env).await
}

#[tokio::test]
async fn configtest_passes_good_settings_and_names_every_bad_one_without_secrets() {
    let good = good_env("postgres://zhibu:hunter2@db-host/zhibu");
    let output = configtest(&good).await;
    let printed = stdout(&output);
    assert!(output.status.success(), "{printed}{}", stderr(&output));
    assert!(printed.contains("configuration ok"), "{printed}");
    assert!(printed.contains("jwt_secret = [redacted]"), "{printed}");
    assert!(
        printed.contains("database_url = postgres://zhibu:***@db-host/zhibu"),
        "{printed}"
    );
    assert!(
        printed.contains("metrics_bind = 127.0.0.1:9090"),
        "{printed}"
    );
    assert!(!printed.contains(TEST_JWT_SECRET) && !printed.contains("hunter2"));

    for (variable, value, complaint) in [
        ("ZHIBU_JWT_SECRET", "short", "ZHIBU_JWT_SECRET is too short"),
        (
            "ZHIBU_DATABASE_URL",
            "mysql://root:hunter2@db/zhibu",
            "must start with sqlite://",
        ),
        ("ZHIBU_DATABASE_URL", "postgres:///zhibu", "names no host"),
        (
            "ZHIBU_PUBLIC_URL",
            "zhibu.example.cn",
            "ZHIBU_PUBLIC_URL must be an http(s) address",
        ),
        ("ZHIBU_BIND", "everywhere", "ZHIBU_BIND"),
        (
            "ZHIBU_METRICS_BIND",
            "127.0.0.1:8080",
            "must differ from ZHIBU_BIND",
        ),
        ("ZHIBU_LOG_FORMAT", "xml", "ZHIBU_LOG_FORMAT"),
    ] {
        let mut bad = good.clone();
        bad.retain(|(k, _)| *k != variable);
        bad.push((variable, value.to_owned()));
        let output = configtest(&bad).await;
        let (printed, complained) = (stdout(&output), stderr(&output));
        assert_eq!(
            output.status.code(),
            Some(1),
            "{variable}={value}: {printed}"
        );
        assert!(
            complained.contains(complaint),
            "{variable}={value}: {complained}"
        );
        assert!(!printed.contains("hunter2") && !complained.contains("hunter2"));
    }
    // No secret at all is refused outside demo mode, accepted in it.
    let mut missing = good.clone();
    missing.retain(|(k, _)| *k != "ZHIBU_JWT_SECRET");
    let output = configtest(&missing).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("ZHIBU_JWT_SECRET is not set"));
    missing.push(("ZHIBU_DEMO", "true".to_owned()));
    assert!(configtest(&missing).await.status.success());
    // A value of the wrong type stops loading with the setting's name.
    let mut typo = good;
    typo.push(("ZHIBU_WORKERS", "many".to_owned()));
    let output = configtest(&typo).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("workers"), "{}", stderr(&output));
}

#[tokio::test]
async fn healthcheck_passes_against_a_live_server_and_fails_against_a_dead_one() {
    let app = spawn_app_with(|_| {}).await;
    let live = zhibu(&["healthcheck", "--url", &app.address], &[]).await;
    assert!(live.status.success(), "{}", stderr(&live));
    assert!(stdout(&live).contains("healthy"));
    // Without --url it probes the configured listening address.
    let by_bind = zhibu(
        &["healthcheck"],
        &[("ZHIBU_BIND", &format!("0.0.0.0:{}", app.port))],
    )
    .await;
    assert!(by_bind.status.success(), "{}", stderr(&by_bind));

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = zhibu(
        &[
            "healthcheck",
            "--url",
            &format!("http://127.0.0.1:{port}"),
            "--timeout",
            "2",
        ],
        &[],
    )
    .await;
    assert_eq!(dead.status.code(), Some(1));
    assert!(stderr(&dead).contains("unhealthy"), "{}", stderr(&dead));
}

/// The value of the series `name{labels}` in an exposition.
fn sample(exposition: &str, series: &str) -> Option<f64> {
    exposition
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

#[tokio::test]
async fn metrics_count_a_burst_per_route_pattern_on_their_own_address() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.metrics_bind = Some("127.0.0.1:0".into());
    })
    .await;
    let metrics_url = app.metrics_url.clone().expect("metrics are on");
    let admin = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let children: Vec<Value> = app
        .get(&format!("/orgs/{county}/children"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(children.len() >= 5);
    // A burst over many units: one series for the route, not one per id.
    for child in children.iter().take(5) {
        for _ in 0..6 {
            let id = child["id"].as_i64().unwrap();
            assert_eq!(app.get(&format!("/orgs/{id}"), &admin).await.status(), 200);
        }
    }
    let secretary = app.token(demo::SECRETARY).await;
    let day = crate::checkins::open_theme_day(&app, &secretary).await;
    let member = app.token(demo::MEMBER).await;
    let code: Value = app
        .get(&format!("/theme-days/{day}/code"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let checked = app
        .post(
            &format!("/theme-days/{day}/checkins"),
            &member,
            &json!({"id": uuid::Uuid::new_v4().to_string(), "token": code["token"]}),
        )
        .await;
    assert_eq!(checked.status(), 201);

    let scraped = app.client.get(&metrics_url).send().await.unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(
        scraped.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = scraped.text().await.unwrap();
    assert_eq!(
        sample(
            &text,
            r#"zhibu_http_requests_total{method="GET",route="/api/v1/orgs/{id}",status="200"}"#
        ),
        Some(30.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"zhibu_http_request_duration_seconds_count{method="GET",route="/api/v1/orgs/{id}"}"#
        ),
        Some(30.0)
    );
    let raw_id = children[0]["id"].as_i64().unwrap();
    assert!(
        !text.contains(&format!("/api/v1/orgs/{raw_id}\"")),
        "raw paths as labels"
    );
    assert_eq!(
        sample(&text, "zhibu_checkin_batch_rows_sum"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(sample(&text, "zhibu_checkin_batch_rows_count"), Some(1.0));
    assert!(sample(&text, r#"zhibu_db_pool_connections{pool="writer"}"#).is_some_and(|n| n >= 1.0));
    assert!(
        sample(&text, r#"zhibu_db_pool_max_connections{pool="writer"}"#).is_some_and(|n| n >= 1.0)
    );
    // The queue's depth is the jobs due and not done (nothing runs them here).
    let due = zhibu_server::notify::jobs::depth(app.db.reader(), zhibu_server::time::now())
        .await
        .unwrap();
    assert_eq!(
        sample(&text, "zhibu_job_queue_depth"),
        Some(due as f64),
        "{text}"
    );
    // The public address does not serve them.
    let public = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert!(
        !public
            .text()
            .await
            .unwrap()
            .contains("zhibu_http_requests_total")
    );
}

#[tokio::test]
async fn the_example_deployment_passes_its_configtest_health_check_and_stops_cleanly() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/check.sh");
    let output = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new("bash")
            .arg(&script)
            .arg(zhibu_binary())
            .env_remove("ZHIBU_DATABASE_URL")
            .output(),
    )
    .await
    .expect("deploy/check.sh finishes")
    .expect("running deploy/check.sh");
    let printed = stdout(&output);
    assert!(output.status.success(), "{printed}\n{}", stderr(&output));
    assert!(printed.contains("configuration ok"), "{printed}");
    assert!(printed.contains("healthy:"), "{printed}");
    assert!(printed.contains("deploy check passed"), "{printed}");
}
