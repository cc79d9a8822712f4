//! Attachments: refused by type and size, served only in scope, and kept
//! in S3-compatible storage when configured.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_app_with, spawn_demo_app};

use super::*;

#[tokio::test]
async fn attachments_are_refused_by_type_and_size_and_served_only_in_scope() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let today = today(&app);
    let meeting: Value = app
        .post(
            &format!("/orgs/{branch}/meetings"),
            &secretary,
            &json!({"id": uuid(), "kind": "committee", "held_on": today, "topic": "支委会", "host": "王书记"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let attach = |name: &str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str("image/png")
                .unwrap(),
        );
        app.client
            .post(app.api(&format!(
                "/meetings/{}/attachments",
                meeting["id"].as_str().unwrap()
            )))
            .bearer_auth(&secretary)
            .multipart(form)
            .send()
    };
    // A GIF (or HTML) named .png with an image/png header is still refused.
    let r = attach("photo.png", b"GIF89a\x01\x00\x01\x00".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = attach("x.png", b"<html><script>alert(1)</script>".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let mut big = png();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let r = attach("big.png", big).await.unwrap();
    assert_eq!(r.status(), 413);
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend_from_slice(b"JFIF sign-in sheet");
    let r = attach("签到表.jpg", jpeg.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    let stored: Value = r.json().await.unwrap();
    assert_eq!(stored["content_type"], "image/jpeg");
    assert_eq!(stored["name"], "签到表.jpg");

    let url = stored["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("/api/v1")
        .to_owned();
    for token in [&secretary, &admin] {
        let r = app.get(&url, token).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        assert_eq!(r.bytes().await.unwrap().to_vec(), jpeg);
    }
    let shown: Value = app
        .get(
            &format!("/meetings/{}", meeting["id"].as_str().unwrap()),
            &secretary,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["attachments"][0]["id"], stored["id"]);
    let member = app.token(demo::MEMBER).await;
    assert_eq!(app.get(&url, &member).await.status(), 404);
}

/// A real S3-compatible server (s3s-fs) on a local directory.
async fn s3_server(root: &std::path::Path) -> String {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    std::fs::create_dir_all(root.join("zhibu-files")).unwrap();
    let fs = s3s_fs::FileSystem::new(root).unwrap();
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(
        "test-access-key",
        "test-secret-key",
    ));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                break;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let _ = Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn attachments_are_kept_in_s3_compatible_storage_when_configured() {
    let root = std::env::temp_dir().join(format!("zhibu-s3-{}", uuid::Uuid::new_v4().simple()));
    let endpoint = s3_server(&root).await;
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.storage_url = "s3://zhibu-files/county".into();
        s.storage_endpoint = Some(endpoint.clone());
        s.storage_region = Some("us-east-1".into());
        s.storage_access_key_id = Some("test-access-key".into());
        s.storage_secret_access_key = Some("test-secret-key".into());
        s.storage_allow_http = true;
    })
    .await;
    let secretary = app.token(demo::SECRETARY).await;
    let branch = branch_a(&app).await;
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend_from_slice(b"minutes of the meeting");
    let r = upload(&app, &secretary, branch, "会议记录.pdf", pdf.clone()).await;
    assert_eq!(r.status(), 201);
    let stored: Value = r.json().await.unwrap();
    let r = app
        .get(&format!("/attachments/{}", stored["id"]), &secretary)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    // The object is in the bucket, under the configured prefix.
    let kept: Vec<_> = walk(&root.join("zhibu-files").join("county"));
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), pdf);
    let _ = std::fs::remove_dir_all(&root);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else if !path.to_string_lossy().contains(".s3s") {
                out.push(path);
            }
        }
    }
    out
}
