//! `zhibu recover-account PHONE`: the way back in when the last admin is
//! locked out. Whoever runs it on the server's machine already holds the
//! database, so it asks for nothing more; it ends the member's sessions,
//! clears their password (only the new code opens the account) and issues
//! a one-time activation code, printed once. No password is ever printed
//! or stored, and the audit trail says it happened.

use chrono::{DateTime, FixedOffset};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use zhibu_shared::org::MemberStatus;
use zhibu_shared::phone::Phone;

use crate::auth::{activation, sessions};
use crate::entities::member;
use crate::error::{ApiError, ApiResult};

/// What `recover_account` did.
#[derive(Debug)]
pub struct Recovered {
    pub member_id: i64,
    pub name: String,
    pub code: String,
    pub expires_at: DateTime<FixedOffset>,
}

/// Issues a fresh activation code for the member with `phone`, ending their
/// sessions. Run it inside a transaction.
pub async fn recover_account(
    conn: &impl ConnectionTrait,
    phone: &str,
    now: DateTime<FixedOffset>,
) -> ApiResult<Recovered> {
    let phone = Phone::parse(phone).map_err(|e| ApiError::invalid("phone", e.to_string()))?;
    let Some(m) = member::Entity::find()
        .filter(member::Column::Phone.eq(phone.as_str()))
        .one(conn)
        .await?
    else {
        return Err(ApiError::invalid(
            "phone",
            format!("没有手机号为 {} 的党员", phone.as_str()),
        ));
    };
    if m.status != MemberStatus::Active {
        return Err(ApiError::invalid(
            "phone",
            "该党员已转出或去世，不能恢复登录",
        ));
    }
    if m.disabled_at.is_some() {
        // An activation code would not open a disabled account; enabling
        // is a decision for an admin, recorded as theirs.
        return Err(ApiError::invalid(
            "phone",
            "该党员的账号已停用：请由管理员先在党员页面启用",
        ));
    }
    sessions::revoke_member_sessions(conn, m.id, "account_recovered").await?;
    member::Entity::update_many()
        .col_expr(
            member::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .col_expr(
            member::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(member::Column::Id.eq(m.id))
        .exec(conn)
        .await?;
    let (code, expires_at) = activation::issue(conn, m.id, None, now).await?;
    crate::audit::record(
        conn,
        None,
        "member.recover",
        "member",
        &m.id.to_string(),
        Some(serde_json::json!({"via": "zhibu recover-account"}).to_string()),
    )
    .await?;
    Ok(Recovered {
        member_id: m.id,
        name: m.name,
        code,
        expires_at,
    })
}
