//! `GET /audit`: the audit trail for admins.

use actix_web::{get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use zhibu_shared::api::Page;
use zhibu_shared::audit::AuditEntry;

use crate::access::Caller;
use crate::auth::AuthMember;
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::params::{Dates, Limit};
use crate::state::AppState;
use crate::time::today;

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditParams {
    /// The unit whose subtree to show; the caller's admin unit by default.
    pub org_id: Option<i64>,
    /// `YYYY-MM-DD`; 30 days before `to` by default.
    #[serde(default, deserialize_with = "crate::params::date")]
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// `YYYY-MM-DD`; today by default.
    #[serde(default, deserialize_with = "crate::params::date")]
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// 1 to 200; 50 by default.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<Limit>,
    pub cursor: Option<String>,
}

/// The audit trail of a unit's subtree, newest first (admins).
#[utoipa::path(tag = "admin", params(AuditParams), responses((status = 200, body = Page<AuditEntry>)), security(("bearer" = [])))]
#[get("/audit")]
pub async fn audit(
    state: web::Data<AppState>,
    auth: AuthMember,
    query: Query<AuditParams>,
) -> ApiResult<web::Json<Page<AuditEntry>>> {
    let caller = Caller::of(&auth);
    let org_id = match query.org_id {
        Some(id) => id,
        None => *caller
            .orgs_with(crate::access::ADMINS)
            .first()
            .ok_or_else(|| ApiError::forbidden("只有组织部管理员可以查看审计记录"))?,
    };
    let (from, to) = Dates {
        from: query.from,
        to: query.to,
    }
    .resolve(today(state.timezone), 30)?;
    let before = match query.cursor.as_deref() {
        None | Some("") => None,
        Some(cursor) => Some(
            cursor
                .parse::<i64>()
                .map_err(|_| ApiError::invalid("cursor", "翻页标记无效"))?,
        ),
    };
    let request = crate::audit::AuditQuery {
        org_id,
        from,
        to,
        limit: Limit::rows(query.limit),
        before,
    };
    Ok(web::Json(
        crate::audit::list(state.db.reader(), &caller, &request, state.timezone).await?,
    ))
}
