//! Problems and rectification: the lifecycle with its reopen, who submits
//! and who accepts, and self-inspection problems.

use chrono::Duration;
use serde_json::{Value, json};
use zhibu_shared::theme_day::Month;
use zhibu_tests::{demo, spawn_demo_app};

use super::*;

#[tokio::test]
async fn a_problem_is_rectified_by_the_units_secretary_reopened_and_then_accepted_by_its_raiser() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.token(demo::MEMBER).await;
    let branch = branch_a(&app).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let today = today(&app);
    let month = Month::of(today);

    let r = app
        .post(
            "/inspections",
            &admin,
            &json!({"scope_org_id": branch, "month": month, "sample_size": 1, "record_kinds": ["meetings"]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let inspection: Value = r.json().await.unwrap();
    assert!(inspection["seed"].is_u64());
    let item = &inspection["items"][0];
    assert_eq!(item["org"]["id"], branch);
    assert!(
        item["record_id"].is_null(),
        "no meeting was recorded this month"
    );
    let item_path = format!("/inspections/{}/items/{}", inspection["id"], item["id"]);

    // The branch's own secretary does not grade its records.
    let finding = json!({"grade": "poor", "note": "本月未见会议记录", "problems": [{"description": "未按期召开支委会", "deadline": today + Duration::days(30)}]});
    let r = app
        .post(&format!("{item_path}/finding"), &secretary, &finding)
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .post(&format!("{item_path}/finding"), &admin, &finding)
        .await;
    assert_eq!(r.status(), 200);
    let graded: Value = r.json().await.unwrap();
    assert_eq!(graded["grade"], "poor");
    let problem_id = graded["problem_ids"][0].as_i64().unwrap();
    let r = app
        .post(&format!("{item_path}/finding"), &admin, &finding)
        .await;
    assert_eq!(r.status(), 409, "graded once");

    let listed: Value = app
        .get(&format!("/problems?org_id={branch}"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let problem = &listed["items"][0];
    assert_eq!(problem["id"], problem_id);
    assert_eq!(problem["status"], "open");
    assert_eq!(problem["may_rectify"], true);
    assert_eq!(
        app.get(&format!("/problems/{problem_id}"), &member)
            .await
            .status(),
        404
    );

    let path = format!("/problems/{problem_id}");
    let r = app
        .post(
            &format!("{path}/rectification"),
            &admin,
            &json!({"note": "代为整改"}),
        )
        .await;
    assert_eq!(r.status(), 403, "only the unit's secretary submits");
    let evidence: Value = upload(&app, &secretary, branch, "签到表.png", png())
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .post(
            &format!("{path}/rectification"),
            &secretary,
            &json!({"note": "已于本月召开支委会并补齐记录", "attachment_ids": [evidence["id"]]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let submitted: Value = r.json().await.unwrap();
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(
        submitted["rectification"]["attachments"][0]["id"],
        evidence["id"]
    );

    // Only the raiser decides; a reopen needs a reason.
    let r = app
        .post(
            &format!("{path}/review"),
            &secretary,
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .post(
            &format!("{path}/review"),
            &admin,
            &json!({"decision": "reopen"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post(
            &format!("{path}/review"),
            &admin,
            &json!({"decision": "reopen", "reason": "缺少会议签到表原件"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let reopened: Value = r.json().await.unwrap();
    assert_eq!(reopened["status"], "reopened");
    assert_eq!(reopened["reopen_reason"], "缺少会议签到表原件");
    let r = app
        .post(
            &format!("{path}/review"),
            &admin,
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(r.status(), 409, "nothing submitted to accept");

    let r = app
        .post(
            &format!("{path}/rectification"),
            &secretary,
            &json!({"note": "补交签到表原件照片"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post(
            &format!("{path}/review"),
            &admin,
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "accepted");
    let r = app
        .post(
            &format!("{path}/rectification"),
            &secretary,
            &json!({"note": "再次提交"}),
        )
        .await;
    assert_eq!(r.status(), 409);

    // The county's overview counts it for the branch's street.
    let overview: Value = app
        .get(&format!("/orgs/{county}/governance"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(overview["total"]["problems_found"], 1);
    assert_eq!(overview["total"]["problems_rectified"], 1);
    assert_eq!(overview["total"]["problems_open"], 0);
    let names: Vec<&str> = overview["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["org"]["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "ordered by name, never by a count");
    let street = overview["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["org"]["name"] == demo::STREET)
        .unwrap();
    assert_eq!(street["counts"]["problems_found"], 1);
}

#[tokio::test]
async fn a_self_inspection_problem_is_accepted_by_the_unit_above() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let deadline = today(&app) + Duration::days(14);
    let r = app
        .post(
            "/problems",
            &secretary,
            &json!({"org_id": branch, "description": "党员活动室制度未上墙", "deadline": deadline}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["source"], "self_check");
    let id = problem["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/problems/{id}/rectification"),
            &secretary,
            &json!({"note": "已上墙"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post(
            &format!("/problems/{id}/review"),
            &secretary,
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(
        r.status(),
        403,
        "a unit does not accept its own rectification"
    );
    let to_review: Value = app
        .get("/problems?to_review=true", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        to_review["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id && p["may_review"] == true)
    );
    let r = app
        .post(
            &format!("/problems/{id}/review"),
            &admin,
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Past deadlines are refused, and a bad field is named.
    let r = app
        .post(
            "/problems",
            &secretary,
            &json!({"org_id": branch, "description": "", "deadline": today(&app) - Duration::days(1)}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["fields"]["description"].is_string() && body["fields"]["deadline"].is_string(),
        "{body}"
    );
}
