//! Communities (社区): where in-office members report and volunteer. The
//! county's admins create them under a township or street, name them, give
//! their address and link their own Party organisation, on which their
//! community admin (社区书记) holds the role.

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, FromQueryResult};
use zhibu_shared::auth::IdName;
use zhibu_shared::org::{Community, CommunityPatch, NewCommunity, OrgKind, Role};

use super::tree;
use crate::access::{ADMINS, Caller};
use crate::entities::{community, org_unit};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

/// Who may see a community's record: its admins and those above it.
const COMMUNITY_READERS: &[Role] = &[
    Role::Admin,
    Role::CommunityAdmin,
    Role::Secretary,
    Role::OrgOfficer,
];

/// The longest address kept, in characters.
const MAX_ADDRESS_CHARS: usize = 100;

/// The most communities one search answers.
const SEARCH_LIMIT: i64 = 50;

fn checked_name(name: &str) -> ApiResult<String> {
    match tree::name_problem(name) {
        Some(problem) => Err(ApiError::invalid("name", problem)),
        None => Ok(name.trim().to_owned()),
    }
}

/// A trimmed address, `None` when empty.
fn checked_address(address: Option<&str>) -> ApiResult<Option<String>> {
    let address = address.map(str::trim).filter(|a| !a.is_empty());
    if address.is_some_and(|a| a.chars().count() > MAX_ADDRESS_CHARS) {
        return Err(ApiError::invalid(
            "address",
            format!("地址不能超过 {MAX_ADDRESS_CHARS} 个字"),
        ));
    }
    Ok(address.map(str::to_owned))
}

#[derive(FromQueryResult)]
struct CommunityRow {
    id: i64,
    name: String,
    address: Option<String>,
    parent_id: i64,
    parent_name: String,
    org_id: Option<i64>,
    org_name: Option<String>,
}

const SELECT: &str = "SELECT c.id, c.name, c.address, p.id AS parent_id, p.name AS parent_name, \
     u.id AS org_id, u.name AS org_name \
     FROM community c JOIN org_unit p ON p.id = c.parent_org_id \
     LEFT JOIN org_unit u ON u.id = c.org_id";

impl From<CommunityRow> for Community {
    fn from(r: CommunityRow) -> Community {
        Community {
            id: r.id,
            name: r.name,
            parent: IdName {
                id: r.parent_id,
                name: r.parent_name,
            },
            address: r.address,
            org: r
                .org_id
                .zip(r.org_name)
                .map(|(id, name)| IdName { id, name }),
        }
    }
}

async fn view(conn: &impl ConnectionTrait, id: i64) -> ApiResult<Community> {
    sql::fetch_one::<CommunityRow>(conn, &format!("{SELECT} WHERE c.id = $1"), [id.into()])
        .await?
        .map(Community::from)
        .ok_or(ApiError::NotFound)
}

/// `GET /communities?q=&street_id=`: communities whose name contains `q`,
/// optionally of one township or street, by name.
pub async fn search(
    conn: &impl ConnectionTrait,
    q: &str,
    street_id: Option<i64>,
) -> ApiResult<Vec<Community>> {
    let q = q.trim();
    if q.chars().count() > tree::MAX_NAME_CHARS {
        return Err(ApiError::invalid("q", "搜索词过长"));
    }
    let pattern = sql::contains_pattern(q);
    let rows = match street_id {
        Some(street) => {
            sql::fetch_all::<CommunityRow>(
                conn,
                &format!(
                    "{SELECT} WHERE c.name LIKE $1 ESCAPE '\\' AND c.parent_org_id = $2 \
                     ORDER BY c.name, c.id LIMIT $3"
                ),
                [pattern.into(), street.into(), SEARCH_LIMIT.into()],
            )
            .await?
        }
        None => {
            sql::fetch_all::<CommunityRow>(
                conn,
                &format!(
                    "{SELECT} WHERE c.name LIKE $1 ESCAPE '\\' ORDER BY c.name, c.id LIMIT $2"
                ),
                [pattern.into(), SEARCH_LIMIT.into()],
            )
            .await?
        }
    };
    Ok(rows.into_iter().map(Community::from).collect())
}

