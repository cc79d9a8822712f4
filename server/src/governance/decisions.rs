//! 四议两公开: a village decision and its six steps, each dated and taken
//! in order, with attachments. Recorded offline-safe (the phone's UUID);
//! inspections draw them.

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use zhibu_shared::governance::{
    DecisionStep, StepRecord, StepRequest, StepView, VillageDecision, VillageDecisionRequest,
    steps_problem,
};
use zhibu_shared::theme_day::Month;

use super::attachments::{self, Owner};
use super::{client_id, id_name, kept_unit, names, optional_text, request_hash, required_text};
use crate::access::Caller;
use crate::entities::{decision_step, village_decision};
use crate::error::{ApiError, ApiResult};
use crate::time::now;

/// Whether a request created the decision or found it already recorded.
pub enum Recorded {
    Created(VillageDecision),
    Replayed(VillageDecision),
}

fn step_owner(decision: &str, step: DecisionStep) -> String {
    format!("{decision}:{}", step.code())
}

/// `POST /orgs/{id}/decisions`.
pub async fn record(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    req: &VillageDecisionRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Recorded> {
    kept_unit(conn, caller, org_id).await?;
    let id = client_id(&req.id)?;
    let subject = required_text("subject", Some(&req.subject), 100, "议题")?;
    let canonical: Vec<String> = req
        .steps
        .iter()
        .map(|s| {
            format!(
                "{}|{}|{}|{:?}",
                s.step.code(),
                s.done_on,
                s.note.as_deref().unwrap_or("").trim(),
                s.attachment_ids
            )
        })
        .collect();
    let hash = request_hash(&[&org_id.to_string(), &subject, &canonical.join(";")]);
    if let Some(existing) = village_decision::Entity::find_by_id(id.clone())
        .one(conn)
        .await?
    {
        if existing.request_hash != hash || existing.org_id != org_id {
            return Err(ApiError::conflict(
                "id_reused",
                "该记录编号已用于另一项决策",
            ));
        }
        return Ok(Recorded::Replayed(one(conn, &id, tz).await?));
    }
    check_steps(None, &req.steps, today)?;
    village_decision::Entity::insert(village_decision::ActiveModel {
        id: Set(id.clone()),
        org_id: Set(org_id),
        subject: Set(subject),
        request_hash: Set(hash),
        created_by: Set(caller.member_id),
        created_at: Set(now()),
    })
    .exec_without_returning(conn)
    .await?;
    for step in &req.steps {
        insert_step(conn, caller, org_id, &id, step).await?;
    }
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "decision.record",
        "village_decision",
        &id,
        None,
    )
    .await?;
    Ok(Recorded::Created(one(conn, &id, tz).await?))
}

fn check_steps(
    before: Option<(DecisionStep, NaiveDate)>,
    steps: &[StepRecord],
    today: NaiveDate,
) -> ApiResult<()> {
    let dated: Vec<(DecisionStep, NaiveDate)> = steps.iter().map(|s| (s.step, s.done_on)).collect();
    if let Some(why) = steps_problem(before, &dated, today) {
        return Err(ApiError::invalid("steps", why));
    }
    Ok(())
}

async fn insert_step(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    decision: &str,
    step: &StepRecord,
) -> ApiResult<()> {
    let note = optional_text("note", step.note.as_deref(), 500, "说明")?;
    decision_step::Entity::insert(decision_step::ActiveModel {
        decision_id: Set(decision.to_owned()),
        step: Set(step.step),
        done_on: Set(step.done_on),
        note: Set(note),
        recorded_by: Set(caller.member_id),
        recorded_at: Set(now()),
    })
    .exec_without_returning(conn)
    .await?;
    attachments::claim(
        conn,
        org_id,
        &step.attachment_ids,
        Owner::DECISION_STEP,
        &step_owner(decision, step.step),
    )
    .await
}

/// `PUT /decisions/{id}/steps/{step}`: the next step, in order.
pub async fn record_step(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    step: DecisionStep,
    req: &StepRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<VillageDecision> {
    let decision = village_decision::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    kept_unit(conn, caller, decision.org_id).await?;
    let done = decision_step::Entity::find()
        .filter(decision_step::Column::DecisionId.eq(id))
        .all(conn)
        .await?;
    let last = done
        .iter()
        .max_by_key(|s| DecisionStep::ALL.iter().position(|x| *x == s.step))
        .map(|s| (s.step, s.done_on));
    if done.iter().any(|s| s.step == step) {
        return Err(ApiError::conflict("step_recorded", "该步骤已记录"));
    }
    let record = StepRecord {
        step,
        done_on: req.done_on,
        note: req.note.clone(),
        attachment_ids: req.attachment_ids.clone(),
    };
    check_steps(last, std::slice::from_ref(&record), today)?;
    // The primary key refuses a second write of the same step.
    insert_step(conn, caller, decision.org_id, id, &record).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "decision.step",
        "village_decision",
        id,
        Some(serde_json::json!({"step": step.code(), "done_on": req.done_on}).to_string()),
    )
    .await?;
    one(conn, id, tz).await
}

/// `GET /orgs/{id}/decisions?from=&to=`: decisions with a step in the months.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    from: Month,
    to: Month,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Vec<VillageDecision>> {
    super::require_read(conn, caller, org_id, today).await?;
    let months = super::meetings::month_range(from, to)?;
    let first = months[0].first_day();
    let next = months.last().copied().unwrap_or(to).next().first_day();
    let rows = village_decision::Entity::find()
        .filter(village_decision::Column::OrgId.eq(org_id))
        .order_by_desc(village_decision::Column::CreatedAt)
        .all(conn)
        .await?;
    let mut out = views(conn, rows, tz).await?;
    out.retain(|d| {
        d.steps.is_empty()
            || d.steps
                .iter()
                .any(|s| s.done_on >= first && s.done_on < next)
    });
    Ok(out)
}

pub async fn one(conn: &impl ConnectionTrait, id: &str, tz: Tz) -> ApiResult<VillageDecision> {
    let row = village_decision::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(views(conn, vec![row], tz).await?.remove(0))
}

async fn views(
    conn: &impl ConnectionTrait,
    rows: Vec<village_decision::Model>,
    tz: Tz,
) -> ApiResult<Vec<VillageDecision>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut steps: HashMap<String, Vec<decision_step::Model>> = HashMap::new();
    for chunk in ids.chunks(300) {
        for s in decision_step::Entity::find()
            .filter(decision_step::Column::DecisionId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            steps.entry(s.decision_id.clone()).or_default().push(s);
        }
    }
    let owners: Vec<String> = steps
        .values()
        .flatten()
        .map(|s| step_owner(&s.decision_id, s.step))
        .collect();
    let mut files = attachments::of_owners(conn, Owner::DECISION_STEP, &owners).await?;
    let units = names(conn, "org_unit", rows.iter().map(|r| r.org_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut done = steps.remove(&r.id).unwrap_or_default();
            done.sort_by_key(|s| DecisionStep::ALL.iter().position(|x| *x == s.step));
            let views: Vec<StepView> = done
                .into_iter()
                .map(|s| StepView {
                    attachments: files
                        .remove(&step_owner(&s.decision_id, s.step))
                        .unwrap_or_default(),
                    step: s.step,
                    done_on: s.done_on,
                    note: s.note,
                })
                .collect();
            VillageDecision {
                complete: views.len() == DecisionStep::ALL.len(),
                org: id_name(&units, r.org_id),
                steps: views,
                created_at: r.created_at.with_timezone(&tz).fixed_offset(),
                id: r.id,
                subject: r.subject,
            }
        })
        .collect())
}
