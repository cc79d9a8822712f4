use sea_orm::entity::prelude::*;
use zhibu_shared::governance::MeetingKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "obligation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: MeetingKind,
    #[sea_orm(primary_key, auto_increment = false)]
    pub period: String,
    pub meetings: i32,
}

impl ActiveModelBehavior for ActiveModel {}
