//! Administering a real county after setup: moving and dissolving units,
//! communities with their address and community admin, the member page
//! (categories, 转正, leaving) and communities created by a roster.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use zhibu_server::entities::{audit_log, community, theme_day};
use zhibu_tests::{TestApp, demo, spawn_demo_app};

use crate::roster::{roster, upload};

async fn patch(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .patch(app.api(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn audited(app: &TestApp, action: &str, object_id: i64) -> bool {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .filter(audit_log::Column::ObjectId.eq(object_id.to_string()))
        .count(app.db.reader())
        .await
        .unwrap()
        > 0
}

#[tokio::test]
async fn an_empty_unit_is_dissolved_by_its_parent_and_kept_for_its_history() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let secretary = app.token(demo::SECRETARY).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let branch_a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let group: Value = app
        .post(
            &format!("/orgs/{branch_a}/children"),
            &admin,
            &json!({"name": "第九党小组", "kind": "party_group"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let group = group["id"].as_i64().unwrap();

    // A unit with members, or the county itself, cannot be dissolved.
    let r = app
        .post(&format!("/orgs/{branch_a}/dissolve"), &admin, &json!({}))
        .await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "not_empty");
    assert!(
        body["message"].as_str().unwrap().contains("名党员"),
        "{body}"
    );
    let r = app
        .post(&format!("/orgs/{street}/dissolve"), &admin, &json!({}))
        .await;
    assert_eq!(r.status(), 409, "a street with units and communities");
    let r = app
        .post(&format!("/orgs/{county}/dissolve"), &admin, &json!({}))
        .await;
    assert_eq!(r.status(), 409);

    // The branch's secretary builds its party groups and dissolves them.
    let r = app
        .post(&format!("/orgs/{group}/dissolve"), &secretary, &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let dissolved: Value = r.json().await.unwrap();
    assert!(dissolved["dissolved_at"].is_string(), "{dissolved}");
    assert!(audited(&app, "org.dissolve", group).await);

    // Kept and readable, but gone from the tree, its schedule and searches.
    assert_eq!(
        app.get(&format!("/orgs/{group}"), &admin).await.status(),
        200
    );
    let children: Vec<Value> = app
        .get(&format!("/orgs/{branch_a}/children"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(children.iter().all(|c| c["id"] != group));
    let found: Vec<Value> = app
        .get("/orgs?q=第九党小组", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(found.is_empty());
    assert_eq!(
        app.post(&format!("/orgs/{group}/dissolve"), &admin, &json!({}))
            .await
            .status(),
        404,
        "dissolved once"
    );
    assert_eq!(
        app.post(
            &format!("/orgs/{group}/children"),
            &admin,
            &json!({"name": "下级", "kind": "party_group"})
        )
        .await
        .status(),
        404
    );
    // Its name is free again under the branch.
    let r = app
        .post(
            &format!("/orgs/{branch_a}/children"),
            &admin,
            &json!({"name": "第九党小组", "kind": "party_group"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    // Only the parent's builders dissolve: not a secretary elsewhere.
    let other: Value = app
        .post(
            &format!("/orgs/{street}/children"),
            &admin,
            &json!({"name": "空党支部", "kind": "branch"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let other = other["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/orgs/{other}/dissolve"), &secretary, &json!({}))
            .await
            .status(),
        404
    );
    // A branch's upcoming theme days, with nothing recorded, go with it.
    let days = || async {
        theme_day::Entity::find()
            .filter(theme_day::Column::OrgId.eq(other))
            .count(app.db.reader())
            .await
            .unwrap()
    };
    let scheduled = days().await;
    assert!(scheduled > 0);
    assert_eq!(
        app.post(&format!("/orgs/{other}/dissolve"), &admin, &json!({}))
            .await
            .status(),
        200
    );
    let left = days().await;
    assert!(
        left < scheduled,
        "upcoming theme days go: {scheduled} → {left}"
    );
}

#[tokio::test]
async fn units_move_only_where_their_kind_fits_and_their_members_count_goes_with_them() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let secretary = app.token(demo::SECRETARY).await;
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let branch_a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let branch_b = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let other_street: Value = app
        .get("/orgs?q=渔沃街道", &admin)
        .await
        .json::<Vec<Value>>()
        .await
        .unwrap()
        .remove(0);
    let other_street = other_street["id"].as_i64().unwrap();
    let count = |v: &Value| v["member_count"].as_u64().unwrap();
    let a: Value = app
        .get(&format!("/orgs/{branch_a}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let before: Value = app
        .get(&format!("/orgs/{other_street}"), &admin)
        .await
        .json()
        .await
        .unwrap();

    let to = |parent: i64| json!({"parent_id": parent});
    assert_eq!(
        app.post(&format!("/orgs/{branch_a}/move"), &admin, &to(branch_b))
            .await
            .status(),
        422,
        "a branch holds party groups only"
    );
    assert_eq!(
        app.post(&format!("/orgs/{street}/move"), &admin, &to(branch_a))
            .await
            .status(),
        409,
        "not below itself"
    );
    assert_eq!(
        app.post(
            &format!("/orgs/{branch_a}/move"),
            &secretary,
            &to(other_street)
        )
        .await
        .status(),
        404,
        "admins over both only"
    );
    let r = app
        .post(&format!("/orgs/{branch_a}/move"), &admin, &to(other_street))
        .await;
    assert_eq!(r.status(), 200);
    let moved: Value = r.json().await.unwrap();
    assert_eq!(moved["parent_id"], other_street);
    let after: Value = app
        .get(&format!("/orgs/{other_street}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(count(&after), count(&before) + count(&a));
    assert!(audited(&app, "org.move", branch_a).await);
}

#[tokio::test]
async fn units_are_found_by_name_only_within_the_callers_subtrees() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.token(demo::MEMBER).await;
    let names = |v: Vec<Value>| {
        v.into_iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let all = names(
        app.get("/orgs?q=社区党支部", &admin)
            .await
            .json()
            .await
            .unwrap(),
    );
    assert!(all.len() > 2, "{all:?}");
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "by name, never by a score");
    let own = names(
        app.get("/orgs?q=社区党支部", &secretary)
            .await
            .json()
            .await
            .unwrap(),
    );
    assert_eq!(own, vec![demo::BRANCH_A.to_owned()]);
    let none: Vec<Value> = app
        .get("/orgs?q=党支部", &member)
        .await
        .json()
        .await
        .unwrap();
    assert!(none.is_empty());
    let long = "长".repeat(51);
    assert_eq!(
        app.get(&format!("/orgs?q={long}"), &admin).await.status(),
        422
    );
}

#[tokio::test]
async fn a_community_gets_an_address_and_its_own_organisation_where_its_admin_holds_the_role() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let branch_b = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let elsewhere: Value = app
        .get("/orgs?q=渔沃街道", &admin)
        .await
        .json::<Vec<Value>>()
        .await
        .unwrap()
        .remove(0);
    let created: Value = app
        .post(
            "/communities",
            &admin,
            &json!({"name": "新城社区", "street_org_id": street, "address": "城关街道新城路 1 号"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created["address"], "城关街道新城路 1 号");
    let id = created["id"].as_i64().unwrap();
    let path = format!("/communities/{id}");
    assert_eq!(
        patch(&app, &path, &admin, &json!({"org_id": elsewhere["id"]}))
            .await
            .status(),
        422,
        "its organisation lies below its street"
    );
    assert_eq!(
        patch(&app, &path, &admin, &json!({"address": "长".repeat(101)}))
            .await
            .status(),
        422
    );
    assert_eq!(patch(&app, &path, &admin, &json!({})).await.status(), 422);
    let r = patch(
        &app,
        &path,
        &admin,
        &json!({"org_id": branch_b, "address": ""}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let linked: Value = r.json().await.unwrap();
    assert_eq!(linked["org"]["id"], branch_b);
    assert!(
        linked.get("address").is_none(),
        "an empty address clears it"
    );
    let listed: Vec<Value> = app
        .get(&format!("/communities?street_id={street}&q="), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed
            .iter()
            .any(|c| c["id"] == id && c["org"]["id"] == branch_b)
    );
    assert!(listed.iter().all(|c| c["parent"]["id"] == street));

    // A member of that organisation becomes its community admin.
    let page: Value = app
        .get(&format!("/orgs/{branch_b}/members?limit=1"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let chosen = page["items"][0]["id"].as_i64().unwrap();
    let r = app
        .post(
            "/roles",
            &admin,
            &json!({"member_id": chosen, "role": "community_admin", "org_id": branch_b}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let session = app.activate(&admin, chosen).await;
    assert_eq!(
        app.get(&path, &session.access_token).await.status(),
        200,
        "the new community admin reads the community"
    );
    assert!(audited(&app, "community.update", id).await);
}

async fn find_member(app: &TestApp, token: &str, branch: i64, phone: &str) -> i64 {
    let page: Value = app
        .get(&format!("/orgs/{branch}/members?limit=200"), token)
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["phone"] == phone)
        .unwrap_or_else(|| panic!("{phone} in {page}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_member_page_records_categories_formal_membership_and_leaving() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let secretary = app.token(demo::SECRETARY).await;
    let branch_a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let file = roster(&[&format!(
        "王预备,13700000099,{}/{}/{},\"在职,预备党员\",2025-07-01,",
        demo::COUNTY,
        demo::STREET,
        demo::BRANCH_A
    )]);
    let (status, report) = upload(&app, &admin, "r.csv", file.into_bytes(), false).await;
    assert_eq!(status, 200, "{report}");
    let id = find_member(&app, &admin, branch_a, "13700000099").await;
    let path = format!("/members/{id}");

    let page: Value = app.get(&path, &admin).await.json().await.unwrap();
    assert_eq!(page["phone"], "13700000099", "admins see the phone");
    assert_eq!(page["probationary"], true);
    assert_eq!(page["categories"], json!(["in_office"]));
    assert_eq!(page["activated"], false);
    assert_eq!(page["may_change"], true);
    assert!(
        page["grant_units"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == branch_a)
    );
    let seen: Value = app.get(&path, &secretary).await.json().await.unwrap();
    assert_ne!(seen["phone"], "13700000099", "masked for the secretary");
    assert!(seen["grant_units"].as_array().unwrap().is_empty());
    let member = app.token(demo::MEMBER).await;
    assert_eq!(app.get(&path, &member).await.status(), 404);

    // Categories as a whole set; 转正 a year after joining, not before.
    let r = patch(
        &app,
        &path,
        &secretary,
        &json!({"categories": ["floating", "in_difficulty"]}),
    )
    .await;
    assert_eq!(r.status(), 204);
    let r = patch(&app, &path, &secretary, &json!({"formal_on": "2026-06-30"})).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(body["fields"]["formal_on"].is_string(), "{body}");
    let r = patch(&app, &path, &secretary, &json!({"formal_on": "2026-07-01"})).await;
    assert_eq!(r.status(), 204);
    let page: Value = app.get(&path, &secretary).await.json().await.unwrap();
    assert_eq!(page["probationary"], false);
    assert_eq!(page["formal_on"], "2026-07-01");
    assert_eq!(page["categories"], json!(["floating", "in_difficulty"]));
    assert_eq!(
        patch(&app, &path, &secretary, &json!({"formal_on": "2026-07-02"}))
            .await
            .status(),
        422,
        "formal once"
    );
    assert_eq!(
        patch(&app, &path, &secretary, &json!({})).await.status(),
        422
    );
    assert_eq!(
        patch(&app, &path, &secretary, &json!({"categories": ["nobody"]}))
            .await
            .status(),
        422
    );

    // Re-importing the same file does not make them probationary again.
    let (_, report) = upload(
        &app,
        &admin,
        "r.csv",
        roster(&[&format!(
            "王预备,13700000099,{}/{}/{},\"流动,困难,预备党员\",2025-07-01,",
            demo::COUNTY,
            demo::STREET,
            demo::BRANCH_A
        )])
        .into_bytes(),
        true,
    )
    .await;
    assert_eq!(report["unchanged"], 1, "{report}");

    // Leaving ends the member's sessions; the record stays.
    let session = app.activate(&admin, id).await;
    let r = patch(
        &app,
        &path,
        &secretary,
        &json!({"status": "transferred_out"}),
    )
    .await;
    assert_eq!(r.status(), 204);
    assert_eq!(app.get("/me", &session.access_token).await.status(), 401);
    let page: Value = app.get(&path, &secretary).await.json().await.unwrap();
    assert_eq!(page["status"], "transferred_out");
    assert!(audited(&app, "member.update", id).await);
}

#[tokio::test]
async fn a_roster_creates_the_reporting_communities_it_names_under_their_street() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let path = format!("{}/{}/{}", demo::COUNTY, demo::STREET, demo::BRANCH_A);
    let file = roster(&[
        &format!("甲,13700000101,{path},在职,2010-07-01,城关街道/新城社区"),
        &format!("乙,13700000102,{path},在职,2010-07-01,城关街道党工委/新城社区"),
        &format!("丙,13700000103,{path},在职,2010-07-01,城关街道/东关社区"),
    ])
    .into_bytes();
    let communities = || async {
        community::Entity::find()
            .count(app.db.reader())
            .await
            .unwrap()
    };
    let before = communities().await;
    let (status, report) = upload(&app, &admin, "r.csv", file.clone(), true).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["new_communities"],
        json!(["城关街道党工委/新城社区"])
    );
    assert_eq!(communities().await, before, "a dry run writes nothing");
    let (status, report) = upload(&app, &admin, "r.csv", file.clone(), false).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["created"], 3);
    assert_eq!(communities().await, before + 1);
    let (_, again) = upload(&app, &admin, "r.csv", file, true).await;
    assert_eq!(again["unchanged"], 3, "{again}");
    assert!(again.get("new_communities").is_none());

    // A bare unknown name, or an unknown street, is named with the fix.
    let bad = roster(&[
        &format!("丁,13700000104,{path},在职,2010-07-01,无名社区"),
        &format!("戊,13700000105,{path},在职,2010-07-01,无名街道/无名社区"),
    ]);
    let (status, report) = upload(&app, &admin, "r.csv", bad.into_bytes(), false).await;
    assert_eq!(status, 422, "{report}");
    let messages: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("街道/无名社区"), "{messages:?}");
    assert!(messages[1].contains("无名街道"), "{messages:?}");
    assert_eq!(communities().await, before + 1);
}
