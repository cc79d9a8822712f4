//! Communities (社区): where in-office members report and volunteer. The
//! county's admins create them under a township or street and rename them.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use zhibu_shared::auth::IdName;
use zhibu_shared::org::{Community, NewCommunity, OrgKind, Role};

use super::tree;
use crate::access::{ADMINS, Caller};
use crate::entities::{community, org_unit};
use crate::error::{ApiError, ApiResult};
use crate::time::now;

/// Who may see a community's record: its admins and those above it.
const COMMUNITY_READERS: &[Role] = &[
    Role::Admin,
    Role::CommunityAdmin,
    Role::Secretary,
    Role::OrgOfficer,
];

fn checked_name(name: &str) -> ApiResult<String> {
    match tree::name_problem(name) {
        Some(problem) => Err(ApiError::invalid("name", problem)),
        None => Ok(name.trim().to_owned()),
    }
}

async fn view(conn: &impl ConnectionTrait, c: community::Model) -> ApiResult<Community> {
    let parent = org_unit::Entity::find_by_id(c.parent_org_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Community {
        id: c.id,
        name: c.name,
        parent: IdName {
            id: parent.id,
            name: parent.name,
        },
    })
}

async fn name_free(
    conn: &impl ConnectionTrait,
    street: i64,
    name: &str,
    except: Option<i64>,
) -> ApiResult<()> {
    let taken = community::Entity::find()
        .filter(community::Column::ParentOrgId.eq(street))
        .filter(community::Column::Name.eq(name))
        .one(conn)
        .await?
        .is_some_and(|c| Some(c.id) != except);
    if taken {
        return Err(ApiError::conflict(
            "name_taken",
            "该街道（乡镇）下已有同名社区",
        ));
    }
    Ok(())
}

/// `POST /communities`: admins over the township or street.
pub async fn create(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    req: &NewCommunity,
) -> ApiResult<Community> {
    caller.require(conn, ADMINS, req.street_org_id).await?;
    let street = org_unit::Entity::find_by_id(req.street_org_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !matches!(
        OrgKind::from_code(&street.kind),
        Some(OrgKind::WorkingCommittee | OrgKind::PartyCommittee)
    ) {
        return Err(ApiError::invalid(
            "street_org_id",
            "社区须建在街道党工委或乡镇党委之下",
        ));
    }
    let name = checked_name(&req.name)?;
    name_free(conn, street.id, &name, None).await?;
    let created = community::Entity::insert(community::ActiveModel {
        name: Set(name),
        parent_org_id: Set(street.id),
        org_id: Set(None),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "community.create",
        "community",
        &created.id.to_string(),
        None,
    )
    .await?;
    view(conn, created).await
}

/// The community if the caller may read it, else 404.
async fn readable(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    roles: &[Role],
) -> ApiResult<community::Model> {
    let c = community::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    caller
        .require(conn, roles, crate::service::community::community_unit(&c))
        .await?;
    Ok(c)
}

/// `GET /communities/{id}`.
pub async fn get(conn: &impl ConnectionTrait, caller: &Caller, id: i64) -> ApiResult<Community> {
    let c = readable(conn, caller, id, COMMUNITY_READERS).await?;
    view(conn, c).await
}

/// `PATCH /communities/{id}`: admins above the community rename it.
pub async fn rename(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    name: &str,
) -> ApiResult<Community> {
    let c = readable(conn, caller, id, ADMINS).await?;
    let name = checked_name(name)?;
    name_free(conn, c.parent_org_id, &name, Some(c.id)).await?;
    community::Entity::update_many()
        .col_expr(
            community::Column::Name,
            sea_orm::sea_query::Expr::value(name.clone()),
        )
        .filter(community::Column::Id.eq(c.id))
        .exec(conn)
        .await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "community.rename",
        "community",
        &c.id.to_string(),
        Some(serde_json::json!({"name": name}).to_string()),
    )
    .await?;
    view(conn, community::Model { name, ..c }).await
}
