use sea_orm::entity::prelude::*;
use zhibu_shared::governance::DecisionStep;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decision_step")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub decision_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub step: DecisionStep,
    pub done_on: Date,
    pub note: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
