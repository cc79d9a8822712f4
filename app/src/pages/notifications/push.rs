//! Web Push for this browser: permission, the service worker's push
//! subscription with the server's VAPID key, and telling the server. The
//! bell works whatever happens here; these only add pushes to it.

use std::future::Future;
use std::time::Duration;

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Notification, NotificationPermission, PushManager, PushSubscription,
    PushSubscriptionOptionsInit, ServiceWorkerRegistration,
};
use zhibu_shared::notify::PushSubscriptionRequest;

use crate::api;

/// How long the service worker may take to be ready before push is given up
/// for this time (the bell still works).
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the browser's push service may take to subscribe.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How asking for push went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// This browser gets pushes.
    Subscribed,
    /// The member said no, now or before.
    Refused,
    /// The browser cannot (no service worker, no Push API, not installed on
    /// iOS, WeChat's browser, or its push service is unreachable).
    Unavailable,
}

/// Whether this browser has the Push API at all.
fn supported() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let has = |target: &JsValue, name: &str| Reflect::has(target, &name.into()).unwrap_or(false);
    has(&window, "Notification")
        && has(&window, "PushManager")
        && has(&window.navigator(), "serviceWorker")
}

/// Whether the member refused notifications to this site before.
pub fn refused_before() -> bool {
    supported() && Notification::permission() == NotificationPermission::Denied
}

/// Asks for permission (only when the browser has not been told yet), then
/// subscribes this browser and tells the server. Called in the handler of
/// the member turning a reminder on, never before: the question is put at
/// once, while the tap still counts as the member's (Firefox asks only
/// then), and the returned future subscribes once awaited.
pub fn enable() -> impl Future<Output = Outcome> {
    let asked = (supported() && Notification::permission() == NotificationPermission::Default)
        .then(Notification::request_permission)
        .and_then(Result::ok);
    async move {
        if !supported() {
            return Outcome::Unavailable;
        }
        if let Some(asked) = asked {
            // The answer is read from `Notification.permission` below.
            let _ = JsFuture::from(asked).await;
        }
        // Dismissed without an answer counts as no, and is asked next time.
        if Notification::permission() != NotificationPermission::Granted {
            return Outcome::Refused;
        }
        match subscribe().await {
            Ok(()) => Outcome::Subscribed,
            Err(error) => {
                web_sys::console::warn_2(&"push subscription:".into(), &error);
                Outcome::Unavailable
            }
        }
    }
}

/// Every reminder is off: this browser stops getting pushes.
pub async fn disable() {
    if !supported() {
        return;
    }
    let Ok(Some(manager)) = push_manager().await else {
        return;
    };
    let Ok(promise) = manager.get_subscription() else {
        return;
    };
    let Ok(found) = JsFuture::from(promise).await else {
        return;
    };
    let Ok(subscription) = found.dyn_into::<PushSubscription>() else {
        return;
    };
    let endpoint = subscription.endpoint();
    if let Ok(promise) = subscription.unsubscribe() {
        let _ = JsFuture::from(promise).await;
    }
    let _ = api::unsubscribe_push(endpoint).await;
}

/// The service worker's push manager, once the worker is ready.
async fn push_manager() -> Result<Option<PushManager>, JsValue> {
    let container = web_sys::window()
        .ok_or(JsValue::NULL)?
        .navigator()
        .service_worker();
    let ready = container.ready()?;
    let Some(registration) = within(ready, READY_TIMEOUT).await? else {
        return Ok(None);
    };
    let registration: ServiceWorkerRegistration = registration.dyn_into()?;
    Ok(Some(registration.push_manager()?))
}

async fn subscribe() -> Result<(), JsValue> {
    let manager = push_manager()
        .await?
        .ok_or_else(|| JsValue::from_str("the service worker is not ready"))?;
    // An existing subscription is sent again: the server may have dropped it.
    let existing = JsFuture::from(manager.get_subscription()?).await?;
    let subscription = if existing.is_null() || existing.is_undefined() {
        let key = api::vapid_public_key()
            .await
            .map_err(|e| JsValue::from_str(&format!("{e:?}")))?;
        let key = base64url_decode(&key.public_key)
            .ok_or_else(|| JsValue::from_str("the server's key is not base64url"))?;
        let options = PushSubscriptionOptionsInit::new();
        options.set_user_visible_only(true);
        options.set_application_server_key(&Uint8Array::from(key.as_slice()));
        within(manager.subscribe_with_options(&options)?, SUBSCRIBE_TIMEOUT)
            .await?
            .ok_or_else(|| JsValue::from_str("the push service did not answer"))?
    } else {
        existing
    };
    let subscription: PushSubscription = subscription.dyn_into()?;
    // `toJSON()` is `{endpoint, expirationTime, keys: {p256dh, auth}}`.
    let json: String = js_sys::JSON::stringify(&subscription.to_json()?.into())?.into();
    let request: PushSubscriptionRequest =
        api::decode(&json).map_err(|e| JsValue::from_str(&format!("the subscription: {e:?}")))?;
    api::subscribe_push(request)
        .await
        .map_err(|e| JsValue::from_str(&format!("{e:?}")))
}

/// Waits for `promise` at most `limit`: `None` when it took longer.
async fn within(promise: Promise, limit: Duration) -> Result<Option<JsValue>, JsValue> {
    let timeout = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                limit.as_millis() as i32,
            );
        }
    });
    let first = JsFuture::from(Promise::race(&js_sys::Array::of2(&promise, &timeout))).await?;
    Ok((!first.is_undefined()).then_some(first))
}

/// Decodes base64url (RFC 4648 §5) with or without padding.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut bits = 0u32;
    let mut count = 0;
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    // A lone sixth of a byte cannot end a valid encoding.
    (count < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::base64url_decode;

    #[test]
    fn base64url_decodes_with_and_without_padding() {
        assert_eq!(base64url_decode("").unwrap(), b"");
        assert_eq!(base64url_decode("Zg").unwrap(), b"f");
        assert_eq!(base64url_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64url_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64url_decode("-_8").unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(base64url_decode("Zm9v+g"), None, "standard alphabet");
        assert_eq!(base64url_decode("Z"), None, "a lone sixth of a byte");
    }

    #[test]
    fn a_vapid_key_is_an_uncompressed_p256_point() {
        // 65 bytes, 0x04 first, as the server's key is.
        let key = format!("BA{}", "A".repeat(85));
        let bytes = base64url_decode(&key).unwrap();
        assert_eq!(bytes.len(), 65);
        assert_eq!(bytes[0], 4);
    }
}
