//! 在职党员到社区报到: an in-office member reports to the community where
//! they live; the community admin confirms; the member's own branch sees
//! each member's report and the hours they served in communities.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter,
};
use zhibu_shared::auth::IdName;
use zhibu_shared::org::{MemberCategory, MemberStatus};
use zhibu_shared::review::{Decision, ReviewResult};
use zhibu_shared::volunteer::{CommunityReport, CommunityServiceRow, LogStatus};

use super::COMMUNITY_REVIEWERS;
use crate::access::{Caller, MANAGERS};

use crate::entities::{community, community_report, member};
use crate::error::{ApiError, ApiResult};
use crate::review;
use crate::sql;
use crate::time::now;

#[derive(FromQueryResult)]
struct ReportRow {
    id: i64,
    member_id: i64,
    member_name: String,
    community_id: i64,
    community_name: String,
    status: LogStatus,
    reason: Option<String>,
    created_at: DateTime<FixedOffset>,
}

const REPORT_SELECT: &str = "SELECT r.id, r.member_id, m.name AS member_name, r.community_id, c.name AS community_name, \
     r.status, r.reason, r.created_at FROM community_report r JOIN member m ON m.id = r.member_id \
     JOIN community c ON c.id = r.community_id";

pub async fn reports_where(
    conn: &impl ConnectionTrait,
    condition: &str,
    values: Vec<sea_orm::Value>,
    tz: Tz,
    limit: Option<usize>,
) -> Result<Vec<CommunityReport>, DbErr> {
    let query = format!(
        "{REPORT_SELECT} WHERE {condition} ORDER BY r.id{}",
        sql::limit(limit)
    );
    Ok(sql::fetch_all::<ReportRow>(conn, &query, values)
        .await?
        .into_iter()
        .map(|r| CommunityReport {
            id: r.id,
            member: IdName {
                id: r.member_id,
                name: r.member_name,
            },
            community: IdName {
                id: r.community_id,
                name: r.community_name,
            },
            status: r.status,
            reason: r.reason,
            created_at: r.created_at.with_timezone(&tz).fixed_offset(),
        })
        .collect())
}

/// The unit a community admin must reach to decide for a community.
pub fn community_unit(c: &community::Model) -> i64 {
    c.org_id.unwrap_or(c.parent_org_id)
}

