//! Member classes as working features (docs/api.md, "Member classes"): posts
//! for members without jobs (`posts`), floating members' whereabouts,
//! contacts and studies from afar (`floating`), files of members in
//! difficulty (`difficulty`, sensitive personal information under PIPL)
//! and 党员中心户 (`households`).

pub mod difficulty;
pub mod floating;
pub mod handlers;
pub mod households;
pub mod posts;

use sea_orm::{ConnectionTrait, EntityTrait};
use zhibu_shared::org::{MemberStatus, Role};

use crate::access::Caller;
use crate::entities::member;
use crate::error::{ApiError, ApiResult};

/// Who sees a member's difficulty file: the branch secretary and those
/// above (admins). Org officers and plain members do not.
pub const DIFFICULTY_KEEPERS: &[Role] = &[Role::Secretary, Role::Admin];

/// An active member the caller holds one of `roles` over, or 404.
pub async fn member_in_reach(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    member_id: i64,
    roles: &[Role],
) -> ApiResult<member::Model> {
    let found = member::Entity::find_by_id(member_id)
        .one(conn)
        .await?
        .filter(|m| m.status == MemberStatus::Active)
        .ok_or(ApiError::NotFound)?;
    caller.require(conn, roles, found.branch_id).await?;
    Ok(found)
}

/// Adds or removes a category of a member (a class follows its record).
pub async fn set_category(
    conn: &impl ConnectionTrait,
    member_id: i64,
    category: zhibu_shared::org::MemberCategory,
    on: bool,
) -> ApiResult<()> {
    use crate::entities::member_category;
    use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
    if on {
        member_category::Entity::insert(member_category::ActiveModel {
            member_id: Set(member_id),
            category: Set(category),
        })
        .on_conflict_do_nothing_on([
            member_category::Column::MemberId,
            member_category::Column::Category,
        ])
        .exec_without_returning(conn)
        .await?;
    } else {
        member_category::Entity::delete_many()
            .filter(member_category::Column::MemberId.eq(member_id))
            .filter(member_category::Column::Category.eq(category))
            .exec(conn)
            .await?;
    }
    Ok(())
}
