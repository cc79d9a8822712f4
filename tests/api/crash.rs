//! Crash safety: a server killed with SIGKILL in the middle of a burst of
//! writes has lost none that it acknowledged when it comes back.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;
use zhibu_server::db::Db;
use zhibu_server::entities::service_log;
use zhibu_tests::{DEMO_PASSWORD, TestDatabase, demo, zhibu_binary};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Starts `zhibu serve --demo` on `database_url` and waits until it is ready.
async fn start(database_url: &str, client: &reqwest::Client) -> (Child, String) {
    let port = free_port();
    let child = Command::new(zhibu_binary())
        .args(["serve", "--demo"])
        .env("ZHIBU_DATABASE_URL", database_url)
        .env("ZHIBU_BIND", format!("127.0.0.1:{port}"))
        .env("ZHIBU_DEMO_ACTIVITY", "false")
        .env("ZHIBU_PUBLIC_DIR", "/nonexistent-zhibu-dist")
        .env("ZHIBU_WORKERS", "2")
        .env("RUST_LOG", "error")
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("starting zhibu");
    let address = format!("http://127.0.0.1:{port}");
    for _ in 0..600 {
        if client
            .get(format!("{address}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return (child, address);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("zhibu did not become ready");
}

#[tokio::test]
async fn no_acknowledged_write_is_lost_when_the_server_is_killed_under_load() {
    let database = TestDatabase::create().await;
    // The client is built before any server in this process installs the
    // TLS provider; run alone, the test needs it installed itself.
    zhibu_server::tls::install_crypto_provider();
    let client = reqwest::Client::new();
    let (mut server, address) = start(&database.url, &client).await;
    let login: Value = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&json!({"phone": demo::MEMBER, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let (client, address, token) = (client.clone(), address.clone(), token.clone());
            let (acked, next) = (acked.clone(), next.clone());
            tokio::spawn(async move {
                // Bounded: the writers stop at the crash or after 20 000 logs.
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    if n >= 20_000 {
                        return;
                    }
                    let id = uuid::Uuid::new_v4().to_string();
                    let slot = n % 1000;
                    let body = json!({
                        "id": id,
                        "kind": "volunteer",
                        "date": today - chrono::Duration::days((n / 1000) as i64),
                        "minutes": 1,
                        "start_time": format!("{:02}:{:02}", slot / 60, slot % 60),
                    });
                    let sent = client
                        .post(format!("{address}/api/v1/service-logs"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status() == 201 || r.status() == 200 => {
                            acked.lock().await.push(id);
                        }
                        Ok(r) => panic!("log {n} refused: {}", r.status()),
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    // Kill once writes are flowing, without waiting for a quiet moment.
    for _ in 0..200 {
        if acked.lock().await.len() >= 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill().await.expect("SIGKILL");
    for writer in writers {
        writer.await.expect("a writer");
    }
    let acked = acked.lock().await.clone();
    assert!(
        acked.len() >= 50,
        "only {} writes before the kill",
        acked.len()
    );

    let (_restarted, address) = start(&database.url, &client).await;
    assert_eq!(
        client
            .get(format!("{address}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let db = Db::connect(&database.url).await.unwrap();
    let mut missing = Vec::new();
    for chunk in acked.chunks(500) {
        let found: Vec<String> = service_log::Entity::find()
            .filter(service_log::Column::Id.is_in(chunk.to_vec()))
            .all(db.reader())
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.id)
            .collect();
        missing.extend(chunk.iter().filter(|id| !found.contains(id)).cloned());
    }
    db.close().await;
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged logs lost",
        missing.len(),
        acked.len()
    );
}
