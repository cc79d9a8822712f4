//! The only door to the server: every HTTP call of the app goes through here.
//!
//! Requests go to `/api/v1` on the app's own origin (the CSP allows nothing
//! else) with the stored access token. A 401 with a stored refresh token
//! triggers one refresh (shared by all requests waiting on it, because a
//! refresh token is single-use and reusing it revokes the whole session) and
//! one retry. A rejected refresh ends the session; an unreachable server does
//! not, so a member on a weak network is not signed out by a dropped packet.
//!
//! Each endpoint the app calls is one typed function in the submodules
//! (re-exported here), named after what it does and documented with its
//! route, so pages never build a path or pick a response type.

mod auth;
mod checkins;
mod classes;
mod governance;
mod notify;
mod orgs;
#[cfg(test)]
mod tests;
mod volunteer;

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::set_timeout_with_handle;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use zhibu_shared::auth::{Me, RefreshRequest, Session};
use zhibu_shared::error::ErrorBody;

pub use auth::*;
pub use checkins::*;
pub use classes::*;
pub use governance::*;
pub use notify::*;
pub use orgs::*;
pub use volunteer::*;

use crate::i18n::Strings;
use crate::storage;

/// Where the JSON API lives, relative to the app's origin.
pub const BASE: &str = "/api/v1";

/// Weak networks can stall a request forever; give up and let the member
/// retry instead of spinning without end.
const TIMEOUT: Duration = Duration::from_secs(20);

const ACCESS_TOKEN_KEY: &str = "zhibu.access_token";
const REFRESH_TOKEN_KEY: &str = "zhibu.refresh_token";

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: offline, timed out, or the connection dropped.
    Network(String),
    /// The server answered with an error status and (usually) an error body;
    /// `text` keeps the whole body for codes that carry more (a 409's first
    /// check-in, a WeChat bind ticket).
    Http {
        status: u16,
        body: ErrorBody,
        text: String,
    },
    /// A body that does not match the expected type.
    Decode(String),
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's machine code, such as `validation_failed`.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Http { body, .. } => Some(&body.code),
            _ => None,
        }
    }

    /// Extra fields an error body carries next to `code` and `message`.
    pub fn detail<T: DeserializeOwned>(&self) -> Option<T> {
        match self {
            ApiError::Http { text, .. } => serde_json::from_str(text).ok(),
            _ => None,
        }
    }

    /// What to tell the member: the server's own message when it sent one.
    pub fn message(&self, t: &Strings) -> String {
        match self {
            ApiError::Network(_) => t.error_network.to_owned(),
            ApiError::Http { body, .. } if !body.message.is_empty() => body.message.clone(),
            ApiError::Http { status, .. } if *status >= 500 => t.error_server.to_owned(),
            ApiError::Http { .. } | ApiError::Decode(_) => t.error_unexpected.to_owned(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network(why) => write!(f, "network error: {why}"),
            ApiError::Http { status, body, .. } => {
                write!(f, "HTTP {status} {}: {}", body.code, body.message)
            }
            ApiError::Decode(why) => write!(f, "unexpected body: {why}"),
        }
    }
}

/// What happened to the stored session, for whoever shows it.
#[derive(Debug, Clone, Copy)]
pub enum SessionChange<'a> {
    /// A login or a refresh stored a session for this member.
    SignedIn(&'a Me),
    /// The server refused to renew the session.
    Expired,
    /// The member signed out.
    SignedOut,
}

