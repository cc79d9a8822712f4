//! The rotating codes: which steps pass, and across servers.

use chrono::Utc;
use serde_json::{Value, json};
use zhibu_server::checkins::codes::CodeSigner;
use zhibu_shared::theme_day::Month;
use zhibu_tests::{demo, spawn_demo_app, spawn_second_app};

use super::{check_in, open_theme_day, signer, this_month, uuid};

#[tokio::test]
async fn current_and_previous_codes_pass_and_older_forged_or_foreign_ones_fail() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let s = signer();
    let step = CodeSigner::step_at(Utc::now().timestamp());
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let next_month: Vec<Value> = app
        .get(
            &format!(
                "/orgs/{a}/theme-days?month={}",
                Month::parse(&this_month()).unwrap().next()
            ),
            &secretary,
        )
        .await
        .json()
        .await
        .unwrap();
    let other_day = next_month[0]["id"].as_i64().unwrap();
    let refused = [
        json!({"id": uuid(), "token": s.token(id, step - 3)}),
        json!({"id": uuid(), "short_code": s.short_code(id, step - 3)}),
        json!({"id": uuid(), "token": "123.forgedforgedforgedfo"}),
        json!({"id": uuid(), "short_code": "000000"}),
        json!({"id": uuid(), "token": s.token(other_day, step)}),
        json!({"id": uuid()}),
        json!({"id": "not-a-uuid", "token": s.token(id, step)}),
    ];
    let member = app.token(demo::MEMBER).await;
    // Five wrong codes hold a member back for a while; the rest are sent
    // by another member of the branch.
    let other = app.token(demo::SECRETARY).await;
    for (n, body) in refused.into_iter().enumerate() {
        let who = if n < 5 { &member } else { &other };
        let (status, error) = check_in(&app, who, id, body.clone()).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{4e00}')
        );
    }
    // The previous step still passes (a code shown just before it rotated);
    // the step is read again, as the refusals above may have crossed one.
    let third = app.token(demo::COMMUNITY_ADMIN).await;
    let step = CodeSigner::step_at(Utc::now().timestamp());
    let (status, checkin) = check_in(
        &app,
        &third,
        id,
        json!({"id": uuid(), "short_code": s.short_code(id, step - 1)}),
    )
    .await;
    assert_eq!(status, 201, "{checkin}");
}

#[tokio::test]
async fn a_code_from_one_server_checks_in_on_another() {
    let app = spawn_demo_app().await;
    let (second, _db) = spawn_second_app(&app).await;
    let secretary = app.token(demo::SECRETARY).await;
    let id = open_theme_day(&app, &secretary).await;
    let code: Value = app
        .get(&format!("/theme-days/{id}/code"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    let member = app.token(demo::MEMBER).await;
    let r = app
        .client
        .post(format!("{second}/api/v1/theme-days/{id}/checkins"))
        .bearer_auth(&member)
        .json(&json!({"id": uuid(), "short_code": code["short_code"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}
