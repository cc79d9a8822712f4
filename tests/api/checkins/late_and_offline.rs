//! Late and offline check-ins: pending for the secretary, audited decisions.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use zhibu_server::checkins::codes::CodeSigner;
use zhibu_tests::{demo, spawn_demo_app};

use super::{check_in, current_token, open_theme_day, set_window, signer, uuid};

#[tokio::test]
async fn late_check_ins_wait_for_review_and_decisions_are_audited() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    set_window(&app, &secretary, id, -5, -3).await;
    let member = app.token(demo::MEMBER).await;
    // Scanned while the day was open, sent after it closed.
    let scanned = Utc::now() - Duration::hours(4);
    let (status, checkin) = check_in(
        &app,
        &member,
        id,
        json!({"id": uuid(), "token": signer().token(id, CodeSigner::step_at(scanned.timestamp())), "client_time": scanned.to_rfc3339()}),
    )
    .await;
    assert_eq!(status, 201, "{checkin}");
    assert_eq!(checkin["status"], "pending");
    assert!(checkin["reason"].as_str().unwrap().contains("扫码时间"));

    let ids = json!([checkin["id"]]);
    let no_reason = app
        .post(
            "/checkins/review",
            &secretary,
            &json!({"ids": ids, "decision": "reject"}),
        )
        .await;
    assert_eq!(no_reason.status(), 422);
    let r: Value = app
        .post(
            "/checkins/review",
            &secretary,
            &json!({"ids": ids, "decision": "approve", "reason": "书记核实在场"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["updated"], 1);
    let list: Vec<Value> = app
        .get(&format!("/theme-days/{id}/checkins"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["status"], "approved");
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let audit = zhibu_server::entities::audit_log::Entity::find()
        .filter(zhibu_server::entities::audit_log::Column::Action.eq("checkin.review"))
        .all(app.db.reader())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        audit[0].actor_id,
        Some(app.member_id(demo::SECRETARY).await)
    );
    assert!(audit[0].detail.as_deref().unwrap().contains("书记核实在场"));

    // Another branch's secretary cannot decide it.
    let admin = app.token(demo::ADMIN).await;
    let b = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let page: Value = app
        .get(&format!("/orgs/{b}/members"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let b_member = page["items"][0]["id"].as_i64().unwrap();
    app.post(
        "/roles",
        &admin,
        &json!({"member_id": b_member, "role": "secretary", "org_id": b}),
    )
    .await;
    let sec_b = app.activate(&admin, b_member).await.access_token;
    let r = app
        .post(
            "/checkins/review",
            &sec_b,
            &json!({"ids": ids, "decision": "reject", "reason": "x"}),
        )
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        app.get(&format!("/theme-days/{id}/code"), &sec_b)
            .await
            .status(),
        404
    );
    // Nor can a member of branch B check in to branch A's theme day.
    let (status, _) = check_in(
        &app,
        &sec_b,
        id,
        json!({"id": uuid(), "token": current_token(id)}),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn offline_check_ins_are_accepted_within_a_day_when_the_code_was_valid_then() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let s = signer();
    let ten_minutes_ago = Utc::now() - Duration::minutes(10);
    let old_step = CodeSigner::step_at(ten_minutes_ago.timestamp());
    let member = app.token(demo::MEMBER).await;
    let (status, c) = check_in(&app, &member, id, json!({"id": uuid(), "short_code": s.short_code(id, old_step), "client_time": ten_minutes_ago.to_rfc3339()})).await;
    assert_eq!(status, 201, "{c}");
    // Accepted, but a code can be photographed and sent on: a person decides.
    assert_eq!(
        (c["method"].as_str(), c["status"].as_str()),
        (Some("offline"), Some("pending"))
    );
    assert!(c["claimed_at"].is_string(), "{c}");

    // A code that was not valid at the claimed time is refused.
    let other = app.token(demo::COMMUNITY_ADMIN).await;
    let (status, _) = check_in(&app, &other, id, json!({"id": uuid(), "short_code": s.short_code(id, old_step - 10), "client_time": ten_minutes_ago.to_rfc3339()})).await;
    assert_eq!(status, 422);
    // More than a day late is refused.
    let two_days_ago = Utc::now() - Duration::hours(49);
    let (status, e) = check_in(&app, &other, id, json!({"id": uuid(), "short_code": s.short_code(id, CodeSigner::step_at(two_days_ago.timestamp())), "client_time": two_days_ago.to_rfc3339()})).await;
    assert_eq!(status, 422, "{e}");
    // A claimed time outside the window is refused: the day was not open.
    let three_hours_ago = Utc::now() - Duration::hours(3);
    let (status, _) = check_in(&app, &other, id, json!({"id": uuid(), "short_code": s.short_code(id, CodeSigner::step_at(three_hours_ago.timestamp())), "client_time": three_hours_ago.to_rfc3339()})).await;
    assert_eq!(status, 422);
}
