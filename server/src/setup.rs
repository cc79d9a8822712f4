//! Setting up a real county: `zhibu init` creates the root unit and the
//! first admin, who then signs in with a one-time activation code and does
//! everything else in the PWA.

use chrono::{DateTime, FixedOffset};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use zhibu_shared::org::{MemberStatus, OrgKind, Role};
use zhibu_shared::phone::Phone;

use crate::entities::{member, role_grant};
use crate::error::{ApiError, ApiResult};
use crate::orgs::tree;

/// What `zhibu init` made.
#[derive(Debug)]
pub struct Initialised {
    pub county_id: i64,
    pub admin_id: i64,
    pub activation_code: String,
    pub expires_at: DateTime<FixedOffset>,
}

/// Creates the county and its first admin on a database without a county;
/// changes nothing (409) when one exists. Run it inside a transaction.
pub async fn init_county(
    conn: &impl ConnectionTrait,
    county: &str,
    admin_name: &str,
    admin_phone: &str,
    now: DateTime<FixedOffset>,
) -> ApiResult<Initialised> {
    let county = county.trim();
    let admin_name = admin_name.trim();
    if tree::find_root(conn).await?.is_some() {
        return Err(ApiError::conflict(
            "county_exists",
            "数据库中已有县委，未做任何更改",
        ));
    }
    if let Some(problem) = tree::path_problem(&[county]) {
        return Err(ApiError::invalid("county", problem));
    }
    if OrgKind::infer_from_name(county) != Some(OrgKind::CountyCommittee) {
        return Err(ApiError::invalid(
            "county",
            "县委名称须以“县委”结尾，如“东明县委”",
        ));
    }
    if admin_name.is_empty() || admin_name.chars().count() > tree::MAX_NAME_CHARS {
        return Err(ApiError::invalid(
            "admin_name",
            format!("姓名不能为空，且不超过 {} 个字", tree::MAX_NAME_CHARS),
        ));
    }
    let phone =
        Phone::parse(admin_phone).map_err(|e| ApiError::invalid("admin_phone", e.to_string()))?;
    let root = tree::create_org(conn, county, OrgKind::CountyCommittee, None, None).await?;
    let admin = member::Entity::insert(member::ActiveModel {
        name: Set(admin_name.to_owned()),
        phone: Set(phone.as_str().to_owned()),
        password_hash: Set(None),
        branch_id: Set(root.id),
        employer: Set(None),
        community_id: Set(None),
        joined_party_on: Set(None),
        probationary: Set(false),
        status: Set(MemberStatus::Active),
        disabled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?
    .last_insert_id;
    crate::members::record_branch_start(conn, admin, root.id, now.date_naive()).await?;
    role_grant::Entity::insert(role_grant::ActiveModel {
        member_id: Set(admin),
        role: Set(Role::Admin),
        org_id: Set(root.id),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    let (activation_code, expires_at) =
        crate::auth::activation::issue(conn, admin, None, now).await?;
    crate::audit::record(
        conn,
        None,
        "county.init",
        "org_unit",
        &root.id.to_string(),
        Some(serde_json::json!({"admin_id": admin}).to_string()),
    )
    .await?;
    Ok(Initialised {
        county_id: root.id,
        admin_id: admin,
        activation_code,
        expires_at,
    })
}
