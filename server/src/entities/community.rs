use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "community")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub parent_org_id: i64,
    pub org_id: Option<i64>,
    pub created_at: DateTimeWithTimeZone,
    pub address: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
