//! Who decides and reads which logs, inboxes and reports.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::{appoint, community_id, log, month, review, today, uuid};

#[tokio::test]
async fn reviewers_and_readers_stay_within_their_scope() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary_a = app.token(demo::SECRETARY).await;
    let admin_x = app.token(demo::COMMUNITY_ADMIN).await;
    let xiguan_branch = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let admin_y = appoint(&app, "community_admin", xiguan_branch, 0).await;
    let secretary_b = appoint(&app, "secretary", xiguan_branch, 1).await;
    let (dongguan, xiguan) = (
        community_id(&app, "东关社区").await,
        community_id(&app, "西关社区").await,
    );
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;

    let (_, in_x) = log(&app, &member, json!({"id": uuid(), "kind": "volunteer", "date": today(), "minutes": 30, "community_id": dongguan})).await;
    let (_, in_y) = log(&app, &member, json!({"id": uuid(), "kind": "governance", "date": today(), "minutes": 30, "community_id": xiguan})).await;
    let (_, at_branch) = log(
        &app,
        &member,
        json!({"id": uuid(), "kind": "pairing", "date": today(), "minutes": 30}),
    )
    .await;

    // Community admin X cannot decide community Y's logs, nor branch logs.
    assert_eq!(
        review(&app, &admin_x, &[&in_y["id"]], "approve", None).await,
        404
    );
    assert_eq!(
        review(&app, &admin_x, &[&at_branch["id"]], "approve", None).await,
        404
    );
    // Secretary B cannot decide branch A's logs; nor can a plain member.
    assert_eq!(
        review(&app, &secretary_b, &[&at_branch["id"]], "approve", None).await,
        404
    );
    assert_eq!(
        review(&app, &member, &[&at_branch["id"]], "approve", None).await,
        404
    );
    // Each inbox holds exactly what its owner may decide.
    let ids = |v: &Value| {
        v["service_logs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&app
            .get("/review/pending", &admin_x)
            .await
            .json()
            .await
            .unwrap()),
        [in_x["id"].clone()]
    );
    assert_eq!(
        ids(&app
            .get("/review/pending", &admin_y)
            .await
            .json()
            .await
            .unwrap()),
        [in_y["id"].clone()]
    );
    assert_eq!(
        ids(&app
            .get("/review/pending", &secretary_a)
            .await
            .json()
            .await
            .unwrap()),
        [at_branch["id"].clone()]
    );
    assert!(
        ids(&app
            .get("/review/pending", &secretary_b)
            .await
            .json()
            .await
            .unwrap())
        .is_empty()
    );
    assert!(
        ids(&app
            .get("/review/pending", &member)
            .await
            .json()
            .await
            .unwrap())
        .is_empty()
    );
    assert_eq!(
        review(&app, &admin_y, &[&in_y["id"]], "approve", None).await,
        200
    );
    // A selection reaching beyond the reviewer decides what is theirs and
    // reports the rest as not found.
    let result: Value = app
        .post(
            "/service-logs/review",
            &admin_x,
            &json!({"ids": [&in_x["id"], &in_y["id"]], "decision": "approve"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(result["updated"], 1);
    assert_eq!(
        result["skipped"],
        json!([{"id": in_y["id"], "code": "not_found"}])
    );

    // A member cannot read another member's logs: theirs only.
    let others: Vec<Value> = app
        .get("/me/service-logs", &secretary_a)
        .await
        .json()
        .await
        .unwrap();
    assert!(others.is_empty());
    // Reports: role holders over the unit only.
    let month = month();
    assert_eq!(
        app.get(&format!("/orgs/{a}/hours"), &member).await.status(),
        404
    );
    assert_eq!(
        app.get(&format!("/orgs/{a}/hours"), &secretary_a)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get(&format!("/orgs/{a}/hours"), &secretary_b)
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(&format!("/orgs/{xiguan_branch}/hours"), &secretary_b)
            .await
            .status(),
        200
    );
    // The by-month path checks access apart from the one-query default.
    assert_eq!(
        app.get(&format!("/orgs/{a}/hours?by=month"), &secretary_b)
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get("/orgs/987654/hours", &secretary_a).await.status(),
        404
    );
    assert_eq!(
        app.get(
            &format!("/communities/{dongguan}/hours?from={month}&to={month}"),
            &admin_x
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.get(&format!("/communities/{xiguan}/hours"), &admin_x)
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(&format!("/communities/{dongguan}/hours"), &member)
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(&format!("/orgs/{a}/follow-up?quarter=2026-Q4"), &member)
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(
            &format!("/orgs/{a}/follow-up?quarter=2026-Q4"),
            &secretary_b
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        app.get(&format!("/orgs/{a}/community-service"), &admin_x)
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(&format!("/orgs/{a}/community-service"), &secretary_a)
            .await
            .status(),
        200
    );
}
