//! Roster import (CSV and XLSX) and export.

use calamine::Reader;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use zhibu_server::entities::{member, org_unit};
use zhibu_tests::{TestApp, demo, spawn_demo_app};

const HEADER: &str = "姓名,手机号,所在党组织,党员类别,入党日期,报到社区\n";

pub(crate) fn roster(rows: &[&str]) -> String {
    let mut text = HEADER.to_owned();
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
) -> (u16, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    let url = app.api(&format!("/admin/roster?dry_run={dry_run}"));
    let r = app
        .client
        .post(url)
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn counts(app: &TestApp) -> (u64, u64) {
    (
        member::Entity::find().count(app.db.reader()).await.unwrap(),
        org_unit::Entity::find()
            .count(app.db.reader())
            .await
            .unwrap(),
    )
}

const NEW_ROWS: [&str; 3] = [
    "陈新,13700000001,东明县委/渔沃街道党工委/新时代社区党支部,在职,2010-07-01,黄河社区",
    "林红,13700000002,东明县委/渔沃街道党工委/新时代社区党支部,\"困难,离退休\",1980/3/5,",
    "周平,13700000003,东明县委/渔沃街道党工委/新时代社区党支部/第一党小组,流动,2015.10.01,",
];

#[tokio::test]
async fn a_roster_imports_once_and_reimporting_changes_nothing() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let (members, units) = counts(&app).await;
    let file = roster(&NEW_ROWS).into_bytes();

    let (status, dry) = upload(&app, &admin, "r.csv", file.clone(), true).await;
    assert_eq!(status, 200);
    assert_eq!(
        (dry["created"].as_u64(), dry["dry_run"].as_bool()),
        (Some(3), Some(true))
    );
    assert_eq!(
        counts(&app).await,
        (members, units),
        "a dry run writes nothing"
    );

    let (status, report) = upload(&app, &admin, "r.csv", file.clone(), false).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (
            report["created"].as_u64(),
            report["updated"].as_u64(),
            report["unchanged"].as_u64()
        ),
        (Some(3), Some(0), Some(0))
    );
    assert_eq!(
        counts(&app).await,
        (members + 3, units + 2),
        "the branch and the party group were created"
    );

    let (_, again) = upload(&app, &admin, "r.csv", file, false).await;
    assert_eq!(
        (
            again["created"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3))
    );
    assert_eq!(counts(&app).await, (members + 3, units + 2));

    let branch = app
        .org_id(&[demo::COUNTY, "渔沃街道党工委", "新时代社区党支部"])
        .await;
    let org: Value = app
        .get(&format!("/orgs/{branch}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(org["kind"], "branch");
    assert_eq!(org["member_count"], 3);

    // A changed category updates that member only.
    let mut changed = NEW_ROWS;
    changed[0] = "陈新,13700000001,东明县委/渔沃街道党工委/新时代社区党支部,\"在职,困难\",2010-07-01,黄河社区";
    let (_, report) = upload(&app, &admin, "r.csv", roster(&changed).into_bytes(), false).await;
    assert_eq!(
        (report["updated"].as_u64(), report["unchanged"].as_u64()),
        (Some(1), Some(2))
    );
}

#[tokio::test]
async fn a_file_with_bad_rows_imports_nothing_and_reports_every_bad_cell() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let before = counts(&app).await;
    let file = roster(&[
        NEW_ROWS[0],
        ",12345,东明县委/渔沃街道党工委/新时代社区党支部,在职,2010-07-01,",
        "错类,13700000009,东明县委/某某单位,党员,2999-01-01,不存在社区",
        "重号,13700000001,东明县委/渔沃街道党工委/新时代社区党支部,在职,,",
    ])
    .into_bytes();
    let (status, report) = upload(&app, &admin, "bad.csv", file, false).await;
    assert_eq!(status, 422);
    let errors = report["errors"].as_array().unwrap();
    let has = |row: u64, field: &str| {
        errors
            .iter()
            .any(|e| e["row"] == row && e["field"] == field)
    };
    assert!(has(3, "姓名") && has(3, "手机号"), "{errors:?}");
    assert!(
        has(4, "所在党组织") && has(4, "党员类别") && has(4, "入党日期") && has(4, "报到社区"),
        "{errors:?}"
    );
    assert!(has(5, "手机号"), "duplicate phone in the file: {errors:?}");
    assert!(errors.iter().all(|e| {
        e["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c > '\u{4e00}')
    }));
    assert_eq!(
        counts(&app).await,
        before,
        "nothing imported, not even the good row"
    );
}

#[tokio::test]
async fn a_missing_header_is_reported_as_row_one() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let (status, report) = upload(
        &app,
        &admin,
        "r.csv",
        "姓名,手机号\n张三,13700000001\n".as_bytes().to_vec(),
        false,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["row"] == 1)
    );
}