type SessionListener = Box<dyn Fn(SessionChange<'_>)>;

/// The answer of one refresh, shared by every request that waited on it.
#[derive(Debug, Clone)]
enum RefreshOutcome {
    Refreshed,
    Rejected,
    Failed(ApiError),
}

thread_local! {
    static SESSION_LISTENER: RefCell<Option<SessionListener>> = const { RefCell::new(None) };
    static REFRESH_IN_FLIGHT: RefCell<Option<Shared<LocalBoxFuture<'static, RefreshOutcome>>>> =
        const { RefCell::new(None) };
}

/// Registers the one listener told about session changes (the session
/// context); a later call replaces it.
pub fn on_session_change(listener: impl Fn(SessionChange<'_>) + 'static) {
    SESSION_LISTENER.with(|slot| *slot.borrow_mut() = Some(Box::new(listener)));
}

fn notify(change: SessionChange<'_>) {
    SESSION_LISTENER.with(|slot| {
        if let Some(listener) = slot.borrow().as_ref() {
            listener(change);
        }
    });
}

/// Whether tokens are stored (they may still turn out to be expired).
pub fn has_session() -> bool {
    storage::get(REFRESH_TOKEN_KEY).is_some()
}

fn access_token() -> Option<String> {
    storage::get(ACCESS_TOKEN_KEY)
}

fn refresh_token() -> Option<String> {
    storage::get(REFRESH_TOKEN_KEY)
}

fn store_session(session: &Session) {
    storage::set(ACCESS_TOKEN_KEY, &session.access_token);
    storage::set(REFRESH_TOKEN_KEY, &session.refresh_token);
    notify(SessionChange::SignedIn(&session.member));
}

fn clear_tokens() {
    storage::remove(ACCESS_TOKEN_KEY);
    storage::remove(REFRESH_TOKEN_KEY);
    storage::remove_prefixed(KEPT_PREFIX);
}

/// Where kept answers live: the member's own data, forgotten when the
/// session ends or another member signs in.
const KEPT_PREFIX: &str = "zhibu.kept:";

/// A `GET` of the member's own data whose last answer is kept on the phone,
/// so the next start shows it at once while the server is asked again.
pub struct Kept<T> {
    path: String,
    answer: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Kept<T> {
    fn new(path: String) -> Kept<T> {
        Kept {
            path,
            answer: PhantomData,
        }
    }

    fn key(&self) -> String {
        format!("{KEPT_PREFIX}{}", self.path)
    }

    /// The answer kept from the last time, if any.
    pub fn last(&self) -> Option<T> {
        storage::get(&self.key()).and_then(|text| decode(&text).ok())
    }

    /// Asks the server and keeps its answer.
    pub async fn fetch(self) -> Result<T, ApiError> {
        let text = call("GET", &self.path, None, false).await?.text;
        let value = decode(&text)?;
        storage::set(&self.key(), &text);
        Ok(value)
    }
}

fn expire_session() {
    clear_tokens();
    notify(SessionChange::Expired);
}

/// `GET {BASE}{path}`.
async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(&call("GET", path, None, false).await?.text)
}

/// `GET {BASE}{path}` with the path built already: the future borrows
/// nothing, so a page's resource can hold it for as long as it takes.
async fn get_owned<T: DeserializeOwned>(path: String) -> Result<T, ApiError> {
    get(&path).await
}

/// `POST {BASE}{path}` with a JSON body.
async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    decode(
        &call("POST", path, Some(Body::Json(encode(body)?)), false)
            .await?
            .text,
    )
}

/// `PATCH {BASE}{path}` with a JSON body.
async fn patch<B: Serialize + ?Sized, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    decode(
        &call("PATCH", path, Some(Body::Json(encode(body)?)), false)
            .await?
            .text,
    )
}

/// `PUT {BASE}{path}` with a JSON body.
async fn put<B: Serialize + ?Sized, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    decode(
        &call("PUT", path, Some(Body::Json(encode(body)?)), false)
            .await?
            .text,
    )
}

/// A call whose success has no body worth reading (204s).
async fn send(method: &str, path: &str, body: Option<String>) -> Result<(), ApiError> {
    call(method, path, body.map(Body::Json), false).await?;
    Ok(())
}

/// `POST {BASE}{path}` with a form carrying one file.
async fn upload<T: DeserializeOwned>(path: &str, form: web_sys::FormData) -> Result<T, ApiError> {
    decode(
        &call("POST", path, Some(Body::Form(form)), false)
            .await?
            .text,
    )
}

/// `GET {BASE}{path}` as a file (CSV, XLSX exports), with the session's token.
async fn download(path: &str) -> Result<web_sys::Blob, ApiError> {
    call("GET", path, None, true)
        .await?
        .blob
        .ok_or_else(|| ApiError::Decode(String::new()))
}

/// A POST the offline queue can keep and send again byte for byte. Rows the
/// phone creates carry their own id, so a replay never counts twice; `T` is
/// what the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay<T> {
    /// The id inside the body: what the server dedupes on.
    pub id: String,
    pub path: String,
    /// The JSON body, kept as sent.
    pub body: String,
    answer: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Replay<T> {
    fn new<B: Serialize>(id: &str, path: String, request: &B) -> Result<Replay<T>, ApiError> {
        Ok(Replay {
            id: id.to_owned(),
            path,
            body: encode(request)?,
            answer: PhantomData,
        })
    }

    /// Reads the server's answer to this request.
    pub fn answer(&self, text: &str) -> Result<T, ApiError> {
        decode(text)
    }
}

