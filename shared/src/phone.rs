//! Mainland China mobile numbers, checked once at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An 11-digit mainland mobile number (`1[3-9]` then nine digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPhone;

impl fmt::Display for InvalidPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("手机号须为 11 位中国大陆手机号码")
    }
}

impl std::error::Error for InvalidPhone {}

impl Phone {
    /// Accepts spaces, dashes and a `+86`/`86` prefix, as people type them.
    pub fn parse(input: &str) -> Result<Phone, InvalidPhone> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let digits = if digits.len() == 13 {
            digits.strip_prefix("86").unwrap_or(digits)
        } else {
            digits
        };
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid {
            Ok(Phone(digits.to_owned()))
        } else {
            Err(InvalidPhone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****0002`: what everyone but the member and admins sees.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// Masks the middle four digits of any stored phone string.
pub fn mask_phone(phone: &str) -> String {
    if phone.len() == 11 && phone.is_ascii() {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "*".repeat(phone.chars().count().min(11))
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Phone, D::Error> {
        let raw = String::deserialize(d)?;
        Phone::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_mobile_numbers_are_accepted_in_common_spellings() {
        for input in [
            "13800000002",
            "138 0000 0002",
            "+86 138-0000-0002",
            "8613800000002",
        ] {
            assert_eq!(
                Phone::parse(input).unwrap().as_str(),
                "13800000002",
                "{input}"
            );
        }
    }

    #[test]
    fn other_numbers_are_refused() {
        for input in [
            "",
            "1380000000",
            "138000000021",
            "12800000000",
            "23800000000",
            "1380000000a",
            "010-12345678",
        ] {
            assert!(Phone::parse(input).is_err(), "{input}");
        }
    }

    #[test]
    fn masking_keeps_the_first_three_and_last_four_digits() {
        assert_eq!(Phone::parse("13800000002").unwrap().masked(), "138****0002");
    }
}
