use sea_orm::entity::prelude::*;
use zhibu_shared::org::Role;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_grant")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub role: Role,
    pub org_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
