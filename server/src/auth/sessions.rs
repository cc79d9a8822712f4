//! Sessions: one row per login (a refresh-token family). Access tokens name
//! their session, and every request checks that row together with the
//! member, so logout, a password change or disabling a member ends access at
//! once on every server node.

use std::sync::LazyLock;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter,
};
use sha2::{Digest, Sha256};
use zhibu_shared::auth::Session;
use zhibu_shared::org::{MemberStatus, Role};
use zhibu_shared::phone::Phone;

use super::tokens::{ACCESS_TTL_SECS, JwtKeys, REFRESH_TTL_SECS, TokenType};
use super::{AuthMember, password, throttle};
use crate::access::Grant;
use crate::entities::{auth_session, member};
use crate::error::{ApiError, ApiResult};
use crate::members;
use crate::meta::random_secret_hex;
use crate::sql;
use crate::time::now;

pub fn unauthorized() -> ApiError {
    ApiError::Unauthorized {
        code: "unauthorized",
        message: "登录已失效，请重新登录".into(),
    }
}

fn bad_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_credentials",
        message: "手机号或密码错误".into(),
    }
}

fn hash_jti(jti: &str) -> String {
    Sha256::digest(jti.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A live session and its member: the tables `s` and `m`, with the session
/// id as `$1` and the member as `$2`. Shared by `authenticate` and by reads
/// that check the session in their own query.
pub const LIVE_SESSION_TABLES: &str = "auth_session s JOIN member m ON m.id = s.member_id";
/// The conditions that go with `LIVE_SESSION_TABLES`.
pub fn live_session_is() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "s.id = $1 AND s.member_id = $2 AND s.revoked_at IS NULL \
             AND m.status = {active} AND m.disabled_at IS NULL",
            active = sql::lit(MemberStatus::Active)
        )
    });
    &SQL
}

/// The member and session an access token names, checking the token only.
pub fn access_claims(keys: &JwtKeys, token: &str) -> ApiResult<(i64, String)> {
    let claims = keys
        .verify(token, TokenType::Access)
        .ok_or_else(unauthorized)?;
    let member_id: i64 = claims.sub.parse().map_err(|_| unauthorized())?;
    let session_id = claims.sid.ok_or_else(unauthorized)?;
    Ok((member_id, session_id))
}

/// The member of a live session with their roles (one query), or 401.
pub async fn live_member(
    conn: &impl ConnectionTrait,
    member_id: i64,
    session_id: String,
) -> ApiResult<AuthMember> {
    #[derive(FromQueryResult)]
    struct Live {
        branch_id: i64,
        name: String,
        role: Option<Role>,
        org_id: Option<i64>,
    }
    let rows = sql::fetch_all::<Live>(
        conn,
        &format!(
            "SELECT m.branch_id, m.name, g.role, g.org_id FROM {LIVE_SESSION_TABLES} \
             LEFT JOIN role_grant g ON g.member_id = m.id WHERE {}",
            live_session_is()
        ),
        [session_id.clone().into(), member_id.into()],
    )
    .await?;
    let first = rows.first().ok_or_else(unauthorized)?;
    let (name, branch_id) = (first.name.clone(), first.branch_id);
    let grants = rows
        .into_iter()
        .filter_map(|r| {
            Some(Grant {
                role: r.role?,
                org_id: r.org_id?,
            })
        })
        .collect();
    Ok(AuthMember {
        member_id,
        name,
        branch_id,
        session_id,
        grants,
    })
}

/// Checks an access token and its session; the heart of `AuthMember`.
pub async fn authenticate(
    conn: &impl ConnectionTrait,
    keys: &JwtKeys,
    token: &str,
) -> ApiResult<AuthMember> {
    let (member_id, session_id) = access_claims(keys, token)?;
    live_member(conn, member_id, session_id).await
}

/// Phone + password. Unknown phones and wrong passwords get one answer.
pub async fn login_with_password(
    conn: &impl ConnectionTrait,
    keys: &JwtKeys,
    phone: &str,
    password: &str,
    ip: &str,
    per_ip: u64,
) -> ApiResult<Session> {
    let phone = Phone::parse(phone).map_err(|e| ApiError::invalid("phone", e.to_string()))?;
    let attempt = throttle::begin_attempt(conn, phone.as_str(), ip, per_ip).await?;
    let member = member::Entity::find()
        .filter(member::Column::Phone.eq(phone.as_str()))
        .one(conn)
        .await?;
    let usable = member
        .as_ref()
        .filter(|m| m.status == MemberStatus::Active && m.disabled_at.is_none());
    let stored = usable.and_then(|m| m.password_hash.clone());
    let ok = password::verify_blocking(password.to_owned(), stored).await?;
    match usable {
        Some(member) if ok => {
            throttle::forgive(conn, phone.as_str(), ip).await?;
            open_session(conn, keys, member.id).await
        }
        _ => {
            throttle::failed(conn, attempt).await?;
            Err(bad_credentials())
        }
    }
}

