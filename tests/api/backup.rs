//! Backups while the county keeps working: on SQLite `zhibu backup` under
//! write load and `zhibu restore`; on PostgreSQL the documented
//! `pg_dump`/`pg_restore` round trip.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use zhibu_server::db::Db;
use zhibu_server::entities::service_log;
use zhibu_server::startup::Application;
use zhibu_tests::{TestApp, demo, spawn_app_with, test_pg_url, test_settings, with_database_name};

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

async fn county_hours(address: &str, client: &reqwest::Client, token: &str, county: i64) -> Value {
    let month = zhibu_shared::theme_day::Month::of(today());
    client
        .get(format!(
            "{address}/api/v1/orgs/{county}/hours?from={}&to={month}&by=child",
            month.previous().previous()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Writers logging a minute each until told to stop; every acknowledged id
/// is kept in order.
fn start_writers(
    app: &TestApp,
    token: &str,
    acked: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let next = Arc::new(AtomicUsize::new(0));
    (0..4)
        .map(|_| {
            let (client, url, token) = (
                app.client.clone(),
                app.api("/service-logs"),
                token.to_owned(),
            );
            let (acked, stop, next) = (acked.clone(), stop.clone(), next.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    if n >= 20_000 {
                        return;
                    }
                    let slot = n % 1000;
                    let id = uuid::Uuid::new_v4().to_string();
                    let body = json!({"id": id, "kind": "volunteer", "minutes": 1,
                        "date": today() - chrono::Duration::days((n / 1000) as i64),
                        "start_time": format!("{:02}:{:02}", slot / 60, slot % 60)});
                    let r = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success(), "log {n}: {}", r.status());
                    acked.lock().await.push(id);
                }
            })
        })
        .collect()
}

#[tokio::test]
async fn a_backup_holds_every_write_acknowledged_before_it_started_and_restores() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.demo_activity = true;
    })
    .await;
    let admin = app.token(demo::ADMIN).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    if let Some(server) = test_pg_url() {
        pg_dump_and_restore(&app, &server, &admin, county).await;
        return;
    }
    let member = app.token(demo::MEMBER).await;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers = start_writers(&app, &member, acked.clone(), stop.clone());
    while acked.lock().await.len() < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before_backup = acked.lock().await.clone();
    let dir = tempdir();
    let file = dir.join("backup.db");
    // As `zhibu backup` does: its own connection beside the running server.
    let own = Db::connect(&app.settings.database_url).await.unwrap();
    zhibu_server::backup::backup(&own, &file).await.unwrap();
    let during = acked.lock().await.len();
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    assert!(
        during > before_backup.len(),
        "writes went on during the backup"
    );
    zhibu_server::backup::check(&file).await.unwrap();
    let copy = Database::connect(format!("sqlite://{}?mode=ro", file.display()))
        .await
        .unwrap();
    let mut found = 0;
    for chunk in before_backup.chunks(500) {
        found += service_log::Entity::find()
            .filter(service_log::Column::Id.is_in(chunk.to_vec()))
            .count(&copy)
            .await
            .unwrap();
    }
    assert_eq!(
        found as usize,
        before_backup.len(),
        "acknowledged writes missing"
    );
    let in_copy = service_log::Entity::find().count(&copy).await.unwrap();
    let _ = copy.close().await;

    // A second backup to the same file is refused; restoring over a county
    // needs --force; into an empty place it restores the copy.
    assert!(zhibu_server::backup::backup(&own, &file).await.is_err());
    own.close().await;
    assert!(
        zhibu_server::backup::restore(&app.settings.database_url, &file, false)
            .await
            .is_err()
    );
    let fresh = format!("sqlite://{}?mode=rwc", dir.join("restored.db").display());
    zhibu_server::backup::restore(&fresh, &file, false)
        .await
        .unwrap();
    let restored = Db::connect(&fresh).await.unwrap();
    assert_eq!(
        service_log::Entity::find()
            .count(restored.reader())
            .await
            .unwrap(),
        in_copy
    );
    restored.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zhibu-backup-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// README's PostgreSQL commands: the restored copy reads the same hours.
async fn pg_dump_and_restore(app: &TestApp, server: &str, admin: &str, county: i64) {
    let hours = county_hours(&app.address, &app.client, admin, county).await;
    assert!(hours["total_minutes"].as_i64().unwrap() > 0, "{hours}");
    let dir = tempdir();
    let dump = dir.join("zhibu.dump");
    let status = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .arg(&app.database.url)
        .status()
        .expect("pg_dump");
    assert!(status.success());
    let name = format!("zhibu_restore_{}", uuid::Uuid::new_v4().simple());
    let admin_db = Database::connect(server).await.unwrap();
    admin_db
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = with_database_name(server, &name);
    let status = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &url])
        .arg(&dump)
        .status()
        .expect("pg_restore");
    assert!(status.success());
    let mut settings = test_settings(&url);
    settings.demo = false;
    let restored = Application::build(settings).await.unwrap();
    let address = format!("http://127.0.0.1:{}", restored.port());
    tokio::spawn(restored.run_until_stopped());
    // The admin's session came along: the same token reads the same hours.
    let again = county_hours(&address, &app.client, admin, county).await;
    assert_eq!(again, hours);
    let _ = admin_db
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
    let _ = std::fs::remove_dir_all(dir);
}
