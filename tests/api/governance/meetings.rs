//! The 三会一课 ledger: a meeting meets its obligation, obligations turn
//! overdue in the county's time zone, and a theme day is recorded as a
//! meeting without typing it again.

use chrono::{Duration, NaiveDate, TimeZone};
use sea_orm::TransactionTrait;
use serde_json::{Value, json};
use zhibu_server::access::Caller;
use zhibu_server::governance::{meetings, schedule};
use zhibu_shared::governance::{MeetingKind, MeetingRequest, Period, PeriodStatus, Quarter};
use zhibu_shared::theme_day::Month;
use zhibu_tests::{TestApp, demo, spawn_demo_app};

use super::*;

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
