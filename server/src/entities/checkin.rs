use sea_orm::entity::prelude::*;
use zhibu_shared::checkin::CheckinMethod;
use zhibu_shared::checkin::ReviewStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checkin")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub theme_day_id: i64,
    pub member_id: i64,
    pub method: CheckinMethod,
    pub status: ReviewStatus,
    pub at: DateTimeWithTimeZone,
    pub client_time: Option<DateTimeWithTimeZone>,
    pub inside_geofence: Option<bool>,
    pub reason: Option<String>,
    pub request_hash: String,
    pub recorded_by: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeWithTimeZone>,
}

impl ActiveModelBehavior for ActiveModel {}
