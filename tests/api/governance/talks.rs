//! 约谈: recorded and read only from above the unit, and suggested when a
//! unit's subtree has problems from two inspections.

use chrono::Duration;
use serde_json::{Value, json};
use zhibu_shared::theme_day::Month;
use zhibu_tests::{TestApp, demo, spawn_demo_app};

use super::*;

#[tokio::test]
async fn talks_are_recorded_and_read_only_from_above_the_unit() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let secretary = app.token(demo::SECRETARY).await;
    let branch = branch_a(&app).await;
    let with = app.member_id(demo::SECRETARY).await;
    let body = json!({"with_member_id": with, "held_on": today(&app), "reason": "多次抽查发现会议记录不全", "outcome": "已提出整改要求"});
    let r = app
        .post(&format!("/orgs/{branch}/talks"), &secretary, &body)
        .await;
    assert_eq!(r.status(), 404, "a branch does not talk to itself");
    let r = app
        .post(&format!("/orgs/{branch}/talks"), &admin, &body)
        .await;
    assert_eq!(r.status(), 201);
    let talks: Vec<Value> = app
        .get(&format!("/orgs/{branch}/talks"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(talks.len(), 1);
    assert_eq!(talks[0]["with"]["id"], with);
    assert_eq!(
        app.get(&format!("/orgs/{branch}/talks"), &secretary)
            .await
            .status(),
        404
    );
}

/// Whether the overview of `parent` suggests a talk with `child`.
async fn talk_suggested(app: &TestApp, token: &str, parent: i64, child: i64) -> bool {
    let overview: Value = app
        .get(&format!("/orgs/{parent}/governance"), token)
        .await
        .json()
        .await
        .unwrap();
    overview["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["org"]["id"] == child)
        .unwrap_or_else(|| panic!("no row for {child}: {overview}"))["talk_suggested"]
        .as_bool()
        .unwrap()
}

#[tokio::test]
async fn problems_found_in_two_inspections_of_a_units_subtree_suggest_a_talk_with_it() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let (a, b) = (branch_a(&app).await, branch_b(&app).await);
    assert!(!talk_suggested(&app, &admin, street, a).await);
    let today = today(&app);
    let inspect = |branch: i64, month: Month| {
        let (app, admin) = (&app, &admin);
        async move {
            let r = app
                .post(
                    "/inspections",
                    admin,
                    &json!({"scope_org_id": branch, "month": month, "sample_size": 1, "record_kinds": ["meetings"]}),
                )
                .await;
            assert_eq!(r.status(), 201);
            let inspection: Value = r.json().await.unwrap();
            let item = &inspection["items"][0];
            let finding = json!({"grade": "poor", "problems": [{"description": "会议记录不全", "deadline": today + Duration::days(30)}]});
            let r = app
                .post(
                    &format!(
                        "/inspections/{}/items/{}/finding",
                        inspection["id"], item["id"]
                    ),
                    admin,
                    &finding,
                )
                .await;
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        }
    };
    inspect(a, Month::of(today)).await;
    assert!(
        !talk_suggested(&app, &admin, street, a).await,
        "one inspection is not yet a pattern"
    );
    inspect(a, Month::of(today).previous()).await;
    inspect(b, Month::of(today)).await;
    assert!(talk_suggested(&app, &admin, street, a).await);
    assert!(!talk_suggested(&app, &admin, street, b).await);
}
