//! In-office and retired members reporting to the community where they live.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::{appoint, community_id, log, review, today, uuid};

#[tokio::test]
async fn in_office_members_report_to_their_community_and_their_branch_sees_it() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let xiguan = community_id(&app, "西关社区").await;
    let r = app
        .post(
            "/community-reports",
            &member,
            &json!({"community_id": xiguan}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["status"], "pending");
    assert_eq!(
        app.post(
            "/community-reports",
            &member,
            &json!({"community_id": xiguan})
        )
        .await
        .status(),
        409
    );
    let rider = app.token(demo::RIDER).await;
    assert_eq!(
        app.post(
            "/community-reports",
            &rider,
            &json!({"community_id": xiguan})
        )
        .await
        .status(),
        403,
        "not in office"
    );

    // 东关's admin cannot confirm a report to 西关.
    let admin_x = app.token(demo::COMMUNITY_ADMIN).await;
    assert_eq!(
        app.post(
            "/community-reports/review",
            &admin_x,
            &json!({"ids": [report["id"]], "decision": "approve"})
        )
        .await
        .status(),
        404
    );
    let xiguan_branch = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let admin_y = appoint(&app, "community_admin", xiguan_branch, 0).await;
    let inbox: Value = app
        .get("/review/pending", &admin_y)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["community_reports"][0]["id"], report["id"]);
    assert_eq!(
        app.post(
            "/community-reports/review",
            &admin_y,
            &json!({"ids": [report["id"]], "decision": "approve"})
        )
        .await
        .status(),
        200
    );
    let me: Value = app.get("/me", &member).await.json().await.unwrap();
    assert_eq!(me["community"]["name"], "西关社区");

    // Service there, approved by 西关's admin, shows on the branch's view.
    let (_, entry) = log(&app, &member, json!({"id": uuid(), "kind": "civility", "date": today(), "minutes": 45, "community_id": xiguan})).await;
    assert_eq!(
        review(&app, &admin_y, &[&entry["id"]], "approve", None).await,
        200
    );
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let rows: Vec<Value> = app
        .get(
            &format!("/orgs/{a}/community-service"),
            &app.token(demo::SECRETARY).await,
        )
        .await
        .json()
        .await
        .unwrap();
    let row = rows
        .iter()
        .find(|r| r["member"]["name"] == "王在职")
        .unwrap();
    assert_eq!(
        (
            row["community"]["name"].as_str(),
            row["report_status"].as_str(),
            row["community_minutes"].as_i64()
        ),
        (Some("西关社区"), Some("approved"), Some(45))
    );
}

/// A member with only the given categories, activated and signed in.
async fn member_only(app: &zhibu_tests::TestApp, wanted: &str) -> String {
    use sea_orm::EntityTrait;
    use zhibu_server::entities::member_category;
    let rows = member_category::Entity::find()
        .all(app.db.reader())
        .await
        .unwrap();
    let mut by_member: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
    for r in rows {
        by_member
            .entry(r.member_id)
            .or_default()
            .push(r.category.code().to_owned());
    }
    let id = by_member
        .into_iter()
        .find(|(_, cats)| cats == &[wanted.to_owned()])
        .map(|(id, _)| id)
        .expect("a member of that category alone");
    let admin = app.token(demo::ADMIN).await;
    app.activate(&admin, id).await.access_token
}

#[tokio::test]
async fn retired_members_take_part_in_the_community_where_they_live() {
    let app = spawn_demo_app().await;
    let retired = member_only(&app, "retired").await;
    let xiguan = community_id(&app, "西关社区").await;
    let r = app
        .post(
            "/community-reports",
            &retired,
            &json!({"community_id": xiguan}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    // Members of other classes still report through their own ways.
    let floating = member_only(&app, "floating").await;
    let r = app
        .post(
            "/community-reports",
            &floating,
            &json!({"community_id": xiguan}),
        )
        .await;
    assert_eq!(r.status(), 403);
}
