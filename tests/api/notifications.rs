//! Reminders: jobs due at a given time make exactly the expected
//! notifications, two runners at once deliver each once, quiet hours defer
//! and opt-outs hold, a push service's 410 removes the subscription, and a
//! WeChat subscribe message goes through a local fake with the right
//! template and data. Push and WeChat are local fakes reached by the same
//! reqwest code production uses.

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use zhibu_server::db::Db;
use zhibu_server::entities::{notification, push_subscription};
use zhibu_server::notify::{self, centre, jobs, reminders};
use zhibu_shared::notify::NotificationKind;
use zhibu_tests::{TestApp, demo, spawn_app_with};

/// What the fake push service received, and what it answers.
#[derive(Default)]
struct PushLog {
    received: Vec<(String, Vec<u8>, Option<String>)>,
    gone: bool,
}

async fn push_endpoint(
    req: HttpRequest,
    body: web::Bytes,
    log: web::Data<Mutex<PushLog>>,
) -> HttpResponse {
    let mut log = log.lock().unwrap();
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    log.received
        .push((req.path().to_owned(), body.to_vec(), auth));
    if log.gone {
        HttpResponse::Gone().finish()
    } else {
        HttpResponse::Created().finish()
    }
}

async fn fake_push() -> (String, Arc<Mutex<PushLog>>) {
    let log = web::Data::new(Mutex::new(PushLog::default()));
    let shared = log.clone().into_inner();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(log.clone())
            .route("/push/{id}", web::post().to(push_endpoint))
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .unwrap();
    let base = format!("http://{}", server.addrs()[0]);
    tokio::spawn(server.run());
    (base, shared)
}

/// What the fake WeChat received.
#[derive(Default)]
struct WechatLog {
    tokens: usize,
    sends: Vec<Value>,
}

async fn wechat_token(log: web::Data<Mutex<WechatLog>>) -> HttpResponse {
    log.lock().unwrap().tokens += 1;
    HttpResponse::Ok().json(json!({"access_token": "fake-token", "expires_in": 7200}))
}

async fn wechat_send(
    query: web::Query<std::collections::HashMap<String, String>>,
    body: web::Json<Value>,
    log: web::Data<Mutex<WechatLog>>,
) -> HttpResponse {
    if query.get("access_token").map(String::as_str) != Some("fake-token") {
        return HttpResponse::Ok().json(json!({"errcode": 40001, "errmsg": "invalid credential"}));
    }
    log.lock().unwrap().sends.push(body.into_inner());
    HttpResponse::Ok().json(json!({"errcode": 0, "errmsg": "ok"}))
}

async fn fake_wechat() -> (String, Arc<Mutex<WechatLog>>) {
    let log = web::Data::new(Mutex::new(WechatLog::default()));
    let shared = log.clone().into_inner();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(log.clone())
            .route("/cgi-bin/token", web::get().to(wechat_token))
            .route(
                "/cgi-bin/message/subscribe/send",
                web::post().to(wechat_send),
            )
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .unwrap();
    let base = format!("http://{}", server.addrs()[0]);
    tokio::spawn(server.run());
    (base, shared)
}

const RESULTS_TEMPLATE: &str = "tmpl-results-1";

async fn spawn(wechat_base: Option<String>) -> TestApp {
    spawn_app_with(move |s| {
        s.demo = true;
        s.push_hosts = "127.0.0.1".into();
        s.wechat_template_results = Some(RESULTS_TEMPLATE.into());
        if let Some(base) = wechat_base {
            s.wechat_api_base = base;
            s.wechat_appid = Some("wx-test-appid".into());
            s.wechat_secret = Some(secrecy::SecretString::from("wx-test-secret"));
        }
    })
    .await
}

fn tz(app: &TestApp) -> chrono_tz::Tz {
    app.settings.timezone().unwrap()
}

fn at(app: &TestApp, date: NaiveDate, h: u32, m: u32) -> DateTime<FixedOffset> {
    tz(app)
        .from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()))
        .unwrap()
        .fixed_offset()
}

/// Runs the due jobs at `now` as `runner`, as `zhibu jobs run-due` does.
async fn run_due(
    app: &TestApp,
    db: &Db,
    runner: &str,
    now: DateTime<FixedOffset>,
) -> jobs::RunReport {
    let push = notify::push::PushClient::new(&app.settings).unwrap();
    let wechat = zhibu_server::auth::wechat::WechatClient::new(&app.settings).unwrap();
    let context = notify::Context {
        tz: tz(app),
        settings: &app.settings,
        push: &push,
        wechat: &wechat,
    };
    reminders::plan(db.writer(), tz(app), now).await.unwrap();
    jobs::run_due(db, &context, runner, now).await.unwrap()
}

