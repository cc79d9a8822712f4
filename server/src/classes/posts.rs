//! Posts for members without jobs (无职党员设岗定责): a branch defines
//! posts with duties and assigns members to them; service they log can
//! name the post; the branch sees each post's holders and what was done in
//! it this quarter — counts of the post, never a ranking of its holders.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter,
};
use zhibu_shared::auth::IdName;
use zhibu_shared::classes::{Post, PostRequest};
use zhibu_shared::governance::Quarter;
use zhibu_shared::org::MemberCategory;
use zhibu_shared::volunteer::LogStatus;

use super::{member_in_reach, set_category};
use crate::access::{Caller, MANAGERS};
use crate::entities::{post, post_holder};
use crate::error::{ApiError, ApiResult};
use crate::governance::{id_name, kept_unit, names, required_text};
use crate::sql;
use crate::time::now;

fn checked(req: &PostRequest) -> ApiResult<(String, String)> {
    Ok((
        required_text("name", Some(&req.name), 30, "岗位名称")?,
        required_text("duties", Some(&req.duties), 300, "岗位职责")?,
    ))
}

/// `POST /orgs/{id}/posts`.
pub async fn create(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    req: &PostRequest,
    today: NaiveDate,
) -> ApiResult<Post> {
    kept_unit(conn, caller, org_id).await?;
    let (name, duties) = checked(req)?;
    let inserted = post::Entity::insert(post::ActiveModel {
        org_id: Set(org_id),
        name: Set(name),
        duties: Set(duties),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict { .. } => ApiError::conflict("post_exists", "本支部已有同名岗位"),
        other => other,
    })?;
    one(conn, inserted.last_insert_id, today).await
}

async fn live(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    post_id: i64,
) -> ApiResult<post::Model> {
    let found = post::Entity::find_by_id(post_id)
        .one(conn)
        .await?
        .filter(|p| p.retired_at.is_none())
        .ok_or(ApiError::NotFound)?;
    caller.require(conn, MANAGERS, found.org_id).await?;
    Ok(found)
}

/// `PATCH /posts/{id}`.
pub async fn update(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    post_id: i64,
    req: &PostRequest,
    today: NaiveDate,
) -> ApiResult<Post> {
    live(conn, caller, post_id).await?;
    let (name, duties) = checked(req)?;
    sql::execute(
        conn,
        "UPDATE post SET name = $2, duties = $3 WHERE id = $1",
        [post_id.into(), name.into(), duties.into()],
    )
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict { .. } => ApiError::conflict("post_exists", "本支部已有同名岗位"),
        other => other,
    })?;
    one(conn, post_id, today).await
}

