//! The JWT attack matrix: every forged, expired, misdirected or revoked
//! token answers 401.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use zhibu_tests::{DEMO_PASSWORD, TEST_JWT_SECRET, TestApp, demo};

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn payload_of(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn sign(alg: Algorithm, secret: &str, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn spawn() -> TestApp {
    // The demo secret is random; the matrix needs to know the key.
    zhibu_tests::spawn_app_with(|s| {
        s.demo = true;
        s.jwt_secret = Some(secrecy::SecretString::from(TEST_JWT_SECRET));
    })
    .await
}

async fn status_of(app: &TestApp, token: &str) -> u16 {
    app.get("/me", token).await.status().as_u16()
}

#[tokio::test]
async fn a_well_formed_token_signed_with_the_server_key_is_accepted() {
    let app = spawn().await;
    let session = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    let claims = payload_of(&session.access_token);
    // Re-signing the same claims proves the matrix below changes one thing at a time.
    assert_eq!(
        status_of(&app, &sign(Algorithm::HS256, TEST_JWT_SECRET, &claims)).await,
        200
    );
}

#[tokio::test]
async fn forged_misdirected_and_expired_tokens_are_refused() {
    let app = spawn().await;
    let session = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    let good = payload_of(&session.access_token);
    let with = |key: &str, value: Value| {
        let mut c = good.clone();
        c[key] = value;
        c
    };
    let without = |key: &str| {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(key);
        c
    };
    let none_token = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&good).unwrap())
    );
    let cases: Vec<(&str, String)> = vec![
        ("alg none", none_token),
        (
            "another algorithm (HS512)",
            sign(Algorithm::HS512, TEST_JWT_SECRET, &good),
        ),
        (
            "wrong key",
            sign(
                Algorithm::HS256,
                "some-other-key-some-other-key-1234",
                &good,
            ),
        ),
        (
            "expired",
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &with("exp", json!(now() - 3600)),
            ),
        ),
        (
            "exp as a string",
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &with("exp", json!((now() + 600).to_string())),
            ),
        ),
        (
            "missing exp",
            sign(Algorithm::HS256, TEST_JWT_SECRET, &without("exp")),
        ),
        (
            "missing aud",
            sign(Algorithm::HS256, TEST_JWT_SECRET, &without("aud")),
        ),
        (
            "wrong aud",
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &with("aud", json!("another-app")),
            ),
        ),
        (
            "missing iss",
            sign(Algorithm::HS256, TEST_JWT_SECRET, &without("iss")),
        ),
        (
            "wrong iss",
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &with("iss", json!("evil")),
            ),
        ),
        (
            "missing typ",
            sign(Algorithm::HS256, TEST_JWT_SECRET, &without("typ")),
        ),
        (
            "wrong typ",
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &with("typ", json!("wechat_bind")),
            ),
        ),
        (
            "another member's id in the same session",
            sign(Algorithm::HS256, TEST_JWT_SECRET, &with("sub", json!("1"))),
        ),
        (
            "a refresh token as an access token",
            session.refresh_token.clone(),
        ),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (name, token) in cases {
        assert_eq!(status_of(&app, &token).await, 401, "{name}");
    }
    let r = app.client.get(app.api("/me")).send().await.unwrap();
    assert_eq!(r.status(), 401, "no token");
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn tokens_stop_working_after_logout_password_change_and_disabling() {
    let app = spawn().await;
    // After logout.
    let s = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    app.logout(&s.access_token).await;
    assert_eq!(status_of(&app, &s.access_token).await, 401, "after logout");
    // After a password change.
    let s = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    let r = app
        .post(
            "/me/password",
            &s.access_token,
            &json!({"old_password": DEMO_PASSWORD, "new_password": "changed-pass"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        status_of(&app, &s.access_token).await,
        401,
        "after a password change"
    );
    // After the member is disabled.
    let s = app.login_as(demo::RIDER, DEMO_PASSWORD).await;
    let admin = app.token(demo::ADMIN).await;
    app.post(
        &format!("/members/{}/disable", s.member.id),
        &admin,
        &json!({}),
    )
    .await;
    assert_eq!(
        status_of(&app, &s.access_token).await,
        401,
        "after disabling"
    );
}

#[tokio::test]
async fn a_refresh_token_cannot_be_forged_from_an_access_token() {
    let app = spawn().await;
    let s = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    let r = app
        .client
        .post(app.api("/auth/refresh"))
        .json(&json!({"refresh_token": s.access_token}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let mut forged = payload_of(&s.refresh_token);
    forged["jti"] = json!("guessed");
    let token = sign(Algorithm::HS256, TEST_JWT_SECRET, &forged);
    let r = app
        .client
        .post(app.api("/auth/refresh"))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
