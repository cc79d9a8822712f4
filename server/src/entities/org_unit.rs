use sea_orm::entity::prelude::*;
use zhibu_shared::org::{OrgKind, Sector};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_unit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub sector: Option<Sector>,
    pub parent_id: Option<i64>,
    pub created_at: DateTimeWithTimeZone,
    pub dissolved_at: Option<DateTimeWithTimeZone>,
}

impl ActiveModelBehavior for ActiveModel {}
