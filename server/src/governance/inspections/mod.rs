//! The monthly random inspection (抽查调阅) and the cross-inspection
//! rotation (循环调阅): a draw of units in a scope and one record of each
//! kind from each, reproducible from its stored seed (the same seed over
//! the same data draws the same items) and spread across units (a unit is
//! drawn again within a year only after every unit was). Inspectors grade
//! each item and raise problems the unit must rectify.
//!
//! Here the draw and the rotation; `views` reads inspections and their
//! items, `grading` grades an item and raises its problems.

mod grading;
mod views;

pub use grading::finding;
use views::summaries;
pub use views::{drawn_units, get, item, list};

use std::collections::HashSet;

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
};
use zhibu_shared::governance::{
    Draw, Inspection, InspectionRequest, InspectionSummary, MAX_SAMPLE, RecordKind,
    RotationRequest, draw_units, rotation,
};
use zhibu_shared::org::{OrgKind, Role};
use zhibu_shared::theme_day::Month;

use super::{INSPECTING_KINDS, LEDGER_KINDS, RECORD_KEEPERS};
use crate::access::{ADMINS, Caller};
use crate::entities::{inspection, inspection_item};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

/// The 党(工)委 that take part in the cross-inspection rotation.
pub const ROTATING_KINDS: [OrgKind; 2] = [OrgKind::PartyCommittee, OrgKind::WorkingCommittee];

/// What a draw needs, checked.
struct Plan {
    scope: i64,
    inspector: i64,
    month: Month,
    seed: u32,
    sample_size: u32,
    kinds: Vec<RecordKind>,
    rotation: bool,
}

fn check_plan(
    month: Month,
    sample_size: u32,
    kinds: &[RecordKind],
    today: NaiveDate,
) -> ApiResult<Vec<RecordKind>> {
    if !(1..=MAX_SAMPLE).contains(&sample_size) {
        return Err(ApiError::invalid(
            "sample_size",
            format!("抽查数量须在 1 到 {MAX_SAMPLE} 之间"),
        ));
    }
    let mut unique = Vec::new();
    for kind in kinds {
        if !unique.contains(kind) {
            unique.push(*kind);
        }
    }
    if unique.is_empty() {
        return Err(ApiError::invalid("record_kinds", "请选择要调阅的记录"));
    }
    if month > Month::of(today) {
        return Err(ApiError::invalid("month", "不能抽查未来的月份"));
    }
    unique.sort();
    Ok(unique)
}

/// The unit from which the caller inspects `scope`: the nearest unit above
/// or at it where they are an admin, or the secretary of a 党(工)委.
async fn inspecting_unit(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    scope: i64,
) -> ApiResult<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Above {
        id: i64,
        kind: OrgKind,
        depth: i32,
    }
    let above = sql::fetch_all::<Above>(
        conn,
        "SELECT o.id, o.kind, c.depth FROM org_closure c JOIN org_unit o ON o.id = c.ancestor_id \
         WHERE c.descendant_id = $1 ORDER BY c.depth",
        [scope.into()],
    )
    .await?;
    Ok(above
        .into_iter()
        .find(|a| {
            caller.grants.iter().any(|g| {
                g.org_id == a.id
                    && (g.role == Role::Admin
                        || (g.role == Role::Secretary && INSPECTING_KINDS.contains(&a.kind)))
            })
        })
        .map(|a| {
            let _ = a.depth;
            a.id
        }))
}

