use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub owner_type: Option<String>,
    pub owner_id: Option<String>,
    pub name: String,
    pub content_type: String,
    pub bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: i64,
    pub created_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
