//! Member classes: difficulty files seen only by the branch secretary and
//! those above (never in lists or plain exports), posts and what was done
//! in them, floating members' whereabouts, contacts and the overdue list,
//! studies from afar, and 党员中心户.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use zhibu_server::entities::{audit_log, member_category, study_record};
use zhibu_shared::org::MemberCategory;
use zhibu_tests::{TestApp, demo, spawn_app_with, spawn_demo_app};

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn branch_a(app: &TestApp) -> i64 {
    app.org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await
}

/// Ordinary members (not the demo logins) of a unit.
async fn ordinary(app: &TestApp, org: i64) -> Vec<Value> {
    let admin = app.token(demo::ADMIN).await;
    let page: Value = app
        .get(&format!("/orgs/{org}/members?limit=200"), &admin)
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["phone"].as_str().unwrap().starts_with("139"))
        .cloned()
        .collect()
}

/// Makes an ordinary member hold `role` on `org` and signs them in.
async fn appoint(app: &TestApp, role: &str, org: i64, nth: usize) -> (i64, String) {
    let admin = app.token(demo::ADMIN).await;
    let person = ordinary(app, org).await[nth].clone();
    let id = person["id"].as_i64().unwrap();
    let r = app
        .post(
            "/roles",
            &admin,
            &json!({"member_id": id, "role": role, "org_id": org}),
        )
        .await;
    assert_eq!(r.status(), 201);
    (id, app.activate(&admin, id).await.access_token)
}

async fn categories(app: &TestApp, member: i64) -> Vec<MemberCategory> {
    member_category::Entity::find()
        .filter(member_category::Column::MemberId.eq(member))
        .all(app.db.reader())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.category)
        .collect()
}

