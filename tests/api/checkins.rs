//! Theme days and check-in.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use zhibu_server::checkins::codes::CodeSigner;
use zhibu_shared::theme_day::Month;
use zhibu_tests::{TEST_JWT_SECRET, TestApp, demo, spawn_demo_app, spawn_second_app};

fn signer() -> CodeSigner {
    CodeSigner::new(&secrecy::SecretString::from(TEST_JWT_SECRET))
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn this_month() -> String {
    Month::of(
        Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive(),
    )
    .to_string()
}

/// This month's theme day of branch A, its window opened around now.
pub(crate) async fn open_theme_day(app: &TestApp, secretary: &str) -> i64 {
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let days: Vec<Value> = app
        .get(
            &format!("/orgs/{a}/theme-days?month={}", this_month()),
            secretary,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(days.len(), 1);
    let id = days[0]["id"].as_i64().unwrap();
    let now = Utc::now();
    let r = app
        .client
        .patch(app.api(&format!("/theme-days/{id}")))
        .bearer_auth(secretary)
        .json(&json!({"starts_at": (now - Duration::hours(1)).to_rfc3339(), "ends_at": (now + Duration::hours(1)).to_rfc3339(), "study_item": "学习党的二十届四中全会精神"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    id
}

pub(crate) async fn set_window(
    app: &TestApp,
    secretary: &str,
    id: i64,
    from_hours: i64,
    to_hours: i64,
) {
    let now = Utc::now();
    let r = app
        .client
        .patch(app.api(&format!("/theme-days/{id}")))
        .bearer_auth(secretary)
        .json(&json!({"starts_at": (now + Duration::hours(from_hours)).to_rfc3339(), "ends_at": (now + Duration::hours(to_hours)).to_rfc3339()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn check_in(app: &TestApp, token: &str, id: i64, body: Value) -> (u16, Value) {
    let r = app
        .post(&format!("/theme-days/{id}/checkins"), token, &body)
        .await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn current_token(id: i64) -> String {
    signer().token(id, CodeSigner::step_at(Utc::now().timestamp()))
}

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
async fn current_and_previous_codes_pass_and_older_forged_or_foreign_ones_fail() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let s = signer();
    let step = CodeSigner::step_at(Utc::now().timestamp());
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let next_month: Vec<Value> = app
        .get(
            &format!(
                "/orgs/{a}/theme-days?month={}",
                Month::parse(&this_month()).unwrap().next()
            ),
            &secretary,
        )
        .await
        .json()
        .await
        .unwrap();
    let other_day = next_month[0]["id"].as_i64().unwrap();
    let refused = [
        json!({"id": uuid(), "token": s.token(id, step - 3)}),
        json!({"id": uuid(), "short_code": s.short_code(id, step - 3)}),
        json!({"id": uuid(), "token": "123.forgedforgedforgedfo"}),
        json!({"id": uuid(), "short_code": "000000"}),
        json!({"id": uuid(), "token": s.token(other_day, step)}),
        json!({"id": uuid()}),
        json!({"id": "not-a-uuid", "token": s.token(id, step)}),
    ];
    let member = app.token(demo::MEMBER).await;
    // Five wrong codes hold a member back for a while; the rest are sent
    // by another member of the branch.
    let other = app.token(demo::SECRETARY).await;
    for (n, body) in refused.into_iter().enumerate() {
        let who = if n < 5 { &member } else { &other };
        let (status, error) = check_in(&app, who, id, body.clone()).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{4e00}')
        );
    }
    // The previous step still passes (a code shown just before it rotated);
    // the step is read again, as the refusals above may have crossed one.
    let third = app.token(demo::COMMUNITY_ADMIN).await;
    let step = CodeSigner::step_at(Utc::now().timestamp());
    let (status, checkin) = check_in(
        &app,
        &third,
        id,
        json!({"id": uuid(), "short_code": s.short_code(id, step - 1)}),
    )
    .await;
    assert_eq!(status, 201, "{checkin}");
}

#[tokio::test]
async fn a_code_from_one_server_checks_in_on_another() {
    let app = spawn_demo_app().await;
    let (second, _db) = spawn_second_app(&app).await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let code: Value = app
        .get(&format!("/theme-days/{id}/code"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let member = app.token(demo::MEMBER).await;
    let r = app
        .client
        .post(format!("{second}/api/v1/theme-days/{id}/checkins"))
        .bearer_auth(&member)
        .json(&json!({"id": uuid(), "short_code": code["short_code"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
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
