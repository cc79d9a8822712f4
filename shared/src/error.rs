//! The error body every API error answers with (docs/api.md, "Errors").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `{"code": "snake_case", "message": "中文说明", "fields": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// A stable machine code, such as `validation_failed`.
    pub code: String,
    /// A human message in Simplified Chinese.
    pub message: String,
    /// Per-field reasons; present only for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}
