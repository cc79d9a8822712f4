//! `/me/notifications`, `/me/notification-settings`, push subscriptions,
//! WeChat consents and the job queue for admins. HTTP only.

use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use zhibu_shared::api::Page;
use zhibu_shared::error::ErrorBody;
use zhibu_shared::notify::{
    Job, JobStatus, NotificationPage, NotificationSettings, PushSubscriptionRequest, ReadRequest,
    VapidKey, WechatConsentRequest,
};

use super::{centre, jobs, push, wechat};
use crate::access::Caller;
use crate::auth::AuthMember;
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use crate::params::Limit;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct CursorQuery {
    /// The `next_cursor` of the page before.
    pub cursor: Option<i64>,
}

/// My notifications, newest first, with the unread count.
#[utoipa::path(tag = "notifications", params(CursorQuery), responses((status = 200, body = NotificationPage)), security(("bearer" = [])))]
#[get("/me/notifications")]
pub async fn my_notifications(
    state: web::Data<AppState>,
    auth: AuthMember,
    q: Query<CursorQuery>,
) -> ApiResult<web::Json<NotificationPage>> {
    Ok(web::Json(
        centre::list(state.db.reader(), auth.member_id, q.cursor, state.timezone).await?,
    ))
}

/// Mark my notifications read.
#[utoipa::path(tag = "notifications", request_body = ReadRequest, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/me/notifications/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<ReadRequest>,
) -> ApiResult<HttpResponse> {
    centre::mark_read(state.db.writer(), auth.member_id, &body.ids).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What I opted in to, and my quiet hours.
#[utoipa::path(tag = "notifications", responses((status = 200, body = NotificationSettings)), security(("bearer" = [])))]
#[get("/me/notification-settings")]
pub async fn get_settings(
    state: web::Data<AppState>,
    auth: AuthMember,
) -> ApiResult<web::Json<NotificationSettings>> {
    Ok(web::Json(
        centre::settings(state.db.reader(), auth.member_id).await?,
    ))
}

#[utoipa::path(tag = "notifications", request_body = NotificationSettings, responses((status = 200, body = NotificationSettings), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[put("/me/notification-settings")]
pub async fn put_settings(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<NotificationSettings>,
) -> ApiResult<web::Json<NotificationSettings>> {
    Ok(web::Json(
        centre::save_settings(state.db.writer(), auth.member_id, &body).await?,
    ))
}

/// The server's key for `pushManager.subscribe`.
#[utoipa::path(tag = "notifications", responses((status = 200, body = VapidKey)), security(("bearer" = [])))]
#[get("/push/vapid-public-key")]
pub async fn vapid_key(
    state: web::Data<AppState>,
    _auth: AuthMember,
) -> ApiResult<web::Json<VapidKey>> {
    Ok(web::Json(push::public_key(state.db.writer()).await?))
}

/// Keep this browser's Web Push subscription.
#[utoipa::path(tag = "notifications", request_body = PushSubscriptionRequest, responses((status = 204), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/me/push-subscriptions")]
pub async fn subscribe(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<PushSubscriptionRequest>,
) -> ApiResult<HttpResponse> {
    push::subscribe(state.db.writer(), &state.push, auth.member_id, &body).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EndpointQuery {
    pub endpoint: String,
}

/// Forget this browser's subscription (push turned off).
#[utoipa::path(tag = "notifications", params(EndpointQuery), responses((status = 204)), security(("bearer" = [])))]
#[delete("/me/push-subscriptions")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    auth: AuthMember,
    q: Query<EndpointQuery>,
) -> ApiResult<HttpResponse> {
    push::unsubscribe(state.db.writer(), auth.member_id, &q.endpoint).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The mini-program's subscribe-message consent: one message of the template.
#[utoipa::path(tag = "notifications", request_body = WechatConsentRequest, responses((status = 204), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/me/wechat-consents")]
pub async fn wechat_consent(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<WechatConsentRequest>,
) -> ApiResult<HttpResponse> {
    wechat::consent(state.db.writer(), &state.settings, auth.member_id, &body).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct JobsQuery {
    pub status: Option<JobStatus>,
    /// 1 to 200; 50 by default.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<Limit>,
    pub cursor: Option<i64>,
}

/// The job queue (organisation department admins): what ran, what waits, what failed.
#[utoipa::path(tag = "admin", params(JobsQuery), responses((status = 200, body = Page<Job>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
#[get("/admin/jobs")]
pub async fn list_jobs(
    state: web::Data<AppState>,
    auth: AuthMember,
    q: Query<JobsQuery>,
) -> ApiResult<web::Json<Page<Job>>> {
    let query = jobs::JobQuery {
        status: q.status,
        limit: Limit::rows(q.limit),
        cursor: q.cursor,
    };
    Ok(web::Json(
        jobs::list(state.db.reader(), &Caller::of(&auth), &query).await?,
    ))
}
