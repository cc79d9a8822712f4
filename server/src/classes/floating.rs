//! Floating members (流动党员): each has a one-to-one contact in the branch;
//! the member keeps where they are up to date; the contact records each
//! contact; the branch sees who has gone too long without one; a returning
//! member (归雁) is marked back and may be offered a post. Floating members
//! take part from afar: a theme day's study item, done remotely, counts
//! once the secretary approves it (through the one review pipeline).

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use zhibu_shared::classes::{
    ContactPersonRequest, ContactRecord, ContactRequest, FloatingMember, RemoteStudy,
    RemoteStudyRequest, ReturnRequest, WhereaboutsRequest, contact_overdue,
};
use zhibu_shared::org::{MemberCategory, MemberStatus};
use zhibu_shared::review::{Decision, ReviewResult};
use zhibu_shared::volunteer::LogStatus;

use super::{member_in_reach, set_category};
use crate::access::{Caller, MANAGERS};
use crate::entities::{
    floating_contact, floating_profile, member, remote_study, study_record, theme_day,
};
use crate::error::{ApiError, ApiResult};
use crate::governance::{id_name, names, optional_text, required_text};
use crate::review::{self, Candidate};
use crate::sql;
use crate::time::now;

async fn is_floating(conn: &impl ConnectionTrait, member_id: i64) -> ApiResult<bool> {
    Ok(crate::members::categories_of(conn, member_id)
        .await?
        .contains(&MemberCategory::Floating))
}

