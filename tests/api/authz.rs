//! The authorization matrix over the identity, organisation, theme-day,
//! hours and audit endpoints:
//! a member, the secretary of branch A, the secretary of branch B, the
//! community admin and the county admin, against objects in and out of
//! their scope. Nobody gets a 2xx outside their scope, and a denial says
//! exactly what the contract says: 404 for what is out of reach.

use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use zhibu_server::entities::{member, theme_day};
use zhibu_tests::{TestApp, demo, spawn_demo_app};

const MEMBER: &str = "member";
const SEC_A: &str = "secretary of A";
const SEC_B: &str = "secretary of B";
const COMMUNITY: &str = "community admin";
const ADMIN: &str = "admin";
const EVERYONE: &[&str] = &[MEMBER, SEC_A, SEC_B, COMMUNITY, ADMIN];

/// The `nth` member of `branch` who is not one of the demo logins.
async fn ordinary_member_of(app: &TestApp, branch: i64, nth: usize) -> i64 {
    member::Entity::find()
        .filter(member::Column::BranchId.eq(branch))
        .filter(member::Column::Phone.starts_with("139"))
        .order_by_asc(member::Column::Id)
        .all(app.db.reader())
        .await
        .unwrap()
        .get(nth)
        .expect("enough ordinary members")
        .id
}

/// Makes an ordinary member of branch B its secretary and logs them in.
async fn secretary_of_b(app: &TestApp, admin: &str, b: i64) -> (String, i64) {
    let id = ordinary_member_of(app, b, 0).await;
    let grant = app
        .post(
            "/roles",
            admin,
            &json!({"member_id": id, "role": "secretary", "org_id": b}),
        )
        .await;
    assert_eq!(grant.status(), 201);
    let grant_id = grant.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let session = app.activate(admin, id).await;
    (session.access_token, grant_id)
}

struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    allowed: &'static [&'static str],
}

fn case(
    method: Method,
    path: String,
    body: Option<Value>,
    allowed: &'static [&'static str],
) -> Case {
    Case {
        method,
        path,
        body,
        allowed,
    }
}

