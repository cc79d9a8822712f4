use sea_orm::entity::prelude::*;
use zhibu_shared::org::MemberCategory;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member_category")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: MemberCategory,
}

impl ActiveModelBehavior for ActiveModel {}
