//! Serves the built PWA from memory.
//!
//! `cargo xtask build-app` writes `dist/` with content-hashed files under
//! `assets/` (cached for a year) and brotli/gzip siblings (`.br`, `.gz`)
//! compressed once at build time. Everything else (`index.html`, `sw.js`, the
//! manifest, icons) is `no-cache` with an ETag so a new build is seen at once.
//! Paths without a file extension fall back to `index.html` for client routing.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};

#[derive(Debug)]
struct Asset {
    content_type: &'static str,
    raw: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
    etag: String,
    immutable: bool,
    /// The policy of a page with inline styles, which names their hashes.
    csp: Option<HeaderValue>,
}

/// The PWA's files, keyed by URL path (`/index.html`, `/assets/app-….wasm`).
#[derive(Debug, Default)]
pub struct StaticAssets {
    files: HashMap<String, Asset>,
}

impl StaticAssets {
    /// Loads every file of `dir`; a missing directory gives an empty set
    /// (the API still works, and `/` explains how to build the PWA).
    pub fn load(dir: &Path) -> std::io::Result<StaticAssets> {
        let mut assets = StaticAssets::default();
        if dir.is_dir() {
            assets.load_dir(dir, dir)?;
        }
        Ok(assets)
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn load_dir(&mut self, root: &Path, dir: &Path) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                self.load_dir(root, &path)?;
                continue;
            }
            let name = path.to_string_lossy();
            // Compressed siblings are served with their file; the build
            // report is for benchmarks, not for browsers.
            if name.ends_with(".br") || name.ends_with(".gz") || name.ends_with("build-report.json")
            {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let url = format!("/{}", rel.to_string_lossy().replace('\\', "/"));
            let raw = Bytes::from(std::fs::read(&path)?);
            let sibling = |ext: &str| std::fs::read(format!("{name}.{ext}")).ok().map(Bytes::from);
            let etag = format!("\"{:016x}\"", fnv1a(&raw));
            let csp = inline_policy(&url, &raw);
            self.files.insert(
                url.clone(),
                Asset {
                    content_type: content_type(&url),
                    brotli: sibling("br"),
                    gzip: sibling("gz"),
                    raw,
                    etag,
                    immutable: url.starts_with("/assets/"),
                    csp,
                },
            );
        }
        Ok(())
    }
}

/// The CSP of an HTML page that carries `<style>` or inline module
/// `<script>` elements: the app's policy with each one's SHA-256, as
/// browsers check them.
fn inline_policy(url: &str, raw: &[u8]) -> Option<HeaderValue> {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    if !url.ends_with(".html") {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    let hashes = |open: &str, close: &str| -> Vec<String> {
        text.split(open)
            .skip(1)
            .filter_map(|rest| rest.split_once(close).map(|(body, _)| body))
            .map(|body| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body)))
            .collect()
    };
    let inline = crate::http::InlineHashes {
        styles: hashes("<style>", "</style>"),
        scripts: hashes("<script type=\"module\">", "</script>"),
    };
    if inline.styles.is_empty() && inline.scripts.is_empty() {
        return None;
    }
    HeaderValue::from_str(&crate::http::app_csp(&inline)).ok()
}

/// A stable, fast fingerprint for ETags (not a security boundary).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The default service: a file, the SPA fallback, or 404.
pub async fn serve(req: HttpRequest, assets: web::Data<Arc<StaticAssets>>) -> HttpResponse {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "GET, HEAD"))
            .finish();
    }
    if assets.is_empty() {
        return HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body(
                "支部 PWA 尚未构建：请运行 `cargo xtask build-app`（API 在 /api/v1 下照常可用）。",
            );
    }
    let path = req.path();
    let key = if path == "/" { "/index.html" } else { path };
    let asset = match assets.files.get(key) {
        Some(asset) => asset,
        // Client-side routes (`/checkin`, `/me/hours`) get the app shell.
        None if !last_segment_has_extension(path) => match assets.files.get("/index.html") {
            Some(index) => index,
            None => return HttpResponse::NotFound().finish(),
        },
        None => return HttpResponse::NotFound().finish(),
    };
    respond(&req, asset)
}

fn last_segment_has_extension(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|seg| seg.contains('.'))
}

fn respond(req: &HttpRequest, asset: &Asset) -> HttpResponse {
    let cache_control = if asset.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == asset.etag));
    let mut response = HttpResponse::build(if not_modified {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    });
    response
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::ETAG, asset.etag.as_str()))
        .insert_header((header::VARY, "Accept-Encoding"));
    if let Some(csp) = &asset.csp {
        response.insert_header((header::CONTENT_SECURITY_POLICY, csp.clone()));
    }
    if not_modified {
        return response.finish();
    }
    response.insert_header((header::CONTENT_TYPE, asset.content_type));
    let accepts = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (body, encoding) = match (&asset.brotli, &asset.gzip) {
        (Some(br), _) if accepts.contains("br") => (br, Some("br")),
        (_, Some(gz)) if accepts.contains("gzip") => (gz, Some("gzip")),
        _ => (&asset.raw, None),
    };
    match encoding {
        Some(encoding) => {
            response.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static(encoding)))
        }
        // Marks the body as final so the compression middleware leaves it alone.
        None => response.insert_header((header::CONTENT_ENCODING, "identity")),
    };
    if req.method() == Method::HEAD {
        return response.finish();
    }
    response.body(body.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_with_inline_styles_and_scripts_gets_a_policy_naming_their_hashes() {
        use base64::Engine as _;
        use sha2::{Digest, Sha256};
        let hash =
            |body: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body));
        let page = b"<html><head><style>a{color:red}</style><style>b{}</style></head>\
            <body><script type=\"module\">go()</script><script src=\"/x.js\"></script></body></html>";
        let policy = inline_policy("/index.html", page).unwrap();
        let policy = policy.to_str().unwrap();
        let (scripts, styles) = policy
            .split_once("script-src ")
            .and_then(|(_, rest)| rest.split_once("style-src "))
            .unwrap();
        for style in ["a{color:red}", "b{}"] {
            assert!(
                styles.contains(&format!("'sha256-{}'", hash(style))),
                "{policy}"
            );
        }
        assert!(
            scripts.contains(&format!("'sha256-{}'", hash("go()"))),
            "{policy}"
        );
        assert_eq!(scripts.matches("'sha256-").count(), 1, "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(inline_policy("/offline.html", b"<link rel=stylesheet>").is_none());
        assert!(inline_policy("/assets/app.css", b"<style>x</style>").is_none());
    }
}