/// `POST /inspections`: a county admin or a 党(工)委 secretary draws a
/// sample of the units below.
pub async fn draw(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    req: &InspectionRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Inspection> {
    let scope = super::live_unit(conn, req.scope_org_id).await?;
    let Some(inspector) = inspecting_unit(conn, caller, scope.id).await? else {
        if caller.reaches(conn, RECORD_KEEPERS, scope.id).await? {
            return Err(ApiError::forbidden("抽查由组织部或党（工）委书记发起"));
        }
        return Err(ApiError::NotFound);
    };
    let kinds = check_plan(req.month, req.sample_size, &req.record_kinds, today)?;
    let plan = Plan {
        scope: scope.id,
        inspector,
        month: req.month,
        seed: req.seed.unwrap_or_else(random_seed),
        sample_size: req.sample_size,
        kinds,
        rotation: false,
    };
    let id = create(conn, caller, &plan).await?;
    get(conn, caller, id, tz).await
}

fn random_seed() -> u32 {
    let mut bytes = [0u8; 4];
    // The OS generator; a failure falls back to the clock, still unguessable enough for a sample.
    if getrandom::fill(&mut bytes).is_err() {
        return now().timestamp_subsec_nanos();
    }
    u32::from_le_bytes(bytes)
}

/// `POST /inspections/rotation`: this month's cross-inspection among the
/// county's 党(工)委, each inspecting another's units. Asking again for the
/// same month returns the same assignments.
pub async fn rotate(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    req: &RotationRequest,
    today: NaiveDate,
) -> ApiResult<Vec<InspectionSummary>> {
    let admin_units = caller.orgs_with(ADMINS);
    let Some(root) = admin_units.first().copied() else {
        return Err(ApiError::forbidden("循环调阅由组织部安排"));
    };
    let kinds = check_plan(req.month, req.sample_size, &req.record_kinds, today)?;
    #[derive(FromQueryResult)]
    struct Committee {
        id: i64,
    }
    let committees: Vec<i64> = sql::fetch_all::<Committee>(
        conn,
        &format!(
            "SELECT o.id FROM org_closure c JOIN org_unit o ON o.id = c.descendant_id \
             WHERE c.ancestor_id = $1 AND o.kind IN ({}) AND o.dissolved_at IS NULL \
             ORDER BY o.name, o.id",
            sql::lits(&ROTATING_KINDS)
        ),
        [root.into()],
    )
    .await?
    .into_iter()
    .map(|c| c.id)
    .collect();
    if committees.len() < 2 {
        return Err(ApiError::conflict(
            "too_few_committees",
            "至少需要两个党（工）委才能交叉检查",
        ));
    }
    let seed = req.seed.unwrap_or_else(random_seed);
    let mut ids = Vec::new();
    for (i, (from, to)) in rotation(committees.len(), req.month)
        .into_iter()
        .enumerate()
    {
        let (inspector, scope) = (committees[from], committees[to]);
        let existing = inspection::Entity::find()
            .filter(inspection::Column::InspectorOrgId.eq(inspector))
            .filter(inspection::Column::ScopeOrgId.eq(scope))
            .filter(inspection::Column::Month.eq(req.month.to_string()))
            .filter(inspection::Column::Rotation.eq(true))
            .one(conn)
            .await?;
        let id = match existing {
            Some(found) => found.id,
            None => {
                let plan = Plan {
                    scope,
                    inspector,
                    month: req.month,
                    seed: seed.wrapping_add(i as u32),
                    sample_size: req.sample_size,
                    kinds: kinds.clone(),
                    rotation: true,
                };
                create(conn, caller, &plan).await?
            }
        };
        ids.push(id);
    }
    summaries(conn, &ids).await
}

/// Draws and stores an inspection; its id.
async fn create(conn: &impl ConnectionTrait, caller: &Caller, plan: &Plan) -> ApiResult<i64> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let candidates: Vec<i64> = sql::fetch_all::<Id>(
        conn,
        &format!(
            "SELECT o.id FROM org_closure c JOIN org_unit o ON o.id = c.descendant_id \
             WHERE c.ancestor_id = $1 AND o.kind IN ({}) AND o.dissolved_at IS NULL ORDER BY o.id",
            sql::lits(&LEDGER_KINDS)
        ),
        [plan.scope.into()],
    )
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    let drawn: HashSet<i64> = sql::fetch_all::<Id>(
        conn,
        "SELECT DISTINCT i.org_id AS id FROM inspection_item i JOIN inspection n ON n.id = i.inspection_id \
         WHERE n.month LIKE $1",
        [format!("{:04}-%", plan.month.year).into()],
    )
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    let mut rng = Draw::new(plan.seed);
    let units = draw_units(&mut rng, &candidates, &drawn, plan.sample_size as usize);
    let inserted = inspection::Entity::insert(inspection::ActiveModel {
        scope_org_id: Set(plan.scope),
        inspector_org_id: Set(plan.inspector),
        month: Set(plan.month.to_string()),
        seed: Set(i64::from(plan.seed)),
        sample_size: Set(plan.sample_size as i32),
        record_kinds: Set(plan
            .kinds
            .iter()
            .map(|k| k.code())
            .collect::<Vec<_>>()
            .join(",")),
        rotation: Set(plan.rotation),
        created_by: Set(caller.member_id),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    let id = inserted.last_insert_id;
    let mut items = Vec::new();
    for unit in &units {
        for kind in &plan.kinds {
            let records = records_of(conn, *unit, *kind, plan.month).await?;
            let record = (!records.is_empty()).then(|| records[rng.below(records.len())].clone());
            items.push(inspection_item::ActiveModel {
                inspection_id: Set(id),
                org_id: Set(*unit),
                record_kind: Set(*kind),
                record_id: Set(record),
                ..Default::default()
            });
        }
    }
    for chunk in items.chunks(200) {
        inspection_item::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "inspection.draw",
        "inspection",
        &id.to_string(),
        Some(
            serde_json::json!({
                "scope": plan.scope, "inspector": plan.inspector, "month": plan.month.to_string(),
                "seed": plan.seed, "units": units, "rotation": plan.rotation,
            })
            .to_string(),
        ),
    )
    .await?;
    Ok(id)
}

/// The records of a kind a unit kept in a month, in a fixed order.
async fn records_of(
    conn: &impl ConnectionTrait,
    org_id: i64,
    kind: RecordKind,
    month: Month,
) -> ApiResult<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Record {
        id: String,
    }
    let first = month.first_day();
    let next = month.next().first_day();
    let (query, values): (&str, Vec<sea_orm::Value>) = match kind {
        RecordKind::Meetings => (
            "SELECT id FROM meeting WHERE org_id = $1 AND held_on >= $2 AND held_on < $3 ORDER BY id",
            vec![org_id.into(), first.into(), next.into()],
        ),
        RecordKind::Decisions => (
            "SELECT d.id FROM village_decision d WHERE d.org_id = $1 AND EXISTS ( \
             SELECT 1 FROM decision_step s WHERE s.decision_id = d.id AND s.done_on >= $2 AND s.done_on < $3) \
             ORDER BY d.id",
            vec![org_id.into(), first.into(), next.into()],
        ),
        RecordKind::Dues => (
            "SELECT CAST(id AS TEXT) AS id FROM theme_day WHERE org_id = $1 AND month = $2 ORDER BY id",
            vec![org_id.into(), month.to_string().into()],
        ),
    };
    Ok(sql::fetch_all::<Record>(conn, query, values)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// Whether the caller grades for the inspecting unit.
pub(super) async fn inspects(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    model: &inspection::Model,
) -> ApiResult<bool> {
    Ok(caller
        .reaches(conn, RECORD_KEEPERS, model.inspector_org_id)
        .await?)
}

/// An inspection the caller inspects, or whose scope they manage.
pub(super) async fn visible(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> ApiResult<inspection::Model> {
    let model = inspection::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if inspects(conn, caller, &model).await?
        || caller
            .reaches(conn, RECORD_KEEPERS, model.scope_org_id)
            .await?
    {
        Ok(model)
    } else {
        Err(ApiError::NotFound)
    }
}
