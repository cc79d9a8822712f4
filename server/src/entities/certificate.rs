use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: String,
    pub member_id: i64,
    pub body: String,
    pub issued_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