async fn profile(
    conn: &impl ConnectionTrait,
    member_id: i64,
) -> ApiResult<floating_profile::Model> {
    if let Some(found) = floating_profile::Entity::find_by_id(member_id)
        .one(conn)
        .await?
    {
        return Ok(found);
    }
    floating_profile::Entity::insert(floating_profile::ActiveModel {
        member_id: Set(member_id),
        city: Set(None),
        employer: Set(None),
        since: Set(None),
        contact_member_id: Set(None),
        returned_on: Set(None),
        updated_at: Set(now()),
    })
    .on_conflict_do_nothing_on([floating_profile::Column::MemberId])
    .exec_without_returning(conn)
    .await?;
    floating_profile::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `PUT /me/whereabouts`: a floating member says where they are now.
pub async fn whereabouts(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    req: &WhereaboutsRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<FloatingMember> {
    if !is_floating(conn, caller.member_id).await? {
        return Err(ApiError::Forbidden {
            code: "not_floating",
            message: "只有流动党员需要登记外出去向".into(),
        });
    }
    let city = required_text("city", Some(&req.city), 50, "所在城市")?;
    let employer = optional_text("employer", req.employer.as_deref(), 100, "工作单位或平台")?;
    if req.since > today {
        return Err(ApiError::invalid("since", "日期不能晚于今天"));
    }
    profile(conn, caller.member_id).await?;
    sql::execute(
        conn,
        "UPDATE floating_profile SET city = $2, employer = $3, since = $4, updated_at = $5 WHERE member_id = $1",
        [
            caller.member_id.into(),
            city.into(),
            employer.into(),
            req.since.into(),
            now().into(),
        ],
    )
    .await?;
    one(
        conn,
        caller.member_id,
        today,
        crate::classes::floating::DEFAULT_DAYS,
        tz,
    )
    .await
}

/// How long without a contact before a member shows as overdue.
pub const DEFAULT_DAYS: i64 = zhibu_shared::classes::DEFAULT_CONTACT_DAYS;

/// `PUT /members/{id}/floating`: the branch names the contact person.
pub async fn set_contact(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    req: &ContactPersonRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<FloatingMember> {
    let floating = member_in_reach(conn, caller, member_id, MANAGERS).await?;
    if !is_floating(conn, member_id).await? {
        return Err(ApiError::invalid("member_id", "该党员不是流动党员"));
    }
    let contact = member::Entity::find_by_id(req.contact_member_id)
        .one(conn)
        .await?
        .filter(|m| m.status == MemberStatus::Active && m.id != member_id);
    let Some(contact) = contact else {
        return Err(ApiError::invalid(
            "contact_member_id",
            "联系人须为本支部的其他党员",
        ));
    };
    if !crate::orgs::tree::is_within(conn, floating.branch_id, contact.branch_id).await?
        && !caller.reaches(conn, MANAGERS, contact.branch_id).await?
    {
        return Err(ApiError::invalid(
            "contact_member_id",
            "联系人须为本支部的其他党员",
        ));
    }
    profile(conn, member_id).await?;
    sql::execute(
        conn,
        "UPDATE floating_profile SET contact_member_id = $2, updated_at = $3 WHERE member_id = $1",
        [member_id.into(), contact.id.into(), now().into()],
    )
    .await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "floating.contact_person",
        "member",
        &member_id.to_string(),
        Some(serde_json::json!({"contact": contact.id}).to_string()),
    )
    .await?;
    one(conn, member_id, today, DEFAULT_DAYS, tz).await
}

/// `POST /members/{id}/contacts`: the contact person (or a manager) records
/// a contact.
pub async fn record_contact(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    req: &ContactRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<FloatingMember> {
    let target = member::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .filter(|m| m.status == MemberStatus::Active)
        .ok_or(ApiError::NotFound)?;
    let contact_person = floating_profile::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .and_then(|p| p.contact_member_id);
    if contact_person != Some(caller.member_id)
        && !caller.reaches(conn, MANAGERS, target.branch_id).await?
    {
        return Err(ApiError::NotFound);
    }
    if req.contacted_on > today || req.contacted_on < today - Duration::days(366) {
        return Err(ApiError::invalid(
            "contacted_on",
            "联系日期须在一年内且不晚于今天",
        ));
    }
    let note = optional_text("note", req.note.as_deref(), 200, "联系情况")?;
    floating_contact::Entity::insert(floating_contact::ActiveModel {
        member_id: Set(member_id),
        by_member_id: Set(caller.member_id),
        contacted_on: Set(req.contacted_on),
        way: Set(req.way),
        note: Set(note),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    one(conn, member_id, today, DEFAULT_DAYS, tz).await
}

/// `POST /members/{id}/return`: back home (归雁); leaves the floating
/// class, and takes the post offered, if any.
pub async fn return_home(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    req: &ReturnRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<FloatingMember> {
    member_in_reach(conn, caller, member_id, MANAGERS).await?;
    if req.returned_on > today {
        return Err(ApiError::invalid("returned_on", "日期不能晚于今天"));
    }
    profile(conn, member_id).await?;
    sql::execute(
        conn,
        "UPDATE floating_profile SET returned_on = $2, updated_at = $3 WHERE member_id = $1",
        [member_id.into(), req.returned_on.into(), now().into()],
    )
    .await?;
    set_category(conn, member_id, MemberCategory::Floating, false).await?;
    if let Some(post_id) = req.post_id {
        super::posts::assign(conn, caller, post_id, member_id, today).await?;
    }
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "floating.return",
        "member",
        &member_id.to_string(),
        None,
    )
    .await?;
    one(conn, member_id, today, DEFAULT_DAYS, tz).await
}

/// `GET /orgs/{id}/floating?days=`: the unit's floating members (and those
/// back within a year), by name, with who is overdue for a contact.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    days: i64,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Vec<FloatingMember>> {
    caller.require(conn, MANAGERS, org_id).await?;
    #[derive(sea_orm::FromQueryResult)]
    struct Id {
        id: i64,
    }
    let ids: Vec<i64> = sql::fetch_all::<Id>(
        conn,
        &format!(
            "SELECT m.id FROM member m JOIN org_closure c ON c.descendant_id = m.branch_id \
             WHERE c.ancestor_id = $1 AND m.status = {active} AND (EXISTS (SELECT 1 FROM member_category mc \
             WHERE mc.member_id = m.id AND mc.category = {floating}) OR EXISTS (SELECT 1 FROM floating_profile p \
             WHERE p.member_id = m.id AND p.returned_on >= $2)) ORDER BY m.name, m.id",
            active = sql::lit(MemberStatus::Active),
            floating = sql::lit(MemberCategory::Floating)
        ),
        [org_id.into(), (today - Duration::days(366)).into()],
    )
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(one(conn, id, today, days.clamp(1, 3650), tz).await?);
    }
    Ok(out)
}

/// A floating member's whereabouts, contact person and contacts.
pub async fn one(
    conn: &impl ConnectionTrait,
    member_id: i64,
    today: NaiveDate,
    days: i64,
    _tz: Tz,
) -> ApiResult<FloatingMember> {
    let found = floating_profile::Entity::find_by_id(member_id)
        .one(conn)
        .await?;
    let contacts = floating_contact::Entity::find()
        .filter(floating_contact::Column::MemberId.eq(member_id))
        .order_by_desc(floating_contact::Column::ContactedOn)
        .order_by_desc(floating_contact::Column::Id)
        .all(conn)
        .await?;
    let people = names(
        conn,
        "member",
        std::iter::once(member_id)
            .chain(found.as_ref().and_then(|p| p.contact_member_id))
            .chain(contacts.iter().map(|c| c.by_member_id)),
    )
    .await?;
    let last = contacts.first().map(|c| c.contacted_on);
    let returned_on = found.as_ref().and_then(|p| p.returned_on);
    Ok(FloatingMember {
        member: id_name(&people, member_id),
        city: found.as_ref().and_then(|p| p.city.clone()),
        employer: found.as_ref().and_then(|p| p.employer.clone()),
        since: found.as_ref().and_then(|p| p.since),
        contact: found
            .as_ref()
            .and_then(|p| p.contact_member_id)
            .map(|c| id_name(&people, c)),
        last_contact: last,
        overdue: returned_on.is_none() && contact_overdue(last, today, days),
        returned_on,
        contacts: contacts
            .into_iter()
            .map(|c| ContactRecord {
                id: c.id,
                by: id_name(&people, c.by_member_id),
                contacted_on: c.contacted_on,
                way: c.way,
                note: c.note,
            })
            .collect(),
    })
}

/// `POST /theme-days/{id}/remote-study`: a floating member expected at the
/// theme day did its study item from afar; pending for the secretary.
pub async fn request_remote_study(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    req: &RemoteStudyRequest,
    at: DateTime<FixedOffset>,
    tz: Tz,
) -> ApiResult<RemoteStudy> {
    let day = theme_day::Entity::find_by_id(theme_day_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !crate::checkins::expected_members(conn, day.org_id)
        .await?
        .contains(&caller.member_id)
    {
        return Err(ApiError::NotFound);
    }
    if !is_floating(conn, caller.member_id).await? {
        return Err(ApiError::Forbidden {
            code: "not_floating",
            message: "远程学习面向流动党员，其他党员请在主题党日现场学习".into(),
        });
    }
    if at < day.starts_at {
        return Err(ApiError::conflict(
            "not_started",
            "主题党日开始后才能登记远程学习",
        ));
    }
    let note = required_text("note", Some(&req.note), 200, "学习情况")?;
    let inserted = remote_study::Entity::insert(remote_study::ActiveModel {
        theme_day_id: Set(theme_day_id),
        member_id: Set(caller.member_id),
        note: Set(note),
        status: Set(LogStatus::Pending),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict { .. } => {
            ApiError::conflict("already_requested", "已登记过本次远程学习")
        }
        other => other,
    })?;
    let row = remote_study::Entity::find_by_id(inserted.last_insert_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(views(conn, vec![row], tz).await?.remove(0))
}

/// `GET /theme-days/{id}/remote-studies`: the day's remote studies (managers).
pub async fn list_remote(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    tz: Tz,
) -> ApiResult<Vec<RemoteStudy>> {
    let day = theme_day::Entity::find_by_id(theme_day_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    caller.require(conn, MANAGERS, day.org_id).await?;
    let rows = remote_study::Entity::find()
        .filter(remote_study::Column::ThemeDayId.eq(theme_day_id))
        .order_by_asc(remote_study::Column::Id)
        .all(conn)
        .await?;
    views(conn, rows, tz).await
}

/// `POST /remote-studies/review`: the day's managers decide; an approved
/// study counts as the study item done.
pub async fn review_remote(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
    decision: Decision,
    reason: Option<&str>,
) -> ApiResult<ReviewResult<i64>> {
    let named = review::named(ids)?;
    let rows = remote_study::Entity::find()
        .filter(remote_study::Column::Id.is_in(named.clone()))
        .all(conn)
        .await?;
    let days: HashMap<i64, i64> = theme_day::Entity::find()
        .filter(theme_day::Column::Id.is_in(rows.iter().map(|r| r.theme_day_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.org_id))
        .collect();
    let candidates = rows
        .iter()
        .filter_map(|r| {
            Some(Candidate {
                id: r.id,
                member_id: r.member_id,
                pending: r.status == LogStatus::Pending,
                unit: *days.get(&r.theme_day_id)?,
                roles: MANAGERS,
            })
        })
        .collect();
    let mut batch = review::screen(conn, caller, named, candidates, decision, reason).await?;
    let by_id: HashMap<i64, &remote_study::Model> = rows.iter().map(|r| (r.id, r)).collect();
    for id in std::mem::take(&mut batch.decide) {
        if !batch.claim(conn, "remote_study", id).await? || decision != Decision::Approve {
            continue;
        }
        let Some(row) = by_id.get(&id) else { continue };
        study_record::Entity::insert(study_record::ActiveModel {
            theme_day_id: Set(row.theme_day_id),
            member_id: Set(row.member_id),
            recorded_by: Set(caller.member_id),
            at: Set(now()),
        })
        .on_conflict_do_nothing_on([
            study_record::Column::ThemeDayId,
            study_record::Column::MemberId,
        ])
        .exec_without_returning(conn)
        .await?;
    }
    Ok(batch.finish(conn, "远程学习").await?)
}

async fn views(
    conn: &impl ConnectionTrait,
    rows: Vec<remote_study::Model>,
    tz: Tz,
) -> ApiResult<Vec<RemoteStudy>> {
    let people = names(conn, "member", rows.iter().map(|r| r.member_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| RemoteStudy {
            id: r.id,
            theme_day_id: r.theme_day_id,
            member: id_name(&people, r.member_id),
            note: r.note,
            status: r.status,
            reason: r.reason,
            created_at: r.created_at.with_timezone(&tz).fixed_offset(),
        })
        .collect())
}
