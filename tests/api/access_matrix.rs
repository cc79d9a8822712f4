//! The access matrix, generated from the OpenAPI document: every operation
//! that names an object (a path id, an `org_id` query, ids or members in
//! its body) is called by a member, a rider, a secretary and a community
//! admin with an object of another street, where none of them has any
//! role. Each must answer 404, as for an object that does not exist, and
//! nothing may change. A new route is covered without editing this test;
//! a route naming a new kind of object fails here until the fixture below
//! knows one such object.

use chrono::Utc;
use sea_orm::EntityTrait;
use serde_json::{Map, Value, json};
use zhibu_server::entities::{
    attachment, center_household, checkin, community, decision_step, difficulty_file,
    floating_contact, floating_profile, inspection, inspection_item, meeting, member,
    member_category, org_unit, post, post_holder, problem, remote_study, role_grant, service_log,
    theme_day, village_decision,
};
use zhibu_shared::theme_day::Month;
use zhibu_tests::{TestApp, demo, spawn_demo_app};

/// Objects in 渔沃街道, out of every tested actor's reach.
struct Elsewhere {
    org: i64,
    member: i64,
    theme_day: i64,
    community: i64,
    grant: i64,
    log: String,
    checkin: String,
    meeting: String,
    attachment: i64,
    decision: String,
    problem: i64,
    inspection: i64,
    item: i64,
    post: i64,
}

impl Elsewhere {
    /// The object a path parameter names, by the path's first segment
    /// (and the parameter, for the second object of a nested path).
    fn path_param(&self, path: &str, name: &str) -> Option<Value> {
        let resource = path.trim_start_matches("/api/v1/").split('/').next()?;
        Some(match (resource, name) {
            ("inspections", "item") => json!(self.item),
            ("decisions", "step") => json!("review"),
            ("posts", "member") => json!(self.member),
            (_, "id") => return self.path_id(resource),
            _ => return None,
        })
    }

    fn path_id(&self, resource: &str) -> Option<Value> {
        Some(match resource {
            "meetings" => json!(self.meeting),
            "attachments" => json!(self.attachment),
            "decisions" => json!(self.decision),
            "problems" => json!(self.problem),
            "inspections" => json!(self.inspection),
            "posts" => json!(self.post),
            "orgs" => json!(self.org),
            "members" => json!(self.member),
            "theme-days" => json!(self.theme_day),
            "communities" => json!(self.community),
            "roles" => json!(self.grant),
            "service-logs" => json!(self.log),
            _ => return None,
        })
    }

    /// The objects a body's `ids` name, by the path's first segment.
    fn ids(&self, path: &str) -> Option<Value> {
        let resource = path.trim_start_matches("/api/v1/").split('/').next()?;
        Some(match resource {
            "checkins" => json!([self.checkin]),
            "service-logs" => json!([self.log]),
            // None exist elsewhere: an id that exists nowhere must answer
            // exactly as one out of reach.
            "makeups" | "community-reports" | "sector-memberships" => json!([987_654_321]),
            _ => return None,
        })
    }
}

