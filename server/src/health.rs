//! Liveness and readiness probes for load balancers and process managers.

use actix_web::{HttpResponse, get, web};
use zhibu_shared::api::Health;

use crate::state::AppState;

/// Alive: the process answers HTTP.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// Ready: the database answers too.
#[utoipa::path(
    tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health))
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.db.is_ready().await {
        HttpResponse::Ok().json(Health {
            status: "ok".into(),
        })
    } else {
        HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable".into(),
        })
    }
}

/// The address `zhibu healthcheck` probes when given none: the listening
/// address, with a wildcard host replaced by loopback.
pub fn local_url(bind: &str) -> String {
    let (host, port) = bind.rsplit_once(':').unwrap_or((bind, "8080"));
    let host = match host {
        "" | "0.0.0.0" => "127.0.0.1",
        "[::]" => "[::1]",
        other => other,
    };
    format!("http://{host}:{port}")
}

/// `zhibu healthcheck`: asks `/readyz` of the server at `base`; Ok when it
/// answers 200 (the process and its database are up) within `timeout`.
pub async fn probe(base: &str, timeout: std::time::Duration) -> anyhow::Result<()> {
    crate::tls::install_crypto_provider();
    let url = format!("{}/readyz", base.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{url}: no answer ({e})"))?;
    let status = response.status();
    anyhow::ensure!(status == 200, "{url} answered {status}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::local_url;

    #[test]
    fn the_default_probe_address_is_the_listening_one_on_loopback() {
        assert_eq!(local_url("0.0.0.0:8080"), "http://127.0.0.1:8080");
        assert_eq!(local_url("[::]:9000"), "http://[::1]:9000");
        assert_eq!(local_url("10.1.2.3:80"), "http://10.1.2.3:80");
    }
}
