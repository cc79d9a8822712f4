//! The notification centre: the bell's count, the list, what the member has
//! opted in to, and this browser's Web Push subscription.

use serde::Deserialize;
use zhibu_shared::notify::{
    NotificationPage, NotificationSettings, PushSubscriptionRequest, ReadRequest, VapidKey,
};

use super::{ApiError, call, decode, enc, encode, get, get_owned, put, send};

/// The first page read for its count alone: the items are skipped, so the
/// first chunk carries no code to read them.
#[derive(Deserialize)]
struct Unread {
    unread: u64,
}

/// `GET /me/notifications`, for the bell: how many are unread.
pub async fn unread_notifications() -> Result<u64, ApiError> {
    let answer = call("GET", "/me/notifications", None, false).await?;
    Ok(decode::<Unread>(&answer.text)?.unread)
}

/// `GET /me/notifications?cursor=`: newest first, a page at a time.
pub async fn notifications(cursor: Option<String>) -> Result<NotificationPage, ApiError> {
    let path = match cursor {
        Some(cursor) => format!("/me/notifications?cursor={}", enc(&cursor)),
        None => "/me/notifications".to_owned(),
    };
    get_owned(path).await
}

/// `POST /me/notifications/read`: marks the member's own as read (204).
pub async fn mark_read(ids: Vec<i64>) -> Result<(), ApiError> {
    send(
        "POST",
        "/me/notifications/read",
        Some(encode(&ReadRequest { ids })?),
    )
    .await
}

/// `GET /me/notification-settings`.
pub async fn notification_settings() -> Result<NotificationSettings, ApiError> {
    get("/me/notification-settings").await
}

/// `PUT /me/notification-settings`: answers what was stored.
pub async fn save_notification_settings(
    settings: NotificationSettings,
) -> Result<NotificationSettings, ApiError> {
    put("/me/notification-settings", &settings).await
}

/// `GET /push/vapid-public-key`: the key `pushManager.subscribe` needs.
pub async fn vapid_public_key() -> Result<VapidKey, ApiError> {
    get("/push/vapid-public-key").await
}

/// `POST /me/push-subscriptions`: this browser's subscription (204).
pub async fn subscribe_push(request: PushSubscriptionRequest) -> Result<(), ApiError> {
    send("POST", "/me/push-subscriptions", Some(encode(&request)?)).await
}

/// `DELETE /me/push-subscriptions?endpoint=`: push turned off here (204).
pub async fn unsubscribe_push(endpoint: String) -> Result<(), ApiError> {
    send(
        "DELETE",
        &format!("/me/push-subscriptions?endpoint={}", enc(&endpoint)),
        None,
    )
    .await
}
