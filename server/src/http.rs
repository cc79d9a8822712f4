//! Cross-cutting HTTP concerns: security headers, the request id header,
//! and the JSON answers for paths and methods the API does not know.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use tracing_actix_web::RequestId;

use crate::error::ApiError;

/// The app itself needs only its own origin plus wasm compilation, and the
/// inline styles and scripts of its pages by hash (`static_files` gives them).
pub fn app_csp(inline: &InlineHashes) -> String {
    let listed = |hashes: &[String]| -> String {
        hashes
            .iter()
            .map(|hash| format!(" 'sha256-{hash}'"))
            .collect()
    };
    let (styles, scripts) = (listed(&inline.styles), listed(&inline.scripts));
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; \
         style-src 'self'{styles}; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The SHA-256 (base64) of each inline `<style>` and `<script>` of a page.
#[derive(Debug, Default)]
pub struct InlineHashes {
    pub styles: Vec<String>,
    pub scripts: Vec<String>,
}

static APP_CSP: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
    HeaderValue::from_str(&app_csp(&InlineHashes::default())).expect("the policy is ASCII")
});

/// Swagger UI sets inline styles; it is only a developer page.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
    frame-ancestors 'none'";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Adds security headers and the request id to every response.
pub async fn response_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let csp = if req.path().starts_with("/api/docs") {
        HeaderValue::from_static(DOCS_CSP)
    } else {
        APP_CSP.clone()
    };
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    // A page with inline styles sets its own policy, naming their hashes.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(self), geolocation=(self), microphone=()"),
    );
    if let Some(id) = request_id.and_then(|id: String| HeaderValue::from_str(&id).ok()) {
        headers.insert(REQUEST_ID, id);
    }
    Ok(res)
}

/// Any path under `/api` that no route claims: 405 (with `Allow`) for a
/// documented path called with another method, else 404.
pub async fn api_not_found(req: HttpRequest) -> HttpResponse {
    if let Some(methods) = crate::openapi::allowed_methods(req.path()) {
        let mut response = ApiError::MethodNotAllowed.error_response();
        if let Ok(allow) = HeaderValue::from_str(&methods.join(", ")) {
            response.headers_mut().insert(header::ALLOW, allow);
        }
        return response;
    }
    tracing::debug!(path = req.path(), method = %req.method(), "unknown API route");
    ApiError::NotFound.error_response()
}

/// `/api/docs` without its slash: the Swagger UI lives at `/api/docs/`.
pub async fn docs_with_slash() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, "/api/docs/"))
        .finish()
}
