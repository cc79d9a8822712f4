use sea_orm::entity::prelude::*;
use zhibu_shared::classes::ContactWay;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "floating_contact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub by_member_id: i64,
    pub contacted_on: Date,
    pub way: ContactWay,
    pub note: Option<String>,
    pub created_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
