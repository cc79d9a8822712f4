use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "theme_day")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub month: String,
    pub date: Date,
    pub starts_at: DateTimeWithTimeZone,
    pub ends_at: DateTimeWithTimeZone,
    pub title: String,
    pub study_item: String,
    pub location: String,
    pub activities: String,
    pub geofence_lat: Option<f64>,
    pub geofence_lng: Option<f64>,
    pub geofence_radius_m: Option<i32>,
    pub updated_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
