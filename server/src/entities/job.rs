use sea_orm::entity::prelude::*;
use zhibu_shared::notify::JobKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: JobKind,
    /// Unique: a job planned twice (by two servers, or hourly) is one job.
    pub key: String,
    pub payload: Option<String>,
    pub run_at: DateTimeWithTimeZone,
    pub attempts: i32,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTimeWithTimeZone>,
    pub last_error: Option<String>,
    pub done_at: Option<DateTimeWithTimeZone>,
    pub failed_at: Option<DateTimeWithTimeZone>,
    pub created_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