async fn name_free(
    conn: &impl ConnectionTrait,
    street: i64,
    name: &str,
    except: Option<i64>,
) -> ApiResult<()> {
    if find_in_street(conn, street, name)
        .await?
        .is_some_and(|id| Some(id) != except)
    {
        return Err(ApiError::conflict(
            "name_taken",
            "该街道（乡镇）下已有同名社区",
        ));
    }
    Ok(())
}

/// The community of that name under a township or street.
pub async fn find_in_street(
    conn: &impl ConnectionTrait,
    street: i64,
    name: &str,
) -> ApiResult<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    Ok(sql::fetch_one::<Id>(
        conn,
        "SELECT id FROM community WHERE parent_org_id = $1 AND name = $2",
        [street.into(), name.into()],
    )
    .await?
    .map(|r| r.id))
}

/// The kinds of unit (streets and townships) communities are set up under.
pub const STREET_KINDS: [OrgKind; 2] = [OrgKind::WorkingCommittee, OrgKind::PartyCommittee];

/// Whether communities may be set up under a unit of this kind.
pub fn holds_communities(kind: OrgKind) -> bool {
    STREET_KINDS.contains(&kind)
}

/// Inserts a community under a street, audited. The caller has checked
/// the name, the street and the permission.
pub async fn insert(
    conn: &impl ConnectionTrait,
    actor: Option<i64>,
    street: i64,
    name: &str,
    address: Option<String>,
) -> ApiResult<i64> {
    let created = community::Entity::insert(community::ActiveModel {
        name: Set(name.to_owned()),
        parent_org_id: Set(street),
        org_id: Set(None),
        address: Set(address),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await?;
    crate::audit::record(
        conn,
        actor,
        "community.create",
        "community",
        &created.id.to_string(),
        Some(serde_json::json!({"name": name, "street_org_id": street}).to_string()),
    )
    .await?;
    Ok(created.id)
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
        .filter(|s| s.dissolved_at.is_none())
        .ok_or(ApiError::NotFound)?;
    if !holds_communities(street.kind) {
        return Err(ApiError::invalid(
            "street_org_id",
            "社区须建在街道党工委或乡镇党委之下",
        ));
    }
    let name = checked_name(&req.name)?;
    let address = checked_address(req.address.as_deref())?;
    name_free(conn, street.id, &name, None).await?;
    let id = insert(conn, Some(caller.member_id), street.id, &name, address).await?;
    view(conn, id).await
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
        .require(conn, roles, crate::volunteer::community::community_unit(&c))
        .await?;
    Ok(c)
}

/// `GET /communities/{id}`.
pub async fn get(conn: &impl ConnectionTrait, caller: &Caller, id: i64) -> ApiResult<Community> {
    let c = readable(conn, caller, id, COMMUNITY_READERS).await?;
    view(conn, c.id).await
}

/// `PATCH /communities/{id}`: admins over the street rename it, set its
/// address and link its own Party organisation (a live unit below the
/// street).
pub async fn update(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    patch: &CommunityPatch,
) -> ApiResult<Community> {
    let c = readable(conn, caller, id, COMMUNITY_READERS).await?;
    caller.require(conn, ADMINS, c.parent_org_id).await?;
    let mut changed = community::ActiveModel {
        id: Set(c.id),
        ..Default::default()
    };
    if let Some(name) = &patch.name {
        let name = checked_name(name)?;
        name_free(conn, c.parent_org_id, &name, Some(c.id)).await?;
        changed.name = Set(name);
    }
    if let Some(address) = &patch.address {
        changed.address = Set(checked_address(Some(address))?);
    }
    if let Some(org_id) = patch.org_id {
        let unit = org_unit::Entity::find_by_id(org_id)
            .one(conn)
            .await?
            .filter(|u| u.dissolved_at.is_none());
        let below_street = match &unit {
            Some(u) => {
                u.id != c.parent_org_id && tree::is_within(conn, c.parent_org_id, u.id).await?
            }
            None => false,
        };
        if !below_street {
            return Err(ApiError::invalid(
                "org_id",
                "社区党组织须是该街道（乡镇）下的组织",
            ));
        }
        changed.org_id = Set(Some(org_id));
    }
    if patch == &CommunityPatch::default() {
        return Err(ApiError::invalid("name", "没有要修改的内容"));
    }
    community::Entity::update(changed).exec(conn).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "community.update",
        "community",
        &c.id.to_string(),
        Some(serde_json::to_string(patch).unwrap_or_default()),
    )
    .await?;
    view(conn, c.id).await
}
