//! Dues paid on site against the tier standard.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::{open_theme_day, this_month};

#[tokio::test]
async fn dues_are_recorded_against_the_tier_standard_once_a_month() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let member_id = app.member_id(demo::MEMBER).await;
    let body = json!({"member_id": member_id, "amount_fen": 12000, "method": "transfer", "basis": "working", "monthly_income_fen": 800000});
    let r = app
        .post(&format!("/theme-days/{id}/dues"), &secretary, &body)
        .await;
    assert_eq!(r.status(), 201);
    let paid: Value = r.json().await.unwrap();
    assert_eq!(
        (paid["standard_fen"].as_i64(), paid["month"].as_str()),
        (Some(12000), Some(this_month().as_str()))
    );
    assert_eq!(
        app.post(&format!("/theme-days/{id}/dues"), &secretary, &body)
            .await
            .status(),
        409
    );
    let zero = json!({"member_id": member_id, "amount_fen": 0, "method": "cash"});
    assert_eq!(
        app.post(&format!("/theme-days/{id}/dues"), &secretary, &zero)
            .await
            .status(),
        422
    );
    let list: Vec<Value> = app
        .get(&format!("/theme-days/{id}/dues"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    let member = app.token(demo::MEMBER).await;
    assert_eq!(
        app.post(&format!("/theme-days/{id}/dues"), &member, &body)
            .await
            .status(),
        404
    );

    // The study item: members mark themselves, secretaries anyone expected.
    assert_eq!(
        app.post(
            &format!("/theme-days/{id}/study"),
            &member,
            &json!({"member_ids": [member_id]})
        )
        .await
        .status(),
        200
    );
    let other = app.member_id(demo::COMMUNITY_ADMIN).await;
    assert_eq!(
        app.post(
            &format!("/theme-days/{id}/study"),
            &member,
            &json!({"member_ids": [other]})
        )
        .await
        .status(),
        403
    );
    let r: Value = app
        .post(
            &format!("/theme-days/{id}/study"),
            &secretary,
            &json!({"member_ids": [other, member_id]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["updated"], 1);
    let mine: Vec<Value> = app
        .get(
            &format!("/me/attendance?from={0}&to={0}", this_month()),
            &member,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["study_done"], true);
    assert_eq!(mine[0]["dues"]["amount_fen"], 12000);
}
