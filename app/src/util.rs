//! Small browser helpers: dates from the phone's clock, ids, the position,
//! saving a download. Dates and times are cut out of RFC 3339 text instead
//! of formatted with chrono, whose formatter is heavy in wasm.

use chrono::{DateTime, FixedOffset};
use js_sys::{Date, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use zhibu_shared::theme_day::Month;

/// Today on the phone, `YYYY-MM-DD` (phones in the county keep China time).
pub fn today() -> String {
    let now = Date::new_0();
    ymd(now.get_full_year(), now.get_month() + 1, now.get_date())
}

/// This month on the phone.
pub fn current_month() -> Month {
    let now = Date::new_0();
    Month {
        year: now.get_full_year() as i32,
        month: now.get_month() + 1,
    }
}

/// This month on the phone, `YYYY-MM`.
pub fn this_month() -> String {
    current_month().to_string()
}

/// January of this year, `YYYY-01`.
pub fn january() -> String {
    january_of(current_month()).to_string()
}

/// `YYYY-MM-DD`, zero-padded as `<input type="date">` wants it.
pub fn ymd(year: u32, month: u32, day: u32) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

/// January of the month's year.
pub fn january_of(month: Month) -> Month {
    Month { month: 1, ..month }
}

/// From the same month a year earlier to `month`: a year of history with
/// this month's theme day in it.
pub fn year_to(month: Month) -> (Month, Month) {
    (
        Month {
            year: month.year - 1,
            ..month
        },
        month,
    )
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    Date::now()
}

/// Now, for `client_time`: from the same clock as `now_ms`.
pub fn now() -> DateTime<FixedOffset> {
    DateTime::from_timestamp_millis(now_ms() as i64)
        .unwrap_or_default()
        .fixed_offset()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn month(year: i32, month: u32) -> Month {
        Month { year, month }
    }

    #[test]
    fn dates_are_zero_padded_as_date_fields_want_them() {
        assert_eq!(ymd(2026, 3, 5), "2026-03-05");
        assert_eq!(ymd(2026, 12, 31), "2026-12-31");
    }

    #[test]
    fn months_are_formatted_as_year_dash_month() {
        assert_eq!(month(2026, 3).to_string(), "2026-03");
        assert_eq!(january_of(month(2026, 11)).to_string(), "2026-01");
    }

    #[test]
    fn a_year_of_attendance_starts_in_the_same_month_a_year_earlier() {
        assert_eq!(year_to(month(2026, 5)), (month(2025, 5), month(2026, 5)));
        assert_eq!(year_to(month(2026, 1)), (month(2025, 1), month(2026, 1)));
    }

    #[test]
    fn times_are_cut_out_of_the_rfc3339_text_in_their_own_offset() {
        let time = at("2026-12-03T09:05:00+08:00");
        assert_eq!(hhmm(&time), "09:05");
        assert_eq!(ymd_hhmm(&time), "2026-12-03 09:05");
        assert_eq!(local_input(&time), "2026-12-03T09:05");
        // The same instant in UTC reads as UTC, not as China time.
        let utc = at("2026-12-03T01:05:00Z");
        assert_eq!(hhmm(&utc), "01:05");
    }

    #[test]
    fn a_datetime_field_is_read_in_the_offset_of_the_day_it_edits() {
        let like = at("2026-12-03T09:00:00+08:00");
        assert_eq!(
            from_local_input("2026-12-03T18:30", &like),
            Some(at("2026-12-03T18:30:00+08:00"))
        );
        let utc = at("2026-12-03T09:00:00Z");
        assert_eq!(
            from_local_input("2026-12-03T18:30", &utc),
            Some(at("2026-12-03T18:30:00Z"))
        );
    }

    #[test]
    fn a_datetime_field_round_trips() {
        let time = at("2027-01-07T14:45:00+08:00");
        assert_eq!(from_local_input(&local_input(&time), &time), Some(time));
    }

    #[test]
    fn a_half_typed_or_garbled_datetime_field_is_no_time() {
        let like = at("2026-12-03T09:00:00+08:00");
        assert_eq!(from_local_input("2026-12-03", &like), None);
        assert_eq!(from_local_input("2026-13-03T18:30", &like), None);
        assert_eq!(from_local_input("", &like), None);
    }
}
