use sea_orm::entity::prelude::*;
use zhibu_shared::classes::DifficultyKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "difficulty_file")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: i64,
    pub kind: DifficultyKind,
    pub needs: String,
    pub since: Date,
    pub updated_by: i64,
    pub updated_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
