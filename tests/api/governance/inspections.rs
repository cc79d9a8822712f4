//! The monthly random inspection: a reproducible draw from a stored seed
//! that reaches other units later, and the cross-inspection rotation.

use std::collections::HashSet;

use sea_orm::TransactionTrait;
use serde_json::{Value, json};
use zhibu_server::access::Caller;
use zhibu_server::governance::inspections;
use zhibu_shared::governance::{InspectionRequest, RecordKind};
use zhibu_shared::theme_day::Month;
use zhibu_tests::{TestApp, demo, spawn_demo_app};

use super::*;

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
