use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_failure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub phone: String,
    pub ip: String,
    pub at: DateTimeWithTimeZone,
    /// Settled as a failure (an attempt in flight is not yet).
    pub failed: bool,
}

impl ActiveModelBehavior for ActiveModel {}
