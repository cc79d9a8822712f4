//! The org tree, compliance, member lists, communities and sectors.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

#[tokio::test]
async fn the_demo_county_has_its_townships_sectors_park_and_joint_committees() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let children: Vec<Value> = app
        .get(&format!("/orgs/{county}/children"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let kinds = |kind: &str| children.iter().filter(|c| c["kind"] == kind).count();
    assert_eq!(
        kinds("working_committee") + kinds("party_committee"),
        14 + 1,
        "14 townships and streets, plus the organs' working committee"
    );
    assert_eq!(kinds("sector_committee"), 7);
    assert_eq!(kinds("park_committee"), 1);
    let sectors: Vec<Value> = app.get("/sectors", &admin).await.json().await.unwrap();
    let mut codes: Vec<&str> = sectors
        .iter()
        .map(|s| s["sector"].as_str().unwrap())
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "express",
            "food_delivery",
            "live_commerce",
            "private_enterprise",
            "property",
            "ride_hailing",
            "road_transport"
        ]
    );
    let caiyuan = app.org_id(&[demo::COUNTY, "菜园集镇党委"]).await;
    let below: Vec<Value> = app
        .get(&format!("/orgs/{caiyuan}/children"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(below.iter().any(|c| c["kind"] == "joint_committee"));

    let org: Value = app
        .get(&format!("/orgs/{county}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        org["member_count"].as_u64().unwrap() >= 300,
        "the county counts its whole subtree"
    );
}

#[tokio::test]
async fn compliance_badges_follow_the_size_rules() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    // A branch with one member breaks the three-formal-members rule.
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let tiny = zhibu_server::orgs::tree::create_org(
        app.db.writer(),
        "试点党支部",
        zhibu_shared::org::OrgKind::Branch,
        None,
        Some(street),
    )
    .await
    .unwrap();
    let org: Value = app
        .get(&format!("/orgs/{}", tiny.id), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(org["member_count"], 0);
    assert_eq!(org["compliance"][0]["code"], "too_few_formal_members");
    // The demo branches have enough members.
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let org: Value = app
        .get(&format!("/orgs/{a}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(org["compliance"], json!([]));
}

#[tokio::test]
async fn phones_are_masked_to_secretaries_and_shown_to_admins() {
    let app = spawn_demo_app().await;
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let page: Value = app
        .get(
            &format!("/orgs/{a}/members"),
            &app.token(demo::SECRETARY).await,
        )
        .await
        .json()
        .await
        .unwrap();
    let member = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "王在职")
        .unwrap();
    assert_eq!(member["phone"], "138****0002");
    let page: Value = app
        .get(&format!("/orgs/{a}/members"), &app.token(demo::ADMIN).await)
        .await
        .json()
        .await
        .unwrap();
    let member = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "王在职")
        .unwrap();
    assert_eq!(member["phone"], "13800000002");
    assert_eq!(member["categories"], json!(["in_office"]));
}

#[tokio::test]
async fn member_lists_are_paginated_with_a_cursor() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/orgs/{county}/members?limit=100&cursor={c}"),
            None => format!("/orgs/{county}/members?limit=100"),
        };
        let page: Value = app.get(&path, &admin).await.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 100);
        seen.extend(items.iter().map(|m| m["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let org: Value = app
        .get(&format!("/orgs/{county}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen.len() as u64, org["member_count"].as_u64().unwrap());
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no member twice");
}

#[tokio::test]
async fn communities_are_found_by_part_of_their_name() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let found: Vec<Value> = app
        .get(&format!("/communities?q={}", "关社"), &member)
        .await
        .json()
        .await
        .unwrap();
    let mut names: Vec<&str> = found.iter().map(|c| c["name"].as_str().unwrap()).collect();
    names.sort();
    let mut expected = ["东关社区", "北关社区", "南关社区", "西关社区"];
    expected.sort();
    assert_eq!(names, expected);
    assert!(found.iter().all(|c| c["parent"]["name"] == demo::STREET));
    let none: Vec<Value> = app
        .get("/communities?q=%25", &member)
        .await
        .json()
        .await
        .unwrap();
    assert!(none.is_empty(), "a literal % matches nothing");
}

#[tokio::test]
async fn moving_a_unit_moves_its_subtree_and_refuses_cycles() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let yuwo = app.org_id(&[demo::COUNTY, "渔沃街道党工委"]).await;
    let before: Value = app
        .get(&format!("/orgs/{yuwo}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let a_count = app
        .get(&format!("/orgs/{a}"), &admin)
        .await
        .json::<Value>()
        .await
        .unwrap()["member_count"]
        .as_u64()
        .unwrap();

    let moved = app
        .post(
            &format!("/orgs/{a}/move"),
            &admin,
            &json!({"parent_id": yuwo}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    assert_eq!(moved.json::<Value>().await.unwrap()["parent_id"], yuwo);
    let after: Value = app
        .get(&format!("/orgs/{yuwo}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        after["member_count"].as_u64().unwrap(),
        before["member_count"].as_u64().unwrap() + a_count
    );
    // The branch's secretary still reaches it; the path names follow.
    let names = zhibu_server::orgs::tree::path_names(app.db.reader(), a)
        .await
        .unwrap();
    assert_eq!(names, [demo::COUNTY, "渔沃街道党工委", demo::BRANCH_A]);
    assert_eq!(
        app.get(&format!("/orgs/{a}"), &app.token(demo::SECRETARY).await)
            .await
            .status(),
        200
    );

    let cycle = app
        .post(
            &format!("/orgs/{street}/move"),
            &admin,
            &json!({"parent_id": street}),
        )
        .await;
    assert_eq!(cycle.status(), 409);
    let county = app.org_id(&[demo::COUNTY]).await;
    let into_child = app
        .post(
            &format!("/orgs/{county}/move"),
            &admin,
            &json!({"parent_id": yuwo}),
        )
        .await;
    assert_eq!(into_child.status(), 409);
}

#[tokio::test]
async fn an_admin_grants_and_revokes_roles() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let b = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let member_id = app.member_id(demo::MEMBER).await;
    let r = app
        .post(
            "/roles",
            &admin,
            &json!({"member_id": member_id, "role": "org_officer", "org_id": b}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let grant_id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let member = app.token(demo::MEMBER).await;
    assert_eq!(
        app.get(&format!("/orgs/{b}/members"), &member)
            .await
            .status(),
        200
    );
    let r = app
        .client
        .delete(app.api(&format!("/roles/{grant_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        app.get(&format!("/orgs/{b}/members"), &member)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn member_counts_follow_a_member_leaving_and_returning_on_every_level() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let path = [demo::COUNTY, demo::STREET, demo::BRANCH_A];
    let mut units = Vec::new();
    for depth in 1..=path.len() {
        units.push(app.org_id(&path[..depth]).await);
    }
    let before = member_counts(&app, &admin, &units).await;
    let id = app.member_id(demo::MEMBER).await;
    for (status, expected) in [
        (
            "transferred_out",
            before.iter().map(|n| n - 1).collect::<Vec<_>>(),
        ),
        ("active", before.clone()),
    ] {
        let r = app
            .client
            .patch(app.api(&format!("/members/{id}")))
            .bearer_auth(&admin)
            .json(&json!({"status": status}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(
            member_counts(&app, &admin, &units).await,
            expected,
            "{status}"
        );
    }
    assert!(
        zhibu_server::volunteer::rollup::verify(app.db.reader())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn member_counts(app: &zhibu_tests::TestApp, token: &str, units: &[i64]) -> Vec<u64> {
    let mut out = Vec::new();
    for unit in units {
        let org: Value = app
            .get(&format!("/orgs/{unit}"), token)
            .await
            .json()
            .await
            .unwrap();
        out.push(org["member_count"].as_u64().unwrap());
    }
    out
}
