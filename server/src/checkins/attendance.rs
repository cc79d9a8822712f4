//! Attendance: one theme day's expected, present, pending and absent; a
//! member's own record; a month rolled up the tree.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
};
use zhibu_shared::auth::IdName;
use zhibu_shared::checkin::{
    Attendance, AttendanceReport, AttendanceRow, Checkin, DuesPayment, Makeup, MyAttendance,
    ReviewStatus, WrongCodes,
};
use zhibu_shared::org::{MemberStatus, OrgKind};
use zhibu_shared::theme_day::Month;
use zhibu_shared::volunteer::LogStatus;

use super::dues::dues_views;
use super::makeups::makeup_views;
use super::schedule::theme_days_of;
use super::theme_days::my_theme_days;
use super::{checkins_where, holders_in_subtree, managed, participants};
use crate::access::{Caller, MANAGERS};
use crate::entities::{checkin, dues_payment, makeup, org_unit, study_record};
use crate::error::{ApiError, ApiResult};
use crate::sql;

/// `GET /theme-days/{id}/attendance`.
pub async fn attendance(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
) -> ApiResult<Attendance> {
    let (model, _) = managed(conn, caller, theme_day_id).await?;
    let expected = participants(conn, model.org_id).await?;
    let statuses: HashMap<i64, ReviewStatus> = checkin::Entity::find()
        .filter(checkin::Column::ThemeDayId.eq(theme_day_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.member_id, c.status))
        .collect();
    let status_of = |id: i64| statuses.get(&id).copied();
    #[derive(FromQueryResult)]
    struct Wrong {
        id: i64,
        name: String,
        count: i64,
    }
    let wrong_codes = sql::fetch_all::<Wrong>(
        conn,
        "SELECT m.id, m.name, COUNT(*) AS count FROM checkin_failure f JOIN member m ON m.id = f.member_id \
         WHERE f.theme_day_id = $1 GROUP BY m.id, m.name ORDER BY m.name, m.id",
        [theme_day_id.into()],
    )
    .await?
    .into_iter()
    .map(|w| WrongCodes {
        member: IdName {
            id: w.id,
            name: w.name,
        },
        count: w.count.max(0) as u64,
    })
    .collect();
    Ok(Attendance {
        wrong_codes,
        expected: expected.len() as u64,
        present: expected
            .iter()
            .filter(|p| status_of(p.id) == Some(ReviewStatus::Approved))
            .count() as u64,
        pending: expected
            .iter()
            .filter(|p| status_of(p.id) == Some(ReviewStatus::Pending))
            .count() as u64,
        absent: expected
            .into_iter()
            .filter(|p| {
                !matches!(
                    status_of(p.id),
                    Some(ReviewStatus::Approved | ReviewStatus::Pending)
                )
            })
            .map(|p| IdName {
                id: p.id,
                name: p.name,
            })
            .collect(),
    })
}

