//! The one review pipeline behind every bulk decision (check-ins, make-ups,
//! service logs, community reports, sector joins): the batch is bounded,
//! each row is checked against the caller's reach, nobody decides their own
//! record, only pending rows change (claimed with a conditional update, so
//! two reviewers cannot both decide one row), and every row left alone is
//! reported with its reason instead of failing the batch.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use chrono::{DateTime, FixedOffset};
use sea_orm::{ConnectionTrait, DbErr, Value};
use zhibu_shared::org::Role;
use zhibu_shared::review::{Decision, MAX_REVIEW_BATCH, ReviewResult, SkipReason, Skipped};
use zhibu_shared::volunteer::LogStatus;

use crate::access::Caller;
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

/// A row named in a decision, as the pipeline sees it.
pub struct Candidate<Id> {
    pub id: Id,
    /// Whose record it is.
    pub member_id: i64,
    /// Still pending: only pending records are decided.
    pub pending: bool,
    /// The unit whose holders of `roles` decide it.
    pub unit: i64,
    pub roles: &'static [Role],
}

/// A decision under way: what it may still change and what it skipped.
pub struct Batch<Id> {
    pub decision: Decision,
    pub reason: Option<String>,
    pub by: i64,
    pub at: DateTime<FixedOffset>,
    /// The rows to decide, in the order they were named.
    pub decide: Vec<Id>,
    skipped: Vec<Skipped<Id>>,
    updated: u64,
    /// Whose record each row to decide is.
    owners: HashMap<Id, i64>,
    /// The rows decided, with their owners, to tell them.
    decided: Vec<(Id, i64)>,
}

/// The ids named, once each and in order: 1 to `MAX_REVIEW_BATCH` of them.
pub fn named<Id: Clone + Eq + Hash>(ids: &[Id]) -> ApiResult<Vec<Id>> {
    let mut seen = HashSet::new();
    let unique: Vec<Id> = ids.iter().filter(|id| seen.insert(*id)).cloned().collect();
    if unique.is_empty() || unique.len() > MAX_REVIEW_BATCH {
        return Err(ApiError::invalid(
            "ids",
            format!("请选择 1 到 {MAX_REVIEW_BATCH} 条记录"),
        ));
    }
    Ok(unique)
}

/// Checks every found row against the caller; 404 when the caller may
/// decide none of the named rows (as if none existed).
pub async fn screen<Id: Clone + Eq + Hash>(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    named: Vec<Id>,
    found: Vec<Candidate<Id>>,
    decision: Decision,
    reason: Option<&str>,
) -> ApiResult<Batch<Id>> {
    let reason = decision_reason(decision, reason)?;
    let mut found: HashMap<Id, Candidate<Id>> =
        found.into_iter().map(|c| (c.id.clone(), c)).collect();
    let mut reach: HashMap<(i64, &'static [Role]), bool> = HashMap::new();
    let mut batch = Batch {
        decision,
        reason,
        by: caller.member_id,
        at: now(),
        decide: Vec::new(),
        skipped: Vec::new(),
        updated: 0,
        owners: HashMap::new(),
        decided: Vec::new(),
    };
    let mut visible = 0;
    for id in named {
        let Some(row) = found.remove(&id) else {
            batch.skip(id, SkipReason::NotFound);
            continue;
        };
        let key = (row.unit, row.roles);
        let allowed = match reach.get(&key) {
            Some(allowed) => *allowed,
            None => {
                let allowed = caller.reaches(conn, row.roles, row.unit).await?;
                reach.insert(key, allowed);
                allowed
            }
        };
        if !allowed {
            batch.skip(id, SkipReason::NotFound);
            continue;
        }
        visible += 1;
        if row.member_id == caller.member_id {
            batch.skip(id, SkipReason::OwnRecord);
        } else if !row.pending {
            batch.skip(id, SkipReason::AlreadyDecided);
        } else {
            batch.owners.insert(id.clone(), row.member_id);
            batch.decide.push(id);
        }
    }
    if visible == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(batch)
}

impl<Id: Clone + Eq + Hash> Batch<Id> {
    pub fn skip(&mut self, id: Id, code: SkipReason) {
        self.skipped.push(Skipped { id, code });
    }

    /// The status a decided row takes.
    pub fn status(&self) -> LogStatus {
        match self.decision {
            Decision::Approve => LogStatus::Approved,
            Decision::Reject => LogStatus::Rejected,
        }
    }

    /// Decides one pending row of `table` with a conditional update and
    /// audits it; false (and skipped) when another decision got there first.
    pub async fn claim(
        &mut self,
        conn: &impl ConnectionTrait,
        table: &'static str,
        id: Id,
    ) -> Result<bool, DbErr>
    where
        Id: Into<Value> + ToString + Clone,
    {
        let status = self.status();
        let changed = sql::execute(
            conn,
            &format!(
                "UPDATE {table} SET status = $1, reason = $2, decided_by = $3, decided_at = $4 \
                 WHERE id = $5 AND status = {}",
                sql::lit(LogStatus::Pending)
            ),
            [
                status.code().into(),
                self.reason.clone().into(),
                self.by.into(),
                self.at.into(),
                id.clone().into(),
            ],
        )
        .await?;
        if changed == 0 {
            self.skip(id, SkipReason::AlreadyDecided);
            return Ok(false);
        }
        let detail = serde_json::json!({"to": status.code(), "reason": self.reason});
        crate::audit::record(
            conn,
            Some(self.by),
            &format!("{table}.review"),
            table,
            &id.to_string(),
            Some(detail.to_string()),
        )
        .await?;
        self.updated += 1;
        if let Some(owner) = self.owners.get(&id) {
            self.decided.push((id, *owner));
        }
        Ok(true)
    }

    /// Takes back a claimed row's count (its decision was undone).
    pub fn unclaim(&mut self, id: Id, code: SkipReason) {
        self.updated -= 1;
        self.decided.retain(|(d, _)| *d != id);
        self.skip(id, code);
    }

    /// Tells the members whose `what` (申请, 服务记录…) were decided, one
    /// notification each for the batch when they opted in, and answers.
    pub async fn finish(
        self,
        conn: &impl ConnectionTrait,
        what: &str,
    ) -> Result<ReviewResult<Id>, DbErr> {
        let approved = self.decision == Decision::Approve;
        let decided: Vec<(i64, bool)> = self.decided.iter().map(|(_, m)| (*m, approved)).collect();
        crate::notify::centre::results(conn, what, &decided, self.reason.as_deref()).await?;
        Ok(ReviewResult {
            updated: self.updated,
            skipped: self.skipped,
        })
    }
}

/// The decision's reason, trimmed: required to reject, at most 200 characters.
pub fn decision_reason(decision: Decision, reason: Option<&str>) -> ApiResult<Option<String>> {
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
