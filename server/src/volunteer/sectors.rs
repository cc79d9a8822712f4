//! Gig workers join functional sector committees (行业党委); the
//! committee's secretary decides.

use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter,
};
use zhibu_shared::auth::IdName;
use zhibu_shared::org::OrgKind;
use zhibu_shared::review::{Decision, ReviewResult};
use zhibu_shared::volunteer::{LogStatus, SectorJoinRequest, SectorMembership};

use super::UNIT_REVIEWERS;
use crate::access::Caller;

use crate::entities::{org_unit, sector_membership};
use crate::error::{ApiError, ApiResult};
use crate::review;
use crate::sql;
use crate::time::now;

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    member_id: i64,
    member_name: String,
    committee_id: i64,
    committee_name: String,
    platform: String,
    note: Option<String>,
    status: LogStatus,
    reason: Option<String>,
}

pub async fn memberships_where(
    conn: &impl ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
    limit: Option<usize>,
) -> Result<Vec<SectorMembership>, DbErr> {
    let query = format!(
        "SELECT s.id, s.member_id, m.name AS member_name, s.committee_id, o.name AS committee_name, s.platform, s.note, s.status, s.reason \
         FROM sector_membership s JOIN member m ON m.id = s.member_id JOIN org_unit o ON o.id = s.committee_id \
         WHERE {condition} ORDER BY s.id{}",
        sql::limit(limit)
    );
    Ok(sql::fetch_all::<Row>(conn, &query, values)
        .await?
        .into_iter()
        .map(|r| SectorMembership {
            id: r.id,
            member: IdName {
                id: r.member_id,
                name: r.member_name,
            },
            committee: IdName {
                id: r.committee_id,
                name: r.committee_name,
            },
            platform: r.platform,
            note: r.note,
            status: r.status,
            reason: r.reason,
        })
        .collect())
}

/// `POST /sector-memberships`.
pub async fn apply(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    req: &SectorJoinRequest,
    _tz: Tz,
) -> ApiResult<SectorMembership> {
    let committee = org_unit::Entity::find_by_id(req.committee_id)
        .one(conn)
        .await?
        .filter(|o| o.kind == OrgKind::SectorCommittee)
        .ok_or_else(|| ApiError::invalid("committee_id", "请选择一个行业党委"))?;
    let platform = req.platform.trim();
    if platform.is_empty() || platform.chars().count() > 50 {
        return Err(ApiError::invalid(
            "platform",
            "请填写所在平台（不超过 50 字），如美团、饿了么、顺丰、滴滴",
        ));
    }
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 200) {
        return Err(ApiError::invalid("note", "备注不能超过 200 字"));
    }
    let existing = sector_membership::Entity::find()
        .filter(sector_membership::Column::MemberId.eq(caller.member_id))
        .filter(sector_membership::Column::CommitteeId.eq(committee.id))
        .filter(
            sector_membership::Column::Status
                .is_in([LogStatus::Pending.code(), LogStatus::Approved.code()]),
        )
        .one(conn)
        .await?;
    if let Some(existing) = existing {
        return Err(if existing.status == LogStatus::Approved {
            ApiError::conflict("already_member", "您已是该行业党委的成员")
        } else {
            ApiError::conflict("application_pending", "您的申请正在等待审核")
        });
    }
    let inserted = sector_membership::Entity::insert(sector_membership::ActiveModel {
        member_id: Set(caller.member_id),
        committee_id: Set(committee.id),
        platform: Set(platform.to_owned()),
        note: Set(note.map(str::to_owned)),
        status: Set(LogStatus::Pending),
        reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(memberships_where(
        conn,
        "s.id = $1",
        vec![inserted.last_insert_id.into()],
        None,
    )
    .await?
    .remove(0))
}

pub async fn mine(conn: &impl ConnectionTrait, member_id: i64) -> ApiResult<Vec<SectorMembership>> {
    Ok(memberships_where(conn, "s.member_id = $1", vec![member_id.into()], None).await?)
}

/// `POST /sector-memberships/review`: the committee's secretaries decide
/// who joins.
pub async fn review(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
    decision: Decision,
    reason: Option<&str>,
) -> ApiResult<ReviewResult<i64>> {
    let named = review::named(ids)?;
    let candidates = sector_membership::Entity::find()
        .filter(sector_membership::Column::Id.is_in(named.clone()))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| review::Candidate {
            id: r.id,
            member_id: r.member_id,
            pending: r.status == LogStatus::Pending,
            unit: r.committee_id,
            roles: UNIT_REVIEWERS,
        })
        .collect();
    let mut batch = review::screen(conn, caller, named, candidates, decision, reason).await?;
    for id in std::mem::take(&mut batch.decide) {
        batch.claim(conn, "sector_membership", id).await?;
    }
    Ok(batch.finish(conn, "行业党委加入申请").await?)
}
