//! Bulk decisions on check-ins, make-ups, service logs, community reports
//! and sector joins: one request and one answer for all five.

use serde::{Deserialize, Serialize};

use crate::vocabulary::vocabulary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
}

/// The most rows one decision may name.
pub const MAX_REVIEW_BATCH: usize = 1000;

/// A bulk decision on check-ins, logs, reports or joins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewRequest<Id> {
    pub ids: Vec<Id>,
    pub decision: Decision,
    #[serde(default)]
    pub reason: Option<String>,
}

vocabulary! {
    /// Why a row named in a decision was left alone.
    SkipReason {
        NotFound = "not_found", "不存在或无权审核";
        OwnRecord = "own_record", "不能审核本人的记录";
        AlreadyDecided = "already_decided", "已审核";
        Stale = "stale", "原记录已更正，此申请已失效";
    }
}

/// A row the decision left alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Skipped<Id> {
    pub id: Id,
    pub code: SkipReason,
}

/// What a decision did: the rows it changed and those it left alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewResult<Id> {
    pub updated: u64,
    #[serde(default)]
    pub skipped: Vec<Skipped<Id>>,
}
