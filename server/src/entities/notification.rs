use sea_orm::entity::prelude::*;
use zhibu_shared::notify::NotificationKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub kind: NotificationKind,
    /// The county's date it was made, `YYYY-MM-DD`: one reminder a kind a day.
    pub day: String,
    pub title: String,
    pub body: String,
    pub url: String,
    pub created_at: DateTimeWithTimeZone,
    pub read_at: Option<DateTimeWithTimeZone>,
}

impl ActiveModelBehavior for ActiveModel {}
