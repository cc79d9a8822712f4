use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "governance_tally")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub period: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub metric: String,
    pub n: i64,
}

impl ActiveModelBehavior for ActiveModel {}