#[tokio::test]
async fn nobody_gets_a_2xx_outside_their_scope() {
    let app = spawn_demo_app().await;
    let admin_token = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let yuwo = app.org_id(&[demo::COUNTY, "渔沃街道党工委"]).await;
    let a = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let b = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_B])
        .await;
    let (sec_b_token, sec_b_grant) = secretary_of_b(&app, &admin_token, b).await;
    let member_a = ordinary_member_of(&app, a, 0).await;
    let member_b = ordinary_member_of(&app, b, 1).await;
    let tokens = [
        (MEMBER, app.token(demo::MEMBER).await),
        (SEC_A, app.token(demo::SECRETARY).await),
        (SEC_B, sec_b_token),
        (COMMUNITY, app.token(demo::COMMUNITY_ADMIN).await),
        // The admin goes last, so a change it makes comes after every denial.
        (ADMIN, admin_token.clone()),
    ];

    let a_readers: &[&str] = &[MEMBER, SEC_A, COMMUNITY, ADMIN];
    let month =
        zhibu_shared::theme_day::Month::of(zhibu_server::time::today(chrono_tz::Asia::Shanghai));
    let day_of = |org: i64| {
        let month = month.to_string();
        let db = app.db.reader().clone();
        async move {
            theme_day::Entity::find()
                .filter(theme_day::Column::OrgId.eq(org))
                .filter(theme_day::Column::Month.eq(month))
                .one(&db)
                .await
                .unwrap()
                .expect("this month's theme day")
                .id
        }
    };
    let (day_a, day_b) = (day_of(a).await, day_of(b).await);
    let cases = vec![
        case(Method::GET, format!("/orgs/{a}"), None, a_readers),
        case(Method::GET, format!("/orgs/{b}"), None, &[SEC_B, ADMIN]),
        case(Method::GET, format!("/orgs/{county}"), None, &[ADMIN]),
        case(Method::GET, format!("/orgs/{a}/children"), None, a_readers),
        case(
            Method::GET,
            format!("/orgs/{b}/children"),
            None,
            &[SEC_B, ADMIN],
        ),
        case(
            Method::GET,
            format!("/orgs/{a}/members"),
            None,
            &[SEC_A, ADMIN],
        ),
        case(
            Method::GET,
            format!("/orgs/{b}/members"),
            None,
            &[SEC_B, ADMIN],
        ),
        case(
            Method::GET,
            format!("/orgs/{county}/members"),
            None,
            &[ADMIN],
        ),
        case(
            Method::POST,
            format!("/members/{member_a}/disable"),
            None,
            &[SEC_A, ADMIN],
        ),
        case(
            Method::POST,
            format!("/members/{member_b}/disable"),
            None,
            &[SEC_B, ADMIN],
        ),
        case(
            Method::POST,
            format!("/members/{member_a}/enable"),
            None,
            &[SEC_A, ADMIN],
        ),
        case(
            Method::POST,
            format!("/members/{member_b}/enable"),
            None,
            &[SEC_B, ADMIN],
        ),
        case(
            Method::POST,
            format!("/members/{member_a}/activation"),
            None,
            &[SEC_A, ADMIN],
        ),
        case(
            Method::POST,
            format!("/members/{member_b}/activation"),
            None,
            &[SEC_B, ADMIN],
        ),
        case(
            Method::PATCH,
            format!("/members/{member_a}"),
            Some(json!({"status": "active"})),
            &[SEC_A, ADMIN],
        ),
        case(
            Method::PATCH,
            format!("/members/{member_b}"),
            Some(json!({"status": "active"})),
            &[SEC_B, ADMIN],
        ),
        case(
            Method::POST,
            "/roles".into(),
            Some(json!({"member_id": member_a, "role": "org_officer", "org_id": a})),
            &[ADMIN],
        ),
        case(
            Method::GET,
            format!("/admin/roster?org_id={a}"),
            None,
            &[ADMIN],
        ),
        case(
            Method::GET,
            format!("/admin/roster?org_id={b}"),
            None,
            &[ADMIN],
        ),
        case(
            Method::GET,
            format!("/members/{member_a}"),
            None,
            &[SEC_A, ADMIN],
        ),
        case(
            Method::GET,
            format!("/members/{member_b}"),
            None,
            &[SEC_B, ADMIN],
        ),
        case(
            Method::GET,
            format!("/theme-days/{day_a}/checkins"),
            None,
            &[SEC_A, ADMIN],
        ),
        case(
            Method::GET,
            format!("/theme-days/{day_b}/attendance"),
            None,
            &[SEC_B, ADMIN],
        ),
        case(
            Method::GET,
            format!("/theme-days/{day_a}/code"),
            None,
            &[SEC_A, ADMIN],
        ),
        case(
            Method::POST,
            format!("/theme-days/{day_b}/roll-call"),
            Some(json!({"member_ids": [member_b]})),
            &[SEC_B, ADMIN],
        ),
        case(
            Method::GET,
            format!("/orgs/{b}/hours?from={month}&to={month}"),
            None,
            &[SEC_B, ADMIN],
        ),
        case(
            Method::GET,
            format!("/orgs/{county}/hours?from={month}&to={month}"),
            None,
            &[ADMIN],
        ),
        case(Method::GET, format!("/audit?org_id={a}"), None, &[ADMIN]),
        case(Method::GET, "/sectors".into(), None, EVERYONE),
        case(Method::GET, "/communities?q=社区".into(), None, EVERYONE),
        case(Method::GET, "/me".into(), None, EVERYONE),
        case(
            Method::POST,
            format!("/orgs/{b}/move"),
            Some(json!({"parent_id": yuwo})),
            &[ADMIN],
        ),
        case(
            Method::DELETE,
            format!("/roles/{sec_b_grant}"),
            None,
            &[ADMIN],
        ),
    ];

    let mut failures = Vec::new();
    for c in &cases {
        for (actor, token) in &tokens {
            let mut request = app
                .client
                .request(c.method.clone(), app.api(&c.path))
                .bearer_auth(token);
            if let Some(body) = &c.body {
                request = request.json(body);
            }
            let status = request.send().await.unwrap().status();
            let allowed = c.allowed.contains(actor);
            // Out of scope is 404, as for a missing object.
            let ok = if allowed {
                status.is_success()
            } else {
                status == 404
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {actor}: {status} (allowed: {allowed})",
                    c.method, c.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix failures:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn only_admins_may_import_a_roster() {
    let app = spawn_demo_app().await;
    let csv = "姓名,手机号,所在党组织,党员类别,入党日期,报到社区\n";
    for phone in [demo::MEMBER, demo::SECRETARY, demo::COMMUNITY_ADMIN] {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("r.csv"),
        );
        let r = app
            .client
            .post(app.api("/admin/roster"))
            .bearer_auth(app.token(phone).await)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{phone}");
    }
}
