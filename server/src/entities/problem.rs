use sea_orm::entity::prelude::*;
use zhibu_shared::governance::{ProblemSource, ProblemStatus};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "problem")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub source: ProblemSource,
    pub inspection_id: Option<i64>,
    pub item_id: Option<i64>,
    pub description: String,
    pub deadline: Date,
    pub status: ProblemStatus,
    /// The unit whose managers accept or reopen its rectification.
    pub reviewer_org_id: i64,
    pub raised_by: i64,
    pub raised_at: DateTimeWithTimeZone,
    /// The quarter it was raised in, `YYYY-Qn`, for the overview.
    pub quarter: String,
    pub rectification_note: Option<String>,
    pub rectified_by: Option<i64>,
    pub rectified_at: Option<DateTimeWithTimeZone>,
    pub reopen_reason: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeWithTimeZone>,
}

impl ActiveModelBehavior for ActiveModel {}
