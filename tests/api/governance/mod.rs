//! Governance records, one module per capability (the 三会一课 ledger,
//! inspections, problems, talks, attachments, decisions, venues, the
//! overview, scope); the helpers they share are here.

mod attachments;
mod decisions;
mod inspections;
mod meetings;
mod overview;
mod problems;
mod scope;
mod talks;
mod venues;

use chrono::NaiveDate;
use serde_json::Value;
use zhibu_server::access::{Caller, Grant};
use zhibu_shared::org::Role;
use zhibu_tests::{TestApp, demo};

fn today(app: &TestApp) -> NaiveDate {
    zhibu_server::time::today(app.settings.timezone().unwrap())
}

async fn branch_a(app: &TestApp) -> i64 {
    app.org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await
}

async fn branch_b(app: &TestApp) -> i64 {
    app.org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Active members of a unit's subtree, by id.
async fn members_of(app: &TestApp, token: &str, org_id: i64) -> Vec<i64> {
    let page: Value = app
        .get(&format!("/orgs/{org_id}/members?limit=200"), token)
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

/// A caller holding an admin role on the county, as the demo's seeds do.
async fn county_admin(app: &TestApp) -> Caller {
    let county = app.org_id(&[demo::COUNTY]).await;
    let member = app.member_id(demo::ADMIN).await;
    Caller {
        member_id: member,
        branch_id: county,
        grants: vec![Grant {
            role: Role::Admin,
            org_id: county,
        }],
    }
}

async fn upload(
    app: &TestApp,
    token: &str,
    org_id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    app.client
        .post(app.api(&format!("/orgs/{org_id}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    bytes
}
