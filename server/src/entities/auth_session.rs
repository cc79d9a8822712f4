use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub member_id: i64,
    pub refresh_jti: String,
    /// The token the current one replaced, answered again for a short grace.
    pub previous_refresh_jti: Option<String>,
    pub created_at: DateTimeWithTimeZone,
    pub refreshed_at: DateTimeWithTimeZone,
    pub expires_at: DateTimeWithTimeZone,
    pub revoked_at: Option<DateTimeWithTimeZone>,
    pub revoke_reason: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
