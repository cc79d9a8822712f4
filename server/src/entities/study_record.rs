use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "study_record")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub theme_day_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: i64,
    pub recorded_by: i64,
    pub at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
