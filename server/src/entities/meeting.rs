use sea_orm::entity::prelude::*;
use zhibu_shared::governance::MeetingKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub org_id: i64,
    pub kind: MeetingKind,
    pub held_on: Date,
    pub period: String,
    pub topic: String,
    pub host: String,
    pub recorder: Option<String>,
    pub minutes: Option<String>,
    pub theme_day_id: Option<i64>,
    pub request_hash: String,
    pub recorded_by: i64,
    pub created_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
