//! Logging service: every rule a log must meet.

use chrono::Duration;
use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::{community_id, log, today, uuid};

#[tokio::test]
async fn every_validation_rule_is_refused_with_422_and_nothing_is_stored() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let dongguan = community_id(&app, "东关社区").await;
    let express = app.org_id(&[demo::COUNTY, "快递行业党委"]).await;
    // Two logs that fill a day, and one with a start time.
    let yesterday = today() - Duration::days(1);
    for kind in ["volunteer", "pairing"] {
        let (status, _) = log(
            &app,
            &member,
            json!({"id": uuid(), "kind": kind, "date": yesterday, "minutes": 720}),
        )
        .await;
        assert_eq!(status, 201);
    }
    let (status, _) = log(&app, &member, json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 60, "start_time": "09:00"})).await;
    assert_eq!(status, 201);
    let before: Vec<Value> = app
        .get("/me/service-logs", &member)
        .await
        .json()
        .await
        .unwrap();
    let base = |v: Value| {
        let mut body = json!({"id": uuid(), "kind": "volunteer", "date": today(), "minutes": 30});
        for (k, val) in v.as_object().unwrap() {
            body[k] = val.clone();
        }
        body
    };
    let cases = [
        ("minutes", base(json!({"minutes": 0}))),
        ("minutes", base(json!({"minutes": 721}))),
        ("date", base(json!({"date": today() + Duration::days(1)}))),
        ("date", base(json!({"date": today() - Duration::days(61)}))),
        (
            "minutes",
            base(json!({"date": yesterday, "minutes": 1, "kind": "civility"})),
        ),
        ("date", base(json!({"kind": "grid"}))),
        (
            "start_time",
            base(json!({"kind": "civility", "start_time": "09:30"})),
        ),
        ("start_time", base(json!({"start_time": "25:00"}))),
        ("start_time", base(json!({"start_time": "23:50"}))),
        // A community with a unit the member does not belong to.
        (
            "org_id",
            base(json!({"community_id": dongguan, "org_id": express})),
        ),
        ("community_id", base(json!({"community_id": 999_999}))),
        ("org_id", base(json!({"org_id": express}))),
        ("note", base(json!({"note": "长".repeat(201)}))),
        ("id", base(json!({"id": "not-a-uuid"}))),
    ];
    for (field, body) in cases {
        let (status, error) = log(&app, &member, body.clone()).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert!(error["fields"].get(field).is_some(), "{field}: {error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{4e00}'),
            "{error}"
        );
    }
    let after: Vec<Value> = app
        .get("/me/service-logs", &member)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before.len(), after.len(), "nothing stored");
    // The same id and body is a replay; the same id with another body a conflict.
    let body = base(json!({"kind": "other", "minutes": 15}));
    assert_eq!(log(&app, &member, body.clone()).await.0, 201);
    assert_eq!(log(&app, &member, body.clone()).await.0, 200);
    let mut changed = body.clone();
    changed["minutes"] = json!(16);
    assert_eq!(log(&app, &member, changed).await.0, 409);
}
