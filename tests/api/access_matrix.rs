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
    checkin, community, member, org_unit, role_grant, service_log, theme_day,
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
}

impl Elsewhere {
    /// The object a path's `{id}` names, by the path's first segment.
    fn path_id(&self, path: &str) -> Option<Value> {
        let resource = path.trim_start_matches("/api/v1/").split('/').next()?;
        Some(match resource {
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
    Elsewhere {
        org,
        member,
        theme_day,
        community,
        grant: grant["id"].as_i64().unwrap(),
        log: log["id"].as_str().unwrap().to_owned(),
        checkin: recorded[0]["id"].as_str().unwrap().to_owned(),
    }
}

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// Everything an out-of-scope call could have changed.
async fn snapshot(app: &TestApp) -> String {
    let db = app.db.reader();
    format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        member::Entity::find().all(db).await.unwrap(),
        org_unit::Entity::find().all(db).await.unwrap(),
        theme_day::Entity::find().all(db).await.unwrap(),
        role_grant::Entity::find().all(db).await.unwrap(),
        service_log::Entity::find().all(db).await.unwrap(),
        checkin::Entity::find().all(db).await.unwrap(),
        community::Entity::find().all(db).await.unwrap(),
    )
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
        Some("org_id" | "parent_id" | "street_org_id") => return json!(e.org),
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
                        let Some(id) = e.path_id(template) else {
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
