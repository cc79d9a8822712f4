use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checkin_failure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub theme_day_id: i64,
    pub member_id: i64,
    pub at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
