//! The org tree, communities, members, roles, activation codes, the roster
//! and the audit trail.

use zhibu_shared::api::Page;
use zhibu_shared::audit::AuditEntry;
use zhibu_shared::auth::ActivationCode;
use zhibu_shared::member::{GrantId, GrantRole, MemberDetail, MemberPatch};
use zhibu_shared::org::{
    Community, CommunityPatch, ImportReport, MemberSummary, MoveOrg, NewCommunity, NewOrg, Org,
    Rename,
};

use super::{ApiError, download, enc, encode, get, page_query, patch, post, send, upload};

/// `GET /orgs/{id}`: a unit with its size and compliance issues.
pub async fn org(id: i64) -> Result<Org, ApiError> {
    get(&format!("/orgs/{id}")).await
}

/// `GET /orgs/{id}/children`: the unit's children in tree order.
pub async fn org_children(id: i64) -> Result<Vec<Org>, ApiError> {
    get(&format!("/orgs/{id}/children")).await
}

/// `GET /orgs/{id}/members?limit=&cursor=`: one page of the members below
/// the unit.
pub async fn org_members(
    id: i64,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<MemberSummary>, ApiError> {
    get(&format!("/orgs/{id}/members?{}", page_query(limit, cursor))).await
}

/// `GET /orgs?q=`: units in the caller's subtrees by name.
pub async fn search_orgs(q: &str) -> Result<Vec<Org>, ApiError> {
    get(&format!("/orgs?q={}", enc(q))).await
}

/// `POST /orgs/{id}/children`: a new unit under `parent`.
pub async fn create_child_org(parent: i64, request: &NewOrg) -> Result<Org, ApiError> {
    post(&format!("/orgs/{parent}/children"), request).await
}

/// `PATCH /orgs/{id}`: a new name.
pub async fn rename_org(id: i64, request: &Rename) -> Result<Org, ApiError> {
    patch(&format!("/orgs/{id}"), request).await
}

/// `POST /orgs/{id}/move`: the unit and its subtree under another parent.
pub async fn move_org(id: i64, parent_id: i64) -> Result<Org, ApiError> {
    post(&format!("/orgs/{id}/move"), &MoveOrg { parent_id }).await
}

/// `POST /orgs/{id}/dissolve`: an empty unit, kept for its history.
pub async fn dissolve_org(id: i64) -> Result<Org, ApiError> {
    post(&format!("/orgs/{id}/dissolve"), &serde_json::json!({})).await
}

/// `GET /sectors`: the sector committees gig workers may join.
pub async fn sectors() -> Result<Vec<Org>, ApiError> {
    get("/sectors").await
}

/// `GET /communities?q=`: communities by name.
pub async fn search_communities(q: &str) -> Result<Vec<Community>, ApiError> {
    get(&format!("/communities?q={}", enc(q))).await
}

/// `GET /communities?street_id=`: the communities of a township or street.
pub async fn street_communities(street_id: i64) -> Result<Vec<Community>, ApiError> {
    get(&format!("/communities?street_id={street_id}")).await
}

/// `POST /communities`: a community under a township or street.
pub async fn create_community(request: &NewCommunity) -> Result<Community, ApiError> {
    post("/communities", request).await
}

/// `PATCH /communities/{id}`: name, address, own organisation.
pub async fn update_community(id: i64, request: &CommunityPatch) -> Result<Community, ApiError> {
    patch(&format!("/communities/{id}"), request).await
}

/// `GET /members/{id}`: the member page.
pub async fn member(id: i64) -> Result<MemberDetail, ApiError> {
    get(&format!("/members/{id}")).await
}

/// `PATCH /members/{id}`: categories, 转正, status.
pub async fn update_member(id: i64, request: &MemberPatch) -> Result<(), ApiError> {
    send("PATCH", &format!("/members/{id}"), Some(encode(request)?)).await
}

/// `POST /roles`: a role held on a unit.
pub async fn grant_role(request: &GrantRole) -> Result<GrantId, ApiError> {
    post("/roles", request).await
}

/// `DELETE /roles/{id}`.
pub async fn revoke_role(id: i64) -> Result<(), ApiError> {
    send("DELETE", &format!("/roles/{id}"), None).await
}

/// `POST /members/{id}/activation`: a one-time code for the member.
pub async fn issue_activation(member_id: i64) -> Result<ActivationCode, ApiError> {
    post(&format!("/members/{member_id}/activation"), &()).await
}

/// `POST /orgs/{id}/activation-sheet`: codes for everyone below the unit
/// who has never signed in.
pub async fn activation_sheet(org_id: i64) -> Result<Vec<ActivationCode>, ApiError> {
    post(&format!("/orgs/{org_id}/activation-sheet"), &()).await
}

/// `POST /admin/roster?dry_run=`: a roster file, checked only (`dry_run`) or
/// imported. A refused roster is an error whose `detail` is the report.
pub async fn upload_roster(file: &web_sys::File, dry_run: bool) -> Result<ImportReport, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Decode("FormData".into()))?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| ApiError::Decode("FormData".into()))?;
    upload(&format!("/admin/roster?dry_run={dry_run}"), form).await
}

/// `GET /admin/roster?org_id=`: the roster below the unit as XLSX.
pub async fn export_roster(org_id: i64) -> Result<web_sys::Blob, ApiError> {
    download(&format!("/admin/roster?org_id={org_id}")).await
}

/// `GET /audit?limit=&cursor=`: one page of the audit trail, newest first.
pub async fn audit_log(limit: u32, cursor: Option<&str>) -> Result<Page<AuditEntry>, ApiError> {
    get(&format!("/audit?{}", page_query(limit, cursor))).await
}
