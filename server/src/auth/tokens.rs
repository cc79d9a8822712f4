//! Signed tokens (JWT, HS256 only): access and refresh tokens of a session,
//! and the short-lived ticket that binds a WeChat account to a member.

use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const ISSUER: &str = "zhibu";
pub const AUDIENCE: &str = "zhibu-api";
pub const ACCESS_TTL_SECS: u64 = 15 * 60;
pub const REFRESH_TTL_SECS: u64 = 30 * 24 * 3600;
pub const BIND_TICKET_TTL_SECS: u64 = 10 * 60;
/// Clock skew tolerated between servers and clients.
const LEEWAY_SECS: u64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenType {
    Access,
    Refresh,
    WechatBind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The member id, or the openid for a bind ticket.
    pub sub: String,
    pub typ: TokenType,
    pub iat: u64,
    pub exp: u64,
    /// The session (refresh-token family) the token belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// A refresh token's unique id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Derives each refresh token's successor, so a token spent twice in
    /// quick succession (two tabs, a retried request) yields the same pair.
    successor: Vec<u8>,
}

impl JwtKeys {
    pub fn new(secret: &SecretString) -> JwtKeys {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        let mut mac = Hmac::<Sha256>::new_from_slice(bytes).expect("HMAC takes any key");
        mac.update(b"zhibu/refresh-successor/v1");
        JwtKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            successor: mac.finalize().into_bytes().to_vec(),
        }
    }

    /// The refresh token id that follows `jti` in session `sid`.
    pub fn successor_jti(&self, sid: &str, jti: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.successor).expect("HMAC takes any key");
        mac.update(format!("{sid}|{jti}").as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub fn issue(
        &self,
        typ: TokenType,
        sub: String,
        sid: Option<String>,
        jti: Option<String>,
        ttl_secs: u64,
    ) -> anyhow::Result<String> {
        self.issue_at(
            typ,
            sub,
            sid,
            jti,
            ttl_secs,
            jsonwebtoken::get_current_timestamp(),
        )
    }

    /// A token issued at `now` (Unix seconds): the same claims at the same
    /// time give the same token.
    pub fn issue_at(
        &self,
        typ: TokenType,
        sub: String,
        sid: Option<String>,
        jti: Option<String>,
        ttl_secs: u64,
        now: u64,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub,
            typ,
            iat: now,
            exp: now + ttl_secs,
            sid,
            jti,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The claims of a valid token of type `typ`, or None for anything else
    /// (bad signature, other algorithm, expired, wrong audience or type).
    pub fn verify(&self, token: &str, typ: TokenType) -> Option<Claims> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        (data.claims.typ == typ).then_some(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> JwtKeys {
        JwtKeys::new(&SecretString::from(secret))
    }

    #[test]
    fn a_token_verifies_only_as_its_own_type_and_under_its_own_key() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let t = k
            .issue(TokenType::Access, "7".into(), Some("s".into()), None, 60)
            .unwrap();
        assert_eq!(k.verify(&t, TokenType::Access).unwrap().sub, "7");
        assert!(k.verify(&t, TokenType::Refresh).is_none());
        assert!(
            keys("another-key-another-key-another-key")
                .verify(&t, TokenType::Access)
                .is_none()
        );
    }
}
