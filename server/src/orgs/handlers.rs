//! `/orgs`, `/sectors`, `/communities`, `/roles`.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use zhibu_shared::api::Page;
use zhibu_shared::error::ErrorBody;
use zhibu_shared::member::{GrantId, GrantRole};
use zhibu_shared::org::{
    Community, CommunityPatch, MemberSummary, MoveOrg, NewCommunity, NewOrg, Org, Rename,
};

use crate::access::Caller;
use crate::auth::AuthMember;
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use crate::params::Limit;
use crate::state::AppState;

/// One unit with its member count and the rules it breaks.
#[utoipa::path(tag = "orgs", responses((status = 200, body = Org), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}")]
pub async fn get_org(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Org>> {
    let conn = state.db.reader();
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::get_org(conn, &caller, id.into_inner()).await?,
    ))
}

/// The units directly below one.
#[utoipa::path(tag = "orgs", responses((status = 200, body = Vec<Org>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/children")]
pub async fn children(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Org>>> {
    let conn = state.db.reader();
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::children(conn, &caller, id.into_inner()).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// 1 to 200; 50 by default.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<Limit>,
    pub cursor: Option<String>,
}

/// Members of the unit's whole subtree (phones masked unless admin).
#[utoipa::path(
    tag = "orgs",
    params(PageQuery),
    responses((status = 200, body = Page<MemberSummary>), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/orgs/{id}/members")]
pub async fn members(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    query: Query<PageQuery>,
) -> ApiResult<web::Json<Page<MemberSummary>>> {
    let conn = state.db.reader();
    let caller = Caller::of(&auth);
    let page = super::members(
        conn,
        &caller,
        id.into_inner(),
        Some(Limit::rows(query.limit)),
        query.cursor.as_deref(),
    )
    .await?;
    Ok(web::Json(page))
}

/// Move a unit and its subtree under another parent (admins).
#[utoipa::path(tag = "orgs", request_body = MoveOrg, responses((status = 200, body = Org), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/orgs/{id}/move")]
pub async fn move_org(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<MoveOrg>,
) -> ApiResult<web::Json<Org>> {
    let conn = state.db.writer();
    let caller = Caller::of(&auth);
    let txn = sea_orm::TransactionTrait::begin(conn).await?;
    let org = super::manage::move_org(&txn, &caller, id.into_inner(), body.parent_id).await?;
    txn.commit().await?;
    Ok(web::Json(org))
}

/// The sector committees a gig worker can join.
#[utoipa::path(tag = "orgs", responses((status = 200, body = Vec<Org>)), security(("bearer" = [])))]
#[get("/sectors")]
pub async fn sectors(
    state: web::Data<AppState>,
    _auth: AuthMember,
) -> ApiResult<web::Json<Vec<Org>>> {
    Ok(web::Json(
        super::sector_committees(state.db.reader()).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CommunityQuery {
    /// Part of the community's name.
    #[serde(default)]
    pub q: String,
    /// Only the communities of this township or street.
    pub street_id: Option<i64>,
}

/// Communities matching a name.
#[utoipa::path(tag = "orgs", params(CommunityQuery), responses((status = 200, body = Vec<Community>)), security(("bearer" = [])))]
#[get("/communities")]
pub async fn communities(
    state: web::Data<AppState>,
    _auth: AuthMember,
    query: Query<CommunityQuery>,
) -> ApiResult<web::Json<Vec<Community>>> {
    Ok(web::Json(
        super::communities::search(state.db.reader(), &query.q, query.street_id).await?,
    ))
}

/// Create a unit under this one (admins or secretaries of it); the kind
/// must fit under this unit's.
#[utoipa::path(tag = "orgs", request_body = NewOrg, responses((status = 201, body = Org), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/orgs/{id}/children")]
pub async fn create_child(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<NewOrg>,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    let org =
        super::manage::create_child(&txn, &caller, id.into_inner(), &body, state.timezone).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(org))
}

/// Rename a unit (admins or secretaries of it).
#[utoipa::path(tag = "orgs", request_body = Rename, responses((status = 200, body = Org), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[patch("/orgs/{id}")]
pub async fn rename_org(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<Rename>,
) -> ApiResult<web::Json<Org>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::manage::rename(state.db.writer(), &caller, id.into_inner(), &body.name).await?,
    ))
}

/// Create a community under a township or street (admins over it).
#[utoipa::path(tag = "orgs", request_body = NewCommunity, responses((status = 201, body = Community), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/communities")]
pub async fn create_community(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<NewCommunity>,
) -> ApiResult<HttpResponse> {
    let caller = Caller::of(&auth);
    let created = super::communities::create(state.db.writer(), &caller, &body).await?;
    Ok(HttpResponse::Created().json(created))
}

/// One community (its admins and those above it).
#[utoipa::path(tag = "orgs", responses((status = 200, body = Community)), security(("bearer" = [])))]
#[get("/communities/{id}")]
pub async fn get_community(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Community>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::communities::get(state.db.reader(), &caller, id.into_inner()).await?,
    ))
}

/// Rename a community, set its address or link its own Party
/// organisation (admins over its street).
#[utoipa::path(tag = "orgs", request_body = CommunityPatch, responses((status = 200, body = Community), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[patch("/communities/{id}")]
pub async fn update_community(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<CommunityPatch>,
) -> ApiResult<web::Json<Community>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::communities::update(state.db.writer(), &caller, id.into_inner(), &body).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OrgQuery {
    /// Part of the unit's name.
    #[serde(default)]
    pub q: String,
}

/// Live units in the caller's subtrees whose name contains `q`.
#[utoipa::path(tag = "orgs", params(OrgQuery), responses((status = 200, body = Vec<Org>)), security(("bearer" = [])))]
#[get("/orgs")]
pub async fn search_orgs(
    state: web::Data<AppState>,
    auth: AuthMember,
    query: Query<OrgQuery>,
) -> ApiResult<web::Json<Vec<Org>>> {
    let caller = Caller::of(&auth);
    Ok(web::Json(
        super::search(state.db.reader(), &caller, &query.q).await?,
    ))
}

/// Dissolve an empty unit (admins or secretaries of its parent); it is
/// kept for its history.
#[utoipa::path(tag = "orgs", responses((status = 200, body = Org), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The unit still has members, units or communities")), security(("bearer" = [])))]
#[post("/orgs/{id}/dissolve")]
pub async fn dissolve_org(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Org>> {
    let caller = Caller::of(&auth);
    let txn = sea_orm::TransactionTrait::begin(state.db.writer()).await?;
    let org = super::manage::dissolve(&txn, &caller, id.into_inner()).await?;
    txn.commit().await?;
    Ok(web::Json(org))
}

/// Grant a role on a unit (admins over the unit).
#[utoipa::path(tag = "orgs", request_body = GrantRole, responses((status = 201, body = GrantId), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The unit was dissolved"), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/roles")]
pub async fn grant_role(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<GrantRole>,
) -> ApiResult<HttpResponse> {
    let conn = state.db.writer();
    let caller = Caller::of(&auth);
    let id =
        super::roles::grant_role(conn, &caller, body.member_id, body.role, body.org_id).await?;
    Ok(HttpResponse::Created().json(GrantId { id }))
}

/// Revoke a role grant (admins over its unit).
#[utoipa::path(tag = "orgs", responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[delete("/roles/{id}")]
pub async fn revoke_role(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let conn = state.db.writer();
    let caller = Caller::of(&auth);
    super::roles::revoke_role(conn, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
