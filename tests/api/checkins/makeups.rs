//! Make-ups (补课) by absentees.

use chrono::Utc;
use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::{open_theme_day, set_window, this_month};

#[tokio::test]
async fn an_absentee_makes_up_and_it_counts_as_attendance() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let member = app.token(demo::MEMBER).await;
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let ask = json!({"studied": "自学党的二十届四中全会精神", "studied_on": today.to_string()});
    let early = app
        .post(&format!("/theme-days/{id}/makeups"), &member, &ask)
        .await;
    assert_eq!(early.status(), 409, "not before the day is over");
    set_window(&app, &secretary, id, -4, -2).await;
    let r = app
        .post(&format!("/theme-days/{id}/makeups"), &member, &ask)
        .await;
    assert_eq!(r.status(), 201);
    let makeup: Value = r.json().await.unwrap();
    assert_eq!(
        app.post(&format!("/theme-days/{id}/makeups"), &member, &ask)
            .await
            .status(),
        409
    );
    let listed: Vec<Value> = app
        .get(&format!("/theme-days/{id}/makeups"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let r: Value = app
        .post(
            "/makeups/review",
            &secretary,
            &json!({"ids": [makeup["id"]], "decision": "approve"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["updated"], 1);
    let attendance: Value = app
        .get(&format!("/theme-days/{id}/attendance"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(attendance["present"], 1);
    let mine: Vec<Value> = app
        .get(
            &format!("/me/attendance?from={0}&to={0}", this_month()),
            &member,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["checkin"]["method"], "makeup");
    assert_eq!(mine[0]["makeup"]["status"], "approved");
}
