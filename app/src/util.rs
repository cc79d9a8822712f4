//! Small browser helpers: dates from the phone's clock, ids, the position,
//! saving a download. Dates and times are cut out of RFC 3339 text instead
//! of formatted with chrono, whose formatter is heavy in wasm.

use chrono::{DateTime, FixedOffset};
use js_sys::{Date, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Today on the phone, `YYYY-MM-DD` (phones in the county keep China time).
pub fn today() -> String {
    let now = Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// This month on the phone, `YYYY-MM`.
pub fn this_month() -> String {
    today()[..7].to_owned()
}

/// January of this year, `YYYY-01`.
pub fn january() -> String {
    format!("{}-01", &today()[..4])
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    Date::now()
}

/// Now, for `client_time`.
pub fn now() -> DateTime<FixedOffset> {
    chrono::Utc::now().fixed_offset()
}

/// A fresh v4 UUID: the idempotency key of rows the phone creates.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `2026-12-03T09:00:00+08:00`.
pub fn rfc3339(time: &DateTime<FixedOffset>) -> String {
    time.to_rfc3339()
}

/// `09:00`.
pub fn hhmm(time: &DateTime<FixedOffset>) -> String {
    rfc3339(time)[11..16].to_owned()
}

/// `2026-12-03 09:00`.
pub fn ymd_hhmm(time: &DateTime<FixedOffset>) -> String {
    let text = rfc3339(time);
    format!("{} {}", &text[..10], &text[11..16])
}

/// `2026-12-03T09:00`, what `<input type="datetime-local">` takes.
pub fn local_input(time: &DateTime<FixedOffset>) -> String {
    rfc3339(time)[..16].to_owned()
}

/// The inverse of [`local_input`], in the offset of `like`.
pub fn from_local_input(text: &str, like: &DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let offset = &rfc3339(like)[19..];
    let text = text.get(..16)?;
    DateTime::parse_from_rfc3339(&format!("{text}:00{offset}")).ok()
}

/// Whether the page runs inside WeChat's browser.
pub fn in_wechat() -> bool {
    web_sys::window()
        .and_then(|window| window.navigator().user_agent().ok())
        .is_some_and(|agent| agent.contains("MicroMessenger"))
}

/// Asks for the position once and tolerates refusal, a missing sensor or a
/// slow fix (`None` then).
pub async fn position() -> Option<(f64, f64)> {
    let navigator = web_sys::window()?.navigator();
    let geolocation = Reflect::get(&navigator, &JsValue::from_str("geolocation")).ok()?;
    if geolocation.is_undefined() || geolocation.is_null() {
        return None;
    }
    let get: Function = Reflect::get(&geolocation, &JsValue::from_str("getCurrentPosition"))
        .ok()?
        .dyn_into()
        .ok()?;
    let promise = Promise::new(&mut |resolve, _reject| {
        let ok = resolve.clone();
        let on_position = Closure::once_into_js(move |position: JsValue| {
            let _ = ok.call1(&JsValue::NULL, &position);
        });
        let on_error = Closure::once_into_js(move |_: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        });
        let options = js_sys::Object::new();
        let _ = Reflect::set(&options, &"timeout".into(), &JsValue::from_f64(8000.0));
        let _ = Reflect::set(&options, &"maximumAge".into(), &JsValue::from_f64(60000.0));
        let _ = get.call3(&geolocation, &on_position, &on_error, &options);
    });
    let position = JsFuture::from(promise).await.ok()?;
    let coords = Reflect::get(&position, &"coords".into()).ok()?;
    let lat = Reflect::get(&coords, &"latitude".into()).ok()?.as_f64()?;
    let lng = Reflect::get(&coords, &"longitude".into()).ok()?.as_f64()?;
    Some((lat, lng))
}

/// Saves a downloaded file through a Blob object URL and `<a download>`.
pub fn save_blob(blob: &web_sys::Blob, file_name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let document = leptos::prelude::document();
    if let Ok(link) = document.create_element("a") {
        let _ = link.set_attribute("href", &url);
        let _ = link.set_attribute("download", file_name);
        if let Some(body) = document.body() {
            let _ = body.append_child(&link);
            if let Some(link) = link.dyn_ref::<web_sys::HtmlElement>() {
                link.click();
            }
            let _ = body.remove_child(&link);
        }
    }
    // Revoked later: some browsers read the URL after the click returns.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
}

/// Opens the print dialog (the certificate page).
pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
