//! Community reporting, sector committees, service logs, crediting up the
//! tree, reports, exports and certificates.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use zhibu_tests::{TestApp, demo, spawn_demo_app};

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn month() -> String {
    today().format("%Y-%m").to_string()
}

async fn community_id(app: &TestApp, name: &str) -> i64 {
    let token = app.token(demo::MEMBER).await;
    let found: Vec<Value> = app
        .get(&format!("/communities?q={name}"), &token)
        .await
        .json()
        .await
        .unwrap();
    found.iter().find(|c| c["name"] == name).unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn log(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let r = app.post("/service-logs", token, &body).await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn review(
    app: &TestApp,
    token: &str,
    ids: &[&Value],
    decision: &str,
    reason: Option<&str>,
) -> u16 {
    let mut body = json!({"ids": ids, "decision": decision});
    if let Some(reason) = reason {
        body["reason"] = json!(reason);
    }
    app.post("/service-logs/review", token, &body)
        .await
        .status()
        .as_u16()
}

async fn total(app: &TestApp, token: &str, org: i64) -> i64 {
    let r: Value = app
        .get(
            &format!("/orgs/{org}/hours?from={0}&to={0}", month()),
            token,
        )
        .await
        .json()
        .await
        .unwrap();
    r["total_minutes"].as_i64().unwrap()
}

/// Makes an ordinary member the holder of `role` on `org` and logs them in.
async fn appoint(app: &TestApp, role: &str, org: i64, nth: usize) -> String {
    let admin = app.token(demo::ADMIN).await;
    let page: Value = app
        .get(&format!("/orgs/{org}/members?limit=200"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let person = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["phone"].as_str().unwrap().starts_with("139"))
        .nth(nth)
        .expect("an ordinary member")
        .clone();
    let id = person["id"].as_i64().unwrap();
    assert_eq!(
        app.post(
            "/roles",
            &admin,
            &json!({"member_id": id, "role": role, "org_id": org})
        )
        .await
        .status(),
        201
    );
    app.activate(&admin, id).await.access_token
}

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
async fn a_correction_moves_the_minutes_instead_of_doubling_them() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let (_, original) = log(
        &app,
        &member,
        json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 90}),
    )
    .await;
    assert_eq!(
        review(&app, &secretary, &[&original["id"]], "approve", None).await,
        200
    );
    let r = app.post(&format!("/service-logs/{}/correction", original["id"].as_str().unwrap()), &member, &json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 120, "note": "少记了半小时"})).await;
    assert_eq!(r.status(), 201);
    let correction: Value = r.json().await.unwrap();
    assert_eq!(correction["corrects_id"], original["id"]);
    assert_eq!(
        total(&app, &admin, county).await,
        90,
        "a pending correction changes nothing"
    );
    assert_eq!(
        review(&app, &secretary, &[&correction["id"]], "approve", None).await,
        200
    );
    assert_eq!(total(&app, &admin, county).await, 120);
    let mine: Vec<Value> = app
        .get("/me/service-logs", &member)
        .await
        .json()
        .await
        .unwrap();
    let status = |id: &Value| mine.iter().find(|l| &l["id"] == id).unwrap()["status"].clone();
    assert_eq!(
        (status(&original["id"]), status(&correction["id"])),
        (json!("superseded"), json!("approved"))
    );
    let by_kind: Value = app
        .get(
            &format!("/orgs/{county}/hours?from={0}&to={0}&by=kind", month()),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let grid = by_kind["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "grid")
        .unwrap();
    assert_eq!(
        (grid["minutes"].as_i64(), grid["entries"].as_i64()),
        (Some(120), Some(1))
    );
    // Nobody certifies their own service.
    let (_, own) = log(
        &app,
        &secretary,
        json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 30}),
    )
    .await;
    let own: Value = app
        .post(
            "/service-logs/review",
            &secretary,
            &json!({"ids": [&own["id"]], "decision": "approve"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        own["skipped"][0]["code"], "own_record",
        "nobody certifies their own service: {own}"
    );
    assert_eq!(own["updated"], 0);
}

#[tokio::test]
async fn every_validation_rule_is_refused_with_422_and_nothing_is_stored() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let dongguan = community_id(&app, "东关社区").await;
    let express = app.org_id(&[demo::COUNTY, "快递行业党委"]).await;
    // Two logs that fill a day, and one with a start time.
    let yesterday = today() - Duration::days(1);
    for kind in ["volunteer", "pairing"] {
        let (status, _) = log(
            &app,
            &member,
            json!({"id": uuid(), "kind": kind, "date": yesterday, "minutes": 720}),
        )
        .await;
        assert_eq!(status, 201);
    }
    let (status, _) = log(&app, &member, json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 60, "start_time": "09:00"})).await;
    assert_eq!(status, 201);
    let before: Vec<Value> = app
        .get("/me/service-logs", &member)
        .await
        .json()
        .await
        .unwrap();
    let base = |v: Value| {
        let mut body = json!({"id": uuid(), "kind": "volunteer", "date": today(), "minutes": 30});
        for (k, val) in v.as_object().unwrap() {
            body[k] = val.clone();
        }
        body
    };
    let cases = [
        ("minutes", base(json!({"minutes": 0}))),
        ("minutes", base(json!({"minutes": 721}))),
        ("date", base(json!({"date": today() + Duration::days(1)}))),
        ("date", base(json!({"date": today() - Duration::days(61)}))),
        (
            "minutes",
            base(json!({"date": yesterday, "minutes": 1, "kind": "civility"})),
        ),
        ("date", base(json!({"kind": "grid"}))),
        (
            "start_time",
            base(json!({"kind": "civility", "start_time": "09:30"})),
        ),
        ("start_time", base(json!({"start_time": "25:00"}))),
        ("start_time", base(json!({"start_time": "23:50"}))),
        (
            "community_id",
            base(json!({"community_id": dongguan, "org_id": express})),
        ),
        ("community_id", base(json!({"community_id": 999_999}))),
        ("org_id", base(json!({"org_id": express}))),
        ("note", base(json!({"note": "长".repeat(201)}))),
        ("id", base(json!({"id": "not-a-uuid"}))),
    ];
    for (field, body) in cases {
        let (status, error) = log(&app, &member, body.clone()).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert!(error["fields"].get(field).is_some(), "{field}: {error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{4e00}'),
            "{error}"
        );
    }
    let after: Vec<Value> = app
        .get("/me/service-logs", &member)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before.len(), after.len(), "nothing stored");
    // The same id and body is a replay; the same id with another body a conflict.
    let body = base(json!({"kind": "other", "minutes": 15}));
    assert_eq!(log(&app, &member, body.clone()).await.0, 201);
    assert_eq!(log(&app, &member, body.clone()).await.0, 200);
    let mut changed = body.clone();
    changed["minutes"] = json!(16);
    assert_eq!(log(&app, &member, changed).await.0, 409);
}

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

