//! Files of members in difficulty (困难党员建档立册): sensitive personal
//! information under PIPL, seen only by the branch secretary and those
//! above — never in member lists, never in an export without a recorded
//! reason. Service logs naming the member helped show who was visited.

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, FromQueryResult};
use zhibu_shared::classes::{DifficultyFile, DifficultyRequest};
use zhibu_shared::governance::Quarter;
use zhibu_shared::org::{MemberCategory, MemberStatus};
use zhibu_shared::volunteer::LogStatus;

use super::{DIFFICULTY_KEEPERS, member_in_reach, set_category};
use crate::access::Caller;
use crate::entities::{difficulty_file, member};
use crate::error::{ApiError, ApiResult};
use crate::governance::{id_name, names};
use crate::sql;
use crate::time::now;

/// `GET /members/{id}/difficulty`.
pub async fn get(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<DifficultyFile> {
    member_in_reach(conn, caller, member_id, DIFFICULTY_KEEPERS).await?;
    let row = difficulty_file::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(views(conn, vec![row], today, tz).await?.remove(0))
}

/// `PUT /members/{id}/difficulty`: opens or updates the file; the member
/// is in the 困难 class while it is open. Audited without its contents.
pub async fn put(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    req: &DifficultyRequest,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<DifficultyFile> {
    member_in_reach(conn, caller, member_id, DIFFICULTY_KEEPERS).await?;
    let needs = crate::governance::required_text("needs", Some(&req.needs), 500, "帮扶需求")?;
    if req.since > today {
        return Err(ApiError::invalid("since", "日期不能晚于今天"));
    }
    difficulty_file::Entity::insert(difficulty_file::ActiveModel {
        member_id: Set(member_id),
        kind: Set(req.kind),
        needs: Set(needs),
        since: Set(req.since),
        updated_by: Set(caller.member_id),
        updated_at: Set(now()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(difficulty_file::Column::MemberId)
            .update_columns([
                difficulty_file::Column::Kind,
                difficulty_file::Column::Needs,
                difficulty_file::Column::Since,
                difficulty_file::Column::UpdatedBy,
                difficulty_file::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    set_category(conn, member_id, MemberCategory::InDifficulty, true).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "difficulty.file",
        "member",
        &member_id.to_string(),
        Some(serde_json::json!({"kind": req.kind.code()}).to_string()),
    )
    .await?;
    get(conn, caller, member_id, today, tz).await
}

/// `DELETE /members/{id}/difficulty`: the difficulty is over.
pub async fn close(conn: &impl ConnectionTrait, caller: &Caller, member_id: i64) -> ApiResult<()> {
    member_in_reach(conn, caller, member_id, DIFFICULTY_KEEPERS).await?;
    let removed = difficulty_file::Entity::delete_by_id(member_id)
        .exec(conn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ApiError::NotFound);
    }
    set_category(conn, member_id, MemberCategory::InDifficulty, false).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "difficulty.close",
        "member",
        &member_id.to_string(),
        None,
    )
    .await?;
    Ok(())
}

/// `GET /orgs/{id}/difficulty`: the files of a unit's subtree, by name,
/// with the visits of this quarter.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Vec<DifficultyFile>> {
    caller.require(conn, DIFFICULTY_KEEPERS, org_id).await?;
    let rows = difficulty_file::Model::find_by_statement(sql::stmt(
        conn,
        &format!(
            "SELECT f.* FROM difficulty_file f JOIN member m ON m.id = f.member_id \
             JOIN org_closure c ON c.descendant_id = m.branch_id \
             WHERE c.ancestor_id = $1 AND m.status = {} ORDER BY m.name, m.id",
            sql::lit(MemberStatus::Active)
        ),
        [org_id.into()],
    ))
    .all(conn)
    .await?;
    views(conn, rows, today, tz).await
}

async fn views(
    conn: &impl ConnectionTrait,
    rows: Vec<difficulty_file::Model>,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Vec<DifficultyFile>> {
    let people = names(conn, "member", rows.iter().map(|r| r.member_id)).await?;
    let quarter = Quarter::of(today);
    #[derive(FromQueryResult)]
    struct Visits {
        helped_member_id: i64,
        n: i64,
        last: Option<NaiveDate>,
    }
    let mut visits: HashMap<i64, (i64, Option<NaiveDate>)> = HashMap::new();
    let ids: Vec<i64> = rows.iter().map(|r| r.member_id).collect();
    for chunk in ids.chunks(400) {
        let query = format!(
            "SELECT helped_member_id, COUNT(*) AS n, MAX(date) AS last FROM service_log \
             WHERE status = {} AND date >= $1 AND date <= $2 AND helped_member_id IN ({}) \
             GROUP BY helped_member_id",
            sql::lit(LogStatus::Approved),
            sql::placeholders(3, chunk.len())
        );
        let values = [quarter.first_day().into(), quarter.last_day().into()]
            .into_iter()
            .chain(chunk.iter().map(|i| (*i).into()));
        for v in sql::fetch_all::<Visits>(conn, &query, values).await? {
            visits.insert(v.helped_member_id, (v.n, v.last));
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let (n, last) = visits.get(&r.member_id).copied().unwrap_or((0, None));
            DifficultyFile {
                member: id_name(&people, r.member_id),
                kind: r.kind,
                needs: r.needs,
                since: r.since,
                visits_this_quarter: n.max(0) as u32,
                last_visit: last,
                updated_at: r.updated_at.with_timezone(&tz).fixed_offset(),
            }
        })
        .collect())
}

/// Whether the caller may see that a member is in difficulty (the class
/// in member views).
pub async fn may_see(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member: &member::Model,
) -> ApiResult<bool> {
    Ok(caller
        .reaches(conn, DIFFICULTY_KEEPERS, member.branch_id)
        .await?)
}
