//! The audit trail on the wire (`GET /audit`).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::auth::IdName;

/// One thing someone did: an approval, a role change, an activation, an
/// import, a status change. Kept, never edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: DateTime<FixedOffset>,
    /// Who did it; absent for the command line (`zhibu init`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<IdName>,
    /// What was done, e.g. `member.activation`, `service_log.review`.
    pub action: String,
    /// To what: a table name and the row's id.
    pub object_type: String,
    pub object_id: String,
    /// The decision's details as JSON (new status, reason, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The actions the app names in Chinese; others show their code.
pub fn action_zh(action: &str) -> Option<&'static str> {
    Some(match action {
        "county.init" => "初始化县委",
        "member.activate" => "激活账号",
        "member.activation" => "发放激活码",
        "member.activation_sheet" => "打印激活码清单",
        "member.disable" => "停用账号",
        "member.enable" => "启用账号",
        "member.status" => "变更党员状态",
        "member.update" => "修改党员信息",
        "role.grant" => "授予职务",
        "role.revoke" => "撤销职务",
        "roster.import" => "导入名册",
        "org.move" => "调整组织隶属",
        "community.create" => "新建社区",
        "community.rename" => "社区更名",
        "community.update" => "修改社区",
        "org.create" => "新建组织",
        "org.rename" => "组织更名",
        "org.dissolve" => "撤销组织",
        "checkin.review" => "审核签到",
        "checkin.wrong_code" => "签到码输错",
        "makeup.review" => "审核补课",
        "service_log.review" => "审核服务记录",
        "community_report.review" => "审核社区报到",
        "sector_membership.review" => "审核加入行业党委",
        "theme_day.update" => "修改主题党日",
        "checkin.roll_call" => "点名签到",
        "checkin.roll_call_approve" => "点名确认签到",
        "dues.record" => "收缴党费",
        _ => return None,
    })
}
