//! Gig workers joining sector committees.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::appoint;

#[tokio::test]
async fn gig_workers_apply_to_sector_committees_and_their_secretary_decides() {
    let app = spawn_demo_app().await;
    let express = app.org_id(&[demo::COUNTY, "快递行业党委"]).await;
    let rider = app.token(demo::RIDER).await;
    let body = json!({"committee_id": express, "platform": "顺丰", "note": "兼职快递员"});
    let r = app.post("/sector-memberships", &rider, &body).await;
    assert_eq!(r.status(), 201);
    let application: Value = r.json().await.unwrap();
    assert_eq!(
        app.post("/sector-memberships", &rider, &body)
            .await
            .status(),
        409
    );
    let branch = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    assert_eq!(
        app.post(
            "/sector-memberships",
            &rider,
            &json!({"committee_id": branch, "platform": "x"})
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        app.post(
            "/sector-memberships/review",
            &app.token(demo::SECRETARY).await,
            &json!({"ids": [application["id"]], "decision": "approve"})
        )
        .await
        .status(),
        404
    );
    let secretary = appoint(&app, "secretary", express, 0).await;
    assert_eq!(
        app.post(
            "/sector-memberships/review",
            &secretary,
            &json!({"ids": [application["id"]], "decision": "approve"})
        )
        .await
        .status(),
        200
    );
    let me: Value = app.get("/me", &rider).await.json().await.unwrap();
    let sectors: Vec<&str> = me["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(sectors.contains(&"快递行业党委") && sectors.contains(&"外卖行业党委"));
}
