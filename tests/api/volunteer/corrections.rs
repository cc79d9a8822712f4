//! Corrections of an approved log: the minutes move, never double.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::{log, month, review, today, total, uuid};

#[tokio::test]
async fn a_correction_moves_the_minutes_instead_of_doubling_them() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let (_, original) = log(
        &app,
        &member,
        json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 90}),
    )
    .await;
    assert_eq!(
        review(&app, &secretary, &[&original["id"]], "approve", None).await,
        200
    );
    let r = app.post(&format!("/service-logs/{}/correction", original["id"].as_str().unwrap()), &member, &json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 120, "note": "少记了半小时"})).await;
    assert_eq!(r.status(), 201);
    let correction: Value = r.json().await.unwrap();
    assert_eq!(correction["corrects_id"], original["id"]);
    assert_eq!(
        total(&app, &admin, county).await,
        90,
        "a pending correction changes nothing"
    );
    assert_eq!(
        review(&app, &secretary, &[&correction["id"]], "approve", None).await,
        200
    );
    assert_eq!(total(&app, &admin, county).await, 120);
    let mine: Vec<Value> = app
        .get("/me/service-logs", &member)
        .await
        .json()
        .await
        .unwrap();
    let status = |id: &Value| mine.iter().find(|l| &l["id"] == id).unwrap()["status"].clone();
    assert_eq!(
        (status(&original["id"]), status(&correction["id"])),
        (json!("superseded"), json!("approved"))
    );
    let by_kind: Value = app
        .get(
            &format!("/orgs/{county}/hours?from={0}&to={0}&by=kind", month()),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let grid = by_kind["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "grid")
        .unwrap();
    assert_eq!(
        (grid["minutes"].as_i64(), grid["entries"].as_i64()),
        (Some(120), Some(1))
    );
    // Nobody certifies their own service.
    let (_, own) = log(
        &app,
        &secretary,
        json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 30}),
    )
    .await;
    let own: Value = app
        .post(
            "/service-logs/review",
            &secretary,
            &json!({"ids": [&own["id"]], "decision": "approve"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        own["skipped"][0]["code"], "own_record",
        "nobody certifies their own service: {own}"
    );
    assert_eq!(own["updated"], 0);
}
