//! Sessions and the signed-in member (docs/api.md, "Auth").

use serde::{Deserialize, Serialize};

use crate::org::{MemberCategory, Role};

/// `POST /auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub phone: String,
    pub password: String,
}

/// `POST /auth/refresh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// What a successful login or refresh answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub member: Me,
}

/// A reference to a named object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdName {
    pub id: i64,
    pub name: String,
}

/// A role held on an org unit, reaching its subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleGrant {
    pub role: Role,
    pub org_id: i64,
    pub org_name: String,
}

/// `GET /me`: the signed-in member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub phone_masked: String,
    pub categories: Vec<MemberCategory>,
    pub branch: IdName,
    pub community: Option<IdName>,
    pub sectors: Vec<IdName>,
    pub roles: Vec<RoleGrant>,
}

/// `POST /auth/wechat`: the code from `wx.login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WechatLoginRequest {
    pub code: String,
}

/// `POST /auth/wechat/bind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WechatBindRequest {
    pub bind_ticket: String,
    pub phone: String,
    /// The member's password, or
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// a one-time activation code (a member who never signed in). Binding
    /// with a code also needs the password the member chooses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_password: Option<String>,
}

/// `POST /auth/activate`: a one-time code and the password the member
/// chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivateRequest {
    pub phone: String,
    pub code: String,
    pub password: String,
}

/// `POST /members/{id}/activation`: shown large to the member, or printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivationCode {
    pub member: IdName,
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: chrono::DateTime<chrono::FixedOffset>,
}

/// `POST /me/password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub old_password: String,
    pub new_password: String,
}

/// The shortest password accepted when a member sets one.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Checks a new password; returns the Chinese reason when it is too weak.
pub fn password_problem(password: &str) -> Option<&'static str> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        Some("密码至少 8 位")
    } else if password.chars().count() > 128 {
        Some("密码不能超过 128 位")
    } else if password.chars().all(|c| c.is_ascii_digit()) {
        Some("密码不能全是数字")
    } else {
        None
    }
}

/// The 404 `wechat_unbound` body of `POST /auth/wechat`: the WeChat account
/// is not bound yet; `POST /auth/wechat/bind` with this ticket and phone +
/// password binds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WechatUnbound {
    /// Always `wechat_unbound`.
    pub code: String,
    pub message: String,
    /// Short-lived and signed; the session key stays on the server.
    pub bind_ticket: String,
}
