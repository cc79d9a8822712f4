//! One-time activation codes, the way a member of a real county first signs
//! in or recovers a forgotten password: a manager (or `zhibu init`) issues
//! a code, the member types it with their phone number and chooses their
//! own password. Codes are random, kept only as hashes, spent once, expire
//! after 72 hours, and wrong ones count towards the login throttle. Time
//! is passed in, so expiry is tested without waiting.

use chrono::{DateTime, Duration, FixedOffset};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use sha2::{Digest, Sha256};
use zhibu_shared::auth::{ActivateRequest, Session, password_problem};
use zhibu_shared::org::MemberStatus;
use zhibu_shared::phone::Phone;

use super::tokens::JwtKeys;
use super::{password, sessions, throttle};
use crate::checkins::codes::constant_time_eq;
use crate::entities::{activation_code, member};
use crate::error::{ApiError, ApiResult};
use crate::sql;

/// How long a code stays usable.
pub const CODE_TTL_HOURS: i64 = 72;
/// Eight characters from 32 without look-alikes (no 0/O, 1/I): 40 bits.
pub const CODE_LEN: usize = 8;
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn new_code() -> anyhow::Result<String> {
    let mut bytes = [0u8; CODE_LEN];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// What was typed, as issued: case, spaces and dashes do not matter.
fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn hash(code: &str) -> String {
    Sha256::digest(normalize(code).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Issues a code for `member_id`, replacing any unused one.
pub async fn issue(
    conn: &impl ConnectionTrait,
    member_id: i64,
    issued_by: Option<i64>,
    now: DateTime<FixedOffset>,
) -> ApiResult<(String, DateTime<FixedOffset>)> {
    let code = new_code()?;
    let expires_at = now + Duration::hours(CODE_TTL_HOURS);
    activation_code::Entity::delete_many()
        .filter(activation_code::Column::MemberId.eq(member_id))
        .filter(activation_code::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    activation_code::Entity::insert(activation_code::ActiveModel {
        member_id: Set(member_id),
        code_hash: Set(hash(&code)),
        issued_by: Set(issued_by),
        issued_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok((code, expires_at))
}

fn invalid_code() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_activation_code",
        message: "手机号或激活码不正确，或激活码已过期，请向书记索取新的激活码".into(),
    }
}

/// Spends the code of the member with `phone`: the member, or 401 (one
/// answer for an unknown phone, a wrong, used or expired code).
pub async fn redeem(
    conn: &impl ConnectionTrait,
    phone: &str,
    code: &str,
    ip: &str,
    per_ip: u64,
    now: DateTime<FixedOffset>,
) -> ApiResult<member::Model> {
    let phone = Phone::parse(phone).map_err(|e| ApiError::invalid("phone", e.to_string()))?;
    let attempt = throttle::begin_attempt(conn, phone.as_str(), ip, per_ip).await?;
    let member = member::Entity::find()
        .filter(member::Column::Phone.eq(phone.as_str()))
        .one(conn)
        .await?
        .filter(|m| m.status == MemberStatus::Active && m.disabled_at.is_none());
    let presented = hash(code);
    let found = match &member {
        Some(m) => activation_code::Entity::find()
            .filter(activation_code::Column::MemberId.eq(m.id))
            .filter(activation_code::Column::UsedAt.is_null())
            .filter(activation_code::Column::ExpiresAt.gt(now))
            .order_by_desc(activation_code::Column::IssuedAt)
            .one(conn)
            .await?
            .filter(|c| constant_time_eq(c.code_hash.as_bytes(), presented.as_bytes())),
        None => None,
    };
    // Spent with a conditional update, so one code signs in once however
    // many requests race with it.
    let spent = match &found {
        Some(c) => {
            sql::execute(
                conn,
                "UPDATE activation_code SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
                [now.into(), c.id.into()],
            )
            .await?
                == 1
        }
        None => false,
    };
    match member {
        Some(member) if spent => {
            throttle::forgive(conn, phone.as_str(), ip).await?;
            Ok(member)
        }
        _ => {
            throttle::failed(conn, attempt).await?;
            Err(invalid_code())
        }
    }
}

/// `POST /auth/activate`: spends the code, sets the member's own password,
/// ends any other session and signs them in.
pub async fn activate(
    conn: &impl ConnectionTrait,
    keys: &JwtKeys,
    req: &ActivateRequest,
    ip: &str,
    per_ip: u64,
    now: DateTime<FixedOffset>,
) -> ApiResult<Session> {
    // Checked first, so a weak password does not spend the code.
    if let Some(problem) = password_problem(&req.password) {
        return Err(ApiError::invalid("password", problem));
    }
    let member = redeem(conn, &req.phone, &req.code, ip, per_ip, now).await?;
    set_password(conn, member.id, req.password.clone()).await?;
    crate::audit::record(
        conn,
        Some(member.id),
        "member.activate",
        "member",
        &member.id.to_string(),
        None,
    )
    .await?;
    sessions::open_session(conn, keys, member.id).await
}

/// Stores a new password and ends every session of the member.
pub async fn set_password(
    conn: &impl ConnectionTrait,
    member_id: i64,
    new_password: String,
) -> ApiResult<()> {
    let hash = password::hash_blocking(new_password).await?;
    member::Entity::update_many()
        .col_expr(
            member::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(Some(hash)),
        )
        .col_expr(
            member::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(crate::time::now()),
        )
        .filter(member::Column::Id.eq(member_id))
        .exec(conn)
        .await?;
    sessions::revoke_member_sessions(conn, member_id, "password_set").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_unambiguous_characters_and_typing_is_forgiving() {
        let code = new_code().unwrap();
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        let typed = format!(" {}-{} ", code[..4].to_lowercase(), &code[4..]);
        assert_eq!(hash(&typed), hash(&code));
        assert_ne!(hash("ABCDEFGH"), hash("ABCDEFGJ"));
    }
}
