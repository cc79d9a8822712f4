//! 四议两公开: decision steps in order, drawn by inspections.

use serde_json::{Value, json};
use zhibu_shared::theme_day::Month;
use zhibu_tests::{demo, spawn_demo_app};

use super::*;

#[tokio::test]
async fn decision_steps_are_recorded_in_order_and_inspections_can_draw_them() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let today = today(&app);
    let id = uuid();
    let r = app
        .post(
            &format!("/orgs/{branch}/decisions"),
            &secretary,
            &json!({"id": id, "subject": "村集体土地流转", "steps": [
                {"step": "proposal", "done_on": today},
                {"step": "deliberation", "done_on": today, "note": "两委会一致同意"},
            ]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = app
        .client
        .put(app.api(&format!("/decisions/{id}/steps/resolution")))
        .bearer_auth(&secretary)
        .json(&json!({"done_on": today}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "the review comes before the resolution");
    let r = app
        .client
        .put(app.api(&format!("/decisions/{id}/steps/review")))
        .bearer_auth(&secretary)
        .json(&json!({"done_on": today}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let decision: Value = r.json().await.unwrap();
    assert_eq!(decision["steps"].as_array().unwrap().len(), 3);
    assert_eq!(decision["complete"], false);
    let r = app
        .client
        .put(app.api(&format!("/decisions/{id}/steps/review")))
        .bearer_auth(&secretary)
        .json(&json!({"done_on": today}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    let r = app
        .post(
            "/inspections",
            &admin,
            &json!({"scope_org_id": branch, "month": Month::of(today), "sample_size": 1, "record_kinds": ["decisions"]}),
        )
        .await;
    let inspection: Value = r.json().await.unwrap();
    let item = &inspection["items"][0];
    assert_eq!(item["record_id"], id);
    let detail: Value = app
        .get(
            &format!("/inspections/{}/items/{}", inspection["id"], item["id"]),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["decision"]["subject"], "村集体土地流转");
    assert_eq!(detail["may_grade"], true);
}
