use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member_branch_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub branch_id: i64,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

impl ActiveModelBehavior for ActiveModel {}
