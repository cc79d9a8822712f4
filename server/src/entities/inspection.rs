use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub scope_org_id: i64,
    pub inspector_org_id: i64,
    pub month: String,
    pub seed: i64,
    pub sample_size: i32,
    /// Record kinds, comma-separated codes.
    pub record_kinds: String,
    pub rotation: bool,
    pub created_by: i64,
    pub created_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
