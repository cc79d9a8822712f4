//! What a client written against the contract alone relies on: one rule for
//! ranges, errors that name their field, bounded pages, an inbox that pages,
//! who reads which report, links the mini-program can open, and the docs.

use serde_json::{Value, json};
use zhibu_tests::{TestApp, demo, spawn_demo_app};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// Asserts a 422 whose `fields` names `field`, and returns the reason.
async fn refused(response: reqwest::Response, code: &str, field: &str) -> String {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], code, "{body}");
    body["fields"][field]
        .as_str()
        .unwrap_or_else(|| panic!("fields names {field}: {body}"))
        .to_owned()
}

async fn branch_of(app: &TestApp, token: &str) -> i64 {
    let me: Value = app.get("/me", token).await.json().await.unwrap();
    me["branch"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn monthly_reports_take_months_day_lists_take_dates_and_a_malformed_parameter_names_itself() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_of(&app, &member).await;
    let month = today().format("%Y-%m").to_string();
    let day = today().format("%Y-%m-%d").to_string();

    // Months: theme days, attendance, hours, meetings.
    for path in [
        "/me/theme-days".to_owned(),
        "/me/attendance".to_owned(),
        format!("/orgs/{branch}/hours"),
        format!("/orgs/{branch}/meetings"),
    ] {
        let token = if path.starts_with("/me") {
            &member
        } else {
            &secretary
        };
        let ok = app
            .get(&format!("{path}?from={month}&to={month}"), token)
            .await;
        assert_eq!(ok.status(), 200, "{path} takes months");
        let reason = refused(
            app.get(&format!("{path}?from={day}"), token).await,
            "invalid_query",
            "from",
        )
        .await;
        assert_eq!(reason, "月份须写成 YYYY-MM", "{path}");
    }
    let reason = refused(
        app.get(
            &format!("/orgs/{branch}/theme-days?month={day}"),
            &secretary,
        )
        .await,
        "invalid_query",
        "month",
    )
    .await;
    assert_eq!(reason, "月份须写成 YYYY-MM");

    // Dates: my service logs and the audit trail.
    for (path, token) in [("/me/service-logs", &member), ("/audit", &admin)] {
        let ok = app.get(&format!("{path}?from={day}&to={day}"), token).await;
        assert_eq!(ok.status(), 200, "{path} takes dates");
        let reason = refused(
            app.get(&format!("{path}?to={month}"), token).await,
            "invalid_query",
            "to",
        )
        .await;
        assert_eq!(reason, "日期须写成 YYYY-MM-DD", "{path}");
    }

    // A value of the wrong type names its parameter too, as a 422.
    let reason = refused(
        app.get("/review/pending?kind=karaoke", &secretary).await,
        "invalid_query",
        "kind",
    )
    .await;
    assert!(reason.starts_with("取值须为 checkins、"), "{reason}");
    let reason = refused(
        app.get("/problems?to_review=maybe", &secretary).await,
        "invalid_query",
        "to_review",
    )
    .await;
    assert_eq!(reason, "应为 true 或 false");
}

#[tokio::test]
async fn a_wrongly_typed_body_field_is_named_and_a_refused_roster_answers_the_error_body() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let response = app
        .client
        .post(app.api("/auth/login"))
        .json(&json!({"phone": 13800000002u64, "password": "demo1234"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused(response, "invalid_body", "phone").await,
        "应为字符串"
    );
    let log = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "kind": "volunteer",
        "date": today(),
        "minutes": "sixty",
    });
    let reason = refused(
        app.post("/service-logs", &member, &log).await,
        "invalid_body",
        "minutes",
    )
    .await;
    assert_eq!(reason, "应为非负整数");
    let mut missing = log.clone();
    missing.as_object_mut().unwrap().remove("minutes");
    let reason = refused(
        app.post("/service-logs", &member, &missing).await,
        "invalid_body",
        "minutes",
    )
    .await;
    assert_eq!(reason, "缺少此项");
    let mut kind = log.clone();
    kind["minutes"] = json!(30);
    kind["kind"] = json!("karaoke");
    let reason = refused(
        app.post("/service-logs", &member, &kind).await,
        "invalid_body",
        "kind",
    )
    .await;
    assert!(reason.contains("volunteer"), "{reason}");

    // A refused roster: ErrorBody's code, message and fields, beside the rows.
    let admin = app.token(demo::ADMIN).await;
    let file = crate::roster::roster(&["张三,1380000,东明县委,在职,2001-07-01,"]);
    let (status, report) =
        crate::roster::upload(&app, &admin, "bad.csv", file.into_bytes(), false).await;
    assert_eq!(status, 422, "{report}");
    assert_eq!(report["code"], "invalid_roster");
    assert!(report["message"].is_string());
    assert!(
        report["fields"]["rows[2].手机号"].is_string(),
        "fields name the row and column: {report}"
    );
    assert_eq!(report["errors"][0]["row"], 2);
}

#[tokio::test]
async fn page_limits_are_bounded_to_one_to_two_hundred() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    for limit in ["0", "201", "9223372036854775808", "-1"] {
        let response = app
            .get(&format!("/orgs/{county}/members?limit={limit}"), &admin)
            .await;
        refused(response, "invalid_query", "limit").await;
        let response = app.get(&format!("/audit?limit={limit}"), &admin).await;
        refused(response, "invalid_query", "limit").await;
    }
    let page: Value = app
        .get(&format!("/orgs/{county}/members?limit=200"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 200);
    assert!(page["next_cursor"].is_string());
}

