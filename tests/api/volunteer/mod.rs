//! Volunteer service: community reporting, sector committees, service logs,
//! crediting up the tree, reports, exports and certificates; one module per
//! capability, the helpers they share here.

mod community;
mod corrections;
mod crediting;
mod logs;
mod reports;
mod review;
mod sectors;

use chrono::Utc;
use serde_json::{Value, json};
use zhibu_tests::{TestApp, demo};

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn month() -> String {
    today().format("%Y-%m").to_string()
}

async fn community_id(app: &TestApp, name: &str) -> i64 {
    let token = app.token(demo::MEMBER).await;
    let found: Vec<Value> = app
        .get(&format!("/communities?q={name}"), &token)
        .await
        .json()
        .await
        .unwrap();
    found.iter().find(|c| c["name"] == name).unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn log(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let r = app.post("/service-logs", token, &body).await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn review(
    app: &TestApp,
    token: &str,
    ids: &[&Value],
    decision: &str,
    reason: Option<&str>,
) -> u16 {
    let mut body = json!({"ids": ids, "decision": decision});
    if let Some(reason) = reason {
        body["reason"] = json!(reason);
    }
    app.post("/service-logs/review", token, &body)
        .await
        .status()
        .as_u16()
}

async fn total(app: &TestApp, token: &str, org: i64) -> i64 {
    let r: Value = app
        .get(
            &format!("/orgs/{org}/hours?from={0}&to={0}", month()),
            token,
        )
        .await
        .json()
        .await
        .unwrap();
    r["total_minutes"].as_i64().unwrap()
}

/// Makes an ordinary member the holder of `role` on `org` and logs them in.
async fn appoint(app: &TestApp, role: &str, org: i64, nth: usize) -> String {
    let admin = app.token(demo::ADMIN).await;
    let page: Value = app
        .get(&format!("/orgs/{org}/members?limit=200"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let person = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["phone"].as_str().unwrap().starts_with("139"))
        .nth(nth)
        .expect("an ordinary member")
        .clone();
    let id = person["id"].as_i64().unwrap();
    assert_eq!(
        app.post(
            "/roles",
            &admin,
            &json!({"member_id": id, "role": role, "org_id": org})
        )
        .await
        .status(),
        201
    );
    app.activate(&admin, id).await.access_token
}
