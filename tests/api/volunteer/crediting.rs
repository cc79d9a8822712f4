//! Approved hours credited once to every scope, and `verify-rollups`.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::{appoint, community_id, log, month, review, today, total, uuid};

#[tokio::test]
async fn an_approved_log_counts_once_in_its_branch_every_ancestor_and_its_community() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let community_admin = app.token(demo::COMMUNITY_ADMIN).await;
    let admin = app.token(demo::ADMIN).await;
    let (county, street) = (
        app.org_id(&[demo::COUNTY]).await,
        app.org_id(&[demo::COUNTY, demo::STREET]).await,
    );
    let branch = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let dongguan = community_id(&app, "东关社区").await;

    let (status, entry) = log(&app, &member, json!({"id": uuid(), "kind": "volunteer", "date": today(), "minutes": 90, "community_id": dongguan, "note": "清理楼道"})).await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["status"], "pending");
    for org in [branch, street, county] {
        assert_eq!(total(&app, &admin, org).await, 0, "pending never counts");
    }
    // The community's admin decides community service.
    let inbox: Value = app
        .get("/review/pending", &community_admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["service_logs"][0]["id"], entry["id"]);
    assert_eq!(
        review(&app, &community_admin, &[&entry["id"]], "approve", None).await,
        200
    );
    for org in [branch, street, county] {
        assert_eq!(total(&app, &admin, org).await, 90, "org {org}");
    }
    let community: Value = app
        .get(
            &format!(
                "/communities/{dongguan}/hours?from={0}&to={0}&by=kind",
                month()
            ),
            &community_admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(community["total_minutes"], 90);
    let by_child: Value = app
        .get(
            &format!("/orgs/{county}/hours?from={0}&to={0}", month()),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let sum: i64 = by_child["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["minutes"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 90, "exactly once across the children");
    assert_eq!(by_child["members"], 1);
    let street_row = by_child["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == demo::STREET)
        .unwrap();
    assert_eq!(
        (
            street_row["minutes"].as_i64(),
            street_row["members"].as_i64()
        ),
        (Some(90), Some(1))
    );

    // Approved logs are locked: deciding again changes nothing.
    let again: Value = app
        .post(
            "/service-logs/review",
            &community_admin,
            &json!({"ids": [&entry["id"]], "decision": "reject", "reason": "改主意"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again,
        json!({"updated": 0, "skipped": [{"id": entry["id"], "code": "already_decided"}]})
    );
    // A rejected log never counts.
    let (_, other) = log(&app, &member, json!({"id": uuid(), "kind": "environment", "date": today(), "minutes": 30, "community_id": dongguan})).await;
    assert_eq!(
        review(
            &app,
            &community_admin,
            &[&other["id"]],
            "reject",
            Some("当天未见本人")
        )
        .await,
        200
    );
    assert_eq!(total(&app, &admin, county).await, 90);
}

#[tokio::test]
async fn a_sector_activity_counts_once_for_its_committee() {
    let app = spawn_demo_app().await;
    let committee = app.org_id(&[demo::COUNTY, "外卖行业党委"]).await;
    let rider = app.token(demo::RIDER).await;
    let (status, entry) = log(&app, &rider, json!({"id": uuid(), "kind": "volunteer", "date": today(), "minutes": 60, "org_id": committee})).await;
    assert_eq!(status, 201, "{entry}");
    // The committee's secretary decides; the rider's own branch secretary may not.
    let sector_secretary = appoint(&app, "secretary", committee, 0).await;
    let branch_secretary = app.token(demo::SECRETARY).await;
    assert_eq!(
        review(&app, &branch_secretary, &[&entry["id"]], "approve", None).await,
        404
    );
    assert_eq!(
        review(&app, &sector_secretary, &[&entry["id"]], "approve", None).await,
        200
    );
    let admin = app.token(demo::ADMIN).await;
    assert_eq!(total(&app, &admin, committee).await, 60);
    assert_eq!(
        total(&app, &admin, app.org_id(&[demo::COUNTY]).await).await,
        60,
        "not twice in the county"
    );
}

#[tokio::test]
async fn verify_rollups_finds_and_repairs_a_difference() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let (_, entry) = log(
        &app,
        &member,
        json!({"id": uuid(), "kind": "volunteer", "date": today(), "minutes": 40}),
    )
    .await;
    assert_eq!(
        review(&app, &secretary, &[&entry["id"]], "approve", None).await,
        200
    );
    assert_eq!(
        zhibu_server::cli::verify_rollups(&app.settings, false)
            .await
            .unwrap(),
        0
    );
    use sea_orm::ConnectionTrait;
    app.db
        .writer()
        .execute_unprepared("UPDATE hours_rollup SET minutes = minutes + 5")
        .await
        .unwrap();
    app.db
        .writer()
        .execute_unprepared("UPDATE hours_month SET entries = entries + 1")
        .await
        .unwrap();
    let tables: std::collections::BTreeSet<&str> =
        zhibu_server::volunteer::rollup::verify(app.db.reader())
            .await
            .unwrap()
            .iter()
            .map(|d| d.table)
            .collect();
    assert_eq!(
        tables,
        ["hours_month", "hours_rollup"].into_iter().collect()
    );
    assert_eq!(
        zhibu_server::cli::verify_rollups(&app.settings, false)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        zhibu_server::cli::verify_rollups(&app.settings, true)
            .await
            .unwrap(),
        0
    );
    let admin = app.token(demo::ADMIN).await;
    assert_eq!(
        total(&app, &admin, app.org_id(&[demo::COUNTY]).await).await,
        40
    );
}

#[tokio::test]
async fn a_sector_activity_held_in_a_community_counts_once_in_each_of_three_ledgers() {
    let app = spawn_demo_app().await;
    let committee = app.org_id(&[demo::COUNTY, "外卖行业党委"]).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let rider = app.token(demo::RIDER).await;
    let admin = app.token(demo::ADMIN).await;
    let community = community_id(&app, "东关社区").await;
    let me: Value = app.get("/me", &rider).await.json().await.unwrap();
    let branch = me["branch"]["id"].as_i64().unwrap();
    let (status, entry) = log(&app, &rider, json!({"id": uuid(), "kind": "volunteer", "date": today(), "minutes": 75, "community_id": community, "org_id": committee, "note": "骑手进社区宣传交通安全"})).await;
    assert_eq!(status, 201, "{entry}");
    // Whoever organised it decides: the sector committee, not the community.
    let community_admin = app.token(demo::COMMUNITY_ADMIN).await;
    assert_eq!(
        review(&app, &community_admin, &[&entry["id"]], "approve", None).await,
        404
    );
    let sector_secretary = appoint(&app, "secretary", committee, 0).await;
    assert_eq!(
        review(&app, &sector_secretary, &[&entry["id"]], "approve", None).await,
        200
    );
    assert_eq!(total(&app, &admin, branch).await, 75, "the rider's branch");
    assert_eq!(
        total(&app, &admin, committee).await,
        75,
        "the sector committee"
    );
    let hours: Value = app
        .get(
            &format!("/communities/{community}/hours?from={0}&to={0}", month()),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hours["total_minutes"], 75, "the community");
    assert_eq!(total(&app, &admin, county).await, 75, "once in the county");
    assert_eq!(
        zhibu_server::cli::verify_rollups(&app.settings, false)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn service_in_a_grid_of_the_branch_is_credited_to_the_grid() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let branch = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let grid: Value = app
        .post(
            &format!("/orgs/{branch}/children"),
            &admin,
            &json!({"name": "第三网格党小组", "kind": "party_group"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let grid = grid["id"].as_i64().unwrap();
    let (status, entry) = log(
        &app,
        &member,
        json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 50, "org_id": grid}),
    )
    .await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["org"]["id"], grid);
    // Another branch's grid is not the member's to name.
    let other = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let elsewhere: Value = app
        .post(
            &format!("/orgs/{other}/children"),
            &admin,
            &json!({"name": "第一网格党小组", "kind": "party_group"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let (status, _) = log(&app, &member, json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 20, "org_id": elsewhere["id"]})).await;
    assert_eq!(status, 422);
    assert_eq!(
        review(&app, &secretary, &[&entry["id"]], "approve", None).await,
        200
    );
    assert_eq!(total(&app, &admin, grid).await, 50);
    assert_eq!(total(&app, &admin, branch).await, 50, "once in the branch");
}