/// `POST /community-reports`.
pub async fn report(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    community_id: i64,
    tz: Tz,
) -> ApiResult<CommunityReport> {
    // In-office members report where they live; retired members take part
    // where they live too (关系在单位、活动在社区).
    let categories = crate::members::categories_of(conn, caller.member_id).await?;
    if !categories
        .iter()
        .any(|c| matches!(c, MemberCategory::InOffice | MemberCategory::Retired))
    {
        return Err(ApiError::Forbidden {
            code: "not_in_office",
            message: "社区报到面向在职党员和离退休党员".into(),
        });
    }
    let target = community::Entity::find_by_id(community_id)
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::invalid("community_id", "社区不存在"))?;
    let open = community_report::Entity::find()
        .filter(community_report::Column::MemberId.eq(caller.member_id))
        .filter(community_report::Column::Status.eq(LogStatus::Pending.code()))
        .one(conn)
        .await?;
    if open.is_some() {
        return Err(ApiError::conflict(
            "report_pending",
            "您已有待确认的报到，请等待社区确认",
        ));
    }
    let me = member::Entity::find_by_id(caller.member_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if me.community_id == Some(target.id) {
        return Err(ApiError::conflict("already_reported", "您已在该社区报到"));
    }
    let inserted = community_report::Entity::insert(community_report::ActiveModel {
        member_id: Set(caller.member_id),
        community_id: Set(target.id),
        status: Set(LogStatus::Pending),
        reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(reports_where(
        conn,
        "r.id = $1",
        vec![inserted.last_insert_id.into()],
        tz,
        None,
    )
    .await?
    .remove(0))
}

pub async fn mine(
    conn: &impl ConnectionTrait,
    member_id: i64,
    tz: Tz,
) -> ApiResult<Vec<CommunityReport>> {
    Ok(reports_where(conn, "r.member_id = $1", vec![member_id.into()], tz, None).await?)
}

/// `POST /community-reports/review`: the community admin confirms where
/// members live; an approved report becomes the member's community.
pub async fn review(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
    decision: Decision,
    reason: Option<&str>,
) -> ApiResult<ReviewResult<i64>> {
    let named = review::named(ids)?;
    let reports = community_report::Entity::find()
        .filter(community_report::Column::Id.is_in(named.clone()))
        .all(conn)
        .await?;
    let communities: HashMap<i64, i64> = community::Entity::find()
        .filter(community::Column::Id.is_in(reports.iter().map(|r| r.community_id)))
        .all(conn)
        .await?
        .iter()
        .map(|c| (c.id, community_unit(c)))
        .collect();
    let candidates = reports
        .iter()
        .filter_map(|r| {
            Some(review::Candidate {
                id: r.id,
                member_id: r.member_id,
                pending: r.status == LogStatus::Pending,
                unit: *communities.get(&r.community_id)?,
                roles: COMMUNITY_REVIEWERS,
            })
        })
        .collect();
    let mut batch = review::screen(conn, caller, named, candidates, decision, reason).await?;
    let by_id: HashMap<i64, &community_report::Model> = reports.iter().map(|r| (r.id, r)).collect();
    for id in std::mem::take(&mut batch.decide) {
        if !batch.claim(conn, "community_report", id).await? || decision != Decision::Approve {
            continue;
        }
        if let Some(r) = by_id.get(&id) {
            member::Entity::update_many()
                .col_expr(member::Column::CommunityId, Expr::value(r.community_id))
                .filter(member::Column::Id.eq(r.member_id))
                .exec(conn)
                .await?;
        }
    }
    Ok(batch.finish(conn, "社区报到").await?)
}

#[derive(FromQueryResult)]
struct ServiceRow {
    member_id: i64,
    member_name: String,
    community_id: Option<i64>,
    community_name: Option<String>,
}

#[derive(FromQueryResult)]
struct Minutes {
    member_id: i64,
    minutes: i64,
}

#[derive(FromQueryResult)]
struct LatestStatus {
    member_id: i64,
    status: LogStatus,
}

/// `GET /orgs/{id}/community-service`: the branch's in-office members, where
/// they reported and how long they served in communities.
pub async fn branch_view(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
) -> ApiResult<Vec<CommunityServiceRow>> {
    caller.require(conn, MANAGERS, org_id).await?;
    let members = sql::fetch_all::<ServiceRow>(
        conn,
        &format!(
            "SELECT m.id AS member_id, m.name AS member_name, m.community_id, c.name AS community_name \
             FROM org_closure oc JOIN member m ON m.branch_id = oc.descendant_id \
             JOIN member_category mc ON mc.member_id = m.id AND mc.category = {in_office} \
             LEFT JOIN community c ON c.id = m.community_id \
             WHERE oc.ancestor_id = $1 AND m.status = {active} ORDER BY m.id",
            in_office = sql::lit(MemberCategory::InOffice),
            active = sql::lit(MemberStatus::Active)
        ),
        [org_id.into()],
    )
    .await?;
    let minutes: HashMap<i64, i64> = sql::fetch_all::<Minutes>(
        conn,
        &format!(
            "SELECT l.member_id, CAST(SUM(l.minutes) AS BIGINT) AS minutes FROM org_closure oc JOIN member m ON m.branch_id = oc.descendant_id \
             JOIN service_log l ON l.member_id = m.id WHERE oc.ancestor_id = $1 AND l.status = {} \
             AND l.community_id IS NOT NULL GROUP BY l.member_id",
            sql::lit(LogStatus::Approved)
        ),
        [org_id.into()],
    )
    .await?
    .into_iter()
    .map(|m| (m.member_id, m.minutes))
    .collect();
    let latest: HashMap<i64, LogStatus> = sql::fetch_all::<LatestStatus>(
        conn,
        "SELECT r.member_id, r.status FROM community_report r JOIN member m ON m.id = r.member_id \
         JOIN org_closure oc ON oc.descendant_id = m.branch_id WHERE oc.ancestor_id = $1 \
         AND r.id = (SELECT MAX(r2.id) FROM community_report r2 WHERE r2.member_id = r.member_id)",
        [org_id.into()],
    )
    .await?
    .into_iter()
    .map(|s| (s.member_id, s.status))
    .collect();
    Ok(members
        .into_iter()
        .map(|m| CommunityServiceRow {
            member: IdName {
                id: m.member_id,
                name: m.member_name,
            },
            community: m.community_id.map(|id| IdName {
                id,
                name: m.community_name.unwrap_or_default(),
            }),
            report_status: latest.get(&m.member_id).copied(),
            community_minutes: minutes.get(&m.member_id).copied().unwrap_or(0),
        })
        .collect())
}
