//! `/members/{id}/…`: what secretaries, org officers and admins do to the
//! members they manage.

use actix_web::{HttpResponse, get, patch, post, web};
use zhibu_shared::auth::ActivationCode;
use zhibu_shared::error::ErrorBody;
use zhibu_shared::member::{MemberDetail, MemberPatch};

use crate::access::Caller;
use crate::auth::AuthMember;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::state::AppState;

/// Stop a member's logins and end their sessions.
#[utoipa::path(tag = "members", responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/members/{id}/disable")]
pub async fn disable(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let conn = state.db.writer();
    let caller = Caller::of(&auth);
    super::set_disabled(conn, &caller, id.into_inner(), true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Allow a disabled member to log in again.
#[utoipa::path(tag = "members", responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/members/{id}/enable")]
pub async fn enable(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let conn = state.db.writer();
    let caller = Caller::of(&auth);
    super::set_disabled(conn, &caller, id.into_inner(), false).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Issue a one-time activation code (72 h) for a member who has never
/// signed in or forgot their password; any earlier unused code stops working.
#[utoipa::path(tag = "members", responses((status = 201, body = ActivationCode), (status = 403, body = ErrorBody, description = "The member holds a role the caller does not cover, or is the caller"), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/members/{id}/activation")]
pub async fn issue_activation(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    let code = super::issue_activation(state.db.writer(), &caller, id.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(code))
}

/// Issue activation codes for every member below a unit who has never
/// signed in, ordered by name, for a printed sheet.
#[utoipa::path(tag = "members", responses((status = 201, body = Vec<ActivationCode>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/orgs/{id}/activation-sheet")]
pub async fn activation_sheet(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    let sheet = super::activation_sheet(&txn, &caller, id.into_inner()).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(sheet))
}

/// The member page, for the member's managers.
#[utoipa::path(tag = "members", responses((status = 200, body = MemberDetail), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/members/{id}")]
pub async fn detail(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<MemberDetail>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::record::detail(state.db.reader(), &caller, id.into_inner()).await?,
    ))
}

/// Change a member's categories, record 转正, or record that they
/// transferred out or died (members are never deleted).
#[utoipa::path(tag = "members", request_body = MemberPatch, responses((status = 204), (status = 403, body = ErrorBody, description = "The member holds a role the caller does not cover, or is the caller"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[patch("/members/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<MemberPatch>,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    let today = crate::time::today(state.timezone);
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    super::record::update(&txn, &caller, id.into_inner(), &body, today).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