fn xlsx(rows: &[[&str; 6]], phone_as_number: bool) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in [
        "姓名",
        "手机号",
        "所在党组织",
        "党员类别",
        "入党日期",
        "报到社区",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if c == 1 && phone_as_number {
                sheet
                    .write_number(r as u32 + 1, c as u16, value.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(r as u32 + 1, c as u16, *value).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn xlsx_rosters_import_like_csv_even_with_numeric_phones() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let file = xlsx(
        &[[
            "陈新",
            "13700000001",
            "东明县委/渔沃街道党工委/新时代社区党支部",
            "在职",
            "2010-07-01",
            "黄河社区",
        ]],
        true,
    );
    let (status, report) = upload(&app, &admin, "roster.xlsx", file, false).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["created"], 1);
    let me = app.member_id("13700000001").await;
    assert!(me > 0);
}

#[tokio::test]
async fn an_export_imports_back_unchanged() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let r = app
        .get(&format!("/admin/roster?org_id={street}"), &admin)
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "姓名",
            "手机号",
            "所在党组织",
            "党员类别",
            "入党日期",
            "报到社区",
            "工作单位"
        ]
    );
    let wang = rows
        .iter()
        .find(|r| r[1] == demo::MEMBER)
        .expect("the demo member is exported");
    assert_eq!(wang[2], "东明县委/城关街道党工委/东关社区党支部");
    let org: Value = app
        .get(&format!("/orgs/{street}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rows.len() as u64 - 1, org["member_count"].as_u64().unwrap());

    let (status, report) = upload(&app, &admin, "export.xlsx", bytes, false).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(report["unchanged"].as_u64().unwrap(), rows.len() as u64 - 1);
}

#[tokio::test]
async fn an_admin_of_one_street_cannot_import_into_another() {
    let app = spawn_demo_app().await;
    let county_admin = app.token(demo::ADMIN).await;
    let street = app.org_id(&[demo::COUNTY, demo::STREET]).await;
    let id = app.member_id(demo::MEMBER).await;
    assert_eq!(
        app.post(
            "/roles",
            &county_admin,
            &json!({"member_id": id, "role": "admin", "org_id": street})
        )
        .await
        .status(),
        201
    );
    let street_admin = app.token(demo::MEMBER).await;
    let (status, report) = upload(
        &app,
        &street_admin,
        "r.csv",
        roster(&[NEW_ROWS[0]]).into_bytes(),
        false,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(report["errors"][0]["message"], "无权向该组织导入党员");
    let own = roster(&["陈新,13700000001,东明县委/城关街道党工委/新建党支部,在职,2010-07-01,"]);
    let (status, report) = upload(&app, &street_admin, "r.csv", own.into_bytes(), false).await;
    assert_eq!(status, 200, "{report}");
}

#[tokio::test]
async fn the_command_line_import_reports_and_applies() {
    let app = spawn_demo_app().await;
    let dir = std::env::temp_dir().join(format!("zhibu-roster-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("roster.csv");
    std::fs::write(&file, roster(&NEW_ROWS)).unwrap();
    let before = counts(&app).await.0;
    assert_eq!(
        zhibu_server::cli::import_roster(&app.settings, &file, true)
            .await
            .unwrap(),
        0
    );
    assert_eq!(counts(&app).await.0, before);
    assert_eq!(
        zhibu_server::cli::import_roster(&app.settings, &file, false)
            .await
            .unwrap(),
        0
    );
    assert_eq!(counts(&app).await.0, before + 3);
    std::fs::write(&file, roster(&["坏行,1,东明县委,x,y,z"])).unwrap();
    assert_eq!(
        zhibu_server::cli::import_roster(&app.settings, &file, false)
            .await
            .unwrap(),
        1
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn an_optional_employer_column_is_imported_exported_and_kept_when_absent() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let with_employer = "姓名,手机号,所在党组织,党员类别,入党日期,报到社区,工作单位\n\
        陈新,13700000001,东明县委/渔沃街道党工委/新时代社区党支部,在职,2010-07-01,黄河社区,东明县财政局\n";
    let (status, report) = upload(
        &app,
        &admin,
        "r.csv",
        with_employer.as_bytes().to_vec(),
        false,
    )
    .await;
    assert_eq!(
        (status, report["created"].as_u64()),
        (200, Some(1)),
        "{report}"
    );
    // A file without the column leaves the employer alone.
    let (_, report) = upload(
        &app,
        &admin,
        "r.csv",
        roster(&[NEW_ROWS[0]]).into_bytes(),
        false,
    )
    .await;
    assert_eq!(report["unchanged"], 1, "{report}");
    let branch = app
        .org_id(&[demo::COUNTY, "渔沃街道党工委", "新时代社区党支部"])
        .await;
    let bytes = app
        .get(&format!("/admin/roster?org_id={branch}"), &admin)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let row: Vec<String> = range
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(row[6], "东明县财政局");
    let long = format!(
        "姓名,手机号,所在党组织,党员类别,入党日期,报到社区,工作单位\n陈新,13700000001,东明县委/渔沃街道党工委/新时代社区党支部,在职,,,{}\n",
        "单".repeat(101)
    );
    let (status, _) = upload(&app, &admin, "r.csv", long.into_bytes(), false).await;
    assert_eq!(status, 422);
}