/// `POST /posts/{id}/retire`: kept for history, no longer held.
pub async fn retire(conn: &impl ConnectionTrait, caller: &Caller, post_id: i64) -> ApiResult<()> {
    live(conn, caller, post_id).await?;
    sql::execute(
        conn,
        "UPDATE post SET retired_at = $2 WHERE id = $1",
        [post_id.into(), now().into()],
    )
    .await?;
    post_holder::Entity::delete_many()
        .filter(post_holder::Column::PostId.eq(post_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// `POST /posts/{id}/holders`: a member of the post's unit takes the post
/// and is in the 无职设岗 class from then on. Audited.
pub async fn assign(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    post_id: i64,
    member_id: i64,
    today: NaiveDate,
) -> ApiResult<Post> {
    let found = live(conn, caller, post_id).await?;
    let holder = member_in_reach(conn, caller, member_id, MANAGERS).await?;
    if !crate::orgs::tree::is_within(conn, found.org_id, holder.branch_id).await? {
        return Err(ApiError::invalid("member_id", "只能安排本支部的党员上岗"));
    }
    post_holder::Entity::insert(post_holder::ActiveModel {
        post_id: Set(post_id),
        member_id: Set(member_id),
        since: Set(now()),
    })
    .on_conflict_do_nothing_on([post_holder::Column::PostId, post_holder::Column::MemberId])
    .exec_without_returning(conn)
    .await?;
    set_category(conn, member_id, MemberCategory::JoblessWithPost, true).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "post.assign",
        "member",
        &member_id.to_string(),
        Some(serde_json::json!({"post_id": post_id}).to_string()),
    )
    .await?;
    one(conn, post_id, today).await
}

/// `DELETE /posts/{id}/holders/{member}`.
pub async fn unassign(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    post_id: i64,
    member_id: i64,
    today: NaiveDate,
) -> ApiResult<Post> {
    live(conn, caller, post_id).await?;
    post_holder::Entity::delete_many()
        .filter(post_holder::Column::PostId.eq(post_id))
        .filter(post_holder::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "post.unassign",
        "member",
        &member_id.to_string(),
        Some(serde_json::json!({"post_id": post_id}).to_string()),
    )
    .await?;
    one(conn, post_id, today).await
}

/// `GET /orgs/{id}/posts`: the unit's live posts, by name.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    today: NaiveDate,
) -> ApiResult<Vec<Post>> {
    caller.require(conn, MANAGERS, org_id).await?;
    let rows = post::Entity::find()
        .filter(post::Column::OrgId.eq(org_id))
        .filter(post::Column::RetiredAt.is_null())
        .all(conn)
        .await?;
    let mut posts = views(conn, rows, today).await?;
    posts.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(posts)
}

/// The posts a member holds (`/me/classes`).
pub async fn held_by(
    conn: &impl ConnectionTrait,
    member_id: i64,
    today: NaiveDate,
) -> ApiResult<Vec<Post>> {
    let ids: Vec<i64> = post_holder::Entity::find()
        .filter(post_holder::Column::MemberId.eq(member_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|h| h.post_id)
        .collect();
    let rows = post::Entity::find()
        .filter(post::Column::Id.is_in(ids))
        .filter(post::Column::RetiredAt.is_null())
        .all(conn)
        .await?;
    views(conn, rows, today).await
}

async fn one(conn: &impl ConnectionTrait, post_id: i64, today: NaiveDate) -> ApiResult<Post> {
    let row = post::Entity::find_by_id(post_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(views(conn, vec![row], today).await?.remove(0))
}

/// Whether a member holds a live post (a log may name it).
pub async fn holds(
    conn: &impl ConnectionTrait,
    member_id: i64,
    post_id: i64,
) -> Result<bool, DbErr> {
    let held = post_holder::Entity::find_by_id((post_id, member_id))
        .one(conn)
        .await?
        .is_some();
    Ok(held
        && post::Entity::find_by_id(post_id)
            .one(conn)
            .await?
            .is_some_and(|p| p.retired_at.is_none()))
}

async fn views(
    conn: &impl ConnectionTrait,
    rows: Vec<post::Model>,
    today: NaiveDate,
) -> ApiResult<Vec<Post>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut holders: HashMap<i64, Vec<i64>> = HashMap::new();
    for h in post_holder::Entity::find()
        .filter(post_holder::Column::PostId.is_in(ids.clone()))
        .all(conn)
        .await?
    {
        holders.entry(h.post_id).or_default().push(h.member_id);
    }
    let people = names(conn, "member", holders.values().flatten().copied()).await?;
    let units = names(conn, "org_unit", rows.iter().map(|r| r.org_id)).await?;
    let quarter = Quarter::of(today);
    #[derive(FromQueryResult)]
    struct Done {
        post_id: i64,
        n: i64,
        minutes: i64,
    }
    let mut done: HashMap<i64, (i64, i64)> = HashMap::new();
    if !ids.is_empty() {
        let query = format!(
            "SELECT post_id, COUNT(*) AS n, CAST(COALESCE(SUM(minutes), 0) AS BIGINT) AS minutes FROM service_log \
             WHERE status = {} AND date >= $1 AND date <= $2 AND post_id IN ({}) GROUP BY post_id",
            sql::lit(LogStatus::Approved),
            sql::placeholders(3, ids.len())
        );
        let values = [quarter.first_day().into(), quarter.last_day().into()]
            .into_iter()
            .chain(ids.iter().map(|i| (*i).into()));
        for d in sql::fetch_all::<Done>(conn, &query, values).await? {
            done.insert(d.post_id, (d.n, d.minutes));
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut held: Vec<IdName> = holders
                .remove(&r.id)
                .unwrap_or_default()
                .into_iter()
                .map(|m| id_name(&people, m))
                .collect();
            held.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
            let (n, minutes) = done.get(&r.id).copied().unwrap_or((0, 0));
            Post {
                id: r.id,
                org: id_name(&units, r.org_id),
                name: r.name,
                duties: r.duties,
                holders: held,
                logs_this_quarter: n.max(0) as u32,
                minutes_this_quarter: minutes,
            }
        })
        .collect())
}
