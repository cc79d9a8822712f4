//! Signing in and out, and the member's own account.

use zhibu_shared::auth::{
    ActivateRequest, ChangePasswordRequest, LoginRequest, Me, Session, WechatBindRequest,
    WechatLoginRequest,
};

use super::{
    ApiError, SessionChange, call, clear_tokens, encode, get, has_session, notify, post, sign_in,
    store_session,
};

/// `POST /auth/login`; stores the session on success.
pub async fn login(request: &LoginRequest) -> Result<Session, ApiError> {
    sign_in("/auth/login", encode(request)?).await
}

/// `POST /auth/wechat` with the code from `wx.login`; a 404 `wechat_unbound`
/// carries the bind ticket.
pub async fn wechat_login(request: &WechatLoginRequest) -> Result<Session, ApiError> {
    sign_in("/auth/wechat", encode(request)?).await
}

/// `POST /auth/wechat/bind`: binds the WeChat account to a member.
pub async fn wechat_bind(request: &WechatBindRequest) -> Result<Session, ApiError> {
    sign_in("/auth/wechat/bind", encode(request)?).await
}

/// `POST /auth/activate`: a one-time code and the member's own password.
pub async fn activate(request: &ActivateRequest) -> Result<Session, ApiError> {
    sign_in("/auth/activate", encode(request)?).await
}

/// `POST /auth/logout`, then forgets the session even if the server could not
/// be told (the tokens then simply expire).
pub async fn logout() {
    if has_session() {
        let _ = call("POST", "/auth/logout", None, false).await;
    }
    clear_tokens();
    notify(SessionChange::SignedOut);
}

/// `GET /me`: the signed-in member as the server knows them now.
pub async fn me() -> Result<Me, ApiError> {
    get("/me").await
}

/// `POST /me/password`: every other session ends; this one continues with
/// the new pair the server answers.
pub async fn change_password(request: &ChangePasswordRequest) -> Result<Session, ApiError> {
    let session: Session = post("/me/password", request).await?;
    store_session(&session);
    Ok(session)
}
