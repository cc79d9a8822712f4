//! Reading inspections: one with its items, a list, one item with the
//! record it drew.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
};
use zhibu_shared::auth::IdName;
use zhibu_shared::governance::{
    Inspection, InspectionItem, InspectionItemDetail, InspectionSummary, RecordKind,
};
use zhibu_shared::theme_day::Month;

use super::{grading::grader, visible};
use crate::access::Caller;
use crate::entities::{inspection, inspection_item, problem};
use crate::error::{ApiError, ApiResult};
use crate::governance::{RECORD_KEEPERS, id_name, names};
use crate::sql;

/// `GET /inspections/{id}`.
pub async fn get(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    tz: Tz,
) -> ApiResult<Inspection> {
    let model = visible(conn, caller, id).await?;
    let rows = inspection_item::Entity::find()
        .filter(inspection_item::Column::InspectionId.eq(id))
        .order_by_asc(inspection_item::Column::Id)
        .all(conn)
        .await?;
    let items = item_views(conn, rows).await?;
    let units = names(
        conn,
        "org_unit",
        [model.scope_org_id, model.inspector_org_id],
    )
    .await?;
    let people = names(conn, "member", [model.created_by]).await?;
    Ok(Inspection {
        id: model.id,
        scope: id_name(&units, model.scope_org_id),
        inspector: id_name(&units, model.inspector_org_id),
        month: parse_month(&model.month)?,
        seed: model.seed as u32,
        sample_size: model.sample_size.max(0) as u32,
        record_kinds: parse_kinds(&model.record_kinds)?,
        rotation: model.rotation,
        items,
        created_by: id_name(&people, model.created_by),
        created_at: model.created_at.with_timezone(&tz).fixed_offset(),
    })
}

fn parse_month(text: &str) -> ApiResult<Month> {
    Month::parse(text)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("inspection with month {text:?}")))
}

fn parse_kinds(text: &str) -> ApiResult<Vec<RecordKind>> {
    text.split(',')
        .map(|k| {
            RecordKind::from_code(k).ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("inspection with record kind {k:?}"))
            })
        })
        .collect()
}

