//! Problems and their rectification: raised by an inspection's inspectors
//! or by a unit itself (自查自纠); the unit's own secretary submits the
//! rectification with evidence; whoever raised it (the inspecting unit, or
//! the unit above for a self-inspection) accepts it or sends it back with a
//! reason. Every step is a conditional update, so two people cannot both
//! move a problem, and every step is audited.

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
};
use zhibu_shared::api::Page;
use zhibu_shared::governance::{
    MAX_PROBLEM_CHARS, NewProblem, Problem, ProblemAction, ProblemDecision, ProblemReviewRequest,
    ProblemSource, ProblemStatus, Quarter, Rectification, RectificationRequest, SelfCheckRequest,
    problem_is_open, problem_problems, problem_transition,
};
use zhibu_shared::org::Role;

use super::attachments::{self, Owner};
use super::tally::{self, Metric};
use super::{RECORD_KEEPERS, id_name, names};
use crate::access::Caller;
use crate::entities::{org_unit, problem};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

/// Who submits a unit's rectification: its own secretary or org officer.
pub const RECTIFIERS: &[Role] = &[Role::Secretary, Role::OrgOfficer];

/// Most problems one finding raises.
pub const MAX_PROBLEMS_PER_FINDING: usize = 20;

/// Where a problem comes from when it is raised.
pub struct Raised {
    pub org_id: i64,
    pub source: ProblemSource,
    pub inspection_id: Option<i64>,
    pub item_id: Option<i64>,
    /// The unit whose managers accept the rectification.
    pub reviewer_org_id: i64,
}

/// Checks problems as raised: the reasons per field, `problems[i].…`.
pub fn check_new(problems: &[NewProblem], today: NaiveDate) -> ApiResult<()> {
    if problems.len() > MAX_PROBLEMS_PER_FINDING {
        return Err(ApiError::invalid(
            "problems",
            format!("一次最多提出 {MAX_PROBLEMS_PER_FINDING} 个问题"),
        ));
    }
    let mut fields = std::collections::BTreeMap::new();
    for (i, p) in problems.iter().enumerate() {
        for (field, why) in problem_problems(p, today) {
            fields.insert(format!("problems[{i}].{field}"), why);
        }
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_fields(fields))
    }
}

