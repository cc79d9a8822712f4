use sea_orm::entity::prelude::*;
use zhibu_shared::volunteer::LogStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "remote_study")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub theme_day_id: i64,
    pub member_id: i64,
    pub note: String,
    pub status: LogStatus,
    pub reason: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeWithTimeZone>,
    pub created_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
