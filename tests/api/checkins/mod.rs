//! Theme days and check-in; one module per capability, the helpers they
//! share here (the theme-day helpers serve other modules too).

mod check_in;
mod codes;
mod dues;
mod late_and_offline;
mod makeups;
mod roll_call;
mod theme_days;

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use zhibu_server::checkins::codes::CodeSigner;
use zhibu_shared::theme_day::Month;
use zhibu_tests::{TEST_JWT_SECRET, TestApp, demo};

fn signer() -> CodeSigner {
    CodeSigner::new(&secrecy::SecretString::from(TEST_JWT_SECRET))
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn this_month() -> String {
    Month::of(
        Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive(),
    )
    .to_string()
}

/// This month's theme day of branch A, its window opened around now.
pub(crate) async fn open_theme_day(app: &TestApp, secretary: &str) -> i64 {
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let days: Vec<Value> = app
        .get(
            &format!("/orgs/{a}/theme-days?month={}", this_month()),
            secretary,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(days.len(), 1);
    let id = days[0]["id"].as_i64().unwrap();
    let now = Utc::now();
    let r = app
        .client
        .patch(app.api(&format!("/theme-days/{id}")))
        .bearer_auth(secretary)
        .json(&json!({"starts_at": (now - Duration::hours(1)).to_rfc3339(), "ends_at": (now + Duration::hours(1)).to_rfc3339(), "study_item": "学习党的二十届四中全会精神"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    id
}

pub(crate) async fn set_window(
    app: &TestApp,
    secretary: &str,
    id: i64,
    from_hours: i64,
    to_hours: i64,
) {
    let now = Utc::now();
    let r = app
        .client
        .patch(app.api(&format!("/theme-days/{id}")))
        .bearer_auth(secretary)
        .json(&json!({"starts_at": (now + Duration::hours(from_hours)).to_rfc3339(), "ends_at": (now + Duration::hours(to_hours)).to_rfc3339()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn check_in(app: &TestApp, token: &str, id: i64, body: Value) -> (u16, Value) {
    let r = app
        .post(&format!("/theme-days/{id}/checkins"), token, &body)
        .await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn current_token(id: i64) -> String {
    signer().token(id, CodeSigner::step_at(Utc::now().timestamp()))
}
