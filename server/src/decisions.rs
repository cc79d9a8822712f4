//! What every review decision shares: a reason, required to reject.

use zhibu_shared::checkin::Decision;

use crate::error::{ApiError, ApiResult};

/// The decision's reason, trimmed: required to reject, at most 200 characters.
pub fn reason(decision: Decision, reason: Option<&str>) -> ApiResult<Option<String>> {
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    if decision == Decision::Reject && reason.is_none() {
        return Err(ApiError::invalid("reason", "驳回时请填写原因"));
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 200) {
        return Err(ApiError::invalid("reason", "原因不能超过 200 字"));
    }
    Ok(reason)
}
