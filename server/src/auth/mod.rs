//! Authentication: password and WeChat logins, JWT sessions with rotating
//! refresh tokens, and the `AuthMember` extractor.

pub mod activation;
mod extractor;
pub mod handlers;
pub mod password;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod wechat;

pub use extractor::{AuthMember, AuthToken};
