//! The overview and its counts: the demo county's year, and counts that
//! follow a moved branch and are mended by verify-rollups.

use std::collections::HashSet;

use sea_orm::TransactionTrait;
use serde_json::{Value, json};
use zhibu_shared::theme_day::Month;
use zhibu_tests::{demo, spawn_app_with, spawn_demo_app};

use super::*;

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
