//! Member classes: posts for members without jobs, floating members and
//! their contacts, files of members in difficulty, 党员中心户, and what a
//! member's own classes mean for them.

use zhibu_shared::classes::{
    CenterHousehold, CenterHouseholdRequest, ContactPersonRequest, ContactRequest, DifficultyFile,
    DifficultyRequest, FloatingMember, HolderRequest, MyClasses, Post, PostRequest, ReturnRequest,
    WhereaboutsRequest,
};

use super::{ApiError, get, post, put, send};

/// `GET /me/classes`: my posts, my whereabouts and contact person, the
/// households I serve.
pub async fn my_classes() -> Result<MyClasses, ApiError> {
    get("/me/classes").await
}

/// `PUT /me/whereabouts`: where I am now (floating members).
pub async fn update_whereabouts(request: &WhereaboutsRequest) -> Result<FloatingMember, ApiError> {
    put("/me/whereabouts", request).await
}

/// `GET /orgs/{id}/posts`: the branch's posts with holders and this
/// quarter's service.
pub async fn org_posts(org_id: i64) -> Result<Vec<Post>, ApiError> {
    get(&format!("/orgs/{org_id}/posts")).await
}

/// `POST /orgs/{id}/posts`: a new post.
pub async fn create_post(org_id: i64, request: &PostRequest) -> Result<Post, ApiError> {
    post(&format!("/orgs/{org_id}/posts"), request).await
}

/// `POST /posts/{id}/retire`: a post no longer kept.
pub async fn retire_post(post_id: i64) -> Result<(), ApiError> {
    send(
        "POST",
        &format!("/posts/{post_id}/retire"),
        Some("{}".into()),
    )
    .await
}

/// `POST /posts/{id}/holders`: a member takes the post.
pub async fn assign_post(post_id: i64, member_id: i64) -> Result<Post, ApiError> {
    post(
        &format!("/posts/{post_id}/holders"),
        &HolderRequest { member_id },
    )
    .await
}

/// `DELETE /posts/{id}/holders/{member}`: a member leaves the post.
pub async fn unassign_post(post_id: i64, member_id: i64) -> Result<(), ApiError> {
    send(
        "DELETE",
        &format!("/posts/{post_id}/holders/{member_id}"),
        None,
    )
    .await
}

/// `GET /orgs/{id}/floating`: the floating members below the unit, with
/// who is overdue for a contact.
pub async fn org_floating(org_id: i64) -> Result<Vec<FloatingMember>, ApiError> {
    get(&format!("/orgs/{org_id}/floating")).await
}

/// `PUT /members/{id}/floating`: the one-to-one contact person.
pub async fn set_contact_person(
    member_id: i64,
    contact_member_id: i64,
) -> Result<FloatingMember, ApiError> {
    put(
        &format!("/members/{member_id}/floating"),
        &ContactPersonRequest { contact_member_id },
    )
    .await
}

/// `POST /members/{id}/contacts`: a contact made.
pub async fn record_contact(
    member_id: i64,
    request: &ContactRequest,
) -> Result<FloatingMember, ApiError> {
    post(&format!("/members/{member_id}/contacts"), request).await
}

/// `POST /members/{id}/return`: back home (归雁), optionally taking a post.
pub async fn mark_returned(
    member_id: i64,
    request: &ReturnRequest,
) -> Result<FloatingMember, ApiError> {
    post(&format!("/members/{member_id}/return"), request).await
}

/// `GET /orgs/{id}/difficulty`: the files of members in difficulty (the
/// secretary and those above only).
pub async fn org_difficulty(org_id: i64) -> Result<Vec<DifficultyFile>, ApiError> {
    get(&format!("/orgs/{org_id}/difficulty")).await
}

/// `PUT /members/{id}/difficulty`: opens or updates a file.
pub async fn put_difficulty(
    member_id: i64,
    request: &DifficultyRequest,
) -> Result<DifficultyFile, ApiError> {
    put(&format!("/members/{member_id}/difficulty"), request).await
}

/// `DELETE /members/{id}/difficulty`: the file closed.
pub async fn close_difficulty(member_id: i64) -> Result<(), ApiError> {
    send("DELETE", &format!("/members/{member_id}/difficulty"), None).await
}

/// `GET /orgs/{id}/center-households`: the 党员中心户 below the unit.
pub async fn org_center_households(org_id: i64) -> Result<Vec<CenterHousehold>, ApiError> {
    get(&format!("/orgs/{org_id}/center-households")).await
}

/// `PUT /members/{id}/center-household`: a 党员中心户 and their households.
pub async fn put_center_household(
    member_id: i64,
    request: &CenterHouseholdRequest,
) -> Result<CenterHousehold, ApiError> {
    put(&format!("/members/{member_id}/center-household"), request).await
}

/// `DELETE /members/{id}/center-household`.
pub async fn remove_center_household(member_id: i64) -> Result<(), ApiError> {
    send(
        "DELETE",
        &format!("/members/{member_id}/center-household"),
        None,
    )
    .await
}
