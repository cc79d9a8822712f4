//! Setting up a real county: `zhibu init`, activation codes instead of
//! passwords handed around, and nobody acting on a member above them.

use chrono::Duration;
use sea_orm::{EntityTrait, PaginatorTrait, TransactionTrait};
use serde_json::{Value, json};
use zhibu_server::entities::{member, org_unit, role_grant};
use zhibu_tests::{ACTIVATED_PASSWORD, DEMO_PASSWORD, TestApp, demo, spawn_app, spawn_demo_app};

async fn activate(app: &TestApp, phone: &str, code: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.api("/auth/activate"))
        .json(&json!({"phone": phone, "code": code, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn init_creates_the_county_and_an_admin_who_signs_in_with_the_printed_code() {
    let app = spawn_app().await;
    let txn = app.db.writer().begin().await.unwrap();
    let done = zhibu_server::setup::init_county(
        &txn,
        "测试县委",
        "王组织",
        "13912345678",
        zhibu_server::time::now(),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(done.activation_code.len(), 8);
    // A wrong code, then the right one with a weak password, spend nothing.
    assert_eq!(
        activate(&app, "13912345678", "AAAAAAAA", "good-password-1")
            .await
            .status(),
        401
    );
    assert_eq!(
        activate(&app, "13912345678", &done.activation_code, "123")
            .await
            .status(),
        422
    );
    let r = activate(
        &app,
        "13912345678",
        &done.activation_code,
        "good-password-1",
    )
    .await;
    assert_eq!(r.status(), 200);
    let session: Value = r.json().await.unwrap();
    assert_eq!(session["member"]["roles"][0]["role"], "admin");
    assert_eq!(session["member"]["roles"][0]["org_name"], "测试县委");
    // Spent: the code signs in once.
    assert_eq!(
        activate(
            &app,
            "13912345678",
            &done.activation_code,
            "other-password-2"
        )
        .await
        .status(),
        401
    );
    app.login_as("13912345678", "good-password-1").await;
    // A second init changes nothing and says why.
    let units = org_unit::Entity::find()
        .count(app.db.reader())
        .await
        .unwrap();
    let code = zhibu_server::cli::init(&app.settings, "别的县委", "李四", "13912345679")
        .await
        .unwrap();
    assert_eq!(code, 1);
    assert_eq!(
        org_unit::Entity::find()
            .count(app.db.reader())
            .await
            .unwrap(),
        units
    );
    assert_eq!(
        member::Entity::find().count(app.db.reader()).await.unwrap(),
        1
    );
}

#[tokio::test]
async fn init_on_an_empty_database_exits_zero_with_one_admin_grant() {
    let app = spawn_app().await;
    let code = zhibu_server::cli::init(&app.settings, "东明县委", "王组织", "13912345678")
        .await
        .unwrap();
    assert_eq!(code, 0);
    let grants = role_grant::Entity::find()
        .all(app.db.reader())
        .await
        .unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].role, zhibu_shared::org::Role::Admin);
}

#[tokio::test]
async fn activation_codes_expire_are_replaced_by_newer_ones_and_are_throttled() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = app.member_id(demo::MEMBER).await;
    // Expired: issued 73 hours ago.
    let (old, _) = zhibu_server::auth::activation::issue(
        app.db.writer(),
        id,
        None,
        zhibu_server::time::now() - Duration::hours(73),
    )
    .await
    .unwrap();
    assert_eq!(
        activate(&app, demo::MEMBER, &old, "good-password-1")
            .await
            .status(),
        401
    );
    // A newer code replaces an older unused one.
    let first: Value = app
        .post(&format!("/members/{id}/activation"), &secretary, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let second: Value = app
        .post(&format!("/members/{id}/activation"), &secretary, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["member"]["id"], id);
    let first = first["code"].as_str().unwrap();
    let second = second["code"].as_str().unwrap();
    assert_eq!(
        activate(&app, demo::MEMBER, first, "good-password-1")
            .await
            .status(),
        401
    );
    // Wrong codes count like wrong passwords: the fifth failure holds the
    // address back, even with the right code.
    for _ in 0..3 {
        assert_eq!(
            activate(&app, demo::MEMBER, "ZZZZZZZZ", "good-password-1")
                .await
                .status(),
            401
        );
    }
    let r = activate(
        &app,
        demo::MEMBER,
        &second.to_lowercase(),
        "good-password-1",
    )
    .await;
    assert_eq!(r.status(), 429);
    // The old password still works from elsewhere until the code is used.
    let audit = zhibu_server::entities::audit_log::Entity::find()
        .all(app.db.reader())
        .await
        .unwrap();
    assert!(audit.iter().any(|a| a.action == "member.activation"));
}

#[tokio::test]
async fn activating_sets_the_members_own_password_and_ends_other_sessions() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = app.member_id(demo::MEMBER).await;
    let old = app.login_as(demo::MEMBER, DEMO_PASSWORD).await;
    let session = app.activate(&secretary, id).await;
    assert_eq!(app.get("/me", &old.access_token).await.status(), 401);
    assert_eq!(app.get("/me", &session.access_token).await.status(), 200);
    app.login_as(demo::MEMBER, ACTIVATED_PASSWORD).await;
    let r = app
        .client
        .post(app.api("/auth/login"))
        .json(&json!({"phone": demo::MEMBER, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// A member of branch A made admin of the whole street by the county.
async fn street_admin_in_branch_a(app: &TestApp) -> i64 {
    let admin = app.token(demo::ADMIN).await;
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let page: Value = app
        .get(&format!("/orgs/{a}/members?limit=200"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let id = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["phone"].as_str().unwrap().starts_with("139"))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            "/roles",
            &admin,
            &json!({"member_id": id, "role": "admin", "org_id": street}),
        )
        .await;
    assert_eq!(r.status(), 201);
    id
}

#[tokio::test]
async fn no_member_changing_endpoint_lets_a_lower_role_act_on_a_higher_one() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let higher = street_admin_in_branch_a(&app).await;
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let before = member::Entity::find_by_id(higher)
        .one(app.db.reader())
        .await
        .unwrap()
        .unwrap();
    let grants_before = role_grant::Entity::find()
        .count(app.db.reader())
        .await
        .unwrap();
    let grant_id = role_grant::Entity::find()
        .all(app.db.reader())
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.member_id == higher)
        .unwrap()
        .id;
    let attempts: Vec<(reqwest::Method, String, Value)> = vec![
        (
            reqwest::Method::POST,
            format!("/members/{higher}/activation"),
            json!({}),
        ),
        (
            reqwest::Method::POST,
            format!("/members/{higher}/disable"),
            json!({}),
        ),
        (
            reqwest::Method::POST,
            format!("/members/{higher}/enable"),
            json!({}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/members/{higher}"),
            json!({"status": "transferred_out"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/members/{higher}"),
            json!({"categories": ["retired"]}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/members/{higher}"),
            json!({"formal_on": "2020-01-01"}),
        ),
        (
            reqwest::Method::POST,
            "/roles".into(),
            json!({"member_id": higher, "role": "org_officer", "org_id": a}),
        ),
        (
            reqwest::Method::DELETE,
            format!("/roles/{grant_id}"),
            Value::Null,
        ),
    ];
    // The branch's secretary reaches the member's branch but not their role;
    // a street admin below the county cannot touch the county's admin.
    for (method, path, body) in &attempts {
        let mut request = app
            .client
            .request(method.clone(), app.api(path))
            .bearer_auth(&secretary);
        if !body.is_null() {
            request = request.json(body);
        }
        let status = request.send().await.unwrap().status().as_u16();
        // The member is in the secretary's branch, so a change to them is
        // refused (403); role grants are the admins' and out of reach (404).
        let expected = if path.starts_with("/roles") { 404 } else { 403 };
        assert_eq!(status, expected, "{method} {path}");
    }
    let after = member::Entity::find_by_id(higher)
        .one(app.db.reader())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before, after, "nothing changed");
    let page: Value = app
        .get(&format!("/members/{higher}"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["may_change"], false, "the member page says so");
    assert_eq!(
        role_grant::Entity::find()
            .count(app.db.reader())
            .await
            .unwrap(),
        grants_before
    );
    // Nobody edits their own status, roles or account.
    let me = app.member_id(demo::SECRETARY).await;
    for (method, path, body) in [
        (
            reqwest::Method::POST,
            format!("/members/{me}/disable"),
            json!({}),
        ),
        (
            reqwest::Method::POST,
            format!("/members/{me}/activation"),
            json!({}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/members/{me}"),
            json!({"status": "deceased"}),
        ),
    ] {
        let r = app
            .client
            .request(method.clone(), app.api(&path))
            .bearer_auth(&secretary)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{method} {path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "own_account");
    }
    // The county's admin covers the street admin and may act.
    let admin = app.token(demo::ADMIN).await;
    let r = app
        .post(&format!("/members/{higher}/activation"), &admin, &json!({}))
        .await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn admins_create_and_rename_communities_under_a_street() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let secretary = app.token(demo::SECRETARY).await;
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let branch = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let body = json!({"name": "新城社区", "street_org_id": street});
    assert_eq!(
        app.post("/communities", &secretary, &body).await.status(),
        404
    );
    let r = app.post("/communities", &admin, &body).await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["parent"]["id"], street);
    assert_eq!(app.post("/communities", &admin, &body).await.status(), 409);
    let under_branch = json!({"name": "别处社区", "street_org_id": branch});
    assert_eq!(
        app.post("/communities", &admin, &under_branch)
            .await
            .status(),
        422
    );
    let id = created["id"].as_i64().unwrap();
    let r = app
        .client
        .patch(app.api(&format!("/communities/{id}")))
        .bearer_auth(&admin)
        .json(&json!({"name": "新城社区（东）"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let found: Vec<Value> = app
        .get("/communities?q=新城", &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["name"], "新城社区（东）");
    // Its record is for those above it.
    assert_eq!(
        app.get(&format!("/communities/{id}"), &admin)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get(&format!("/communities/{id}"), &secretary)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn admins_read_the_audit_trail_of_their_subtree_newest_first_and_page_through_it() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.member_id(demo::MEMBER).await;
    let r = app
        .post(
            &format!("/members/{member}/activation"),
            &secretary,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let page: Value = app.get("/audit", &admin).await.json().await.unwrap();
    let first = &page["items"][0];
    assert_eq!(first["action"], "member.activation", "{page}");
    assert_eq!(first["actor"]["id"], app.member_id(demo::SECRETARY).await);
    assert_eq!(first["object_id"], member.to_string());
    // Only admins read it; another unit's admin does not see this street.
    assert_eq!(app.get("/audit", &secretary).await.status(), 403);
    let other_street = app.org_id(&[demo::COUNTY, "渔沃街道党工委"]).await;
    let street_admin = {
        let page: Value = app
            .get(&format!("/orgs/{other_street}/members?limit=1"), &admin)
            .await
            .json()
            .await
            .unwrap();
        let id = page["items"][0]["id"].as_i64().unwrap();
        let r = app
            .post(
                "/roles",
                &admin,
                &json!({"member_id": id, "role": "admin", "org_id": other_street}),
            )
            .await;
        assert_eq!(r.status(), 201);
        app.activate(&admin, id).await.access_token
    };
    let theirs: Value = app.get("/audit", &street_admin).await.json().await.unwrap();
    assert!(
        theirs["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] != "member.activation"
                || e["object_id"].as_str() != Some(member.to_string().as_str())),
        "{theirs}"
    );
    let county = app.org_id(&[demo::COUNTY]).await;
    assert_eq!(
        app.get(&format!("/audit?org_id={county}"), &street_admin)
            .await
            .status(),
        404
    );
    // Pages follow each other, newest first.
    let one: Value = app
        .get("/audit?limit=1", &admin)
        .await
        .json()
        .await
        .unwrap();
    let cursor = one["next_cursor"].as_str().unwrap();
    let two: Value = app
        .get(&format!("/audit?limit=1&cursor={cursor}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(two["items"][0]["id"].as_i64().unwrap() < one["items"][0]["id"].as_i64().unwrap());
}

#[tokio::test]
async fn units_are_created_under_fitting_parents_renamed_and_hold_theme_days_at_once() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let secretary = app.token(demo::SECRETARY).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let branch_a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let new_branch = json!({"name": "新城社区党支部", "kind": "branch"});
    let r = app
        .post(&format!("/orgs/{street}/children"), &admin, &new_branch)
        .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(
        (created["kind"].as_str(), created["parent_id"].as_i64()),
        (Some("branch"), Some(street))
    );
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/orgs/{street}/children"), &admin, &new_branch)
            .await
            .status(),
        409
    );
    // Kinds must fit: a branch holds party groups only; a sector committee
    // names its sector.
    let r = app
        .post(
            &format!("/orgs/{id}/children"),
            &admin,
            &json!({"name": "某党总支", "kind": "general_branch"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post(
            &format!("/orgs/{county}/children"),
            &admin,
            &json!({"name": "新快递行业党委", "kind": "sector_committee"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post(
            &format!("/orgs/{county}/children"),
            &admin,
            &json!({"name": "新快递行业党委", "kind": "sector_committee", "sector": "express"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    // A branch secretary adds a party group to the branch, not a unit to the street.
    assert_eq!(
        app.post(
            &format!("/orgs/{street}/children"),
            &secretary,
            &json!({"name": "别的党支部", "kind": "branch"})
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        app.post(
            &format!("/orgs/{branch_a}/children"),
            &secretary,
            &json!({"name": "第九党小组", "kind": "party_group"})
        )
        .await
        .status(),
        201
    );
    let r = app
        .client
        .patch(app.api(&format!("/orgs/{id}")))
        .bearer_auth(&admin)
        .json(&json!({"name": "新城社区第一党支部"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let renamed: Value = r.json().await.unwrap();
    assert_eq!(renamed["name"], "新城社区第一党支部");
    let month = zhibu_shared::theme_day::Month::of(
        chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive(),
    );
    let days: Vec<Value> = app
        .get(&format!("/orgs/{id}/theme-days?month={month}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(days.len(), 1);
}
