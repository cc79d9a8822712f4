//! `AuthMember`: a handler argument that proves the caller is signed in.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::error::ApiError;
use crate::state::AppState;

/// A member with a live session: the access token verified and its session
/// neither revoked nor belonging to a disabled or departed member.
#[derive(Debug, Clone)]
pub struct AuthMember {
    pub member_id: i64,
    pub name: String,
    pub branch_id: i64,
    pub session_id: String,
    /// Their roles, read with the session (one query for both).
    pub grants: Vec<crate::access::Grant>,
}

/// A verified access token whose session is not checked yet: for the hot
/// path whose own first query also checks the session (joining
/// `sessions::LIVE_SESSION_TABLES`), saving a query per request. Anything else
/// takes `AuthMember`.
#[derive(Debug, Clone)]
pub struct AuthToken {
    pub member_id: i64,
    pub session_id: String,
}

impl AuthToken {
    /// The session's member, or 401: the check `AuthMember` makes.
    pub async fn live(self, conn: &impl sea_orm::ConnectionTrait) -> Result<AuthMember, ApiError> {
        super::sessions::live_member(conn, self.member_id, self.session_id).await
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned())
}

impl FromRequest for AuthToken {
    type Error = ApiError;
    type Future = std::future::Ready<Result<AuthToken, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        std::future::ready((|| {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            let token = bearer(req).ok_or_else(super::sessions::unauthorized)?;
            let (member_id, session_id) = super::sessions::access_claims(&state.keys, &token)?;
            Ok(AuthToken {
                member_id,
                session_id,
            })
        })())
    }
}

impl FromRequest for AuthMember {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<AuthMember, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            let token = token.ok_or_else(super::sessions::unauthorized)?;
            super::sessions::authenticate(state.db.reader(), &state.keys, &token).await
        })
    }
}