/// Starts a new session for `member_id` and answers its first tokens.
pub async fn open_session(
    conn: &impl ConnectionTrait,
    keys: &JwtKeys,
    member_id: i64,
) -> ApiResult<Session> {
    let session_id = uuid::Uuid::new_v4().to_string();
    let jti = random_secret_hex()?;
    let now = now();
    auth_session::Entity::insert(auth_session::ActiveModel {
        id: Set(session_id.clone()),
        member_id: Set(member_id),
        refresh_jti: Set(hash_jti(&jti)),
        previous_refresh_jti: Set(None),
        created_at: Set(now),
        refreshed_at: Set(now),
        expires_at: Set(now + chrono::Duration::seconds(REFRESH_TTL_SECS as i64)),
        revoked_at: Set(None),
        revoke_reason: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    tokens_for(conn, keys, member_id, session_id, jti).await
}

async fn tokens_for(
    conn: &impl ConnectionTrait,
    keys: &JwtKeys,
    member_id: i64,
    session_id: String,
    jti: String,
) -> ApiResult<Session> {
    tokens_at(
        conn,
        keys,
        member_id,
        session_id,
        jti,
        jsonwebtoken::get_current_timestamp(),
    )
    .await
}

/// The pair of a session as issued at `issued_at` (Unix seconds).
async fn tokens_at(
    conn: &impl ConnectionTrait,
    keys: &JwtKeys,
    member_id: i64,
    session_id: String,
    jti: String,
    issued_at: u64,
) -> ApiResult<Session> {
    let access_token = keys.issue_at(
        TokenType::Access,
        member_id.to_string(),
        Some(session_id.clone()),
        None,
        ACCESS_TTL_SECS,
        issued_at,
    )?;
    let refresh_token = keys.issue_at(
        TokenType::Refresh,
        member_id.to_string(),
        Some(session_id),
        Some(jti),
        REFRESH_TTL_SECS,
        issued_at,
    )?;
    Ok(Session {
        access_token,
        refresh_token,
        expires_in: ACCESS_TTL_SECS,
        member: members::load_me(conn, member_id).await?,
    })
}

/// How long a just-spent refresh token still answers with the pair it was
/// exchanged for: two tabs or a retried request refreshing at once must
/// not log the member out.
pub const REFRESH_GRACE_SECS: i64 = 30;

/// Spends a refresh token for a new pair. Presenting a spent token means
/// it was stolen or replayed: the whole family is revoked.
pub async fn refresh(
    conn: &impl ConnectionTrait,
    keys: &JwtKeys,
    token: &str,
) -> ApiResult<Session> {
    let claims = keys
        .verify(token, TokenType::Refresh)
        .ok_or_else(unauthorized)?;
    let (Some(session_id), Some(jti)) = (claims.sid, claims.jti) else {
        return Err(unauthorized());
    };
    let member_id: i64 = claims.sub.parse().map_err(|_| unauthorized())?;
    let find = || async {
        auth_session::Entity::find_by_id(session_id.clone())
            .one(conn)
            .await?
            .filter(|s| s.member_id == member_id && s.revoked_at.is_none())
            .ok_or_else(unauthorized)
    };
    let session = find().await?;
    if !members::is_active(conn, member_id).await? {
        return Err(unauthorized());
    }
    let spent = hash_jti(&jti);
    let next_jti = keys.successor_jti(&session.id, &jti);
    let now = now();
    // Compare-and-set: of two concurrent uses of one token, one rotates.
    let rotated = sql::execute(
        conn,
        "UPDATE auth_session SET refresh_jti = $1, previous_refresh_jti = $2, refreshed_at = $3 \
         WHERE id = $4 AND refresh_jti = $2 AND revoked_at IS NULL",
        [
            hash_jti(&next_jti).into(),
            spent.clone().into(),
            now.into(),
            session.id.clone().into(),
        ],
    )
    .await?;
    if rotated == 1 {
        return tokens_at(
            conn,
            keys,
            member_id,
            session.id,
            next_jti,
            now.timestamp().max(0) as u64,
        )
        .await;
    }
    // The other use won just now: answer the same pair it got.
    let session = find().await?;
    let fresh = (now - session.refreshed_at).num_seconds() <= REFRESH_GRACE_SECS;
    if fresh
        && session.previous_refresh_jti.as_deref() == Some(spent.as_str())
        && session.refresh_jti == hash_jti(&next_jti)
    {
        let issued_at = session.refreshed_at.timestamp().max(0) as u64;
        return tokens_at(conn, keys, member_id, session.id, next_jti, issued_at).await;
    }
    tracing::warn!(session = %session.id, member_id, "refresh token reused; revoking its family");
    revoke_session(conn, &session.id, "refresh_token_reused").await?;
    Err(unauthorized())
}

pub async fn revoke_session(
    conn: &impl ConnectionTrait,
    session_id: &str,
    reason: &str,
) -> Result<(), DbErr> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::RevokedAt, now().into())
        .col_expr(auth_session::Column::RevokeReason, reason.into())
        .filter(auth_session::Column::Id.eq(session_id))
        .filter(auth_session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every session of a member (password change, disabling).
pub async fn revoke_member_sessions(
    conn: &impl ConnectionTrait,
    member_id: i64,
    reason: &str,
) -> Result<(), DbErr> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::RevokedAt, now().into())
        .col_expr(auth_session::Column::RevokeReason, reason.into())
        .filter(auth_session::Column::MemberId.eq(member_id))
        .filter(auth_session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
