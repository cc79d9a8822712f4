//! Hours reports: exports, certificates and the follow-up list.

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::{log, month, review, today, uuid};

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
        // County staff read Chinese headers, naming what a row is about.
        let (key, name) = match by {
            "child" => ("单位编号", "单位"),
            "month" => ("月份", "月份名称"),
            _ => ("类别代码", "服务类别"),
        };
        assert_eq!(
            reader[0],
            [key, name, "分钟", "小时", "条数", "人数"],
            "by {by}"
        );
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
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header, reader[0], "the XLSX has the same headers");
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
async fn a_certificate_is_refused_for_months_without_approved_service() {
    let app = spawn_demo_app().await;
    let member = app.token(demo::MEMBER).await;
    // A pending hour is not yet service to attest.
    let (status, _) = log(
        &app,
        &member,
        json!({"id": uuid(), "kind": "volunteer", "date": today(), "minutes": 60}),
    )
    .await;
    assert_eq!(status, 201);
    let r = app
        .post(
            "/me/certificates",
            &member,
            &json!({"from": month(), "to": month()}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "validation_failed");
    assert!(
        body["message"].as_str().unwrap().contains("无法开具证明"),
        "{body}"
    );
    let stored = zhibu_server::entities::certificate::Entity::find()
        .count(app.db.reader())
        .await
        .unwrap();
    assert_eq!(stored, 0);
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