#[tokio::test]
async fn the_review_inbox_pages_each_kind_and_says_when_more_are_waiting() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let mut mine = Vec::new();
    for minutes in [30, 40, 50] {
        let id = uuid::Uuid::new_v4().to_string();
        let body = json!({"id": id, "kind": "volunteer", "date": today(), "minutes": minutes, "start_time": format!("0{}:00", minutes / 10)});
        let response = app.post("/service-logs", &member, &body).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        mine.push(id);
    }

    // The first page of each kind, with the cursor of the next.
    let first: Value = app
        .get("/review/pending?limit=2", &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["service_logs"].as_array().unwrap().len(), 2);
    assert!(first["next_cursor"]["service_logs"].is_string(), "{first}");
    assert!(first["checkins"].as_array().unwrap().len() <= 2);

    // Following one kind's cursors reaches every row once.
    let mut seen: Vec<String> = Vec::new();
    let mut cursor = None::<String>;
    loop {
        let path = match &cursor {
            None => "/review/pending?kind=service_logs&limit=2".to_owned(),
            Some(c) => format!("/review/pending?kind=service_logs&limit=2&cursor={c}"),
        };
        let page: Value = app.get(&path, &secretary).await.json().await.unwrap();
        assert!(page["checkins"].as_array().unwrap().is_empty(), "one kind");
        let rows = page["service_logs"].as_array().unwrap();
        assert!(rows.len() <= 2);
        seen.extend(rows.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"]["service_logs"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    for id in &mine {
        assert_eq!(seen.iter().filter(|s| *s == id).count(), 1, "{id} once");
    }
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no row twice");

    // A cursor needs its kind.
    refused(
        app.get("/review/pending?cursor=abc", &secretary).await,
        "validation_failed",
        "cursor",
    )
    .await;
}

#[tokio::test]
async fn reports_are_read_by_role_holders_over_the_unit_and_the_documents_say_so() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let branch = branch_of(&app, &member).await;
    let quarter = {
        use chrono::Datelike;
        let t = today();
        format!("{}-Q{}", t.year(), (t.month() - 1) / 3 + 1)
    };
    let reports = [
        format!("/orgs/{branch}/hours"),
        format!("/orgs/{branch}/attendance"),
        format!("/orgs/{branch}/follow-up?quarter={quarter}"),
        format!("/orgs/{branch}/community-service"),
        format!("/orgs/{branch}/governance"),
    ];
    for path in &reports {
        assert_eq!(
            app.get(path, &member).await.status(),
            404,
            "a plain member does not read {path}, even of their own branch"
        );
        assert_eq!(
            app.get(path, &secretary).await.status(),
            200,
            "the branch's secretary reads {path}"
        );
    }
    let doc = app.openapi().await;
    for path in [
        "/api/v1/orgs/{id}/hours",
        "/api/v1/orgs/{id}/attendance",
        "/api/v1/orgs/{id}/follow-up",
        "/api/v1/orgs/{id}/community-service",
        "/api/v1/orgs/{id}/governance",
        "/api/v1/communities/{id}/hours",
    ] {
        let operation = &doc["paths"][path]["get"];
        let text = format!("{} {}", operation["summary"], operation["description"]);
        assert!(text.contains("Read by"), "{path} says who reads it: {text}");
    }
}

#[tokio::test]
async fn check_in_codes_and_certificates_carry_a_mini_program_link() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let branch = branch_of(&app, &member).await;
    let days: Vec<Value> = app
        .get(&format!("/orgs/{branch}/theme-days"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let day = days[0]["id"].as_i64().unwrap();
    let code: Value = app
        .get(&format!("/theme-days/{day}/code"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let link = &code["mini_program"];
    assert_eq!(link["page"], "pages/checkin/index");
    assert_eq!(
        link["path"],
        format!(
            "pages/checkin/index?theme_day={day}&token={}",
            code["token"].as_str().unwrap()
        )
    );
    let scene = link["scene"].as_str().unwrap();
    assert!(scene.len() <= 32, "{scene}");
    assert_eq!(
        scene,
        format!("d={day}&c={}", code["short_code"].as_str().unwrap())
    );
    // An hour of service, approved by the branch's secretary, to certify.
    let log = uuid::Uuid::new_v4().to_string();
    let logged = app
        .post(
            "/service-logs",
            &member,
            &json!({"id": log, "kind": "volunteer", "date": today(), "minutes": 60, "start_time": "07:00"}),
        )
        .await;
    assert_eq!(logged.status(), 201, "{}", logged.text().await.unwrap());
    let approved = app
        .post(
            "/service-logs/review",
            &secretary,
            &json!({"ids": [log], "decision": "approve"}),
        )
        .await;
    assert_eq!(approved.status(), 200, "{}", approved.text().await.unwrap());
    let year = today().format("%Y").to_string();
    let month = today().format("%Y-%m").to_string();
    let issued = app
        .post(
            "/me/certificates",
            &member,
            &json!({"from": format!("{year}-01"), "to": month}),
        )
        .await;
    assert_eq!(issued.status(), 201, "{}", issued.text().await.unwrap());
    let issued: Value = issued.json().await.unwrap();
    let number = issued["number"].as_str().unwrap();
    let expected = json!({
        "path": format!("pages/certificate/index?number={number}"),
        "page": "pages/certificate/index",
        "scene": format!("n={number}"),
    });
    assert_eq!(issued["mini_program"], expected);
    let verified: Value = app
        .client
        .get(app.api(&format!("/certificates/{number}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verified["mini_program"], expected);
}

#[tokio::test]
async fn the_docs_page_without_its_slash_redirects_to_it() {
    let app = zhibu_tests::spawn_app().await;
    let response = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(response.status(), 301);
    assert_eq!(response.headers()["location"], "/api/docs/");
    let page = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
}
