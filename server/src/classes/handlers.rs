//! Member-class routes: posts, floating members, difficulty files, remote
//! study, 党员中心户 and a member's own view. HTTP only.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use utoipa::IntoParams;
use zhibu_shared::checkin::{ReviewRequest, ReviewResult};
use zhibu_shared::classes::{
    CenterHousehold, CenterHouseholdRequest, ContactPersonRequest, ContactRequest, DifficultyFile,
    DifficultyRequest, FloatingMember, HolderRequest, MyClasses, Post, PostRequest, RemoteStudy,
    RemoteStudyRequest, ReturnRequest, WhereaboutsRequest,
};
use zhibu_shared::error::ErrorBody;

use super::{difficulty, floating, households, posts};
use crate::access::Caller;
use crate::auth::AuthMember;
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use crate::state::AppState;
use crate::time::{now, today};

/// The unit's posts for members without jobs, with this quarter's counts.
#[utoipa::path(tag = "classes", responses((status = 200, body = Vec<Post>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/posts")]
pub async fn list_posts(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Post>>> {
    Ok(web::Json(
        posts::list(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            today(state.timezone),
        )
        .await?,
    ))
}

#[utoipa::path(tag = "classes", request_body = PostRequest, responses((status = 201, body = Post), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/orgs/{id}/posts")]
pub async fn create_post(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<PostRequest>,
) -> ApiResult<HttpResponse> {
    let post = posts::create(
        state.db.writer(),
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(state.timezone),
    )
    .await?;
    Ok(HttpResponse::Created().json(post))
}

#[utoipa::path(tag = "classes", request_body = PostRequest, responses((status = 200, body = Post), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[patch("/posts/{id}")]
pub async fn update_post(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<PostRequest>,
) -> ApiResult<web::Json<Post>> {
    Ok(web::Json(
        posts::update(
            state.db.writer(),
            &Caller::of(&auth),
            id.into_inner(),
            &body,
            today(state.timezone),
        )
        .await?,
    ))
}

/// Retire a post (kept for history; its holders leave it).
#[utoipa::path(tag = "classes", responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/posts/{id}/retire")]
pub async fn retire_post(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let txn = state.db.writer().begin().await?;
    posts::retire(&txn, &Caller::of(&auth), id.into_inner()).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(tag = "classes", request_body = HolderRequest, responses((status = 200, body = Post), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/posts/{id}/holders")]
pub async fn assign(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<HolderRequest>,
) -> ApiResult<web::Json<Post>> {
    let txn = state.db.writer().begin().await?;
    let post = posts::assign(
        &txn,
        &Caller::of(&auth),
        id.into_inner(),
        body.member_id,
        today(state.timezone),
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(post))
}

#[utoipa::path(tag = "classes", responses((status = 200, body = Post), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[delete("/posts/{id}/holders/{member}")]
pub async fn unassign(
    state: web::Data<AppState>,
    auth: AuthMember,
    path: web::Path<(i64, i64)>,
) -> ApiResult<web::Json<Post>> {
    let (id, member) = path.into_inner();
    let txn = state.db.writer().begin().await?;
    let post = posts::unassign(&txn, &Caller::of(&auth), id, member, today(state.timezone)).await?;
    txn.commit().await?;
    Ok(web::Json(post))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DaysQuery {
    /// Days without a contact before a member shows as overdue; 60 by default.
    pub days: Option<i64>,
}

/// The unit's floating members, by name, with who is overdue for a contact.
#[utoipa::path(tag = "classes", params(DaysQuery), responses((status = 200, body = Vec<FloatingMember>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/floating")]
pub async fn list_floating(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    q: Query<DaysQuery>,
) -> ApiResult<web::Json<Vec<FloatingMember>>> {
    let tz = state.timezone;
    Ok(web::Json(
        floating::list(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            q.days.unwrap_or(floating::DEFAULT_DAYS),
            today(tz),
            tz,
        )
        .await?,
    ))
}

/// Name a floating member's one-to-one contact person (the branch).
#[utoipa::path(tag = "classes", request_body = ContactPersonRequest, responses((status = 200, body = FloatingMember), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[put("/members/{id}/floating")]
pub async fn set_contact(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<ContactPersonRequest>,
) -> ApiResult<web::Json<FloatingMember>> {
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let found = floating::set_contact(
        &txn,
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(tz),
        tz,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(found))
}

/// Record a contact with a floating member (their contact person or a manager).
#[utoipa::path(tag = "classes", request_body = ContactRequest, responses((status = 201, body = FloatingMember), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[post("/members/{id}/contacts")]
pub async fn record_contact(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<ContactRequest>,
) -> ApiResult<HttpResponse> {
    let tz = state.timezone;
    let found = floating::record_contact(
        state.db.writer(),
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(tz),
        tz,
    )
    .await?;
    Ok(HttpResponse::Created().json(found))
}

/// A floating member is back (归雁), optionally taking a post.
#[utoipa::path(tag = "classes", request_body = ReturnRequest, responses((status = 200, body = FloatingMember), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/members/{id}/return")]
pub async fn return_home(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<ReturnRequest>,
) -> ApiResult<web::Json<FloatingMember>> {
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let found = floating::return_home(
        &txn,
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(tz),
        tz,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(found))
}

/// Where I am now (floating members).
#[utoipa::path(tag = "classes", request_body = WhereaboutsRequest, responses((status = 200, body = FloatingMember), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[put("/me/whereabouts")]
pub async fn whereabouts(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<WhereaboutsRequest>,
) -> ApiResult<web::Json<FloatingMember>> {
    let tz = state.timezone;
    Ok(web::Json(
        floating::whereabouts(state.db.writer(), &Caller::of(&auth), &body, today(tz), tz).await?,
    ))
}

/// My post, my contact person and whereabouts, the households I serve.
#[utoipa::path(tag = "classes", responses((status = 200, body = MyClasses)), security(("bearer" = [])))]
#[get("/me/classes")]
pub async fn my_classes(
    state: web::Data<AppState>,
    auth: AuthMember,
) -> ApiResult<web::Json<MyClasses>> {
    let conn = state.db.reader();
    let tz = state.timezone;
    let today = today(tz);
    let categories = crate::members::categories_of(conn, auth.member_id).await?;
    let floating = if categories.contains(&zhibu_shared::org::MemberCategory::Floating) {
        Some(floating::one(conn, auth.member_id, today, floating::DEFAULT_DAYS, tz).await?)
    } else {
        None
    };
    Ok(web::Json(MyClasses {
        posts: posts::held_by(conn, auth.member_id, today).await?,
        floating,
        center_household: households::of_member(conn, auth.member_id).await?,
    }))
}

/// A member's difficulty file (the branch secretary and those above).
#[utoipa::path(tag = "classes", responses((status = 200, body = DifficultyFile), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/members/{id}/difficulty")]
pub async fn get_difficulty(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<DifficultyFile>> {
    let tz = state.timezone;
    Ok(web::Json(
        difficulty::get(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            today(tz),
            tz,
        )
        .await?,
    ))
}

#[utoipa::path(tag = "classes", request_body = DifficultyRequest, responses((status = 200, body = DifficultyFile), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[put("/members/{id}/difficulty")]
pub async fn put_difficulty(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<DifficultyRequest>,
) -> ApiResult<web::Json<DifficultyFile>> {
    let tz = state.timezone;
    let txn = state.db.writer().begin().await?;
    let file = difficulty::put(
        &txn,
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        today(tz),
        tz,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(file))
}

/// Close a difficulty file (the difficulty is over).
#[utoipa::path(tag = "classes", responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[delete("/members/{id}/difficulty")]
pub async fn close_difficulty(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let txn = state.db.writer().begin().await?;
    difficulty::close(&txn, &Caller::of(&auth), id.into_inner()).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The unit's difficulty files, by name, with this quarter's visits.
#[utoipa::path(tag = "classes", responses((status = 200, body = Vec<DifficultyFile>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/difficulty")]
pub async fn list_difficulty(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<DifficultyFile>>> {
    let tz = state.timezone;
    Ok(web::Json(
        difficulty::list(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            today(tz),
            tz,
        )
        .await?,
    ))
}

/// I did the theme day's study item from afar (floating members).
#[utoipa::path(tag = "classes", request_body = RemoteStudyRequest, responses((status = 201, body = RemoteStudy), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/theme-days/{id}/remote-study")]
pub async fn request_remote_study(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<RemoteStudyRequest>,
) -> ApiResult<HttpResponse> {
    let study = floating::request_remote_study(
        state.db.writer(),
        &Caller::of(&auth),
        id.into_inner(),
        &body,
        now(),
        state.timezone,
    )
    .await?;
    Ok(HttpResponse::Created().json(study))
}

#[utoipa::path(tag = "classes", responses((status = 200, body = Vec<RemoteStudy>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/theme-days/{id}/remote-studies")]
pub async fn list_remote_studies(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<RemoteStudy>>> {
    Ok(web::Json(
        floating::list_remote(
            state.db.reader(),
            &Caller::of(&auth),
            id.into_inner(),
            state.timezone,
        )
        .await?,
    ))
}

/// Approve or reject remote studies (the day's managers).
#[utoipa::path(tag = "classes", request_body = ReviewRequest<i64>, responses((status = 200, body = ReviewResult<i64>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[post("/remote-studies/review")]
pub async fn review_remote_studies(
    state: web::Data<AppState>,
    auth: AuthMember,
    body: Json<ReviewRequest<i64>>,
) -> ApiResult<web::Json<ReviewResult<i64>>> {
    let txn = state.db.writer().begin().await?;
    let result = floating::review_remote(
        &txn,
        &Caller::of(&auth),
        &body.ids,
        body.decision,
        body.reason.as_deref(),
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(result))
}

/// Designate a 党员中心户 and the households they serve.
#[utoipa::path(tag = "classes", request_body = CenterHouseholdRequest, responses((status = 200, body = CenterHousehold), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
#[put("/members/{id}/center-household")]
pub async fn put_household(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
    body: Json<CenterHouseholdRequest>,
) -> ApiResult<web::Json<CenterHousehold>> {
    let txn = state.db.writer().begin().await?;
    let found = households::put(&txn, &Caller::of(&auth), id.into_inner(), &body).await?;
    txn.commit().await?;
    Ok(web::Json(found))
}

#[utoipa::path(tag = "classes", responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[delete("/members/{id}/center-household")]
pub async fn remove_household(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    households::remove(state.db.writer(), &Caller::of(&auth), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(tag = "classes", responses((status = 200, body = Vec<CenterHousehold>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
#[get("/orgs/{id}/center-households")]
pub async fn list_households(
    state: web::Data<AppState>,
    auth: AuthMember,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<CenterHousehold>>> {
    Ok(web::Json(
        households::list(state.db.reader(), &Caller::of(&auth), id.into_inner()).await?,
    ))
}
