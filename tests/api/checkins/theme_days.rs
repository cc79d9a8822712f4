//! Theme days: scheduled on the first Thursday, moved within their month.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

#[tokio::test]
async fn theme_days_fall_on_the_first_thursday_without_anyone_creating_them() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let days: Vec<Value> = app
        .get("/me/theme-days?from=2026-12&to=2027-01", &member)
        .await
        .json()
        .await
        .unwrap();
    let dates: Vec<&str> = days.iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2026-12-03", "2027-01-07"]);
    assert!(days.iter().all(|d| d["org"]["name"] == demo::BRANCH_A));
    assert!(
        days[0]["starts_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-03T08:30:00+08:00"),
        "{}",
        days[0]["starts_at"]
    );
    assert_eq!(days[0]["title"], "2026年12月主题党日");

    // The rider attends his branch's and his sector committee's.
    let rider = app.token(demo::RIDER).await;
    let days: Vec<Value> = app
        .get("/me/theme-days?from=2027-01&to=2027-01", &rider)
        .await
        .json()
        .await
        .unwrap();
    let mut orgs: Vec<&str> = days
        .iter()
        .map(|d| d["org"]["name"].as_str().unwrap())
        .collect();
    orgs.sort();
    assert_eq!(orgs, ["外卖行业党委", "外卖骑手党支部"]);
    // Asking twice creates nothing new.
    let again: Vec<Value> = app
        .get("/me/theme-days?from=2027-01&to=2027-01", &rider)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(days, again);
}

#[tokio::test]
async fn a_secretary_moves_the_day_within_its_month() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let days: Vec<Value> = app
        .get(&format!("/orgs/{a}/theme-days?month=2027-01"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let id = days[0]["id"].as_i64().unwrap();
    let moved: Value = app
        .client
        .patch(app.api(&format!("/theme-days/{id}")))
        .bearer_auth(&secretary)
        .json(&json!({"date": "2027-01-14", "title": "元旦后主题党日", "activities": ["志愿服务", "网格报到"], "location": "东关社区党群服务中心"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["date"], "2027-01-14");
    assert!(
        moved["starts_at"]
            .as_str()
            .unwrap()
            .starts_with("2027-01-14T08:30")
    );
    assert_eq!(moved["activities"], json!(["志愿服务", "网格报到"]));
    let other_month = app
        .client
        .patch(app.api(&format!("/theme-days/{id}")))
        .bearer_auth(&secretary)
        .json(&json!({"date": "2027-02-04"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other_month.status(), 422);
    let member = app.token(demo::MEMBER).await;
    let denied = app
        .client
        .patch(app.api(&format!("/theme-days/{id}")))
        .bearer_auth(&member)
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 404);
}
