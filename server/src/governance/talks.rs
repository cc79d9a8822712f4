//! 约谈: a talk the organisation department or a 党(工)委 holds with those
//! responsible for a unit whose records keep showing problems. Recorded and
//! read only from above the unit.

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder,
};
use zhibu_shared::governance::{Talk, TalkRequest};
use zhibu_shared::org::Role;

use super::{id_name, names, required_text};
use crate::access::Caller;
use crate::entities::talk;
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

/// Who holds talks: admins and secretaries above the unit.
pub const TALKERS: &[Role] = &[Role::Admin, Role::Secretary];

/// The unit above `org_id` the caller talks from, or 404.
async fn from_above(conn: &impl ConnectionTrait, caller: &Caller, org_id: i64) -> ApiResult<()> {
    let unit = super::live_unit(conn, org_id).await?;
    match unit.parent_id {
        Some(parent) if caller.reaches(conn, TALKERS, parent).await? => Ok(()),
        // The county's own unit is talked to by its admins.
        None if caller.reaches(conn, &[Role::Admin], org_id).await? => Ok(()),
        _ => Err(ApiError::NotFound),
    }
}

/// `POST /orgs/{id}/talks`.
pub async fn record(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    req: &TalkRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Talk> {
    from_above(conn, caller, org_id).await?;
    if req.with_member_id == caller.member_id {
        return Err(ApiError::invalid("with_member_id", "不能约谈自己"));
    }
    #[derive(FromQueryResult)]
    struct Hit {
        #[allow(dead_code)]
        id: i64,
    }
    // Someone of the unit: a member below it, or holding a role on it.
    let belongs = sql::fetch_one::<Hit>(
        conn,
        "SELECT m.id FROM member m WHERE m.id = $1 AND (m.branch_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $2) \
         OR EXISTS (SELECT 1 FROM role_grant g WHERE g.member_id = m.id AND g.org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $2)))",
        [req.with_member_id.into(), org_id.into()],
    )
    .await?;
    if belongs.is_none() {
        return Err(ApiError::invalid(
            "with_member_id",
            "被约谈人须为该组织的党员或负责人",
        ));
    }
    if req.held_on > today {
        return Err(ApiError::invalid("held_on", "约谈日期不能晚于今天"));
    }
    let reason = required_text("reason", Some(&req.reason), 500, "约谈原因")?;
    let outcome = required_text("outcome", Some(&req.outcome), 1000, "约谈结果")?;
    let inserted = talk::Entity::insert(talk::ActiveModel {
        org_id: Set(org_id),
        with_member_id: Set(req.with_member_id),
        by_member_id: Set(caller.member_id),
        held_on: Set(req.held_on),
        reason: Set(reason),
        outcome: Set(outcome),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "talk.record",
        "talk",
        &inserted.last_insert_id.to_string(),
        Some(serde_json::json!({"org_id": org_id, "with": req.with_member_id}).to_string()),
    )
    .await?;
    let row = talk::Entity::find_by_id(inserted.last_insert_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(views(conn, vec![row], tz).await?.remove(0))
}

/// `GET /orgs/{id}/talks`: the talks about a unit and those below it.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    tz: Tz,
) -> ApiResult<Vec<Talk>> {
    from_above(conn, caller, org_id).await?;
    let below = crate::orgs::subtree_ids(conn, org_id).await?;
    let mut rows = Vec::new();
    for chunk in below.chunks(500) {
        rows.extend(
            talk::Entity::find()
                .filter(talk::Column::OrgId.is_in(chunk.to_vec()))
                .order_by_desc(talk::Column::HeldOn)
                .all(conn)
                .await?,
        );
    }
    rows.sort_by(|a, b| b.held_on.cmp(&a.held_on).then(b.id.cmp(&a.id)));
    views(conn, rows, tz).await
}

async fn views(
    conn: &impl ConnectionTrait,
    rows: Vec<talk::Model>,
    tz: Tz,
) -> ApiResult<Vec<Talk>> {
    let people = names(
        conn,
        "member",
        rows.iter().flat_map(|r| [r.with_member_id, r.by_member_id]),
    )
    .await?;
    let units = names(conn, "org_unit", rows.iter().map(|r| r.org_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| Talk {
            id: r.id,
            org: id_name(&units, r.org_id),
            with: id_name(&people, r.with_member_id),
            by: id_name(&people, r.by_member_id),
            held_on: r.held_on,
            reason: r.reason,
            outcome: r.outcome,
            created_at: r.created_at.with_timezone(&tz).fixed_offset(),
        })
        .collect())
}