/// Inserts a checked problem, counts it for the quarter and audits it.
pub async fn raise(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    at: &Raised,
    new: &NewProblem,
    today: NaiveDate,
) -> ApiResult<i64> {
    let quarter = Quarter::of(today).to_string();
    let inserted = problem::Entity::insert(problem::ActiveModel {
        org_id: Set(at.org_id),
        source: Set(at.source),
        inspection_id: Set(at.inspection_id),
        item_id: Set(at.item_id),
        description: Set(new.description.trim().to_owned()),
        deadline: Set(new.deadline),
        status: Set(ProblemStatus::Open),
        reviewer_org_id: Set(at.reviewer_org_id),
        raised_by: Set(caller.member_id),
        raised_at: Set(now()),
        quarter: Set(quarter.clone()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    let id = inserted.last_insert_id;
    tally::add(conn, at.org_id, &quarter, Metric::ProblemsFound, 1).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "problem.raise",
        "problem",
        &id.to_string(),
        Some(serde_json::json!({"org_id": at.org_id, "source": at.source.code()}).to_string()),
    )
    .await?;
    Ok(id)
}

/// `POST /problems`: a problem a unit found itself; the unit above accepts
/// its rectification.
pub async fn self_check(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    req: &SelfCheckRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Problem> {
    caller.require(conn, RECORD_KEEPERS, req.org_id).await?;
    let unit = super::live_unit(conn, req.org_id).await?;
    let new = NewProblem {
        description: req.description.clone(),
        deadline: req.deadline,
    };
    let mut fields = std::collections::BTreeMap::new();
    for (field, why) in problem_problems(&new, today) {
        fields.insert(field.to_owned(), why);
    }
    if !fields.is_empty() {
        return Err(ApiError::invalid_fields(fields));
    }
    let at = Raised {
        org_id: unit.id,
        source: ProblemSource::SelfCheck,
        inspection_id: None,
        item_id: None,
        reviewer_org_id: unit.parent_id.unwrap_or(unit.id),
    };
    let id = raise(conn, caller, &at, &new, today).await?;
    one(conn, caller, id, today, tz).await
}

#[derive(Debug, Default)]
pub struct ProblemQuery {
    pub org_id: Option<i64>,
    pub status: Option<ProblemStatus>,
    /// Only problems whose rectification the caller decides.
    pub to_review: bool,
    pub limit: u64,
    pub cursor: Option<i64>,
}

/// Most problems a page holds.
pub const MAX_PAGE: u64 = 200;

/// `GET /problems`: the problems of a unit's subtree (its managers), or
/// those the caller decides (`to_review`), newest first, in pages.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    query: &ProblemQuery,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Page<Problem>> {
    let limit = query.limit.clamp(1, MAX_PAGE);
    let mut conditions = Vec::new();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    if let Some(org_id) = query.org_id {
        caller.require(conn, RECORD_KEEPERS, org_id).await?;
        values.push(org_id.into());
        conditions.push(format!(
            "p.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${})",
            values.len()
        ));
    }
    if query.to_review {
        let units = caller.orgs_with(RECORD_KEEPERS);
        if units.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        let first = values.len() + 1;
        values.extend(units.iter().map(|u| (*u).into()));
        conditions.push(format!(
            "p.reviewer_org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id IN ({}))",
            sql::placeholders(first, units.len())
        ));
    }
    if conditions.is_empty() {
        return Err(ApiError::invalid(
            "org_id",
            "请指定组织，或查看待我验收的问题",
        ));
    }
    if let Some(status) = query.status {
        conditions.push(format!("p.status = {}", sql::lit(status)));
    }
    if let Some(cursor) = query.cursor {
        values.push(cursor.into());
        conditions.push(format!("p.id < ${}", values.len()));
    }
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let ids: Vec<i64> = sql::fetch_all::<Id>(
        conn,
        &format!(
            "SELECT p.id FROM problem p WHERE {} ORDER BY p.id DESC LIMIT {}",
            conditions.join(" AND "),
            limit + 1
        ),
        values,
    )
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    let more = ids.len() as u64 > limit;
    let ids = &ids[..ids.len().min(limit as usize)];
    let rows = problem::Entity::find()
        .filter(problem::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    let mut items = views(conn, caller, rows, today, tz).await?;
    items.sort_by_key(|p| std::cmp::Reverse(p.id));
    Ok(Page {
        next_cursor: more.then(|| ids.last().map(ToString::to_string)).flatten(),
        items,
    })
}

/// One problem, for whoever may see it: the unit's managers and the
/// reviewers.
pub async fn one(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Problem> {
    let row = problem::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !caller.reaches(conn, RECORD_KEEPERS, row.org_id).await?
        && !caller
            .reaches(conn, RECORD_KEEPERS, row.reviewer_org_id)
            .await?
    {
        return Err(ApiError::NotFound);
    }
    Ok(views(conn, caller, vec![row], today, tz).await?.remove(0))
}

/// Whether the caller decides the problem an attachment belongs to.
pub async fn may_review_owner(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    owner_id: Option<&str>,
) -> ApiResult<bool> {
    let Some(id) = owner_id.and_then(|o| o.parse::<i64>().ok()) else {
        return Ok(false);
    };
    let Some(row) = problem::Entity::find_by_id(id).one(conn).await? else {
        return Ok(false);
    };
    Ok(caller
        .reaches(conn, RECORD_KEEPERS, row.reviewer_org_id)
        .await?)
}

fn rectifies(caller: &Caller, org_id: i64) -> bool {
    caller
        .grants
        .iter()
        .any(|g| g.org_id == org_id && RECTIFIERS.contains(&g.role))
}

/// `POST /problems/{id}/rectification`: the unit's own secretary submits
/// what was done, with evidence uploaded for the unit.
pub async fn rectify(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    req: &RectificationRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Problem> {
    let row = problem::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !rectifies(caller, row.org_id) {
        if caller.reaches(conn, RECORD_KEEPERS, row.org_id).await?
            || caller
                .reaches(conn, RECORD_KEEPERS, row.reviewer_org_id)
                .await?
        {
            return Err(ApiError::Forbidden {
                code: "not_rectifier",
                message: "整改情况由该组织的书记或组织委员提交".into(),
            });
        }
        return Err(ApiError::NotFound);
    }
    let note = super::required_text("note", Some(&req.note), MAX_PROBLEM_CHARS, "整改情况")?;
    if problem_transition(row.status, ProblemAction::Submit).is_none() {
        return Err(ApiError::conflict("not_open", "该问题不在待整改状态"));
    }
    attachments::claim(
        conn,
        row.org_id,
        &req.attachment_ids,
        Owner::PROBLEM,
        &id.to_string(),
    )
    .await?;
    let changed = sql::execute(
        conn,
        &format!(
            "UPDATE problem SET status = {submitted}, rectification_note = $2, rectified_by = $3, \
             rectified_at = $4 WHERE id = $1 AND status IN ({open}, {reopened})",
            submitted = sql::lit(ProblemStatus::Submitted),
            open = sql::lit(ProblemStatus::Open),
            reopened = sql::lit(ProblemStatus::Reopened)
        ),
        [
            id.into(),
            note.into(),
            caller.member_id.into(),
            now().into(),
        ],
    )
    .await?;
    if changed == 0 {
        return Err(ApiError::conflict("not_open", "该问题不在待整改状态"));
    }
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "problem.rectify",
        "problem",
        &id.to_string(),
        None,
    )
    .await?;
    one(conn, caller, id, today, tz).await
}

/// `POST /problems/{id}/review`: whoever raised it accepts the
/// rectification or sends it back with a reason.
pub async fn review(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    req: &ProblemReviewRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Problem> {
    let row = problem::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !caller
        .reaches(conn, RECORD_KEEPERS, row.reviewer_org_id)
        .await?
    {
        if caller.reaches(conn, RECORD_KEEPERS, row.org_id).await? {
            return Err(ApiError::Forbidden {
                code: "not_raiser",
                message: "整改由提出问题的组织验收".into(),
            });
        }
        return Err(ApiError::NotFound);
    }
    if row.rectified_by == Some(caller.member_id) || rectifies(caller, row.org_id) {
        return Err(ApiError::Forbidden {
            code: "own_record",
            message: "不能验收本组织自己提交的整改".into(),
        });
    }
    let reason = super::optional_text("reason", req.reason.as_deref(), 200, "原因")?;
    if req.decision == ProblemDecision::Reopen && reason.is_none() {
        return Err(ApiError::invalid("reason", "退回重改时请写明原因"));
    }
    let Some(next) = problem_transition(row.status, ProblemAction::Decide(req.decision)) else {
        return Err(ApiError::conflict("not_submitted", "该问题尚未提交整改"));
    };
    let changed = sql::execute(
        conn,
        &format!(
            "UPDATE problem SET status = $2, reopen_reason = $3, decided_by = $4, decided_at = $5 \
             WHERE id = $1 AND status = {}",
            sql::lit(ProblemStatus::Submitted)
        ),
        [
            id.into(),
            next.code().into(),
            if next == ProblemStatus::Reopened {
                reason.clone()
            } else {
                row.reopen_reason.clone()
            }
            .into(),
            caller.member_id.into(),
            now().into(),
        ],
    )
    .await?;
    if changed == 0 {
        return Err(ApiError::conflict("not_submitted", "该问题尚未提交整改"));
    }
    if next == ProblemStatus::Accepted {
        tally::add(conn, row.org_id, &row.quarter, Metric::ProblemsAccepted, 1).await?;
    }
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "problem.review",
        "problem",
        &id.to_string(),
        Some(serde_json::json!({"to": next.code(), "reason": reason}).to_string()),
    )
    .await?;
    one(conn, caller, id, today, tz).await
}

async fn views(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    rows: Vec<problem::Model>,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Vec<Problem>> {
    let units = names(conn, "org_unit", rows.iter().map(|r| r.org_id)).await?;
    let people = names(
        conn,
        "member",
        rows.iter()
            .map(|r| r.raised_by)
            .chain(rows.iter().filter_map(|r| r.rectified_by)),
    )
    .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    let mut evidence = attachments::of_owners(conn, Owner::PROBLEM, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let may_review = r.status == ProblemStatus::Submitted
            && r.rectified_by != Some(caller.member_id)
            && !rectifies(caller, r.org_id)
            && caller
                .reaches(conn, RECORD_KEEPERS, r.reviewer_org_id)
                .await?;
        out.push(Problem {
            org: id_name(&units, r.org_id),
            source: r.source,
            inspection_id: r.inspection_id,
            description: r.description.clone(),
            deadline: r.deadline,
            status: r.status,
            overdue: problem_is_open(r.status) && r.deadline < today,
            raised_by: id_name(&people, r.raised_by),
            raised_at: r.raised_at.with_timezone(&tz).fixed_offset(),
            rectification: match (&r.rectification_note, r.rectified_by, r.rectified_at) {
                (Some(note), Some(by), Some(at)) => Some(Rectification {
                    note: note.clone(),
                    attachments: evidence.remove(&r.id.to_string()).unwrap_or_default(),
                    by: id_name(&people, by),
                    at: at.with_timezone(&tz).fixed_offset(),
                }),
                _ => None,
            },
            reopen_reason: r.reopen_reason.clone(),
            may_rectify: problem_is_open(r.status) && rectifies(caller, r.org_id),
            may_review,
            id: r.id,
        });
    }
    Ok(out)
}

/// The unit a problem is about, for handlers that upload evidence.
pub async fn unit_of(conn: &impl ConnectionTrait, id: i64) -> ApiResult<org_unit::Model> {
    let row = problem::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::live_unit(conn, row.org_id).await
}
