//! Attachments: stored files told by their first bytes, at most 10 MB.

use super::*;

/// A stored file: a photo of a sign-in sheet, minutes, a venue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub bytes: u64,
    /// Where a caller in scope downloads it (an API path).
    pub url: String,
}

/// Largest attachment: 10 MB.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// The types an attachment may have, told by its first bytes.
pub fn sniff_content_type(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}
