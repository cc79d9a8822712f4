//! WeChat mini-program login against a local fake of WeChat's API, reached
//! through the same reqwest code production uses.

use std::collections::HashMap;

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use zhibu_tests::{DEMO_PASSWORD, TestApp, demo, spawn_app_with};

const APPID: &str = "wx-test-appid";
const SECRET: &str = "wx-test-secret";

/// WeChat's `jscode2session`, answering by the code it is given.
async fn jscode2session(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    if query.get("appid").map(String::as_str) != Some(APPID)
        || query.get("secret").map(String::as_str) != Some(SECRET)
        || query.get("grant_type").map(String::as_str) != Some("authorization_code")
    {
        return HttpResponse::Ok().json(json!({"errcode": 40013, "errmsg": "invalid appid"}));
    }
    let code = query.get("js_code").cloned().unwrap_or_default();
    let body = match code.as_str() {
        "invalid" => json!({"errcode": 40029, "errmsg": "invalid code"}),
        "busy" => json!({"errcode": 45011, "errmsg": "api minute-quota reach limit"}),
        "risky" => json!({"errcode": 40226, "errmsg": "high risk user"}),
        "down" => json!({"errcode": -1, "errmsg": "system error"}),
        // Each phone's wx.login code maps to one openid, as in WeChat.
        _ => {
            json!({"openid": format!("openid-{code}"), "session_key": format!("session-key-{code}"), "errcode": 0})
        }
    };
    HttpResponse::Ok().json(body)
}

async fn spawn_with_fake_wechat() -> TestApp {
    let server =
        HttpServer::new(|| App::new().route("/sns/jscode2session", web::get().to(jscode2session)))
            .workers(1)
            .disable_signals()
            .bind("127.0.0.1:0")
            .unwrap();
    let base = format!("http://{}", server.addrs()[0]);
    tokio::spawn(server.run());
    spawn_app_with(move |s| {
        s.demo = true;
        s.wechat_api_base = base;
        s.wechat_appid = Some(APPID.into());
        s.wechat_secret = Some(secrecy::SecretString::from(SECRET));
    })
    .await
}

async fn wechat_login(app: &TestApp, code: &str) -> reqwest::Response {
    app.client
        .post(app.api("/auth/wechat"))
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_unbound_wechat_account_gets_a_bind_ticket_and_binding_logs_in() {
    let app = spawn_with_fake_wechat().await;
    let r = wechat_login(&app, "alice").await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "wechat_unbound");
    assert!(
        !body.to_string().contains("session-key"),
        "the session key stays on the server"
    );
    let ticket = body["bind_ticket"].as_str().unwrap();

    let wrong = app
        .client
        .post(app.api("/auth/wechat/bind"))
        .json(&json!({"bind_ticket": ticket, "phone": demo::MEMBER, "password": "wrong-pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let forged = app
        .client
        .post(app.api("/auth/wechat/bind"))
        .json(&json!({"bind_ticket": "forged", "phone": demo::MEMBER, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    let bound = app
        .client
        .post(app.api("/auth/wechat/bind"))
        .json(&json!({"bind_ticket": ticket, "phone": demo::MEMBER, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(bound.status(), 200);
    let session: Value = bound.json().await.unwrap();
    assert_eq!(session["member"]["phone_masked"], "138****0002");
    assert!(!session.to_string().contains("session-key"));

    // From now on the same WeChat user logs straight in.
    let again = wechat_login(&app, "alice").await;
    assert_eq!(again.status(), 200);
    let session: Value = again.json().await.unwrap();
    assert_eq!(session["member"]["name"], "王在职");
    assert_eq!(
        app.get("/me", session["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn wechat_errors_map_to_clear_statuses() {
    let app = spawn_with_fake_wechat().await;
    let cases = [
        ("invalid", 401, "wechat_invalid_code"),
        ("busy", 429, "too_many_requests"),
        ("risky", 403, "wechat_risky_user"),
        ("down", 503, "service_unavailable"),
    ];
    for (code, status, error_code) in cases {
        let r = wechat_login(&app, code).await;
        assert_eq!(r.status().as_u16(), status, "{code}");
        if status == 429 {
            assert!(r.headers().contains_key("retry-after"));
        }
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], error_code, "{code}");
    }
    let empty = wechat_login(&app, "").await;
    assert_eq!(empty.status(), 422);
}

#[tokio::test]
async fn a_server_without_wechat_configured_says_so() {
    let app = spawn_app_with(|s| s.demo = true).await;
    let r = wechat_login(&app, "alice").await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "wechat_not_configured"
    );
}