async fn opt_in(app: &TestApp, token: &str, settings: Value) {
    let r = app
        .client
        .put(app.api("/me/notification-settings"))
        .bearer_auth(token)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn notes(app: &TestApp, member: i64) -> Vec<notification::Model> {
    notification::Entity::find()
        .filter(notification::Column::MemberId.eq(member))
        .all(app.db.reader())
        .await
        .unwrap()
}

/// The branch's theme day this month (the scheduler made it).
async fn theme_day_of_branch(app: &TestApp) -> (i64, NaiveDate) {
    let branch = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let admin = app.token(demo::ADMIN).await;
    let month = zhibu_shared::theme_day::Month::of(zhibu_server::time::today(tz(app)));
    let days: Vec<Value> = app
        .get(&format!("/orgs/{branch}/theme-days?month={month}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let date: NaiveDate = days[0]["date"].as_str().unwrap().parse().unwrap();
    (days[0]["id"].as_i64().unwrap(), date)
}

#[tokio::test]
async fn reminders_due_at_a_given_time_make_exactly_the_expected_notifications() {
    let app = spawn(None).await;
    let member = app.token(demo::MEMBER).await;
    let member_id = app.member_id(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let secretary_id = app.member_id(demo::SECRETARY).await;
    opt_in(&app, &member, json!({"theme_day": true, "approvals": false, "deadlines": false, "results": false, "quiet_from": "22:00", "quiet_to": "07:00"})).await;
    opt_in(&app, &secretary, json!({"theme_day": false, "approvals": true, "deadlines": false, "results": false, "quiet_from": "22:00", "quiet_to": "07:00"})).await;
    let (_, date) = theme_day_of_branch(&app).await;
    let eve = date - Duration::days(1);
    let db = &app.db;

    // Not yet at 17:59 the evening before.
    run_due(&app, db, "a", at(&app, eve, 17, 59)).await;
    assert!(notes(&app, member_id).await.is_empty());
    // At 18:00 the member who opted in hears of tomorrow; nobody else does.
    run_due(&app, db, "a", at(&app, eve, 18, 0)).await;
    let got = notes(&app, member_id).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].kind, NotificationKind::ThemeDay);
    assert_eq!(got[0].title, "明天是主题党日");
    let all = notification::Entity::find()
        .count(db.reader())
        .await
        .unwrap();
    assert_eq!(all, 1, "only the member who opted in");
    // Running again changes nothing; the morning brings the second one.
    run_due(&app, db, "b", at(&app, eve, 18, 5)).await;
    assert_eq!(notes(&app, member_id).await.len(), 1);
    run_due(&app, db, "a", at(&app, date, 7, 30)).await;
    let got = notes(&app, member_id).await;
    assert_eq!(got.len(), 2);
    assert!(got.iter().any(|n| n.title == "今天是主题党日"));

    // One digest for the reviewer, however many items wait.
    for kind in ["grid", "civility"] {
        let r = app
            .post(
                "/service-logs",
                &member,
                &json!({"id": uuid::Uuid::new_v4().to_string(), "kind": kind, "date": zhibu_server::time::today(tz(&app)), "minutes": 30}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    run_due(&app, db, "a", at(&app, date, 9, 0)).await;
    let digests = notes(&app, secretary_id).await;
    assert_eq!(digests.len(), 1, "{digests:?}");
    assert_eq!(digests[0].kind, NotificationKind::Approvals);
    assert!(digests[0].body.contains("2 项"), "{}", digests[0].body);
    // The member who never asked for digests got none.
    assert!(
        notes(&app, member_id)
            .await
            .iter()
            .all(|n| n.kind == NotificationKind::ThemeDay)
    );
}

#[tokio::test]
async fn an_opt_out_is_respected_and_the_centre_marks_what_was_read() {
    let app = spawn(None).await;
    let member = app.token(demo::MEMBER).await;
    let settings: Value = app
        .get("/me/notification-settings", &member)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        settings["theme_day"], false,
        "nothing is on until the member turns it on"
    );
    let bad = app
        .client
        .put(app.api("/me/notification-settings"))
        .bearer_auth(&member)
        .json(&json!({"theme_day": true, "approvals": false, "deadlines": false, "results": false, "quiet_from": "25:00", "quiet_to": "7:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    assert!(body["fields"]["quiet_from"].is_string() && body["fields"]["quiet_to"].is_string());

    let (_, date) = theme_day_of_branch(&app).await;
    run_due(
        &app,
        &app.db,
        "a",
        at(&app, date - Duration::days(1), 18, 0),
    )
    .await;
    let page: Value = app
        .get("/me/notifications", &member)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        0,
        "opted out: nothing"
    );

    opt_in(&app, &member, json!({"theme_day": true, "approvals": false, "deadlines": false, "results": false, "quiet_from": "22:00", "quiet_to": "07:00"})).await;
    run_due(&app, &app.db, "a", at(&app, date, 7, 30)).await;
    let page: Value = app
        .get("/me/notifications", &member)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["unread"], 1);
    let id = page["items"][0]["id"].as_i64().unwrap();
    let r = app
        .post("/me/notifications/read", &member, &json!({"ids": [id]}))
        .await;
    assert_eq!(r.status(), 204);
    let page: Value = app
        .get("/me/notifications", &member)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["unread"], 0);
    assert_eq!(page["items"][0]["read"], true);
    // Another member's notification is not theirs to mark.
    let other = app.token(demo::SECRETARY).await;
    let r = app
        .post("/me/notifications/read", &other, &json!({"ids": [id]}))
        .await;
    assert_eq!(r.status(), 404);
    let secretary_page: Value = app
        .get("/me/notifications", &other)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(secretary_page["items"].as_array().unwrap().len(), 0);
    // Admins see the queue; members do not.
    assert_eq!(app.get("/admin/jobs", &member).await.status(), 403);
    let admin = app.token(demo::ADMIN).await;
    let queue: Value = app
        .get("/admin/jobs?status=done", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["kind"] == "theme_day_morning")
    );
}

/// A browser's push subscription: its key pair and auth secret.
struct Browser {
    secret: web_push_native::p256::SecretKey,
    auth: [u8; 16],
    endpoint: String,
}

impl Browser {
    fn new(base: &str, id: &str) -> Browser {
        let secret = web_push_native::p256::SecretKey::random(
            &mut web_push_native::p256::elliptic_curve::rand_core::OsRng,
        );
        Browser {
            secret,
            auth: *b"0123456789abcdef",
            endpoint: format!("{base}/push/{id}"),
        }
    }

    fn subscription(&self) -> Value {
        use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
        let public = self.secret.public_key().to_encoded_point(false);
        json!({"endpoint": self.endpoint, "keys": {
            "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()),
            "auth": URL_SAFE_NO_PAD.encode(self.auth),
        }})
    }

    fn read(&self, body: &[u8]) -> Value {
        let auth = web_push_native::Auth::clone_from_slice(&self.auth);
        let plain = web_push_native::decrypt(body.to_vec(), &self.secret, &auth)
            .expect("a message for this browser");
        serde_json::from_slice(&plain).unwrap()
    }
}

/// Makes a results notification for the member at `when`, as a review does.
async fn result_for(app: &TestApp, member_id: i64, when: DateTime<FixedOffset>) -> i64 {
    let settings = centre::settings(app.db.reader(), member_id).await.unwrap();
    let message = centre::Message {
        kind: NotificationKind::Results,
        title: "志愿服务记录已通过".into(),
        body: "您的 1 项志愿服务记录已审核通过".into(),
        url: "/service".into(),
    };
    centre::notify(
        app.db.writer(),
        member_id,
        &settings,
        &message,
        when.date_naive(),
        when,
    )
    .await
    .unwrap()
    .expect("the member opted in")
}

/// Only the results of one's own requests: no reminder comes in between.
const RESULTS_ON: &str = r#"{"theme_day": false, "approvals": false, "deadlines": false, "results": true, "quiet_from": "22:00", "quiet_to": "07:00"}"#;

#[tokio::test]
async fn quiet_hours_defer_a_push_and_never_drop_it() {
    let (base, log) = fake_push().await;
    let app = spawn(None).await;
    let member = app.token(demo::MEMBER).await;
    let member_id = app.member_id(demo::MEMBER).await;
    opt_in(&app, &member, serde_json::from_str(RESULTS_ON).unwrap()).await;
    let browser = Browser::new(&base, "phone-1");
    let r = app
        .post("/me/push-subscriptions", &member, &browser.subscription())
        .await;
    assert_eq!(r.status(), 204);
    let today = zhibu_server::time::today(tz(&app));
    let late = at(&app, today, 23, 0);
    let id = result_for(&app, member_id, late).await;

    run_due(&app, &app.db, "a", late + Duration::minutes(1)).await;
    assert!(log.lock().unwrap().received.is_empty(), "not at night");
    run_due(
        &app,
        &app.db,
        "a",
        at(&app, today + Duration::days(1), 6, 59),
    )
    .await;
    assert!(log.lock().unwrap().received.is_empty());
    run_due(
        &app,
        &app.db,
        "a",
        at(&app, today + Duration::days(1), 7, 0),
    )
    .await;
    let received = log.lock().unwrap().received.clone();
    assert_eq!(received.len(), 1, "delivered when the quiet hours end");
    let (path, body, auth) = &received[0];
    assert_eq!(path, "/push/phone-1");
    assert!(
        auth.as_deref().is_some_and(|a| a.starts_with("vapid t=")),
        "{auth:?}"
    );
    let message = browser.read(body);
    assert_eq!(message["title"], "志愿服务记录已通过");
    assert_eq!(message["id"], id);
}

#[tokio::test]
async fn a_410_from_the_push_service_removes_the_subscription() {
    let (base, log) = fake_push().await;
    log.lock().unwrap().gone = true;
    let app = spawn(None).await;
    let member = app.token(demo::MEMBER).await;
    let member_id = app.member_id(demo::MEMBER).await;
    opt_in(&app, &member, serde_json::from_str(RESULTS_ON).unwrap()).await;
    let browser = Browser::new(&base, "old-phone");
    app.post("/me/push-subscriptions", &member, &browser.subscription())
        .await;
    // An endpoint outside the allowed push services is refused.
    let mut evil = browser.subscription();
    evil["endpoint"] = json!("http://10.0.0.5/internal");
    assert_eq!(
        app.post("/me/push-subscriptions", &member, &evil)
            .await
            .status(),
        422
    );
    let noon = at(&app, zhibu_server::time::today(tz(&app)), 12, 0);
    result_for(&app, member_id, noon).await;
    let report = run_due(&app, &app.db, "a", noon).await;
    assert_eq!(log.lock().unwrap().received.len(), 1);
    assert_eq!(
        (report.retried, report.failed),
        (0, 0),
        "a gone subscription is not a failure to retry"
    );
    let left = push_subscription::Entity::find()
        .filter(push_subscription::Column::MemberId.eq(member_id))
        .count(app.db.reader())
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn two_runners_at_once_deliver_each_push_once() {
    let (base, log) = fake_push().await;
    let app = spawn(None).await;
    let member = app.token(demo::MEMBER).await;
    let member_id = app.member_id(demo::MEMBER).await;
    opt_in(&app, &member, serde_json::from_str(RESULTS_ON).unwrap()).await;
    app.post(
        "/me/push-subscriptions",
        &member,
        &Browser::new(&base, "p").subscription(),
    )
    .await;
    let noon = at(&app, zhibu_server::time::today(tz(&app)), 12, 0);
    for _ in 0..30 {
        result_for(&app, member_id, noon).await;
    }
    // A second server process: its own connections to the same database.
    let other = Db::connect(&app.settings.database_url).await.unwrap();
    let (a, b) = tokio::join!(
        run_due(&app, &app.db, "server-a", noon),
        run_due(&app, &other, "server-b", noon)
    );
    assert_eq!(
        (a.retried + b.retried, a.failed + b.failed),
        (0, 0),
        "{a:?} {b:?}"
    );
    let received = log.lock().unwrap().received.len();
    assert_eq!(received, 30, "each push sent exactly once");
    let pushes = zhibu_server::sql::fetch_all::<Kinds>(
        app.db.reader(),
        "SELECT kind FROM job WHERE kind = 'push' AND done_at IS NOT NULL",
        [],
    )
    .await
    .unwrap();
    assert_eq!(pushes.len(), 30);
}

#[derive(sea_orm::FromQueryResult)]
struct Kinds {
    #[allow(dead_code)]
    kind: String,
}

#[tokio::test]
async fn a_wechat_subscribe_message_goes_through_the_local_fake_once_per_consent() {
    let (base, log) = fake_wechat().await;
    let app = spawn(Some(base)).await;
    let member = app.token(demo::MEMBER).await;
    let member_id = app.member_id(demo::MEMBER).await;
    opt_in(&app, &member, serde_json::from_str(RESULTS_ON).unwrap()).await;
    app.db
        .writer()
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            app.db.writer().get_database_backend(),
            "INSERT INTO wechat_account (openid, member_id, session_key, updated_at) VALUES ($1, $2, $3, $4)",
            ["openid-member".into(), member_id.into(), "sk".into(), zhibu_server::time::now().into()],
        ))
        .await
        .unwrap();
    let r = app
        .post(
            "/me/wechat-consents",
            &member,
            &json!({"template_id": "someone-elses"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post(
            "/me/wechat-consents",
            &member,
            &json!({"template_id": RESULTS_TEMPLATE}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let noon = at(&app, zhibu_server::time::today(tz(&app)), 12, 0);
    result_for(&app, member_id, noon).await;
    run_due(&app, &app.db, "a", noon).await;
    {
        let log = log.lock().unwrap();
        assert_eq!(log.sends.len(), 1);
        let sent = &log.sends[0];
        assert_eq!(sent["touser"], "openid-member");
        assert_eq!(sent["template_id"], RESULTS_TEMPLATE);
        assert_eq!(sent["data"]["thing1"]["value"], "志愿服务记录已通过");
        assert!(sent["page"].as_str().unwrap().ends_with("url=/service"));
        assert_eq!(log.tokens, 1);
    }
    assert_eq!(
        notify::wechat::remaining(app.db.reader(), member_id, RESULTS_TEMPLATE)
            .await
            .unwrap(),
        0,
        "the consent is spent"
    );
    // No consent left: the next one stays in the app.
    result_for(&app, member_id, noon).await;
    run_due(&app, &app.db, "a", noon + Duration::minutes(1)).await;
    let log = log.lock().unwrap();
    assert_eq!(log.sends.len(), 1);
    assert_eq!(log.tokens, 1, "the access token is cached");
}

#[tokio::test]
async fn a_decided_request_tells_its_member_who_opted_in() {
    let app = spawn(None).await;
    let member = app.token(demo::MEMBER).await;
    let member_id = app.member_id(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    opt_in(&app, &member, serde_json::from_str(RESULTS_ON).unwrap()).await;
    let today = zhibu_server::time::today(tz(&app));
    let mut ids = Vec::new();
    for kind in ["grid", "environment"] {
        let log: Value = app
            .post(
                "/service-logs",
                &member,
                &json!({"id": uuid::Uuid::new_v4().to_string(), "kind": kind, "date": today, "minutes": 30}),
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
            &json!({"ids": ids, "decision": "reject", "reason": "时长与活动记录不符"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let got = notes(&app, member_id).await;
    assert_eq!(got.len(), 1, "one notification for the batch: {got:?}");
    assert_eq!(got[0].kind, NotificationKind::Results);
    assert!(
        got[0].body.contains("2 项") && got[0].body.contains("时长与活动记录不符"),
        "{}",
        got[0].body
    );
    // Nobody else is told.
    let secretary_id = app.member_id(demo::SECRETARY).await;
    assert!(notes(&app, secretary_id).await.is_empty());
}

#[tokio::test]
async fn zhibu_jobs_run_due_at_a_given_now_sends_what_is_due_then_and_nothing_twice() {
    let app = spawn(None).await;
    let member = app.token(demo::MEMBER).await;
    let member_id = app.member_id(demo::MEMBER).await;
    opt_in(&app, &member, json!({"theme_day": true, "approvals": false, "deadlines": false, "results": false, "quiet_from": "22:00", "quiet_to": "07:00"})).await;
    let (_, date) = theme_day_of_branch(&app).await;
    let run = |now: DateTime<FixedOffset>| {
        let url = app.settings.database_url.clone();
        async move {
            tokio::process::Command::new(zhibu_tests::zhibu_binary())
                .args(["jobs", "run-due", "--now", &now.to_rfc3339()])
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("RUST_LOG", "warn")
                .env("ZHIBU_DATABASE_URL", url)
                .env("ZHIBU_JWT_SECRET", zhibu_tests::TEST_JWT_SECRET)
                .output()
                .await
                .expect("running zhibu jobs run-due")
        }
    };
    let before = run(at(&app, date - Duration::days(1), 17, 0)).await;
    assert!(
        before.status.success(),
        "{}",
        String::from_utf8_lossy(&before.stderr)
    );
    assert!(notes(&app, member_id).await.is_empty());
    // Two runs at once at 18:00, as two servers' runners would.
    let (a, b) = tokio::join!(
        run(at(&app, date - Duration::days(1), 18, 0)),
        run(at(&app, date - Duration::days(1), 18, 0))
    );
    assert!(
        a.status.success() && b.status.success(),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    );
    assert!(printed.contains("done"), "{printed}");
    let got = notes(&app, member_id).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].title, "明天是主题党日");
    let bad = tokio::process::Command::new(zhibu_tests::zhibu_binary())
        .args(["jobs", "run-due", "--now", "tomorrow"])
        .env("ZHIBU_DATABASE_URL", &app.settings.database_url)
        .output()
        .await
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"));
}
