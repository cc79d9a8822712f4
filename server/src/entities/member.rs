use sea_orm::entity::prelude::*;
use zhibu_shared::org::MemberStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub password_hash: Option<String>,
    pub branch_id: i64,
    pub employer: Option<String>,
    pub community_id: Option<i64>,
    pub joined_party_on: Option<Date>,
    pub probationary: bool,
    pub formal_on: Option<Date>,
    pub status: MemberStatus,
    pub disabled_at: Option<DateTimeWithTimeZone>,
    pub created_at: DateTimeWithTimeZone,
    pub updated_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