async fn patch(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .patch(app.api(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.api(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_difficulty_file_is_seen_only_by_the_branch_secretary_and_those_above() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let member = app.token(demo::MEMBER).await;
    let branch = branch_a(&app).await;
    let target = ordinary(&app, branch).await[0]["id"].as_i64().unwrap();
    let path = format!("/members/{target}/difficulty");
    let file = json!({"kind": "illness", "needs": "长期透析，需要陪同就医", "since": today() - Duration::days(90)});
    let r = put(&app, &path, &secretary, &file).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert!(
        categories(&app, target)
            .await
            .contains(&MemberCategory::InDifficulty)
    );
    assert_eq!(app.get(&path, &secretary).await.status(), 200);
    assert_eq!(app.get(&path, &admin).await.status(), 200);
    // A plain member, the branch's org officer and another branch's
    // secretary see nothing.
    assert_eq!(app.get(&path, &member).await.status(), 404);
    let (_, officer) = appoint(&app, "org_officer", branch, 1).await;
    assert_eq!(app.get(&path, &officer).await.status(), 404);
    let other = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let (_, other_secretary) = appoint(&app, "secretary", other, 0).await;
    assert_eq!(app.get(&path, &other_secretary).await.status(), 404);
    assert_eq!(
        app.get(&format!("/orgs/{branch}/difficulty"), &officer)
            .await
            .status(),
        404
    );

    // Not in member lists, nor on the member page for the org officer.
    let list: Value = app
        .get(&format!("/orgs/{branch}/members?limit=200"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let row = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == target)
        .unwrap();
    assert!(
        !row["categories"]
            .as_array()
            .unwrap()
            .contains(&json!("in_difficulty")),
        "{row}"
    );
    let page: Value = app
        .get(&format!("/members/{target}"), &officer)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !page["categories"]
            .as_array()
            .unwrap()
            .contains(&json!("in_difficulty"))
    );
    let page: Value = app
        .get(&format!("/members/{target}"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        page["categories"]
            .as_array()
            .unwrap()
            .contains(&json!("in_difficulty"))
    );
    // A categories change by the officer neither reveals nor clears it.
    let r = patch(
        &app,
        &format!("/members/{target}"),
        &officer,
        &json!({"categories": ["in_office"]}),
    )
    .await;
    assert_eq!(r.status(), 204);
    assert!(
        categories(&app, target)
            .await
            .contains(&MemberCategory::InDifficulty)
    );

    // Not in the plain export; the sensitive one needs a reason, recorded.
    let plain = app
        .get(&format!("/admin/roster?org_id={branch}"), &admin)
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!xlsx_text(&plain).contains("困难"));
    let r = app
        .post(
            "/admin/roster/sensitive-export",
            &admin,
            &json!({"org_id": branch, "reason": ""}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post(
            "/admin/roster/sensitive-export",
            &admin,
            &json!({"org_id": branch, "reason": "年终走访慰问困难党员"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(xlsx_text(&r.bytes().await.unwrap()).contains("困难"));
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("roster.sensitive_export"))
        .one(app.db.reader())
        .await
        .unwrap()
        .unwrap();
    assert!(audited.detail.unwrap().contains("年终走访慰问困难党员"));
    // Importing the plain export back leaves the file's class in place.
    let (status, _) =
        crate::roster::upload(&app, &admin, "roster.xlsx", plain.to_vec(), false).await;
    assert_eq!(status, 200);
    assert!(
        categories(&app, target)
            .await
            .contains(&MemberCategory::InDifficulty)
    );

    // A log naming the member helped counts as a visit this quarter.
    let r = app
        .post(
            "/service-logs",
            &member,
            &json!({"id": uuid(), "kind": "pairing", "date": today(), "minutes": 60, "helped_member_id": target}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let log: Value = r.json().await.unwrap();
    assert_eq!(log["helped"]["id"], target);
    let r = app
        .post(
            "/service-logs/review",
            &secretary,
            &json!({"ids": [log["id"]], "decision": "approve"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let files: Vec<Value> = app
        .get(&format!("/orgs/{branch}/difficulty"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let row = files.iter().find(|f| f["member"]["id"] == target).unwrap();
    assert_eq!(row["visits_this_quarter"], 1);
    assert_eq!(row["last_visit"], today().to_string());
    // Closing the file ends the class.
    let r = app
        .client
        .delete(app.api(&path))
        .bearer_auth(&secretary)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(
        !categories(&app, target)
            .await
            .contains(&MemberCategory::InDifficulty)
    );
}

fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join("|")
}

#[tokio::test]
async fn posts_are_held_by_members_and_their_logs_count_for_the_post_this_quarter() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let r = app
        .post(
            &format!("/orgs/{branch}/posts"),
            &secretary,
            &json!({"name": "环境卫生监督岗", "duties": "每周巡查村内环境卫生"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let post: Value = r.json().await.unwrap();
    let again = app
        .post(
            &format!("/orgs/{branch}/posts"),
            &secretary,
            &json!({"name": "环境卫生监督岗", "duties": "重复"}),
        )
        .await;
    assert_eq!(again.status(), 409);
    let holder = ordinary(&app, branch).await[2]["id"].as_i64().unwrap();
    let post_id = post["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/posts/{post_id}/holders"),
            &secretary,
            &json!({"member_id": holder}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        categories(&app, holder)
            .await
            .contains(&MemberCategory::JoblessWithPost)
    );
    let holder_token = app.activate(&admin, holder).await.access_token;
    let mine: Value = app
        .get("/me/classes", &holder_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["posts"][0]["name"], "环境卫生监督岗");

    let r = app
        .post(
            "/service-logs",
            &holder_token,
            &json!({"id": uuid(), "kind": "environment", "date": today(), "minutes": 90, "post_id": post_id}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let log: Value = r.json().await.unwrap();
    assert_eq!(log["post"]["name"], "环境卫生监督岗");
    // Someone not holding the post cannot log in it.
    let member = app.token(demo::MEMBER).await;
    let r = app
        .post(
            "/service-logs",
            &member,
            &json!({"id": uuid(), "kind": "environment", "date": today(), "minutes": 30, "post_id": post_id}),
        )
        .await;
    assert_eq!(r.status(), 422);
    app.post(
        "/service-logs/review",
        &secretary,
        &json!({"ids": [log["id"]], "decision": "approve"}),
    )
    .await;
    let posts: Vec<Value> = app
        .get(&format!("/orgs/{branch}/posts"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(posts[0]["logs_this_quarter"], 1);
    assert_eq!(posts[0]["minutes_this_quarter"], 90);
    assert_eq!(posts[0]["holders"][0]["id"], holder);
    // Another branch's secretary does not reach it.
    let other = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let (_, other_secretary) = appoint(&app, "secretary", other, 0).await;
    assert_eq!(
        app.get(&format!("/orgs/{branch}/posts"), &other_secretary)
            .await
            .status(),
        404
    );
    let r = app
        .post(
            &format!("/posts/{post_id}/holders"),
            &other_secretary,
            &json!({"member_id": holder}),
        )
        .await;
    assert_eq!(r.status(), 404);
}

/// Puts an ordinary member of the branch in the floating class and signs them in.
async fn floating_member(app: &TestApp, secretary: &str, nth: usize) -> (i64, String) {
    let branch = branch_a(app).await;
    let id = ordinary(app, branch).await[nth]["id"].as_i64().unwrap();
    let r = patch(
        app,
        &format!("/members/{id}"),
        secretary,
        &json!({"categories": ["floating"]}),
    )
    .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let admin = app.token(demo::ADMIN).await;
    (id, app.activate(&admin, id).await.access_token)
}

#[tokio::test]
async fn floating_members_say_where_they_are_and_the_branch_sees_who_is_overdue_for_a_contact() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.token(demo::MEMBER).await;
    let member_id = app.member_id(demo::MEMBER).await;
    let branch = branch_a(&app).await;
    let (away, away_token) = floating_member(&app, &secretary, 3).await;
    let (never, _) = floating_member(&app, &secretary, 4).await;
    let r = put(
        &app,
        "/me/whereabouts",
        &away_token,
        &json!({"city": "深圳", "employer": "美团外卖", "since": "2026-03-01"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = put(
        &app,
        "/me/whereabouts",
        &member,
        &json!({"city": "深圳", "since": "2026-03-01"}),
    )
    .await;
    assert_eq!(r.status(), 403, "only floating members");

    // The demo member becomes the one-to-one contact and records a call.
    let r = put(
        &app,
        &format!("/members/{away}/floating"),
        &secretary,
        &json!({"contact_member_id": member_id}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post(&format!("/members/{away}/contacts"), &member, &json!({"contacted_on": today(), "way": "wechat", "note": "询问近况，提醒按时交纳党费"}))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    // Someone who is neither the contact nor a manager may not.
    let r = app
        .post(
            &format!("/members/{never}/contacts"),
            &member,
            &json!({"contacted_on": today(), "way": "phone"}),
        )
        .await;
    assert_eq!(r.status(), 404);

    let list: Vec<Value> = app
        .get(&format!("/orgs/{branch}/floating"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let row = |id: i64| {
        list.iter()
            .find(|f| f["member"]["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(row(away)["overdue"], false);
    assert_eq!(row(away)["city"], "深圳");
    assert_eq!(row(away)["contact"]["id"], member_id);
    assert_eq!(row(never)["overdue"], true, "never contacted");
    let mine: Value = app
        .get("/me/classes", &away_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["floating"]["contact"]["id"], member_id);
    assert_eq!(
        app.get(&format!("/orgs/{branch}/floating"), &member)
            .await
            .status(),
        404
    );

    // Back home, offered a post.
    let post: Value = app
        .post(
            &format!("/orgs/{branch}/posts"),
            &secretary,
            &json!({"name": "政策宣传岗", "duties": "宣讲惠农政策"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .post(
            &format!("/members/{away}/return"),
            &secretary,
            &json!({"returned_on": today(), "post_id": post["id"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let now = categories(&app, away).await;
    assert!(
        !now.contains(&MemberCategory::Floating) && now.contains(&MemberCategory::JoblessWithPost)
    );
    let mine: Value = app
        .get("/me/classes", &away_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["posts"][0]["name"], "政策宣传岗");
}

#[tokio::test]
async fn a_floating_member_studies_from_afar_and_it_counts_once_the_secretary_approves() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.token(demo::MEMBER).await;
    let (away, away_token) = floating_member(&app, &secretary, 3).await;
    let day = crate::checkins::open_theme_day(&app, &secretary).await;
    let ask = json!({"note": "在外地观看学习视频并撰写心得"});
    let r = app
        .post(
            &format!("/theme-days/{day}/remote-study"),
            &away_token,
            &ask,
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let study: Value = r.json().await.unwrap();
    assert_eq!(study["status"], "pending");
    assert_eq!(
        app.post(
            &format!("/theme-days/{day}/remote-study"),
            &away_token,
            &ask
        )
        .await
        .status(),
        409
    );
    assert_eq!(
        app.post(&format!("/theme-days/{day}/remote-study"), &member, &ask)
            .await
            .status(),
        403
    );
    let listed: Vec<Value> = app
        .get(&format!("/theme-days/{day}/remote-studies"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let r = app
        .post(
            "/remote-studies/review",
            &secretary,
            &json!({"ids": [study["id"]], "decision": "approve"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["updated"], 1);
    let done = study_record::Entity::find()
        .filter(study_record::Column::ThemeDayId.eq(day))
        .filter(study_record::Column::MemberId.eq(away))
        .one(app.db.reader())
        .await
        .unwrap();
    assert!(done.is_some(), "the study item counts as done");
}

#[tokio::test]
async fn a_center_household_serves_households_in_a_grid_of_its_branch() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let grid: Value = app
        .post(
            &format!("/orgs/{branch}/children"),
            &admin,
            &json!({"name": "第二网格党小组", "kind": "party_group"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let person = ordinary(&app, branch).await[5]["id"].as_i64().unwrap();
    let body = json!({"org_id": grid["id"], "households": ["张大爷家", "李奶奶家", " "]});
    let r = put(
        &app,
        &format!("/members/{person}/center-household"),
        &secretary,
        &body,
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let found: Value = r.json().await.unwrap();
    assert_eq!(found["households"], json!(["张大爷家", "李奶奶家"]));
    let listed: Vec<Value> = app
        .get(&format!("/orgs/{branch}/center-households"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    // A unit outside the member's branch is refused.
    let other = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let r = put(
        &app,
        &format!("/members/{person}/center-household"),
        &secretary,
        &json!({"org_id": other, "households": ["王家"]}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let token = app.activate(&admin, person).await.access_token;
    let mine: Value = app.get("/me/classes", &token).await.json().await.unwrap();
    assert_eq!(mine["center_household"]["org"]["id"], grid["id"]);
}

#[tokio::test]
async fn the_demo_county_has_posts_with_holders_floating_members_overdue_and_files_in_difficulty() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.demo_activity = true;
    })
    .await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let get = |path: String, token: &str| {
        let app = &app;
        let token = token.to_owned();
        async move {
            let response = app.get(&path, &token).await;
            assert_eq!(response.status(), 200, "{path}");
            response.json::<Value>().await.unwrap()
        }
    };
    let posts = get(format!("/orgs/{branch}/posts"), &secretary).await;
    let posts = posts.as_array().unwrap();
    assert_eq!(posts.len(), 4, "{posts:?}");
    assert!(
        posts
            .iter()
            .any(|p| !p["holders"].as_array().unwrap().is_empty())
    );
    let floating = get(format!("/orgs/{branch}/floating"), &secretary).await;
    let floating = floating.as_array().unwrap();
    assert!(!floating.is_empty());
    assert!(
        floating
            .iter()
            .all(|f| f["city"].is_string() && f["contact"].is_object())
    );
    // The whole county: some contacted lately, some overdue.
    let county = app.org_id(&[demo::COUNTY]).await;
    let all = get(format!("/orgs/{county}/floating"), &admin).await;
    let all = all.as_array().unwrap();
    assert!(all.iter().any(|f| f["overdue"] == true));
    assert!(all.iter().any(|f| f["overdue"] == false), "{all:?}");
    let files = get(format!("/orgs/{county}/difficulty"), &admin).await;
    let files = files.as_array().unwrap();
    assert!(!files.is_empty());
    assert!(
        files
            .iter()
            .any(|f| f["visits_this_quarter"].as_u64() > Some(0))
    );
}
