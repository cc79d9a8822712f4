//! Governance records: the 三会一课 ledger and its obligations, theme days
//! recorded as meetings, the reproducible inspection draw and the
//! cross-inspection rotation, the problem lifecycle, attachments on the
//! local store and on S3-compatible storage, decisions, venues, talks and
//! the overview.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate, TimeZone};
use sea_orm::TransactionTrait;
use serde_json::{Value, json};
use zhibu_server::access::{Caller, Grant};
use zhibu_server::governance::{inspections, meetings, schedule};
use zhibu_shared::governance::{
    InspectionRequest, MeetingKind, MeetingRequest, Period, PeriodStatus, Quarter, RecordKind,
};
use zhibu_shared::org::Role;
use zhibu_shared::theme_day::Month;
use zhibu_tests::{TestApp, demo, spawn_app_with, spawn_demo_app};

fn today(app: &TestApp) -> NaiveDate {
    zhibu_server::time::today(app.settings.timezone().unwrap())
}

async fn branch_a(app: &TestApp) -> i64 {
    app.org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await
}

async fn branch_b(app: &TestApp) -> i64 {
    app.org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Active members of a unit's subtree, by id.
async fn members_of(app: &TestApp, token: &str, org_id: i64) -> Vec<i64> {
    let page: Value = app
        .get(&format!("/orgs/{org_id}/members?limit=200"), token)
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

async fn obligation(ledger: &Value, kind: &str, period: &str) -> Option<Value> {
    ledger["due"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == kind && o["period"] == period)
        .cloned()
}

#[tokio::test]
async fn a_secretary_records_a_meeting_that_meets_its_obligation_and_a_replay_changes_nothing() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let branch = branch_a(&app).await;
    let today = today(&app);
    let quarter = Quarter::of(today).to_string();

    let ledger: Value = app
        .get(&format!("/orgs/{branch}/meetings"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let owed = obligation(&ledger, "branch_assembly", &quarter)
        .await
        .unwrap();
    assert_eq!(owed["status"], "due", "{ledger}");
    assert!(obligation(&ledger, "lecture", &quarter).await.is_some());

    let attendees = members_of(&app, &secretary, branch).await;
    let body = json!({
        "id": uuid(), "kind": "branch_assembly", "held_on": today,
        "topic": "学习党的二十届四中全会精神", "host": "王书记", "recorder": "李委员",
        "attendee_ids": &attendees[..3], "minutes": "会议传达学习了全会精神。",
    });
    let r = app
        .post(&format!("/orgs/{branch}/meetings"), &secretary, &body)
        .await;
    assert_eq!(r.status(), 201);
    let meeting: Value = r.json().await.unwrap();
    assert_eq!(meeting["period"], quarter);
    assert_eq!(meeting["attendees"].as_array().unwrap().len(), 3);

    // The phone sends it again after a timeout: the same record, nothing new.
    let r = app
        .post(&format!("/orgs/{branch}/meetings"), &secretary, &body)
        .await;
    assert_eq!(r.status(), 200);
    let mut changed = body.clone();
    changed["topic"] = json!("另一个主题");
    let r = app
        .post(&format!("/orgs/{branch}/meetings"), &secretary, &changed)
        .await;
    assert_eq!(r.status(), 409);

    let ledger: Value = app
        .get(&format!("/orgs/{branch}/meetings"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ledger["meetings"].as_array().unwrap().len(), 1);
    let owed = obligation(&ledger, "branch_assembly", &quarter)
        .await
        .unwrap();
    assert_eq!(owed["status"], "done");
    assert_eq!(owed["meetings"], 1);
    assert_eq!(
        obligation(&ledger, "lecture", &quarter).await.unwrap()["status"],
        "due"
    );

    // Attendees come from the unit; dates are not in the future.
    let admin = app.token(demo::ADMIN).await;
    let other = members_of(&app, &admin, branch_b(&app).await).await;
    let r = app
        .post(
            &format!("/orgs/{branch}/meetings"),
            &secretary,
            &json!({"id": uuid(), "kind": "lecture", "held_on": today, "topic": "党课", "host": "王书记", "attendee_ids": [other[0]]}),
        )
        .await;
    assert_eq!(r.status(), 422, "another branch's members do not attend");
    let r = app
        .post(
            &format!("/orgs/{branch}/meetings"),
            &admin,
            &json!({"id": uuid(), "kind": "lecture", "held_on": today, "topic": "党课", "host": "王书记", "attendee_ids": [other[0]]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.json::<Value>().await.unwrap()["fields"]["attendee_ids"].is_string());
    let r = app
        .post(
            &format!("/orgs/{branch}/meetings"),
            &secretary,
            &json!({"id": uuid(), "kind": "lecture", "held_on": today + Duration::days(1), "topic": "党课", "host": "王书记"}),
        )
        .await;
    assert_eq!(r.status(), 422);
}

/// A caller holding an admin role on the county, as the demo's seeds do.
async fn county_admin(app: &TestApp) -> Caller {
    let county = app.org_id(&[demo::COUNTY]).await;
    let member = app.member_id(demo::ADMIN).await;
    Caller {
        member_id: member,
        branch_id: county,
        grants: vec![Grant {
            role: Role::Admin,
            org_id: county,
        }],
    }
}

async fn ledger_at(
    app: &TestApp,
    admin: &Caller,
    branch: i64,
    month: Month,
    today: NaiveDate,
) -> zhibu_shared::governance::MeetingLedger {
    let tz = app.settings.timezone().unwrap();
    meetings::ledger(app.db.reader(), admin, branch, month, month, today, tz)
        .await
        .unwrap()
}

fn q1_status(
    ledger: &zhibu_shared::governance::MeetingLedger,
    kind: MeetingKind,
) -> Option<PeriodStatus> {
    let q1 = Period::Quarter(Quarter::parse("2026-Q1").unwrap());
    ledger
        .due
        .iter()
        .find(|o| o.kind == kind && o.period == q1)
        .map(|o| o.status)
}

#[tokio::test]
async fn obligations_turn_overdue_only_when_their_period_ends_in_the_countys_time_zone() {
    let app = spawn_demo_app().await;
    let tz = app.settings.timezone().unwrap();
    let admin = county_admin(&app).await;
    let branch = branch_a(&app).await;
    let db = app.db.writer();
    let q1 = Quarter::parse("2026-Q1").unwrap();
    let march = Month::parse("2026-03").unwrap();
    for period in [Period::Quarter(q1), Period::Month(march)] {
        schedule::ensure_obligations(db, period).await.unwrap();
    }
    // 2026-03-31 16:30 UTC is already 1 April in Shanghai.
    let instant = chrono::Utc
        .with_ymd_and_hms(2026, 3, 31, 15, 59, 0)
        .unwrap();
    let before = instant.with_timezone(&tz).date_naive();
    let after = (instant + Duration::minutes(2))
        .with_timezone(&tz)
        .date_naive();
    assert_eq!(before, NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    assert_eq!(after, NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());

    assert_eq!(
        q1_status(
            &ledger_at(&app, &admin, branch, march, before).await,
            MeetingKind::Lecture
        ),
        Some(PeriodStatus::Due)
    );
    assert_eq!(
        q1_status(
            &ledger_at(&app, &admin, branch, march, after).await,
            MeetingKind::Lecture
        ),
        Some(PeriodStatus::Overdue)
    );

    // A lecture held on 31 March, recorded in April, still meets Q1.
    let txn = db.begin().await.unwrap();
    let req = MeetingRequest {
        id: uuid(),
        kind: MeetingKind::Lecture,
        held_on: Some(before),
        topic: Some("党课：党章学习".into()),
        host: Some("县委组织部".into()),
        recorder: None,
        attendee_ids: None,
        minutes: None,
        theme_day_id: None,
    };
    meetings::record(&txn, &admin, branch, &req, after, tz)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let l = ledger_at(&app, &admin, branch, march, after).await;
    assert_eq!(
        q1_status(&l, MeetingKind::Lecture),
        Some(PeriodStatus::Done)
    );
    assert_eq!(
        q1_status(&l, MeetingKind::BranchAssembly),
        Some(PeriodStatus::Overdue)
    );
}

#[tokio::test]
async fn a_theme_day_is_recorded_as_the_months_assembly_without_typing_it_again() {
    let app = spawn_demo_app().await;
    let tz = app.settings.timezone().unwrap();
    let admin = county_admin(&app).await;
    let branch = branch_a(&app).await;
    let last_month = Month::of(today(&app)).previous();
    let db = app.db.writer();
    let txn = db.begin().await.unwrap();
    zhibu_server::checkins::ensure_theme_days(&txn, &[branch], last_month, tz)
        .await
        .unwrap();
    let day = zhibu_server::checkins::theme_days_of(&txn, &[branch], last_month)
        .await
        .unwrap()
        .remove(0);
    let attendance = zhibu_server::checkins::attendance(&txn, &admin, day.id)
        .await
        .unwrap();
    let present: Vec<i64> = attendance.absent.iter().take(4).map(|m| m.id).collect();
    zhibu_server::checkins::roll_call::record_roll_call(&txn, &admin, day.id, &present, tz)
        .await
        .unwrap();
    txn.commit().await.unwrap();

    let secretary = app.token(demo::SECRETARY).await;
    let r = app
        .post(
            &format!("/orgs/{branch}/meetings"),
            &secretary,
            &json!({"id": uuid(), "kind": "branch_assembly", "theme_day_id": day.id}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let meeting: Value = r.json().await.unwrap();
    assert_eq!(meeting["held_on"], day.date.to_string());
    assert_eq!(meeting["theme_day_id"], day.id);
    let mut got: Vec<i64> = meeting["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    got.sort_unstable();
    let mut want = present.clone();
    want.sort_unstable();
    assert_eq!(got, want, "those present at the theme day");
    assert!(!meeting["topic"].as_str().unwrap().is_empty());
    assert!(!meeting["host"].as_str().unwrap().is_empty());

    // Once per kind; another branch's theme day is refused.
    let r = app
        .post(
            &format!("/orgs/{branch}/meetings"),
            &secretary,
            &json!({"id": uuid(), "kind": "branch_assembly", "theme_day_id": day.id}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = app
        .post(
            &format!("/orgs/{branch}/meetings"),
            &secretary,
            &json!({"id": uuid(), "kind": "lecture", "theme_day_id": day.id}),
        )
        .await;
    assert_eq!(r.status(), 201, "the same day may also be the lecture");
}

fn inspection_request(scope: i64, month: Month, size: u32, seed: u32) -> InspectionRequest {
    InspectionRequest {
        scope_org_id: scope,
        month,
        sample_size: size,
        record_kinds: vec![RecordKind::Meetings, RecordKind::Dues],
        seed: Some(seed),
    }
}

fn units(inspection: &zhibu_shared::governance::Inspection) -> Vec<i64> {
    inspections::drawn_units(inspection)
        .into_iter()
        .map(|u| u.id)
        .collect()
}

async fn draw_in(
    app: &TestApp,
    admin: &Caller,
    scope: i64,
    month: Month,
    seed: u32,
) -> (
    sea_orm::DatabaseTransaction,
    zhibu_shared::governance::Inspection,
) {
    let tz = app.settings.timezone().unwrap();
    let txn = app.db.writer().begin().await.unwrap();
    let found = inspections::draw(
        &txn,
        admin,
        &inspection_request(scope, month, 5, seed),
        today(app),
        tz,
    )
    .await
    .unwrap();
    (txn, found)
}

#[tokio::test]
async fn the_same_seed_over_the_same_data_draws_the_same_sample_and_later_draws_reach_other_units()
{
    let app = spawn_demo_app().await;

    let admin = county_admin(&app).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let month = Month::of(today(&app));

    let (txn, first) = draw_in(&app, &admin, county, month, 2026).await;
    txn.rollback().await.unwrap();
    let (txn, again) = draw_in(&app, &admin, county, month, 2026).await;
    txn.rollback().await.unwrap();
    assert_eq!(first.seed, 2026);
    assert_eq!(units(&first), units(&again));
    assert_eq!(
        first
            .items
            .iter()
            .map(|i| (i.org.id, i.record_kind, i.record_id.clone()))
            .collect::<Vec<_>>(),
        again
            .items
            .iter()
            .map(|i| (i.org.id, i.record_kind, i.record_id.clone()))
            .collect::<Vec<_>>(),
        "the same records too"
    );
    assert_eq!(units(&first).len(), 5);
    assert_eq!(first.items.len(), 10, "two record kinds a unit");
    let (txn, other_seed) = draw_in(&app, &admin, county, month, 7).await;
    txn.rollback().await.unwrap();
    assert_ne!(units(&first), units(&other_seed));

    // Once kept, the next draw this year goes to units not drawn yet.
    let (txn, kept) = draw_in(&app, &admin, county, month, 2026).await;
    txn.commit().await.unwrap();
    let (txn, next) = draw_in(&app, &admin, county, month, 2026).await;
    txn.commit().await.unwrap();
    let kept: HashSet<i64> = units(&kept).into_iter().collect();
    assert!(
        units(&next).iter().all(|u| !kept.contains(u)),
        "no unit twice before all were drawn"
    );

    // The draw is shown with its seed and audited.
    let token = app.token(demo::ADMIN).await;
    let shown: Value = app
        .get(&format!("/inspections/{}", next.id), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["seed"], 2026);
    let audit: Value = app
        .get("/audit?limit=50", &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "inspection.draw"),
        "{audit}"
    );
}

#[tokio::test]
async fn the_cross_inspection_rotation_gives_each_committee_another_ones_sample() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let month = Month::of(today(&app));
    let body = json!({"month": month, "sample_size": 2, "record_kinds": ["meetings"], "seed": 9});
    let r = app.post("/inspections/rotation", &admin, &body).await;
    assert_eq!(r.status(), 200);
    let assigned: Vec<Value> = r.json().await.unwrap();
    assert!(assigned.len() >= 2, "{assigned:?}");
    assert!(
        assigned
            .iter()
            .all(|a| a["inspector"]["id"] != a["scope"]["id"])
    );
    let inspectors: HashSet<i64> = assigned
        .iter()
        .map(|a| a["inspector"]["id"].as_i64().unwrap())
        .collect();
    let scopes: HashSet<i64> = assigned
        .iter()
        .map(|a| a["scope"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        inspectors, scopes,
        "every committee inspects one and is inspected once"
    );
    assert!(assigned.iter().all(|a| a["rotation"] == true));
    // Asking again for the month gives the same assignments.
    let again: Vec<Value> = app
        .post("/inspections/rotation", &admin, &body)
        .await
        .json()
        .await
        .unwrap();
    let ids = |v: &[Value]| {
        v.iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&assigned), ids(&again));
    // Only the organisation department arranges it.
    let secretary = app.token(demo::SECRETARY).await;
    let r = app.post("/inspections/rotation", &secretary, &body).await;
    assert_eq!(r.status(), 403);
}

async fn upload(
    app: &TestApp,
    token: &str,
    org_id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    app.client
        .post(app.api(&format!("/orgs/{org_id}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    bytes
}

#[tokio::test]
async fn a_problem_is_rectified_by_the_units_secretary_reopened_and_then_accepted_by_its_raiser() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.token(demo::MEMBER).await;
    let branch = branch_a(&app).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let today = today(&app);
    let month = Month::of(today);

    let r = app
        .post(
            "/inspections",
            &admin,
            &json!({"scope_org_id": branch, "month": month, "sample_size": 1, "record_kinds": ["meetings"]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let inspection: Value = r.json().await.unwrap();
    assert!(inspection["seed"].is_u64());
    let item = &inspection["items"][0];
    assert_eq!(item["org"]["id"], branch);
    assert!(
        item["record_id"].is_null(),
        "no meeting was recorded this month"
    );
    let item_path = format!("/inspections/{}/items/{}", inspection["id"], item["id"]);

    // The branch's own secretary does not grade its records.
    let finding = json!({"grade": "poor", "note": "本月未见会议记录", "problems": [{"description": "未按期召开支委会", "deadline": today + Duration::days(30)}]});
    let r = app
        .post(&format!("{item_path}/finding"), &secretary, &finding)
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .post(&format!("{item_path}/finding"), &admin, &finding)
        .await;
    assert_eq!(r.status(), 200);
    let graded: Value = r.json().await.unwrap();
    assert_eq!(graded["grade"], "poor");
    let problem_id = graded["problem_ids"][0].as_i64().unwrap();
    let r = app
        .post(&format!("{item_path}/finding"), &admin, &finding)
        .await;
    assert_eq!(r.status(), 409, "graded once");

    let listed: Value = app
        .get(&format!("/problems?org_id={branch}"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let problem = &listed["items"][0];
    assert_eq!(problem["id"], problem_id);
    assert_eq!(problem["status"], "open");
    assert_eq!(problem["may_rectify"], true);
    assert_eq!(
        app.get(&format!("/problems/{problem_id}"), &member)
            .await
            .status(),
        404
    );

    let path = format!("/problems/{problem_id}");
    let r = app
        .post(
            &format!("{path}/rectification"),
            &admin,
            &json!({"note": "代为整改"}),
        )
        .await;
    assert_eq!(r.status(), 403, "only the unit's secretary submits");
    let evidence: Value = upload(&app, &secretary, branch, "签到表.png", png())
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .post(
            &format!("{path}/rectification"),
            &secretary,
            &json!({"note": "已于本月召开支委会并补齐记录", "attachment_ids": [evidence["id"]]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let submitted: Value = r.json().await.unwrap();
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(
        submitted["rectification"]["attachments"][0]["id"],
        evidence["id"]
    );

    // Only the raiser decides; a reopen needs a reason.
    let r = app
        .post(
            &format!("{path}/review"),
            &secretary,
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .post(
            &format!("{path}/review"),
            &admin,
            &json!({"decision": "reopen"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post(
            &format!("{path}/review"),
            &admin,
            &json!({"decision": "reopen", "reason": "缺少会议签到表原件"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let reopened: Value = r.json().await.unwrap();
    assert_eq!(reopened["status"], "reopened");
    assert_eq!(reopened["reopen_reason"], "缺少会议签到表原件");
    let r = app
        .post(
            &format!("{path}/review"),
            &admin,
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(r.status(), 409, "nothing submitted to accept");

    let r = app
        .post(
            &format!("{path}/rectification"),
            &secretary,
            &json!({"note": "补交签到表原件照片"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post(
            &format!("{path}/review"),
            &admin,
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "accepted");
    let r = app
        .post(
            &format!("{path}/rectification"),
            &secretary,
            &json!({"note": "再次提交"}),
        )
        .await;
    assert_eq!(r.status(), 409);

    // The county's overview counts it for the branch's street.
    let overview: Value = app
        .get(&format!("/orgs/{county}/governance"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(overview["total"]["problems_found"], 1);
    assert_eq!(overview["total"]["problems_rectified"], 1);
    assert_eq!(overview["total"]["problems_open"], 0);
    let names: Vec<&str> = overview["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["org"]["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "ordered by name, never by a count");
    let street = overview["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["org"]["name"] == demo::STREET)
        .unwrap();
    assert_eq!(street["counts"]["problems_found"], 1);
}

#[tokio::test]
async fn a_self_inspection_problem_is_accepted_by_the_unit_above() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let deadline = today(&app) + Duration::days(14);
    let r = app
        .post(
            "/problems",
            &secretary,
            &json!({"org_id": branch, "description": "党员活动室制度未上墙", "deadline": deadline}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["source"], "self_check");
    let id = problem["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/problems/{id}/rectification"),
            &secretary,
            &json!({"note": "已上墙"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post(
            &format!("/problems/{id}/review"),
            &secretary,
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(
        r.status(),
        403,
        "a unit does not accept its own rectification"
    );
    let to_review: Value = app
        .get("/problems?to_review=true", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        to_review["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id && p["may_review"] == true)
    );
    let r = app
        .post(
            &format!("/problems/{id}/review"),
            &admin,
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Past deadlines are refused, and a bad field is named.
    let r = app
        .post(
            "/problems",
            &secretary,
            &json!({"org_id": branch, "description": "", "deadline": today(&app) - Duration::days(1)}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["fields"]["description"].is_string() && body["fields"]["deadline"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn governance_records_out_of_scope_answer_404() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.token(demo::MEMBER).await;
    let rider = app.token(demo::RIDER).await;
    let branch = branch_a(&app).await;
    let other = branch_b(&app).await;
    let today = today(&app);
    let meeting: Value = app
        .post(
            &format!("/orgs/{branch}/meetings"),
            &secretary,
            &json!({"id": uuid(), "kind": "branch_assembly", "held_on": today, "topic": "学习", "host": "王书记"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let file: Value = upload(&app, &secretary, branch, "a.png", png())
        .await
        .json()
        .await
        .unwrap();
    for token in [&member, &rider] {
        for path in [
            format!("/orgs/{branch}/meetings"),
            format!("/meetings/{}", meeting["id"].as_str().unwrap()),
            format!("/orgs/{branch}/venue"),
            format!("/orgs/{branch}/decisions"),
            format!("/problems?org_id={branch}"),
            format!("/orgs/{branch}/governance"),
            format!("/attachments/{}", file["id"]),
        ] {
            assert_eq!(app.get(&path, token).await.status(), 404, "{path}");
        }
        let r = app
            .post(
                &format!("/orgs/{branch}/meetings"),
                token,
                &json!({"id": uuid(), "kind": "lecture", "held_on": today, "topic": "x", "host": "y"}),
            )
            .await;
        assert_eq!(r.status(), 404);
    }
    // A secretary reaches only their own branch.
    for path in [
        format!("/orgs/{other}/meetings"),
        format!("/orgs/{other}/venue"),
        format!("/problems?org_id={other}"),
    ] {
        assert_eq!(app.get(&path, &secretary).await.status(), 404, "{path}");
    }
    assert_eq!(
        upload(&app, &secretary, other, "a.png", png())
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn attachments_are_refused_by_type_and_size_and_served_only_in_scope() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let today = today(&app);
    let meeting: Value = app
        .post(
            &format!("/orgs/{branch}/meetings"),
            &secretary,
            &json!({"id": uuid(), "kind": "committee", "held_on": today, "topic": "支委会", "host": "王书记"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let attach = |name: &str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str("image/png")
                .unwrap(),
        );
        app.client
            .post(app.api(&format!(
                "/meetings/{}/attachments",
                meeting["id"].as_str().unwrap()
            )))
            .bearer_auth(&secretary)
            .multipart(form)
            .send()
    };
    // A GIF (or HTML) named .png with an image/png header is still refused.
    let r = attach("photo.png", b"GIF89a\x01\x00\x01\x00".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = attach("x.png", b"<html><script>alert(1)</script>".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let mut big = png();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let r = attach("big.png", big).await.unwrap();
    assert_eq!(r.status(), 413);
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend_from_slice(b"JFIF sign-in sheet");
    let r = attach("签到表.jpg", jpeg.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    let stored: Value = r.json().await.unwrap();
    assert_eq!(stored["content_type"], "image/jpeg");
    assert_eq!(stored["name"], "签到表.jpg");

    let url = stored["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("/api/v1")
        .to_owned();
    for token in [&secretary, &admin] {
        let r = app.get(&url, token).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        assert_eq!(r.bytes().await.unwrap().to_vec(), jpeg);
    }
    let shown: Value = app
        .get(
            &format!("/meetings/{}", meeting["id"].as_str().unwrap()),
            &secretary,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["attachments"][0]["id"], stored["id"]);
    let member = app.token(demo::MEMBER).await;
    assert_eq!(app.get(&url, &member).await.status(), 404);
}

/// A real S3-compatible server (s3s-fs) on a local directory.
async fn s3_server(root: &std::path::Path) -> String {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    std::fs::create_dir_all(root.join("zhibu-files")).unwrap();
    let fs = s3s_fs::FileSystem::new(root).unwrap();
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(
        "test-access-key",
        "test-secret-key",
    ));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                break;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let _ = Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn attachments_are_kept_in_s3_compatible_storage_when_configured() {
    let root = std::env::temp_dir().join(format!("zhibu-s3-{}", uuid::Uuid::new_v4().simple()));
    let endpoint = s3_server(&root).await;
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.storage_url = "s3://zhibu-files/county".into();
        s.storage_endpoint = Some(endpoint.clone());
        s.storage_region = Some("us-east-1".into());
        s.storage_access_key_id = Some("test-access-key".into());
        s.storage_secret_access_key = Some("test-secret-key".into());
        s.storage_allow_http = true;
    })
    .await;
    let secretary = app.token(demo::SECRETARY).await;
    let branch = branch_a(&app).await;
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend_from_slice(b"minutes of the meeting");
    let r = upload(&app, &secretary, branch, "会议记录.pdf", pdf.clone()).await;
    assert_eq!(r.status(), 201);
    let stored: Value = r.json().await.unwrap();
    let r = app
        .get(&format!("/attachments/{}", stored["id"]), &secretary)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    // The object is in the bucket, under the configured prefix.
    let kept: Vec<_> = walk(&root.join("zhibu-files").join("county"));
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), pdf);
    let _ = std::fs::remove_dir_all(&root);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else if !path.to_string_lossy().contains(".s3s") {
                out.push(path);
            }
        }
    }
    out
}

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

#[tokio::test]
async fn a_venue_meeting_all_ten_items_counts_as_complete_for_the_county() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let empty: Value = app
        .get(&format!("/orgs/{branch}/venue"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["registered"], false);
    assert_eq!(empty["items"].as_array().unwrap().len(), 10);
    let photo: Value = upload(&app, &secretary, branch, "牌匾.png", png())
        .await
        .json()
        .await
        .unwrap();
    let all: Vec<Value> = zhibu_shared::governance::VenueItem::ALL
        .iter()
        .map(|i| {
            json!({"item": i.code(), "met": true, "photo_ids": if i.code() == "sign" { json!([photo["id"]]) } else { json!([]) }})
        })
        .collect();
    let put = |items: Vec<Value>| {
        app.client
            .put(app.api(&format!("/orgs/{branch}/venue")))
            .bearer_auth(&secretary)
            .json(&json!({"address": "东关村委会院内", "area_m2": 180, "items": items}))
            .send()
    };
    let r = put(all.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    let venue: Value = r.json().await.unwrap();
    assert_eq!(venue["met"], 10);
    let sign = venue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "sign")
        .unwrap();
    assert_eq!(sign["photos"][0]["id"], photo["id"]);
    let counts = |o: Value| {
        (
            o["total"]["venues"].clone(),
            o["total"]["venues_complete"].clone(),
        )
    };
    let overview: Value = app
        .get(&format!("/orgs/{county}/governance"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts(overview), (json!(1), json!(1)));
    let mut nine = all.clone();
    nine[0]["met"] = json!(false);
    nine[1]["photo_ids"] = json!([]);
    assert_eq!(put(nine).await.unwrap().status(), 200);
    let overview: Value = app
        .get(&format!("/orgs/{county}/governance"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts(overview), (json!(1), json!(0)));
}

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

#[tokio::test]
async fn the_demo_county_shows_a_year_of_meetings_an_inspection_and_problems_in_every_state() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.demo_activity = true;
    })
    .await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let this = Month::of(today(&app));
    let mut from = this;
    for _ in 0..11 {
        from = from.previous();
    }
    let ledger: Value = app
        .get(
            &format!("/orgs/{branch}/meetings?from={from}&to={this}"),
            &secretary,
        )
        .await
        .json()
        .await
        .unwrap();
    let statuses: HashSet<&str> = ledger["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains("done") && statuses.contains("overdue"),
        "{statuses:?}"
    );
    assert!(ledger["meetings"].as_array().unwrap().len() >= 6);
    let problems: Value = app
        .get(&format!("/problems?org_id={branch}"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let states: HashSet<&str> = problems["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        HashSet::from(["open", "submitted", "accepted", "reopened"])
    );
    let inspections: Vec<Value> = app.get("/inspections", &admin).await.json().await.unwrap();
    assert!(inspections.len() >= 2);
    let venue: Value = app
        .get(&format!("/orgs/{branch}/venue"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(venue["met"], 8);
    // The counts the overview reads agree with the records.
    let differences = zhibu_server::volunteer::rollup::verify(app.db.reader())
        .await
        .unwrap();
    assert!(
        differences.is_empty(),
        "{:?}",
        differences
            .iter()
            .take(5)
            .map(|d| &d.key)
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn governance_counts_follow_a_moved_branch_and_verify_rollups_finds_and_mends_a_wrong_one() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let branch = branch_a(&app).await;
    let r = app
        .post(
            "/problems",
            &secretary,
            &json!({"org_id": branch, "description": "台账不全", "deadline": today(&app)}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let db = app.db.writer();
    assert!(
        zhibu_server::volunteer::rollup::verify(db)
            .await
            .unwrap()
            .is_empty()
    );
    // A branch moved to another street takes its counts along.
    let other_street = app.org_id(&[demo::COUNTY, "渔沃街道党工委"]).await;
    let txn = db.begin().await.unwrap();
    zhibu_server::orgs::tree::move_org(&txn, branch, other_street)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert!(
        zhibu_server::volunteer::rollup::verify(db)
            .await
            .unwrap()
            .is_empty()
    );
    use sea_orm::ConnectionTrait;
    db.execute_unprepared("UPDATE governance_tally SET n = n + 5 WHERE metric = 'found'")
        .await
        .unwrap();
    let found = zhibu_server::volunteer::rollup::verify(db).await.unwrap();
    assert!(
        found.iter().any(|d| d.table == "governance_tally"),
        "{}",
        found.len()
    );
    let txn = db.begin().await.unwrap();
    zhibu_server::volunteer::rollup::rebuild(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert!(
        zhibu_server::volunteer::rollup::verify(db)
            .await
            .unwrap()
            .is_empty()
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