#[tokio::test]
async fn exports_hold_exactly_the_json_rows() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let (_, entry) = log(
        &app,
        &member,
        json!({"id": uuid(), "kind": "pairing", "date": today(), "minutes": 75}),
    )
    .await;
    assert_eq!(
        review(&app, &secretary, &[&entry["id"]], "approve", None).await,
        200
    );
    let admin = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    for by in ["child", "month", "kind"] {
        let path = format!("/orgs/{county}/hours?from={0}&to={0}&by={by}", month());
        let report: Value = app.get(&path, &admin).await.json().await.unwrap();
        let json_rows: Vec<Vec<String>> = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                vec![
                    r["key"].as_str().unwrap().to_owned(),
                    r["name"].as_str().unwrap().to_owned(),
                    r["minutes"].to_string(),
                    r["entries"].to_string(),
                    r["members"].to_string(),
                ]
            })
            .collect();
        let csv = app
            .client
            .get(app.api(&path))
            .bearer_auth(&admin)
            .header("Accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = csv.text().await.unwrap();
        let mut reader = csv_reader(text.trim_start_matches('\u{feff}'));
        let csv_rows: Vec<Vec<String>> = reader
            .iter_mut()
            .skip(1)
            .map(|r| {
                vec![
                    r[0].clone(),
                    r[1].clone(),
                    r[2].clone(),
                    r[4].clone(),
                    r[5].clone(),
                ]
            })
            .collect();
        assert_eq!(csv_rows, json_rows, "csv by {by}");
        let xlsx = app
            .client
            .get(app.api(&format!("{path}&format=xlsx")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let xlsx_rows: Vec<Vec<String>> = range
            .rows()
            .skip(1)
            .map(|r| {
                vec![
                    r[0].to_string(),
                    r[1].to_string(),
                    r[2].to_string(),
                    r[4].to_string(),
                    r[5].to_string(),
                ]
            })
            .collect();
        assert_eq!(xlsx_rows, json_rows, "xlsx by {by}");
    }
}

fn csv_reader(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| {
            l.split(',')
                .map(|c| c.trim_matches('"').to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_certificate_shows_the_same_figures_to_whoever_holds_it() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let (_, a) = log(
        &app,
        &member,
        json!({"id": uuid(), "kind": "volunteer", "date": today(), "minutes": 120}),
    )
    .await;
    let (_, b) = log(
        &app,
        &member,
        json!({"id": uuid(), "kind": "grid", "date": today(), "minutes": 30}),
    )
    .await;
    assert_eq!(
        review(&app, &secretary, &[&a["id"], &b["id"]], "approve", None).await,
        200
    );
    let r = app
        .post(
            "/me/certificates",
            &member,
            &json!({"from": month(), "to": month()}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let issued: Value = r.json().await.unwrap();
    assert_eq!(issued["total_minutes"], 150);
    assert_eq!(issued["member_name"], "王在职");
    assert_eq!(issued["issuer"], demo::BRANCH_A);
    let number = issued["number"].as_str().unwrap();
    assert!(
        issued["verify_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/verify/{number}"))
    );
    // No login needed to verify.
    let public: Value = app
        .client
        .get(app.api(&format!("/certificates/{number}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public, issued);
    assert_eq!(
        app.client
            .get(app.api("/certificates/ZBNOTANUMBER"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn the_follow_up_list_holds_members_without_approved_service_this_quarter() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    let secretary = app.token(demo::SECRETARY).await;
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let quarter = {
        let t = today();
        use chrono::Datelike;
        format!("{}-Q{}", t.year(), (t.month() - 1) / 3 + 1)
    };
    let before: Vec<Value> = app
        .get(
            &format!("/orgs/{a}/follow-up?quarter={quarter}"),
            &secretary,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(before.iter().any(|m| m["name"] == "王在职"));
    let (_, entry) = log(
        &app,
        &member,
        json!({"id": uuid(), "kind": "volunteer", "date": today(), "minutes": 30}),
    )
    .await;
    assert_eq!(
        review(&app, &secretary, &[&entry["id"]], "approve", None).await,
        200
    );
    let after: Vec<Value> = app
        .get(
            &format!("/orgs/{a}/follow-up?quarter={quarter}"),
            &secretary,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after.len(), before.len() - 1);
    assert!(!after.iter().any(|m| m["name"] == "王在职"));
    assert_eq!(
        app.get(&format!("/orgs/{a}/follow-up?quarter=2026-Q5"), &secretary)
            .await
            .status(),
        422
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
