use sea_orm::entity::prelude::*;
use zhibu_shared::checkin::PaymentMethod;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dues_payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub month: String,
    pub amount_fen: i64,
    pub method: PaymentMethod,
    pub standard_fen: Option<i64>,
    pub theme_day_id: Option<i64>,
    pub recorded_by: i64,
    pub at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