async fn elsewhere(app: &TestApp) -> Elsewhere {
    let admin = app.token(demo::ADMIN).await;
    let org = app
        .org_id(&[demo::COUNTY, "渔沃街道党工委", "黄河社区党支部"])
        .await;
    let page: Value = app
        .get(&format!("/orgs/{org}/members?limit=5"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let member = page["items"][0]["id"].as_i64().unwrap();
    let grant: Value = app
        .post(
            "/roles",
            &admin,
            &json!({"member_id": page["items"][1]["id"], "role": "org_officer", "org_id": org}),
        )
        .await
        .json()
        .await
        .unwrap();
    let days: Vec<Value> = app
        .get(
            &format!("/orgs/{org}/theme-days?month={}", Month::of(today())),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let theme_day = days[0]["id"].as_i64().unwrap();
    let recorded: Vec<Value> = app
        .post(
            &format!("/theme-days/{theme_day}/roll-call"),
            &admin,
            &json!({"member_ids": [member]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let session = app.activate(&admin, member).await;
    let log: Value = app
        .post(
            "/service-logs",
            &session.access_token,
            &json!({"id": uuid::Uuid::new_v4().to_string(), "kind": "grid", "date": today(), "minutes": 30}),
        )
        .await
        .json()
        .await
        .unwrap();
    let community = community::Entity::find()
        .all(app.db.reader())
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "黄河社区")
        .unwrap()
        .id;
    let governance = governance_elsewhere(app, &admin, org).await;
    Elsewhere {
        meeting: governance.0,
        attachment: governance.1,
        decision: governance.2,
        problem: governance.3,
        inspection: governance.4,
        item: governance.5,
        post: {
            let post: Value = app
                .post(
                    &format!("/orgs/{org}/posts"),
                    &admin,
                    &json!({"name": "文明实践岗", "duties": "组织文明实践活动"}),
                )
                .await
                .json()
                .await
                .unwrap();
            post["id"].as_i64().unwrap()
        },
        org,
        member,
        theme_day,
        community,
        grant: grant["id"].as_i64().unwrap(),
        log: log["id"].as_str().unwrap().to_owned(),
        checkin: recorded[0]["id"].as_str().unwrap().to_owned(),
    }
}

/// A meeting, an attachment, a decision, a problem and an inspection with
/// its item, all of a unit in 渔沃街道.
async fn governance_elsewhere(
    app: &TestApp,
    admin: &str,
    org: i64,
) -> (String, i64, String, i64, i64, i64) {
    let ok = |v: &Value| assert!(v.get("code").is_none(), "{v}");
    let meeting: Value = app
        .post(
            &format!("/orgs/{org}/meetings"),
            admin,
            &json!({"id": uuid::Uuid::new_v4().to_string(), "kind": "branch_assembly", "held_on": today(), "topic": "学习", "host": "书记"}),
        )
        .await
        .json()
        .await
        .unwrap();
    ok(&meeting);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4 minutes".to_vec()).file_name("m.pdf"),
    );
    let attachment: Value = app
        .client
        .post(app.api(&format!("/orgs/{org}/attachments")))
        .bearer_auth(admin)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ok(&attachment);
    let decision: Value = app
        .post(
            &format!("/orgs/{org}/decisions"),
            admin,
            &json!({"id": uuid::Uuid::new_v4().to_string(), "subject": "修路", "steps": [{"step": "proposal", "done_on": today()}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    ok(&decision);
    let problem: Value = app
        .post(
            "/problems",
            admin,
            &json!({"org_id": org, "description": "记录不全", "deadline": today()}),
        )
        .await
        .json()
        .await
        .unwrap();
    ok(&problem);
    let inspection: Value = app
        .post(
            "/inspections",
            admin,
            &json!({"scope_org_id": org, "month": Month::of(today()), "sample_size": 1, "record_kinds": ["meetings"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    ok(&inspection);
    (
        meeting["id"].as_str().unwrap().to_owned(),
        attachment["id"].as_i64().unwrap(),
        decision["id"].as_str().unwrap().to_owned(),
        problem["id"].as_i64().unwrap(),
        inspection["id"].as_i64().unwrap(),
        inspection["items"][0]["id"].as_i64().unwrap(),
    )
}

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// Everything an out-of-scope call could have changed.
async fn snapshot(app: &TestApp) -> String {
    let db = app.db.reader();
    [
        format!("{:?}", member::Entity::find().all(db).await.unwrap()),
        format!("{:?}", org_unit::Entity::find().all(db).await.unwrap()),
        format!("{:?}", theme_day::Entity::find().all(db).await.unwrap()),
        format!("{:?}", role_grant::Entity::find().all(db).await.unwrap()),
        format!("{:?}", service_log::Entity::find().all(db).await.unwrap()),
        format!("{:?}", checkin::Entity::find().all(db).await.unwrap()),
        format!("{:?}", community::Entity::find().all(db).await.unwrap()),
        format!("{:?}", meeting::Entity::find().all(db).await.unwrap()),
        format!("{:?}", attachment::Entity::find().all(db).await.unwrap()),
        format!(
            "{:?}",
            village_decision::Entity::find().all(db).await.unwrap()
        ),
        format!("{:?}", decision_step::Entity::find().all(db).await.unwrap()),
        format!("{:?}", problem::Entity::find().all(db).await.unwrap()),
        format!("{:?}", inspection::Entity::find().all(db).await.unwrap()),
        format!(
            "{:?}",
            inspection_item::Entity::find().all(db).await.unwrap()
        ),
        format!("{:?}", post::Entity::find().all(db).await.unwrap()),
        format!("{:?}", post_holder::Entity::find().all(db).await.unwrap()),
        format!(
            "{:?}",
            difficulty_file::Entity::find().all(db).await.unwrap()
        ),
        format!(
            "{:?}",
            floating_profile::Entity::find().all(db).await.unwrap()
        ),
        format!(
            "{:?}",
            floating_contact::Entity::find().all(db).await.unwrap()
        ),
        format!("{:?}", remote_study::Entity::find().all(db).await.unwrap()),
        format!(
            "{:?}",
            center_household::Entity::find().all(db).await.unwrap()
        ),
        format!(
            "{:?}",
            member_category::Entity::find().all(db).await.unwrap()
        ),
    ]
    .join("\n")
}

/// A minimal valid value of `schema`, with the objects of `elsewhere`
/// wherever a field names one.
fn sample(doc: &Value, schema: &Value, field: Option<&str>, path: &str, e: &Elsewhere) -> Value {
    match field {
        Some("ids") => {
            if let Some(ids) = e.ids(path) {
                return ids;
            }
        }
        Some("member_id") => return json!(e.member),
        Some("member_ids") => return json!([e.member]),
        Some("org_id" | "parent_id" | "street_org_id" | "scope_org_id") => return json!(e.org),
        Some("with_member_id") => return json!(e.member),
        Some("month") => return json!(Month::of(today()).to_string()),
        Some("id") => return json!(uuid::Uuid::new_v4().to_string()),
        _ => {}
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        return sample(doc, &doc["components"]["schemas"][name], field, path, e);
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema.get(combinator).and_then(|v| v.get(0)) {
            return sample(doc, first, field, path, e);
        }
    }
    if let Some(first) = schema.get("enum").and_then(|v| v.get(0)) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .unwrap_or("null")
            .to_owned(),
        Value::String(kind) => kind.clone(),
        _ => "object".into(),
    };
    match kind.as_str() {
        "object" => {
            let mut object = Map::new();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                let value = sample(doc, &schema["properties"][name], Some(name), path, e);
                object.insert(name.to_owned(), value);
            }
            Value::Object(object)
        }
        "array" => json!([sample(doc, &schema["items"], None, path, e)]),
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        "null" => Value::Null,
        _ => match schema["format"].as_str() {
            Some("date") => json!(today()),
            Some("date-time") => json!(Utc::now().to_rfc3339()),
            Some("uuid") => json!(uuid::Uuid::new_v4().to_string()),
            _ => json!("测试"),
        },
    }
}

/// A query value for a parameter that must be given.
fn query_value(name: &str, e: &Elsewhere) -> String {
    match name {
        "org_id" => e.org.to_string(),
        "month" | "from" | "to" => Month::of(today()).to_string(),
        "quarter" => "2026-Q4".into(),
        _ => "1".into(),
    }
}

#[tokio::test]
async fn every_operation_naming_an_object_out_of_reach_answers_404_and_changes_nothing() {
    let app = spawn_demo_app().await;
    let e = elsewhere(&app).await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actors = [
        ("member", app.token(demo::MEMBER).await),
        ("rider", app.token(demo::RIDER).await),
        ("secretary", app.token(demo::SECRETARY).await),
        ("community admin", app.token(demo::COMMUNITY_ADMIN).await),
    ];
    let before = snapshot(&app).await;
    let mut failures = Vec::new();
    let mut covered = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            let json_body =
                operation["requestBody"]["content"]["application/json"]["schema"].clone();
            let multipart = operation["requestBody"]["content"]
                .get("multipart/form-data")
                .is_some();
            if !secured || multipart {
                continue;
            }
            let body = (!json_body.is_null()).then(|| sample(&doc, &json_body, None, template, &e));
            let body_names_object = body.as_ref().is_some_and(|b| {
                [
                    "ids",
                    "member_id",
                    "member_ids",
                    "org_id",
                    "parent_id",
                    "street_org_id",
                    "scope_org_id",
                    "with_member_id",
                ]
                .iter()
                .any(|f| b.get(f).is_some())
            });
            let mut path = template.clone();
            let mut names_object = body_names_object;
            let mut query = Vec::new();
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                match parameter["in"].as_str() {
                    Some("path") => {
                        let Some(id) = e.path_param(template, name) else {
                            failures.push(format!(
                                "{method} {template}: no object elsewhere for its path"
                            ));
                            continue;
                        };
                        let id = id
                            .as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| id.to_string());
                        path = path.replace(&format!("{{{name}}}"), &id);
                        names_object = true;
                    }
                    Some("query") if name == "org_id" => {
                        query.push((name.to_owned(), query_value(name, &e)));
                        names_object = true;
                    }
                    Some("query") if parameter["required"].as_bool() == Some(true) => {
                        query.push((name.to_owned(), query_value(name, &e)));
                    }
                    _ => {}
                }
            }
            if !names_object {
                continue;
            }
            covered += 1;
            for (actor, token) in &actors {
                let mut request = app
                    .client
                    .request(method.to_uppercase().parse().unwrap(), app.url(&path))
                    .query(&query)
                    .bearer_auth(token);
                if let Some(body) = &body {
                    request = request.json(body);
                }
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                if status != 404 {
                    let text = response.text().await.unwrap_or_default();
                    failures.push(format!("{method} {path} as {actor}: {status} {text}"));
                }
            }
        }
    }
    assert!(covered >= 30, "only {covered} operations name objects");
    assert!(
        failures.is_empty(),
        "out of reach but not 404:\n{}",
        failures.join("\n")
    );
    assert!(
        snapshot(&app).await == before,
        "an out-of-scope call changed something"
    );
}