/// Sends an already encoded JSON body and answers the success status with
/// its body text: the offline queue replays stored bodies byte for byte.
pub async fn post_json(path: &str, body: String) -> Result<(u16, String), ApiError> {
    let answer = call("POST", path, Some(Body::Json(body)), false).await?;
    Ok((answer.status, answer.text))
}

/// Percent-encodes a query parameter.
pub fn enc(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

/// `?limit=N` and the cursor of the next page, if any.
fn page_query(limit: u32, cursor: Option<&str>) -> String {
    match cursor {
        Some(cursor) => format!("limit={limit}&cursor={}", enc(cursor)),
        None => format!("limit={limit}"),
    }
}

/// One of the unauthenticated calls answering a session, which is stored.
async fn sign_in(path: &str, body: String) -> Result<Session, ApiError> {
    let answer = fetch("POST", path, Some(&Body::Json(body)), None, false).await?;
    let session: Session = decode(&success(answer)?.text)?;
    storage::remove_prefixed(KEPT_PREFIX);
    store_session(&session);
    Ok(session)
}

fn encode<B: Serialize + ?Sized>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(json_error)
}

/// Describes a JSON error by kind and position only: serde_json's full
/// `Display` would add its message table to the download.
fn json_error(error: serde_json::Error) -> ApiError {
    ApiError::Decode(format!(
        "{:?} at {}:{}",
        error.classify(),
        error.line(),
        error.column()
    ))
}

pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    // A 204 has no body; `null` lets `T = ()` decode it.
    let text = if text.trim().is_empty() { "null" } else { text };
    serde_json::from_str(text).map_err(json_error)
}

/// A response read to the end: as text, or as a blob for downloads.
struct Answer {
    status: u16,
    text: String,
    blob: Option<web_sys::Blob>,
}

fn success(answer: Answer) -> Result<Answer, ApiError> {
    if (200..300).contains(&answer.status) {
        return Ok(answer);
    }
    let body = serde_json::from_str::<ErrorBody>(&answer.text).unwrap_or_else(|_| ErrorBody {
        // Proxies and gateways answer with HTML; keep the status, drop the page.
        code: format!("http_{}", answer.status),
        message: String::new(),
        fields: None,
    });
    Err(ApiError::Http {
        status: answer.status,
        body,
        text: answer.text,
    })
}

/// What a call sends: JSON, or a form with a file.
enum Body {
    Json(String),
    Form(web_sys::FormData),
}

/// One authenticated call, not generic so its state machine is compiled once.
async fn call(
    method: &str,
    path: &str,
    body: Option<Body>,
    blob: bool,
) -> Result<Answer, ApiError> {
    let token = access_token();
    let first = fetch(method, path, body.as_ref(), token.as_deref(), blob).await?;
    if first.status != 401 || token.is_none() {
        return success(first);
    }
    boot_refresh().await;
    // Another request (or tab, or the boot script) may have renewed the
    // session meanwhile.
    let current = access_token();
    let renewed = current.is_some() && current != token;
    if !renewed {
        match refresh_once().await {
            RefreshOutcome::Refreshed => {}
            RefreshOutcome::Rejected => return success(first),
            RefreshOutcome::Failed(error) => return Err(error),
        }
    }
    let second = fetch(method, path, body.as_ref(), access_token().as_deref(), blob).await?;
    success(second)
}

/// The response to a `GET` of `path` the boot script asked before the app
/// ran (the page's first requests, `first_modules::FIRST_REQUESTS`), taken
/// once and handed over in a task of its own. `None` when it asked nothing
/// of `path` or got no answer; a 401 goes on to a refresh as any other.
async fn early_response(path: &str) -> Option<JsValue> {
    let early = boot_global("zhibuEarly")?;
    let key = JsValue::from_str(&format!("{BASE}{path}"));
    let take = js_sys::Reflect::get(&early, &key)
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    js_sys::Reflect::delete_property(early.unchecked_ref::<js_sys::Object>(), &key).ok()?;
    let asked: js_sys::Promise = take.call0(&JsValue::UNDEFINED).ok()?.dyn_into().ok()?;
    JsFuture::from(asked)
        .await
        .ok()
        .filter(|got| !got.is_null())
}

/// Waits for the refresh the boot script starts when it finds the stored
/// access token expired, if it did: its refresh token is the app's too.
async fn boot_refresh() {
    if let Some(renewing) =
        boot_global("zhibuRefresh").and_then(|value| value.dyn_into::<js_sys::Promise>().ok())
    {
        let _ = JsFuture::from(renewing).await;
    }
}

