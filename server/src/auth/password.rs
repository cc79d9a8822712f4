//! Password hashing with Argon2id. Hashing is slow on purpose, so it runs on
//! the blocking pool rather than on the request's executor thread.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::ApiError;

pub fn hash(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of nothing in particular, verified against when the phone is
/// unknown so that both failures take the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("zhibu-timing-equaliser").unwrap_or_default())
}

/// Each Argon2 run takes ~19 MiB; one per core keeps a login burst from
/// multiplying memory while using every core.
fn hashing_permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from)))
}

async fn run_hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = hashing_permits()
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(e.into()))
}

pub async fn hash_blocking(password: String) -> Result<String, ApiError> {
    run_hashing(move || hash(&password))
        .await?
        .map_err(ApiError::Internal)
}

/// Verifies `password` against `stored`, or against a dummy hash when there
/// is none; false in the latter case.
pub async fn verify_blocking(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    run_hashing(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            verify(&password, dummy_hash());
            false
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let stored = hash("demo1234").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("demo1234", &stored));
        assert!(!verify("demo12345", &stored));
        assert!(!verify("demo1234", "not a hash"));
    }
}
