use sea_orm::entity::prelude::*;
use zhibu_shared::governance::{Grade, RecordKind};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub inspection_id: i64,
    pub org_id: i64,
    pub record_kind: RecordKind,
    pub record_id: Option<String>,
    pub grade: Option<Grade>,
    pub note: Option<String>,
    pub graded_by: Option<i64>,
    pub graded_at: Option<DateTimeWithTimeZone>,
}

impl ActiveModelBehavior for ActiveModel {}