/// What the boot script left on the page under `name`, if anything.
fn boot_global(name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .filter(|value| !value.is_undefined())
}

/// Joins the refresh already in flight, or starts one.
async fn refresh_once() -> RefreshOutcome {
    let flight = REFRESH_IN_FLIGHT.with(|slot| {
        slot.borrow_mut()
            .get_or_insert_with(|| refresh().boxed_local().shared())
            .clone()
    });
    let outcome = flight.clone().await;
    REFRESH_IN_FLIGHT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.as_ref().is_some_and(|current| current.ptr_eq(&flight)) {
            *slot = None;
        }
    });
    outcome
}

async fn refresh() -> RefreshOutcome {
    let Some(refresh_token) = refresh_token() else {
        expire_session();
        return RefreshOutcome::Rejected;
    };
    let body = match encode(&RefreshRequest { refresh_token }) {
        Ok(body) => body,
        Err(error) => return RefreshOutcome::Failed(error),
    };
    match fetch(
        "POST",
        "/auth/refresh",
        Some(&Body::Json(body)),
        None,
        false,
    )
    .await
    {
        Ok(answer) if (200..300).contains(&answer.status) => {
            match decode::<Session>(&answer.text) {
                Ok(session) => {
                    store_session(&session);
                    RefreshOutcome::Refreshed
                }
                // The old refresh token is spent either way; start over.
                Err(_) => {
                    expire_session();
                    RefreshOutcome::Rejected
                }
            }
        }
        // Throttled or a server fault: the session may still be good.
        Ok(answer) if answer.status == 429 || answer.status >= 500 => RefreshOutcome::Failed(
            success(answer)
                .err()
                .unwrap_or(ApiError::Decode(String::new())),
        ),
        Ok(_) => {
            expire_session();
            RefreshOutcome::Rejected
        }
        Err(error) => RefreshOutcome::Failed(error),
    }
}

/// One HTTP exchange, bounded by [`TIMEOUT`].
async fn fetch(
    method: &str,
    path: &str,
    body: Option<&Body>,
    token: Option<&str>,
    blob: bool,
) -> Result<Answer, ApiError> {
    let controller = web_sys::AbortController::new().ok();
    let timer = controller
        .clone()
        .and_then(|controller| set_timeout_with_handle(move || controller.abort(), TIMEOUT).ok());
    let answer = exchange(method, path, body, token, controller.as_ref(), blob).await;
    if let Some(timer) = timer {
        timer.clear();
    }
    answer.map_err(|error| {
        let why = match error.dyn_ref::<js_sys::Error>() {
            Some(error) => String::from(error.message()),
            None => error
                .as_string()
                .unwrap_or_else(|| "fetch failed".to_owned()),
        };
        ApiError::Network(why)
    })
}

/// `fetch()` through web-sys directly: a wrapper crate would add a second
/// copy of request plumbing to the first-load download for nothing.
async fn exchange(
    method: &str,
    path: &str,
    body: Option<&Body>,
    token: Option<&str>,
    controller: Option<&web_sys::AbortController>,
    blob: bool,
) -> Result<Answer, JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.set("Accept", "application/json")?;
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}"))?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    match body {
        Some(Body::Json(json)) => {
            headers.set("Content-Type", "application/json")?;
            init.set_body(&JsValue::from_str(json));
        }
        // The browser writes the multipart boundary itself.
        Some(Body::Form(form)) => init.set_body(form),
        None => {}
    }
    init.set_headers(&headers);
    if let Some(controller) = controller {
        init.set_signal(Some(&controller.signal()));
    }
    let request = web_sys::Request::new_with_str_and_init(&format!("{BASE}{path}"), &init)?;
    let early = match (method, body) {
        ("GET", None) => early_response(path).await,
        _ => None,
    };
    let response: web_sys::Response = match early {
        Some(response) => response,
        None => {
            let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
            JsFuture::from(window.fetch_with_request(&request)).await?
        }
    }
    .dyn_into()?;
    let status = response.status();
    if blob && (200..300).contains(&status) {
        let blob = JsFuture::from(response.blob()?).await?.dyn_into()?;
        return Ok(Answer {
            status,
            text: String::new(),
            blob: Some(blob),
        });
    }
    let text = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    Ok(Answer {
        status,
        text,
        blob: None,
    })
}
