//! The second "1" of 1+1+N: the month's study item done.

use std::collections::HashSet;

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TryInsertResult};

use super::{is_participant, participants};
use crate::access::{Caller, MANAGERS};
use crate::entities::{study_record, theme_day};
use crate::error::{ApiError, ApiResult};
use crate::time::now;

/// `POST /theme-days/{id}/study`: the second "1" done. Secretaries mark
/// anyone expected; a member may mark only themself.
pub async fn mark_study(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    member_ids: &[i64],
) -> ApiResult<u64> {
    let model = theme_day::Entity::find_by_id(theme_day_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let manager = caller.reaches(conn, MANAGERS, model.org_id).await?;
    if !manager {
        if !is_participant(conn, caller.member_id, model.org_id).await? {
            return Err(ApiError::NotFound);
        }
        if member_ids != [caller.member_id] {
            return Err(ApiError::forbidden("只能为自己登记学习"));
        }
    }
    let expected: HashSet<i64> = participants(conn, model.org_id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    if member_ids.is_empty() || member_ids.iter().any(|id| !expected.contains(id)) {
        return Err(ApiError::invalid(
            "member_ids",
            "所选党员须参加本次主题党日",
        ));
    }
    let rows = member_ids.iter().map(|id| study_record::ActiveModel {
        theme_day_id: Set(theme_day_id),
        member_id: Set(*id),
        recorded_by: Set(caller.member_id),
        at: Set(now()),
    });
    let result = study_record::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([
            study_record::Column::ThemeDayId,
            study_record::Column::MemberId,
        ])
        .exec_without_returning(conn)
        .await?;
    Ok(match result {
        TryInsertResult::Inserted(n) => n,
        _ => 0,
    })
}
