//! Password logins, throttling, refresh rotation, logout and passwords.

use reqwest::header;
use serde_json::{Value, json};
use zhibu_shared::auth::Session;
use zhibu_tests::{DEMO_PASSWORD, demo, spawn_demo_app};

#[tokio::test]
async fn a_demo_member_logs_in_and_sees_their_profile() {
    let app = spawn_demo_app().await;
    let session = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    assert_eq!(session.expires_in, 900);
    assert_eq!(session.member.phone_masked, "138****0002");
    let me: Value = app
        .get("/me", &session.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "王在职");
    assert_eq!(me["branch"]["name"], demo::BRANCH_A);
    assert_eq!(me["community"]["name"], "东关社区");
    assert_eq!(me["categories"], json!(["in_office"]));
    assert_eq!(me["roles"], json!([]));

    let rider: Value = app
        .get("/me", &app.token(demo::RIDER).await)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rider["sectors"][0]["name"], "外卖行业党委");
    let admin: Value = app
        .get("/me", &app.token(demo::ADMIN).await)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(admin["roles"][0]["role"], "admin");
    assert_eq!(admin["roles"][0]["org_name"], demo::COUNTY);
}

#[tokio::test]
async fn unknown_phones_and_wrong_passwords_get_the_same_answer() {
    let app = spawn_demo_app().await;
    let wrong_password = app
        .client
        .post(app.api("/auth/login"))
        .json(&json!({"phone": demo::MEMBER, "password": "nope-nope"}))
        .send()
        .await
        .unwrap();
    let unknown_phone = app
        .client
        .post(app.api("/auth/login"))
        .json(&json!({"phone": "13912345678", "password": "nope-nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_password.status(), 401);
    assert_eq!(unknown_phone.status(), 401);
    assert_eq!(
        wrong_password.json::<Value>().await.unwrap(),
        unknown_phone.json::<Value>().await.unwrap()
    );
    let malformed = app
        .client
        .post(app.api("/auth/login"))
        .json(&json!({"phone": "12345", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 422);
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes_with_retry_after() {
    let app = spawn_demo_app().await;
    for _ in 0..5 {
        let r = app
            .client
            .post(app.api("/auth/login"))
            .json(&json!({"phone": demo::MEMBER, "password": "wrong-pass"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    // Even the right password is refused while locked.
    let locked = app
        .client
        .post(app.api("/auth/login"))
        .json(&json!({"phone": demo::MEMBER, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), 429);
    let retry: u64 = locked.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 800 && retry <= 900, "{retry}");
    // Other accounts are unaffected.
    app.login_as(demo::SECRETARY, DEMO_PASSWORD).await;
}

#[tokio::test]
async fn many_failures_from_one_address_are_throttled_across_accounts() {
    let app = zhibu_tests::spawn_app_with(|s| {
        s.demo = true;
        s.login_failures_per_ip = 12;
    })
    .await;
    for i in 0..12 {
        let phone = format!("1390001{:04}", i);
        let r = app
            .client
            .post(app.api("/auth/login"))
            .json(&json!({"phone": phone, "password": "wrong-pass"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = app
        .client
        .post(app.api("/auth/login"))
        .json(&json!({"phone": demo::ADMIN, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key(header::RETRY_AFTER));
}

async fn refresh(app: &zhibu_tests::TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(app.api("/auth/refresh"))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn refresh_rotates_and_reusing_a_spent_token_revokes_the_family() {
    let app = spawn_demo_app().await;
    let first = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    let second: Session = refresh(&app, &first.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(app.get("/me", &second.access_token).await.status(), 200);

    // Spent again at once (a second tab, a retried request): the same pair.
    let again: Session = refresh(&app, &first.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&again.access_token, &again.refresh_token),
        (&second.access_token, &second.refresh_token)
    );
    // Replayed after the grace: the whole family dies.
    use sea_orm::ConnectionTrait;
    app.db
        .writer()
        .execute_unprepared(&format!(
            "UPDATE auth_session SET refreshed_at = '{}'",
            (chrono::Utc::now() - chrono::Duration::seconds(60)).to_rfc3339()
        ))
        .await
        .unwrap();
    assert_eq!(refresh(&app, &first.refresh_token).await.status(), 401);
    assert_eq!(refresh(&app, &second.refresh_token).await.status(), 401);
    assert_eq!(app.get("/me", &second.access_token).await.status(), 401);
    // Other sessions of the member live on.
    let other = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    assert_eq!(app.get("/me", &other.access_token).await.status(), 200);
}

#[tokio::test]
async fn two_concurrent_refreshes_of_one_token_keep_the_member_signed_in() {
    let app = spawn_demo_app().await;
    let first = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    let (a, b) = tokio::join!(
        refresh(&app, &first.refresh_token),
        refresh(&app, &first.refresh_token)
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let (a, b): (Session, Session) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a.refresh_token, b.refresh_token);
    assert_eq!(app.get("/me", &a.access_token).await.status(), 200);
    assert_eq!(refresh(&app, &a.refresh_token).await.status(), 200);
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let app = spawn_demo_app().await;
    let session = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    app.logout(&session.access_token).await;
    assert_eq!(app.get("/me", &session.access_token).await.status(), 401);
    assert_eq!(refresh(&app, &session.refresh_token).await.status(), 401);
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_the_new_one_works() {
    let app = spawn_demo_app().await;
    let old = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    let weak = app
        .post(
            "/me/password",
            &old.access_token,
            &json!({"old_password": DEMO_PASSWORD, "new_password": "12345678"}),
        )
        .await;
    assert_eq!(weak.status(), 422);
    let wrong_old = app
        .post(
            "/me/password",
            &old.access_token,
            &json!({"old_password": "not-it-at-all", "new_password": "a-better-one"}),
        )
        .await;
    assert_eq!(wrong_old.status(), 422);

    let r = app
        .post(
            "/me/password",
            &old.access_token,
            &json!({"old_password": DEMO_PASSWORD, "new_password": "a-better-one"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let fresh: Session = r.json().await.unwrap();
    assert_eq!(app.get("/me", &old.access_token).await.status(), 401);
    assert_eq!(refresh(&app, &old.refresh_token).await.status(), 401);
    assert_eq!(app.get("/me", &fresh.access_token).await.status(), 200);
    app.login_as(demo::MEMBER, "a-better-one").await;
}

#[tokio::test]
async fn a_disabled_member_loses_access_at_once_and_cannot_log_in() {
    let app = spawn_demo_app().await;
    let member = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = member.member.id;
    assert_eq!(
        app.post(&format!("/members/{id}/disable"), &secretary, &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(app.get("/me", &member.access_token).await.status(), 401);
    assert_eq!(refresh(&app, &member.refresh_token).await.status(), 401);
    let r = app
        .client
        .post(app.api("/auth/login"))
        .json(&json!({"phone": demo::MEMBER, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        app.post(&format!("/members/{id}/enable"), &secretary, &json!({}))
            .await
            .status(),
        204
    );
    app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
}

#[tokio::test]
async fn members_who_left_are_kept_but_cannot_log_in() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let id = app.member_id(demo::MEMBER).await;
    let r = app
        .client
        .patch(app.api(&format!("/members/{id}")))
        .bearer_auth(&admin)
        .json(&json!({"status": "transferred_out"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .client
        .post(app.api("/auth/login"))
        .json(&json!({"phone": demo::MEMBER, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let branch = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let page: Value = app
        .get(&format!("/orgs/{branch}/members?limit=200"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let kept = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .expect("still listed");
    assert_eq!(kept["status"], "transferred_out");
}