pub(super) async fn item_views(
    conn: &impl ConnectionTrait,
    rows: Vec<inspection_item::Model>,
) -> ApiResult<Vec<InspectionItem>> {
    let units = names(conn, "org_unit", rows.iter().map(|r| r.org_id)).await?;
    let item_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut problems_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in item_ids.chunks(300) {
        for p in problem::Entity::find()
            .filter(problem::Column::ItemId.is_in(chunk.to_vec()))
            .order_by_asc(problem::Column::Id)
            .all(conn)
            .await?
        {
            if let Some(item) = p.item_id {
                problems_of.entry(item).or_default().push(p.id);
            }
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let record_title = match &r.record_id {
            Some(record) => record_title(conn, r.record_kind, record).await?,
            None => None,
        };
        out.push(InspectionItem {
            id: r.id,
            org: id_name(&units, r.org_id),
            record_kind: r.record_kind,
            record_id: r.record_id,
            record_title,
            grade: r.grade,
            note: r.note,
            problem_ids: problems_of.remove(&r.id).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// A line naming a drawn record for the inspector's list.
async fn record_title(
    conn: &impl ConnectionTrait,
    kind: RecordKind,
    record: &str,
) -> ApiResult<Option<String>> {
    #[derive(FromQueryResult)]
    struct Title {
        title: String,
    }
    let (query, value): (&str, sea_orm::Value) = match kind {
        RecordKind::Meetings => (
            "SELECT CAST(held_on AS TEXT) || ' ' || topic AS title FROM meeting WHERE id = $1",
            record.into(),
        ),
        RecordKind::Decisions => (
            "SELECT subject AS title FROM village_decision WHERE id = $1",
            record.into(),
        ),
        RecordKind::Dues => (
            "SELECT title FROM theme_day WHERE id = $1",
            record.parse::<i64>().unwrap_or(0).into(),
        ),
    };
    Ok(sql::fetch_one::<Title>(conn, query, [value])
        .await?
        .map(|t| t.title))
}

pub(super) async fn summaries(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> ApiResult<Vec<InspectionSummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let models = inspection::Entity::find()
        .filter(inspection::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    #[derive(FromQueryResult)]
    struct Counts {
        inspection_id: i64,
        items: i64,
        graded: i64,
    }
    let query = format!(
        "SELECT inspection_id, COUNT(*) AS items, \
         CAST(COALESCE(SUM(CASE WHEN grade IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) AS graded \
         FROM inspection_item WHERE inspection_id IN ({}) GROUP BY inspection_id",
        sql::placeholders(1, ids.len())
    );
    let counts: HashMap<i64, (i64, i64)> =
        sql::fetch_all::<Counts>(conn, &query, ids.iter().map(|i| (*i).into()))
            .await?
            .into_iter()
            .map(|c| (c.inspection_id, (c.items, c.graded)))
            .collect();
    let units = names(
        conn,
        "org_unit",
        models
            .iter()
            .flat_map(|m| [m.scope_org_id, m.inspector_org_id]),
    )
    .await?;
    let by_id: HashMap<i64, inspection::Model> = models.into_iter().map(|m| (m.id, m)).collect();
    let mut out = Vec::new();
    for id in ids {
        let Some(m) = by_id.get(id) else { continue };
        let (items, graded) = counts.get(id).copied().unwrap_or((0, 0));
        out.push(InspectionSummary {
            id: m.id,
            scope: id_name(&units, m.scope_org_id),
            inspector: id_name(&units, m.inspector_org_id),
            month: parse_month(&m.month)?,
            seed: m.seed as u32,
            rotation: m.rotation,
            items: items.max(0) as u32,
            graded: graded.max(0) as u32,
        });
    }
    Ok(out)
}

/// `GET /inspections`: those the caller inspects or whose scope they
/// manage, newest first (at most 100).
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
) -> ApiResult<Vec<InspectionSummary>> {
    let units = caller.orgs_with(RECORD_KEEPERS);
    if units.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let list = sql::placeholders(1, units.len());
    let query = format!(
        "SELECT n.id FROM inspection n WHERE n.inspector_org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id IN ({list})) \
         OR n.scope_org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id IN ({list})) \
         ORDER BY n.id DESC LIMIT 100"
    );
    let ids: Vec<i64> = sql::fetch_all::<Id>(conn, &query, units.iter().map(|u| (*u).into()))
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    summaries(conn, &ids).await
}

pub(super) async fn item_of(
    conn: &impl ConnectionTrait,
    inspection_id: i64,
    item_id: i64,
) -> ApiResult<inspection_item::Model> {
    inspection_item::Entity::find_by_id(item_id)
        .one(conn)
        .await?
        .filter(|i| i.inspection_id == inspection_id)
        .ok_or(ApiError::NotFound)
}

/// `GET /inspections/{id}/items/{item}`: the item with its record.
pub async fn item(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    inspection_id: i64,
    item_id: i64,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<InspectionItemDetail> {
    let model = visible(conn, caller, inspection_id).await?;
    let row = item_of(conn, inspection_id, item_id).await?;
    let may_grade = row.grade.is_none() && grader(conn, caller, &model, &row).await?;
    let (mut meeting, mut decision, mut dues) = (None, None, None);
    match (row.record_kind, &row.record_id) {
        (RecordKind::Meetings, Some(id)) => {
            meeting = Some(crate::governance::meetings::one(conn, id, tz).await?);
        }
        (RecordKind::Decisions, Some(id)) => {
            decision = Some(crate::governance::decisions::one(conn, id, tz).await?);
        }
        (RecordKind::Dues, Some(_)) => {
            dues =
                Some(crate::checkins::dues::unit_dues(conn, row.org_id, &model.month, tz).await?);
        }
        _ => {}
    }
    let _ = today;
    Ok(InspectionItemDetail {
        item: item_views(conn, vec![row]).await?.remove(0),
        inspection_id,
        meeting,
        decision,
        dues,
        may_grade,
    })
}

/// The names of units an inspection drew (for tests and the demo).
pub fn drawn_units(inspection: &Inspection) -> Vec<IdName> {
    let mut seen = HashSet::new();
    inspection
        .items
        .iter()
        .filter(|i| seen.insert(i.org.id))
        .map(|i| i.org.clone())
        .collect()
}
