//! `/auth/*`, `/me`: thin handlers over the session domain.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use zhibu_shared::auth::{
    ActivateRequest, ChangePasswordRequest, LoginRequest, Me, RefreshRequest, Session,
    WechatBindRequest, WechatLoginRequest, WechatUnbound,
};
use zhibu_shared::error::ErrorBody;

use super::{AuthMember, sessions, wechat};
use crate::client_ip::client_ip;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::members;
use crate::state::AppState;

/// Sign in with phone and password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = Session),
        (status = 401, body = ErrorBody, description = "Unknown phone or wrong password (one answer)"),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many failures; see Retry-After"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> ApiResult<web::Json<Session>> {
    let session = sessions::login_with_password(
        state.db.writer(),
        &state.keys,
        &body.phone,
        &body.password,
        &client_ip(&req, &state.trusted_proxies),
        state.settings.login_failures_per_ip,
    )
    .await?;
    Ok(web::Json(session))
}

/// Sign in from the WeChat mini-program with a `wx.login` code.
#[utoipa::path(
    tag = "auth",
    request_body = WechatLoginRequest,
    responses(
        (status = 200, body = Session),
        (status = 404, body = WechatUnbound, description = "Not bound yet: bind with the ticket and phone + password"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody),
    )
)]
#[post("/auth/wechat")]
pub async fn wechat_login(
    state: web::Data<AppState>,
    body: Json<WechatLoginRequest>,
) -> ApiResult<HttpResponse> {
    match wechat::login(state.db.writer(), &state.keys, &state.wechat, &body.code).await? {
        wechat::WechatLogin::Session(session) => Ok(HttpResponse::Ok().json(session)),
        wechat::WechatLogin::Unbound { bind_ticket } => {
            Ok(HttpResponse::NotFound().json(WechatUnbound {
                code: "wechat_unbound".into(),
                message: "该微信尚未绑定党员账号，请用手机号和密码完成绑定".into(),
                bind_ticket,
            }))
        }
    }
}

/// Bind a WeChat account to the member proven by phone + password, or by
/// phone + activation code (then with the password they choose).
#[utoipa::path(
    tag = "auth",
    request_body = WechatBindRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody))
)]
#[post("/auth/wechat/bind")]
pub async fn wechat_bind(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<WechatBindRequest>,
) -> ApiResult<web::Json<Session>> {
    let session = wechat::bind(
        state.db.writer(),
        &state.keys,
        &body.bind_ticket,
        &body.phone,
        wechat::BindProof::of(&body)?,
        &client_ip(&req, &state.trusted_proxies),
        state.settings.login_failures_per_ip,
    )
    .await?;
    Ok(web::Json(session))
}

/// Sign in for the first time (or after forgetting the password) with a
/// one-time activation code; the member sets their own password.
#[utoipa::path(
    tag = "auth",
    request_body = ActivateRequest,
    responses(
        (status = 200, body = Session),
        (status = 401, body = ErrorBody, description = "Unknown phone, wrong, used or expired code (one answer)"),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many failures; see Retry-After"),
    )
)]
#[post("/auth/activate")]
pub async fn activate(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<ActivateRequest>,
) -> ApiResult<web::Json<Session>> {
    Ok(web::Json(
        super::activation::activate(
            state.db.writer(),
            &state.keys,
            &body,
            &client_ip(&req, &state.trusted_proxies),
            state.settings.login_failures_per_ip,
            crate::time::now(),
        )
        .await?,
    ))
}

/// Spend a refresh token for a new pair.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody))
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> ApiResult<web::Json<Session>> {
    Ok(web::Json(
        sessions::refresh(state.db.writer(), &state.keys, &body.refresh_token).await?,
    ))
}

/// End this session: its access and refresh tokens stop working at once.
#[utoipa::path(tag = "auth", responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, auth: AuthMember) -> ApiResult<HttpResponse> {
    sessions::revoke_session(state.db.writer(), &auth.session_id, "logout").await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in member.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, auth: AuthMember) -> ApiResult<web::Json<Me>> {
    Ok(web::Json(
        members::load_me(state.db.reader(), auth.member_id).await?,
    ))
}

/// Change my password. Every other session ends; this answers a new one.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePasswordRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<ChangePasswordRequest>,
) -> ApiResult<web::Json<Session>> {
    let body = body.into_inner();
    members::change_password(
        state.db.writer(),
        auth.member_id,
        body.old_password,
        body.new_password,
    )
    .await?;
    Ok(web::Json(
        sessions::open_session(state.db.writer(), &state.keys, auth.member_id).await?,
    ))
}
