//! What the security review broke: code guessing, forwarded codes, races on
//! corrections and daily caps, crafted spreadsheets, links from headers,
//! lockouts, GETs that wrote, and batches failed by one row.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use zhibu_server::checkins::codes::CodeSigner;
use zhibu_server::entities::{audit_log, checkin, service_log, theme_day};
use zhibu_shared::theme_day::Month;
use zhibu_tests::{TEST_JWT_SECRET, TestApp, demo, spawn_app_with, spawn_demo_app};

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn signer() -> CodeSigner {
    CodeSigner::new(&secrecy::SecretString::from(TEST_JWT_SECRET))
}

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// This month's theme day of branch A with its window from `from_hours` to
/// `to_hours` around now.
async fn theme_day_with_window(
    app: &TestApp,
    secretary: &str,
    from_hours: i64,
    to_hours: i64,
) -> i64 {
    let id = crate::checkins::open_theme_day(app, secretary).await;
    crate::checkins::set_window(app, secretary, id, from_hours, to_hours).await;
    id
}

async fn check_in(app: &TestApp, token: &str, id: i64, body: Value) -> reqwest::Response {
    app.post(&format!("/theme-days/{id}/checkins"), token, &body)
        .await
}

#[tokio::test]
async fn a_member_guessing_codes_is_stopped_after_five_wrong_ones_and_the_secretary_sees_who() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.token(demo::MEMBER).await;
    let id = theme_day_with_window(&app, &secretary, -1, 1).await;
    let right = signer().short_code(id, CodeSigner::step_at(Utc::now().timestamp()));
    let wrong = if right == "000000" {
        "000001"
    } else {
        "000000"
    };
    for _ in 0..5 {
        let r = check_in(
            &app,
            &member,
            id,
            json!({"id": uuid(), "short_code": wrong}),
        )
        .await;
        assert_eq!(r.status(), 422);
    }
    // Even the right code is refused now: the guesser cannot go on.
    let r = check_in(
        &app,
        &member,
        id,
        json!({"id": uuid(), "short_code": right}),
    )
    .await;
    assert_eq!(r.status(), 429);
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    let stored = checkin::Entity::find()
        .filter(checkin::Column::ThemeDayId.eq(id))
        .count(app.db.reader())
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing was checked in");
    // Each wrong code is audited, and the secretary sees who tried.
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("checkin.wrong_code"))
        .count(app.db.reader())
        .await
        .unwrap();
    assert_eq!(audited, 5);
    let attendance: Value = app
        .get(&format!("/theme-days/{id}/attendance"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(attendance["wrong_codes"].as_array().unwrap().len(), 1);
    assert_eq!(attendance["wrong_codes"][0]["count"], 5);
    assert_eq!(
        attendance["wrong_codes"][0]["member"]["id"],
        app.member_id(demo::MEMBER).await
    );
    // Another member of the branch is not held back by the guesser.
    let other = app.token(demo::SECRETARY).await;
    let r = check_in(&app, &other, id, json!({"id": uuid(), "short_code": right})).await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn a_code_sent_after_its_step_waits_for_review_with_the_time_it_claims() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.token(demo::MEMBER).await;
    let id = theme_day_with_window(&app, &secretary, -1, 1).await;
    // A code photographed ten minutes ago, sent now with the time it was valid.
    let then = Utc::now() - Duration::minutes(10);
    let old = signer().short_code(id, CodeSigner::step_at(then.timestamp()));
    let r = check_in(
        &app,
        &member,
        id,
        json!({"id": uuid(), "short_code": old, "client_time": then.to_rfc3339()}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "pending", "{body}");
    assert_eq!(body["method"], "offline");
    let claimed =
        chrono::DateTime::parse_from_rfc3339(body["claimed_at"].as_str().unwrap()).unwrap();
    let arrived = chrono::DateTime::parse_from_rfc3339(body["at"].as_str().unwrap()).unwrap();
    assert!((arrived - claimed).num_minutes() >= 9, "{body}");
    // The secretary's list shows both times.
    let list: Vec<Value> = app
        .get(&format!("/theme-days/{id}/checkins"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let mine = list.iter().find(|c| c["id"] == body["id"]).unwrap();
    assert_eq!(mine["claimed_at"], body["claimed_at"]);
}

#[tokio::test]
async fn nobody_checks_in_to_a_theme_day_that_is_not_open() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.token(demo::MEMBER).await;
    for (from, to) in [(1, 2), (-3, -2)] {
        let id = theme_day_with_window(&app, &secretary, from, to).await;
        let token = signer().token(id, CodeSigner::step_at(Utc::now().timestamp()));
        let r = check_in(&app, &member, id, json!({"id": uuid(), "token": token})).await;
        assert_eq!(r.status(), 422, "window {from}..{to}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "not_open");
        let stored = checkin::Entity::find()
            .filter(checkin::Column::ThemeDayId.eq(id))
            .count(app.db.reader())
            .await
            .unwrap();
        assert_eq!(stored, 0);
    }
}

async fn branch_minutes(app: &TestApp, token: &str) -> i64 {
    let branch = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let month = Month::of(today());
    let r: Value = app
        .get(
            &format!("/orgs/{branch}/hours?from={month}&to={month}"),
            token,
        )
        .await
        .json()
        .await
        .unwrap();
    r["total_minutes"].as_i64().unwrap()
}

#[tokio::test]
async fn concurrent_corrections_of_one_log_leave_one_to_review_and_count_once() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let before = branch_minutes(&app, &secretary).await;
    let original: Value = app
        .post(
            "/service-logs",
            &member,
            &json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 60}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .post(
            "/service-logs/review",
            &secretary,
            &json!({"ids": [original["id"]], "decision": "approve"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let path = format!(
        "/service-logs/{}/correction",
        original["id"].as_str().unwrap()
    );
    let tries = (0..20).map(|_| {
        let body = json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 120});
        let (app, member, path) = (&app, &member, &path);
        async move { app.post(path, member, &body).await.status().as_u16() }
    });
    let statuses = futures_util::future::join_all(tries).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let pending: Vec<String> = service_log::Entity::find()
        .filter(service_log::Column::CorrectsId.eq(original["id"].as_str().unwrap()))
        .all(app.db.reader())
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(pending.len(), 1);
    let r = app
        .post(
            "/service-logs/review",
            &secretary,
            &json!({"ids": pending, "decision": "approve"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(branch_minutes(&app, &secretary).await, before + 120);
}

#[tokio::test]
async fn concurrent_logs_for_one_day_cannot_pass_the_daily_cap() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let day = today() - Duration::days(1);
    let kinds = [
        "volunteer",
        "pairing",
        "grid",
        "civility",
        "environment",
        "governance",
        "other",
    ];
    let tries = (0..20).map(|n| {
        let body = json!({"id": uuid(), "kind": kinds[n % kinds.len()], "date": day, "minutes": 720, "note": format!("第{n}次")});
        let (app, member) = (&app, &member);
        async move { app.post("/service-logs", member, &body).await.status().as_u16() }
    });
    let statuses = futures_util::future::join_all(tries).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        2,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 422),
        "{statuses:?}"
    );
    let stored: i32 = service_log::Entity::find()
        .filter(service_log::Column::MemberId.eq(app.member_id(demo::MEMBER).await))
        .filter(service_log::Column::Date.eq(day))
        .all(app.db.reader())
        .await
        .unwrap()
        .iter()
        .map(|l| l.minutes)
        .sum();
    assert_eq!(stored, 24 * 60);
}

fn crafted_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "姓名").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_crafted_spreadsheet_is_refused_and_the_server_stays_up() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let bytes = crafted_xlsx();
    assert!(bytes.len() < 10_000);
    for dry_run in [true, false] {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name("roster.xlsx"),
        );
        let r = app
            .client
            .post(app.api(&format!("/admin/roster?dry_run={dry_run}")))
            .bearer_auth(&admin)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert!(body.to_string().contains("不能超过"), "{body}");
    }
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn links_come_from_the_configured_public_url_never_from_request_headers() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.demo_activity = true;
        s.public_url = Some("https://zhibu.example.cn/".into());
    })
    .await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = theme_day_with_window(&app, &secretary, -1, 1).await;
    let code: Value = app
        .client
        .get(app.api(&format!("/theme-days/{id}/code")))
        .bearer_auth(&secretary)
        .header("Host", "evil.example")
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-Proto", "http")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        code["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("https://zhibu.example.cn/checkin/{id}?t=")),
        "{code}"
    );
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    // An hour of approved service to attest.
    let logged: Value = app
        .post(
            "/service-logs",
            &member,
            &json!({"id": uuid::Uuid::new_v4().to_string(), "kind": "volunteer", "date": today(), "minutes": 60}),
        )
        .await
        .json()
        .await
        .unwrap();
    let decided = app
        .post(
            "/service-logs/review",
            &secretary,
            &json!({"ids": [logged["id"].clone()], "decision": "approve"}),
        )
        .await;
    assert_eq!(decided.status(), 200, "{logged}");
    let month = Month::of(today());
    let r = app
        .client
        .post(app.api("/me/certificates"))
        .bearer_auth(&member)
        .header("Host", "evil.example")
        .json(&json!({"from": month, "to": month}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let certificate: Value = r.json().await.unwrap();
    assert!(
        certificate["verify_url"]
            .as_str()
            .unwrap()
            .starts_with("https://zhibu.example.cn/verify/"),
        "{certificate}"
    );
}

async fn login_from(
    app: &TestApp,
    phone: &str,
    password: &str,
    address: &str,
) -> reqwest::Response {
    app.client
        .post(app.api("/auth/login"))
        .header("X-Forwarded-For", address)
        .json(&json!({"phone": phone, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_guesser_cannot_lock_the_owner_out_of_their_account() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.trusted_proxies = Some("127.0.0.1".into());
    })
    .await;
    for _ in 0..5 {
        let r = login_from(&app, demo::MEMBER, "wrong-password", "203.0.113.7").await;
        assert_eq!(r.status(), 401);
    }
    let r = login_from(&app, demo::MEMBER, "wrong-password", "203.0.113.7").await;
    assert_eq!(r.status(), 429, "the guesser's address is held back");
    // The owner, elsewhere, signs in at once.
    let r = login_from(
        &app,
        demo::MEMBER,
        zhibu_tests::DEMO_PASSWORD,
        "198.51.100.9",
    )
    .await;
    assert_eq!(r.status(), 200);
    // A guesser with many addresses is slowed, never allowed to lock.
    for n in 0..10 {
        let r = login_from(&app, demo::ADMIN, "wrong-password", &format!("192.0.2.{n}")).await;
        assert_eq!(r.status(), 401);
    }
    let r = login_from(&app, demo::ADMIN, "wrong-password", "192.0.2.200").await;
    assert_eq!(r.status(), 429);
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
}

#[tokio::test]
async fn forwarded_addresses_from_untrusted_peers_do_not_escape_the_limit() {
    let app = spawn_demo_app().await;
    for n in 0..5 {
        let r = login_from(
            &app,
            demo::MEMBER,
            "wrong-password",
            &format!("203.0.113.{n}"),
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    let r = login_from(&app, demo::MEMBER, "wrong-password", "203.0.113.99").await;
    assert_eq!(r.status(), 429);
}

#[tokio::test]
async fn reading_theme_days_never_creates_them_and_months_are_bounded() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let count = || async {
        theme_day::Entity::find()
            .count(app.db.reader())
            .await
            .unwrap()
    };
    let before = count().await;
    let r = app
        .get("/me/theme-days?from=2031-01&to=2031-12", &member)
        .await;
    assert_eq!(r.status(), 200);
    let days: Vec<Value> = r.json().await.unwrap();
    assert!(days.is_empty());
    let r = app
        .get("/me/theme-days?from=3000-01&to=3001-12", &member)
        .await;
    assert_eq!(r.status(), 422);
    let admin = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let r = app
        .get(&format!("/orgs/{county}/attendance?month=2040-01"), &admin)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(count().await, before);
}

#[tokio::test]
async fn approving_a_selection_with_the_reviewers_own_record_decides_the_rest_and_says_why() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let mut ids = Vec::new();
    for token in [&member, &secretary] {
        let log: Value = app
            .post(
                "/service-logs",
                token,
                &json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 30}),
            )
            .await
            .json()
            .await
            .unwrap();
        ids.push(log["id"].clone());
    }
    let r = app
        .post(
            "/service-logs/review",
            &secretary,
            &json!({"ids": ids, "decision": "approve"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let result: Value = r.json().await.unwrap();
    assert_eq!(result["updated"], 1);
    assert_eq!(
        result["skipped"],
        json!([{"id": ids[1], "code": "own_record"}])
    );
    // Deciding them again changes nothing and says so.
    let r = app
        .post(
            "/service-logs/review",
            &secretary,
            &json!({"ids": [ids[0]], "decision": "reject", "reason": "重复"}),
        )
        .await;
    let result: Value = r.json().await.unwrap();
    assert_eq!(result["updated"], 0);
    assert_eq!(result["skipped"][0]["code"], "already_decided");
}
