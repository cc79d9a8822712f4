use sea_orm::entity::prelude::*;
use zhibu_shared::volunteer::LogStatus;
use zhibu_shared::volunteer::ServiceKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub member_id: i64,
    pub kind: ServiceKind,
    pub date: Date,
    pub month: String,
    pub minutes: i32,
    pub start_minute: Option<i16>,
    pub community_id: Option<i64>,
    pub org_id: Option<i64>,
    pub branch_id: i64,
    pub note: Option<String>,
    pub status: LogStatus,
    pub request_hash: String,
    pub corrects_id: Option<String>,
    /// The post (设岗定责) the service was done in.
    pub post_id: Option<i64>,
    /// The member (or household's member) helped, for 帮扶.
    pub helped_member_id: Option<i64>,
    pub reason: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeWithTimeZone>,
    pub created_at: DateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
