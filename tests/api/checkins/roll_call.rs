//! Roll-call of members without phones, and attendance.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::{open_theme_day, this_month};

#[tokio::test]
async fn roll_call_records_members_without_phones_and_attendance_adds_up() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let before: Value = app
        .get(&format!("/theme-days/{id}/attendance"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let expected = before["expected"].as_u64().unwrap();
    assert!(expected >= 5);
    assert_eq!(before["absent"].as_array().unwrap().len() as u64, expected);
    let absent: Vec<i64> = before["absent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    let recorded: Vec<Value> = app
        .post(
            &format!("/theme-days/{id}/roll-call"),
            &secretary,
            &json!({"member_ids": &absent[..3]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(recorded.len(), 3);
    assert!(
        recorded
            .iter()
            .all(|c| c["method"] == "roll_call" && c["status"] == "approved")
    );

    let county_member = app.member_id("13900010100").await;
    let stranger = app
        .post(
            &format!("/theme-days/{id}/roll-call"),
            &secretary,
            &json!({"member_ids": [county_member]}),
        )
        .await;
    assert_eq!(stranger.status(), 422);
    let member = app.token(demo::MEMBER).await;
    assert_eq!(
        app.post(
            &format!("/theme-days/{id}/roll-call"),
            &member,
            &json!({"member_ids": [absent[3]]})
        )
        .await
        .status(),
        404
    );

    let after: Value = app
        .get(&format!("/theme-days/{id}/attendance"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["present"], 3);
    assert_eq!(
        after["absent"].as_array().unwrap().len() as u64,
        expected - 3
    );

    // Rolled up: the street and the county see the same three.
    let admin = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let report: Value = app
        .get(
            &format!("/orgs/{county}/attendance?month={}", this_month()),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["total"]["present"], 3);
    let street = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["org"]["name"] == demo::STREET)
        .unwrap();
    assert_eq!(street["present"], 3);
    assert!(street["expected"].as_u64().unwrap() >= expected);
    assert!(
        report["total"]["theme_days"].as_u64().unwrap() > 30,
        "every holding unit has its theme day"
    );
    assert_eq!(
        app.get(&format!("/orgs/{county}/attendance"), &secretary)
            .await
            .status(),
        404
    );
}
