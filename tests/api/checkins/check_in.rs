//! Checking in with the live code: once per member and day, under a burst
//! of replays and queued check-ins, inside or outside a geofence, and only
//! with a live session and a theme day of one's own.

use chrono::Utc;
use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::{check_in, current_token, open_theme_day, uuid};

#[tokio::test]
async fn a_member_checks_in_with_the_live_code_once() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let code: Value = app
        .get(&format!("/theme-days/{id}/code"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(code["short_code"].as_str().unwrap().len(), 6);
    assert!(
        code["url"]
            .as_str()
            .unwrap()
            .contains(&format!("/checkin/{id}?t="))
    );
    assert!(
        code["qr_svg"].as_str().unwrap().starts_with("<?xml")
            || code["qr_svg"].as_str().unwrap().contains("<svg")
    );

    let member = app.token(demo::MEMBER).await;
    let first_id = uuid();
    let body = json!({"id": first_id, "token": code["token"]});
    let (status, checkin) = check_in(&app, &member, id, body.clone()).await;
    assert_eq!(status, 201, "{checkin}");
    assert_eq!(
        (checkin["status"].as_str(), checkin["method"].as_str()),
        (Some("approved"), Some("code"))
    );

    let (status, replay) = check_in(&app, &member, id, body).await;
    assert_eq!(status, 200);
    assert_eq!(replay, checkin);

    let (status, error) = check_in(
        &app,
        &member,
        id,
        json!({"id": first_id, "short_code": code["short_code"]}),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (409, Some("idempotency_conflict"))
    );

    let (status, error) = check_in(
        &app,
        &member,
        id,
        json!({"id": uuid(), "short_code": code["short_code"]}),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (409, Some("already_checked_in"))
    );
    assert_eq!(error["checkin"]["status"], "approved");
    assert_eq!(error["checkin"]["id"], first_id);
}

#[tokio::test]
async fn a_hundred_concurrent_replays_make_exactly_one_check_in() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let member = app.token(demo::MEMBER).await;
    let body = json!({"id": uuid(), "token": current_token(id)});
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (client, url, token, body) = (
            app.client.clone(),
            app.api(&format!("/theme-days/{id}/checkins")),
            member.clone(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        99,
        "{statuses:?}"
    );
    let all: Vec<Value> = app
        .get(&format!("/theme-days/{id}/checkins"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn a_geofence_keeps_only_inside_or_outside() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let r = app
        .client
        .patch(app.api(&format!("/theme-days/{id}")))
        .bearer_auth(&secretary)
        .json(&json!({"geofence": {"lat": 35.289, "lng": 115.089, "radius_m": 200}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let inside = app.token(demo::MEMBER).await;
    let (_, c) = check_in(
        &app,
        &inside,
        id,
        json!({"id": uuid(), "token": current_token(id), "lat": 35.2895, "lng": 115.0891}),
    )
    .await;
    assert_eq!(c["status"], "approved");
    let outside = app.token(demo::COMMUNITY_ADMIN).await;
    let (_, c) = check_in(
        &app,
        &outside,
        id,
        json!({"id": uuid(), "token": current_token(id), "lat": 35.30, "lng": 115.10}),
    )
    .await;
    assert_eq!(c["status"], "pending");
    assert!(c["reason"].as_str().unwrap().contains("范围"));
    let no_location = app.token(demo::SECRETARY).await;
    let (_, c) = check_in(
        &app,
        &no_location,
        id,
        json!({"id": uuid(), "token": current_token(id)}),
    )
    .await;
    assert_eq!(c["status"], "pending");
    use sea_orm::EntityTrait;
    let rows = zhibu_server::entities::checkin::Entity::find()
        .all(app.db.reader())
        .await
        .unwrap();
    let mut kept: Vec<Option<bool>> = rows.iter().map(|r| r.inside_geofence).collect();
    kept.sort();
    assert_eq!(kept, [None, Some(false), Some(true)]);
}

#[tokio::test]
async fn queued_check_ins_go_in_together_and_each_conflict_is_answered() {
    use zhibu_server::checkins::batch::CheckinWriter;
    use zhibu_server::entities::checkin;
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    #[derive(sea_orm::FromQueryResult)]
    struct Member {
        id: i64,
    }
    let members = zhibu_server::sql::fetch_all::<Member>(
        app.db.reader(),
        "SELECT id FROM member WHERE branch_id = $1 ORDER BY id",
        [a.into()],
    )
    .await
    .unwrap();
    assert!(members.len() >= 3);
    let row = |member_id: i64, row_id: String| checkin::Model {
        id: row_id,
        theme_day_id: id,
        member_id,
        method: zhibu_shared::checkin::CheckinMethod::Code,
        status: zhibu_shared::checkin::ReviewStatus::Approved,
        at: Utc::now().fixed_offset(),
        client_time: None,
        inside_geofence: None,
        reason: None,
        request_hash: "test".into(),
        recorded_by: None,
        decided_by: None,
        decided_at: None,
    };
    let mut rows: Vec<checkin::Model> = members.iter().map(|m| row(m.id, uuid())).collect();
    // The same id for another member, a second check-in of one member, and
    // an exact replay.
    rows.push(row(members[1].id, rows[0].id.clone()));
    rows.push(row(members[2].id, uuid()));
    rows.push(rows[0].clone());
    let writer = CheckinWriter::start(app.db.writer().clone());
    let results = futures_util::future::join_all(rows.into_iter().map(|r| writer.insert(r))).await;
    let went_in: Vec<bool> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(went_in.iter().filter(|w| **w).count(), members.len());
    assert_eq!(&went_in[members.len()..], &[false, false, false]);
    let all: Vec<Value> = app
        .get(&format!("/theme-days/{id}/checkins"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), members.len());
}

#[tokio::test]
async fn a_check_in_needs_a_live_session_and_a_theme_day_of_ones_own() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let body = || json!({"id": uuid(), "token": current_token(id)});

    let ended = app.login_as(demo::MEMBER, zhibu_tests::DEMO_PASSWORD).await;
    app.logout(&ended.access_token).await;
    let (status, error) = check_in(&app, &ended.access_token, id, body()).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let r = app
        .client
        .post(app.api(&format!("/theme-days/{id}/checkins")))
        .json(&body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Another branch's member, and a theme day that does not exist.
    let rider = app.token(demo::RIDER).await;
    assert_eq!(check_in(&app, &rider, id, body()).await.0, 404);
    let member = app.token(demo::MEMBER).await;
    assert_eq!(check_in(&app, &member, id + 100_000, body()).await.0, 404);

    // None of those left a check-in behind.
    let (status, checkin) = check_in(&app, &member, id, body()).await;
    assert_eq!(status, 201, "{checkin}");
    let listed: Vec<Value> = app
        .get(&format!("/theme-days/{id}/checkins"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
}