/// `GET /me/attendance?from=&to=`: my theme days with what I did.
pub async fn my_attendance(
    reader: &impl ConnectionTrait,
    member_id: i64,
    from: Month,
    to: Month,
    tz: Tz,
) -> ApiResult<Vec<MyAttendance>> {
    let days = my_theme_days(reader, member_id, from, to, tz).await?;
    let ids: Vec<i64> = days.iter().map(|d| d.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut checkins: HashMap<i64, Checkin> = HashMap::new();
    let placeholders = sql::placeholders(2, ids.len());
    let mut values: Vec<sea_orm::Value> = vec![member_id.into()];
    values.extend(ids.iter().map(|id| (*id).into()));
    for c in checkins_where(
        reader,
        &format!("c.member_id = $1 AND c.theme_day_id IN ({placeholders})"),
        values,
        tz,
        None,
    )
    .await?
    {
        checkins.insert(c.theme_day_id, c);
    }
    let studied: HashSet<i64> = study_record::Entity::find()
        .filter(study_record::Column::MemberId.eq(member_id))
        .filter(study_record::Column::ThemeDayId.is_in(ids.clone()))
        .all(reader)
        .await?
        .into_iter()
        .map(|s| s.theme_day_id)
        .collect();
    let dues_rows = dues_payment::Entity::find()
        .filter(dues_payment::Column::MemberId.eq(member_id))
        .all(reader)
        .await?;
    let dues: HashMap<String, DuesPayment> = dues_views(reader, dues_rows, tz)
        .await?
        .into_iter()
        .map(|d| (d.month.to_string(), d))
        .collect();
    let makeup_rows = makeup::Entity::find()
        .filter(makeup::Column::MemberId.eq(member_id))
        .filter(makeup::Column::ThemeDayId.is_in(ids))
        .order_by_asc(makeup::Column::Id)
        .all(reader)
        .await?;
    let mut makeups: HashMap<i64, Makeup> = HashMap::new();
    for m in makeup_views(reader, makeup_rows).await? {
        makeups.insert(m.theme_day_id, m);
    }
    Ok(days
        .into_iter()
        .map(|day| MyAttendance {
            checkin: checkins.remove(&day.id),
            study_done: studied.contains(&day.id),
            dues: dues.get(&Month::of(day.date).to_string()).cloned(),
            makeup: makeups.remove(&day.id),
            theme_day: day,
        })
        .collect())
}

#[derive(FromQueryResult)]
struct HolderCount {
    holder: i64,
    n: i64,
}

#[derive(FromQueryResult)]
struct StatusCount {
    theme_day_id: i64,
    status: ReviewStatus,
    n: i64,
}

#[derive(FromQueryResult)]
struct Link {
    ancestor_id: i64,
    descendant_id: i64,
}

/// `GET /orgs/{id}/attendance?month=`: the month's theme days of every
/// holder below the unit, summed for the unit and for each child.
pub async fn org_attendance(
    reader: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    month: Month,
) -> ApiResult<AttendanceReport> {
    caller.require(reader, MANAGERS, org_id).await?;
    let unit = org_unit::Entity::find_by_id(org_id)
        .one(reader)
        .await?
        .ok_or(ApiError::NotFound)?;
    let holders = holders_in_subtree(reader, org_id).await?;
    let days = theme_days_of(reader, &holders, month).await?;
    let day_of_holder: HashMap<i64, i64> = days.iter().map(|d| (d.org_id, d.id)).collect();

    // Expected members per holder: its own members and party groups, plus
    // a sector committee's approved members.
    let mut expected: HashMap<i64, u64> = HashMap::new();
    for row in sql::fetch_all::<HolderCount>(
        reader,
        &format!(
            "SELECT CASE WHEN o.kind = {group} THEN o.parent_id ELSE o.id END AS holder, COUNT(*) AS n \
             FROM org_closure c JOIN member m ON m.branch_id = c.descendant_id JOIN org_unit o ON o.id = m.branch_id \
             WHERE c.ancestor_id = $1 AND m.status = {active} \
             GROUP BY CASE WHEN o.kind = {group} THEN o.parent_id ELSE o.id END",
            group = sql::lit(OrgKind::PartyGroup),
            active = sql::lit(MemberStatus::Active)
        ),
        [org_id.into()],
    )
    .await?
    .into_iter()
    .chain(
        sql::fetch_all::<HolderCount>(
            reader,
            &format!(
                "SELECT s.committee_id AS holder, COUNT(*) AS n FROM org_closure c \
                 JOIN sector_membership s ON s.committee_id = c.descendant_id JOIN member m ON m.id = s.member_id \
                 WHERE c.ancestor_id = $1 AND s.status = {approved} AND m.status = {active} GROUP BY s.committee_id",
                approved = sql::lit(LogStatus::Approved),
                active = sql::lit(MemberStatus::Active)
            ),
            [org_id.into()],
        )
        .await?,
    ) {
        if day_of_holder.contains_key(&row.holder) {
            *expected.entry(row.holder).or_default() += row.n.max(0) as u64;
        }
    }
    let mut counts: HashMap<i64, (u64, u64)> = HashMap::new();
    if !days.is_empty() {
        let ids: Vec<i64> = days.iter().map(|d| d.id).collect();
        for chunk in ids.chunks(500) {
            let query = format!(
                "SELECT theme_day_id, status, COUNT(*) AS n FROM checkin WHERE theme_day_id IN ({}) GROUP BY theme_day_id, status",
                sql::placeholders(1, chunk.len())
            );
            for row in
                sql::fetch_all::<StatusCount>(reader, &query, chunk.iter().map(|id| (*id).into()))
                    .await?
            {
                let entry = counts.entry(row.theme_day_id).or_default();
                match row.status {
                    ReviewStatus::Approved => entry.0 += row.n.max(0) as u64,
                    ReviewStatus::Pending => entry.1 += row.n.max(0) as u64,
                    ReviewStatus::Rejected => {}
                }
            }
        }
    }
    let children = org_unit::Entity::find()
        .filter(org_unit::Column::ParentId.eq(org_id))
        .order_by_asc(org_unit::Column::Id)
        .all(reader)
        .await?;
    let mut child_of_holder: BTreeMap<i64, i64> = BTreeMap::new();
    if !children.is_empty() {
        let query = format!(
            "SELECT ancestor_id, descendant_id FROM org_closure WHERE ancestor_id IN ({})",
            sql::placeholders(1, children.len())
        );
        for link in
            sql::fetch_all::<Link>(reader, &query, children.iter().map(|c| c.id.into())).await?
        {
            if day_of_holder.contains_key(&link.descendant_id) {
                child_of_holder.insert(link.descendant_id, link.ancestor_id);
            }
        }
    }
    let row_for = |org: IdName, holders: &mut dyn Iterator<Item = i64>| {
        let mut row = AttendanceRow {
            org,
            theme_days: 0,
            expected: 0,
            present: 0,
            pending: 0,
        };
        for holder in holders {
            let Some(day) = day_of_holder.get(&holder) else {
                continue;
            };
            let (present, pending) = counts.get(day).copied().unwrap_or((0, 0));
            row.theme_days += 1;
            row.expected += expected.get(&holder).copied().unwrap_or(0);
            row.present += present;
            row.pending += pending;
        }
        row
    };
    let total = row_for(
        IdName {
            id: unit.id,
            name: unit.name,
        },
        &mut holders.iter().copied(),
    );
    let rows = children
        .into_iter()
        .map(|c| {
            let mut own = child_of_holder
                .iter()
                .filter(|(_, child)| **child == c.id)
                .map(|(h, _)| *h);
            row_for(
                IdName {
                    id: c.id,
                    name: c.name,
                },
                &mut own,
            )
        })
        .collect();
    Ok(AttendanceReport { month, total, rows })
}
