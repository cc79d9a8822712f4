//! Grading a drawn item, once, by the inspecting unit and never the unit's
//! own, with the problems the grade raises.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use zhibu_shared::governance::{FindingRequest, InspectionItem, ProblemSource};

use super::views::{item_of, item_views};
use super::{inspects, visible};
use crate::access::Caller;
use crate::entities::{inspection, inspection_item};
use crate::error::{ApiError, ApiResult};
use crate::governance::problems::{self, Raised};
use crate::sql;
use crate::time::now;

/// Graders are the inspecting unit's managers, never the unit's own.
pub(super) async fn grader(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    model: &inspection::Model,
    row: &inspection_item::Model,
) -> ApiResult<bool> {
    let own = caller.grants.iter().any(|g| g.org_id == row.org_id);
    Ok(!own && inspects(conn, caller, model).await?)
}

/// `POST /inspections/{id}/items/{item}/finding`: the grade of one item,
/// once, with the problems it raises.
pub async fn finding(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    inspection_id: i64,
    item_id: i64,
    req: &FindingRequest,
    today: NaiveDate,
) -> ApiResult<InspectionItem> {
    let model = visible(conn, caller, inspection_id).await?;
    let row = item_of(conn, inspection_id, item_id).await?;
    if !grader(conn, caller, &model, &row).await? {
        return Err(ApiError::Forbidden {
            code: "not_inspector",
            message: "只有检查方可以评定".into(),
        });
    }
    let note = crate::governance::optional_text("note", req.note.as_deref(), 500, "评定意见")?;
    problems::check_new(&req.problems, today)?;
    let changed = sql::execute(
        conn,
        "UPDATE inspection_item SET grade = $2, note = $3, graded_by = $4, graded_at = $5 \
         WHERE id = $1 AND grade IS NULL",
        [
            item_id.into(),
            req.grade.code().into(),
            note.into(),
            caller.member_id.into(),
            now().into(),
        ],
    )
    .await?;
    if changed == 0 {
        return Err(ApiError::conflict("already_graded", "该项已评定"));
    }
    let at = Raised {
        org_id: row.org_id,
        source: ProblemSource::Inspection,
        inspection_id: Some(inspection_id),
        item_id: Some(item_id),
        reviewer_org_id: model.inspector_org_id,
    };
    for new in &req.problems {
        problems::raise(conn, caller, &at, new, today).await?;
    }
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "inspection.grade",
        "inspection_item",
        &item_id.to_string(),
        Some(
            serde_json::json!({"grade": req.grade.code(), "problems": req.problems.len()})
                .to_string(),
        ),
    )
    .await?;
    let row = item_of(conn, inspection_id, item_id).await?;
    Ok(item_views(conn, vec![row]).await?.remove(0))
}
