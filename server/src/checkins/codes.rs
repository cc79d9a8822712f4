//! Rotating check-in codes. A code is an HMAC over (theme day, 30-second
//! step) with a key every server node derives from its configuration, so
//! any node verifies any node's codes without shared memory. The current and
//! the previous step are accepted.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// Seconds a code is shown before the next one.
pub const STEP_SECS: i64 = 30;

type HmacSha256 = Hmac<Sha256>;

pub struct CodeSigner {
    key: Vec<u8>,
}

impl CodeSigner {
    /// Derives the code key from the server secret, separated from its use
    /// for session tokens.
    pub fn new(secret: &SecretString) -> CodeSigner {
        let mut mac = HmacSha256::new_from_slice(secret.expose_secret().as_bytes())
            .expect("HMAC takes any key");
        mac.update(b"zhibu/checkin-codes/v1");
        CodeSigner {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    fn mac(&self, purpose: &str, theme_day_id: i64, step: i64) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(format!("{purpose}|{theme_day_id}|{step}").as_bytes());
        mac.finalize().into_bytes().into()
    }

    pub fn step_at(unix_secs: i64) -> i64 {
        unix_secs.div_euclid(STEP_SECS)
    }

    /// The QR token for a step: `STEP.MAC`.
    pub fn token(&self, theme_day_id: i64, step: i64) -> String {
        let mac = self.mac("qr", theme_day_id, step);
        format!("{step}.{}", URL_SAFE_NO_PAD.encode(&mac[..16]))
    }

    /// The six-digit code typed by hand for a step.
    pub fn short_code(&self, theme_day_id: i64, step: i64) -> String {
        let mac = self.mac("short", theme_day_id, step);
        let n = u32::from_be_bytes([mac[0], mac[1], mac[2], mac[3]]) % 1_000_000;
        format!("{n:06}")
    }

    /// True when `token` or `short_code` is the code of the step containing
    /// `at_unix` or of the step before it.
    pub fn verify(
        &self,
        theme_day_id: i64,
        token: Option<&str>,
        short_code: Option<&str>,
        at_unix: i64,
    ) -> bool {
        let now = Self::step_at(at_unix);
        [now, now - 1].into_iter().any(|step| {
            let token_ok = token.is_some_and(|t| {
                constant_time_eq(
                    t.trim().as_bytes(),
                    self.token(theme_day_id, step).as_bytes(),
                )
            });
            let short_ok = short_code.is_some_and(|c| {
                constant_time_eq(
                    c.trim().as_bytes(),
                    self.short_code(theme_day_id, step).as_bytes(),
                )
            });
            token_ok || short_ok
        })
    }
}

/// Compares secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(secret: &str) -> CodeSigner {
        CodeSigner::new(&SecretString::from(secret))
    }

    #[test]
    fn the_current_and_previous_steps_verify_and_older_ones_do_not() {
        let s = signer("a-secret-that-is-long-enough-for-tests");
        let now = 1_800_000_000;
        let step = CodeSigner::step_at(now);
        for (at_step, expected) in [
            (step, true),
            (step - 1, true),
            (step - 2, false),
            (step + 1, false),
        ] {
            assert_eq!(
                s.verify(7, Some(&s.token(7, at_step)), None, now),
                expected,
                "token at {at_step}"
            );
            assert_eq!(
                s.verify(7, None, Some(&s.short_code(7, at_step)), now),
                expected,
                "short at {at_step}"
            );
        }
    }

    #[test]
    fn codes_belong_to_one_theme_day_and_one_key() {
        let s = signer("a-secret-that-is-long-enough-for-tests");
        let now = 1_800_000_000;
        let step = CodeSigner::step_at(now);
        assert!(!s.verify(8, Some(&s.token(7, step)), None, now));
        let other = signer("another-secret-another-secret-another");
        assert!(!other.verify(7, Some(&s.token(7, step)), None, now));
        assert!(!s.verify(
            7,
            Some("forged.AAAAAAAAAAAAAAAAAAAAAA"),
            Some("000000x"),
            now
        ));
        // Two nodes with the same configuration agree.
        let twin = signer("a-secret-that-is-long-enough-for-tests");
        assert!(twin.verify(7, None, Some(&s.short_code(7, step)), now));
        assert_eq!(s.short_code(7, step).len(), 6);
    }
}
