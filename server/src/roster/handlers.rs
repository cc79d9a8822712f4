//! `/admin/roster`: import (multipart CSV or XLSX) and export (XLSX).

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use zhibu_shared::classes::SensitiveExportRequest;
use zhibu_shared::error::ErrorBody;
use zhibu_shared::org::{ImportError, ImportReport};

use crate::access::Caller;
use crate::auth::AuthMember;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;
use crate::time::today;

/// The largest roster file accepted.
pub const MAX_ROSTER_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Validate and count only; write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Import a roster: multipart with one file field (CSV or XLSX).
#[utoipa::path(
    tag = "admin",
    params(ImportQuery),
    request_body(content_type = "multipart/form-data", description = "One file: CSV (UTF-8 or GBK) or XLSX"),
    responses(
        (status = 200, body = ImportReport, description = "Imported, or a dry run"),
        (status = 422, body = ImportReport, description = "Bad rows: nothing was imported"),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/roster")]
pub async fn import_roster(
    state: web::Data<AppState>,
    auth: AuthMember,
    query: Query<ImportQuery>,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    if !caller.has_any(crate::access::ADMINS) {
        return Err(ApiError::forbidden("只有组织部管理员可以导入名册"));
    }
    let file = crate::upload::one_file(payload, MAX_ROSTER_BYTES).await?;
    let sheet = match file {
        None => Err("请上传名册文件（CSV 或 XLSX）".to_owned()),
        Some((name, bytes)) => {
            let format = super::parse::Format::detect(name.as_deref(), &bytes);
            // Parsing is CPU work: off the async workers.
            web::block(move || super::parse::read(format, &bytes))
                .await
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("reading a roster: {e}")))?
        }
    };
    let sheet = match sheet {
        Ok(sheet) => sheet,
        Err(message) => {
            let mut report = ImportReport {
                errors: vec![ImportError {
                    row: 0,
                    field: "file".into(),
                    message,
                }],
                dry_run: true,
                ..Default::default()
            };
            described(&mut report);
            return Ok(HttpResponse::UnprocessableEntity().json(report));
        }
    };
    let conn = state.db.writer();
    let txn = sea_orm::TransactionTrait::begin(conn).await?;
    let mut report = super::import(
        &txn,
        Some(&caller),
        &sheet,
        query.dry_run,
        today(state.timezone),
    )
    .await?;
    if report.errors.is_empty() && !query.dry_run {
        crate::audit::record(
            &txn,
            Some(caller.member_id),
            "roster.import",
            "roster",
            "-",
            Some(format!(
                "{{\"created\":{},\"updated\":{},\"unchanged\":{}}}",
                report.created, report.updated, report.unchanged
            )),
        )
        .await?;
        // Units the roster created hold theme days from this month on.
        crate::scheduler::run(&txn, state.timezone).await?;
        txn.commit().await?;
    } else {
        txn.rollback().await?;
    }
    Ok(if report.errors.is_empty() {
        HttpResponse::Ok().json(report)
    } else {
        described(&mut report);
        HttpResponse::UnprocessableEntity().json(report)
    })
}

/// A refused roster answers like every API error too: a code, a message and
/// the fields at fault.
fn described(report: &mut ImportReport) {
    report.code = Some("invalid_roster".into());
    let mut fields = std::collections::BTreeMap::new();
    for e in &report.errors {
        let key = if e.row == 0 {
            e.field.clone()
        } else {
            format!("rows[{}].{}", e.row, e.field)
        };
        fields.entry(key).or_insert_with(|| e.message.clone());
    }
    report.fields = Some(fields);
    report.message = Some(match report.errors.as_slice() {
        [only] => only.message.clone(),
        errors => format!("名册有 {} 处错误，未导入任何内容", errors.len()),
    });
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    /// The unit whose subtree to export.
    pub org_id: i64,
}

/// Export a unit's roster as XLSX in the import's columns (admins).
#[utoipa::path(
    tag = "admin",
    params(ExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/admin/roster")]
pub async fn export_roster(
    state: web::Data<AppState>,
    auth: AuthMember,
    query: Query<ExportQuery>,
) -> ApiResult<HttpResponse> {
    let conn = state.db.reader();
    let caller = Caller::of(&auth);
    let rows = super::export::roster_rows(conn, Some(&caller), query.org_id, false).await?;
    xlsx(&rows)
}

fn xlsx(rows: &[[String; 7]]) -> ApiResult<HttpResponse> {
    let bytes = super::export::to_xlsx(rows)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"roster.xlsx\"",
        ))
        .body(bytes))
}

/// Export the roster with 困难 in the categories, for a reason that is
/// recorded in the audit trail (sensitive personal information, PIPL).
#[utoipa::path(
    tag = "admin",
    request_body = SensitiveExportRequest,
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
#[post("/admin/roster/sensitive-export")]
pub async fn sensitive_export(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<SensitiveExportRequest>,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    let reason = crate::governance::required_text("reason", Some(&body.reason), 200, "导出原因")?;
    let rows =
        super::export::roster_rows(state.db.reader(), Some(&caller), body.org_id, true).await?;
    crate::audit::record(
        state.db.writer(),
        Some(caller.member_id),
        "roster.sensitive_export",
        "org_unit",
        &body.org_id.to_string(),
        Some(serde_json::json!({"reason": reason, "rows": rows.len()}).to_string()),
    )
    .await?;
    xlsx(&rows)
}
