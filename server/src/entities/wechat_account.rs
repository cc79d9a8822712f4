use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub openid: String,
    pub member_id: Option<i64>,
    pub session_key: String,
    pub updated_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
