//! Governance records out of the caller's scope answer 404.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::*;

#[tokio::test]
async fn governance_records_out_of_scope_answer_404() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let member = app.token(demo::MEMBER).await;
    let rider = app.token(demo::RIDER).await;
    let branch = branch_a(&app).await;
    let other = branch_b(&app).await;
    let today = today(&app);
    let meeting: Value = app
        .post(
            &format!("/orgs/{branch}/meetings"),
            &secretary,
            &json!({"id": uuid(), "kind": "branch_assembly", "held_on": today, "topic": "学习", "host": "王书记"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let file: Value = upload(&app, &secretary, branch, "a.png", png())
        .await
        .json()
        .await
        .unwrap();
    for token in [&member, &rider] {
        for path in [
            format!("/orgs/{branch}/meetings"),
            format!("/meetings/{}", meeting["id"].as_str().unwrap()),
            format!("/orgs/{branch}/venue"),
            format!("/orgs/{branch}/decisions"),
            format!("/problems?org_id={branch}"),
            format!("/orgs/{branch}/governance"),
            format!("/attachments/{}", file["id"]),
        ] {
            assert_eq!(app.get(&path, token).await.status(), 404, "{path}");
        }
        let r = app
            .post(
                &format!("/orgs/{branch}/meetings"),
                token,
                &json!({"id": uuid(), "kind": "lecture", "held_on": today, "topic": "x", "host": "y"}),
            )
            .await;
        assert_eq!(r.status(), 404);
    }
    // A secretary reaches only their own branch.
    for path in [
        format!("/orgs/{other}/meetings"),
        format!("/orgs/{other}/venue"),
        format!("/problems?org_id={other}"),
    ] {
        assert_eq!(app.get(&path, &secretary).await.status(), 404, "{path}");
    }
    assert_eq!(
        upload(&app, &secretary, other, "a.png", png())
            .await
            .status(),
        404
    );
}
