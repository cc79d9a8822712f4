//! The audit trail: who decided what, when and why.

use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

use crate::entities::audit_log;
use crate::time::now;

pub async fn record(
    conn: &impl ConnectionTrait,
    actor_id: Option<i64>,
    action: &str,
    object_type: &str,
    object_id: &str,
    detail: Option<String>,
) -> Result<(), DbErr> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        actor_id: Set(actor_id),
        action: Set(action.to_owned()),
        object_type: Set(object_type.to_owned()),
        object_id: Set(object_id.to_owned()),
        detail: Set(detail),
        at: Set(now()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
