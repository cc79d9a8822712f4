//! Governance records (docs/api.md, "Governance records"): the 三会一课
//! ledger (`meetings`, with the obligations `schedule` makes), attachments
//! (`attachments`), the monthly random and cross inspection
//! (`inspections`), problems and their rectification (`problems`), 约谈
//! (`talks`), 四议两公开 (`decisions`), the 十有 venue (`venues`) and the
//! overview (`overview`), read from the counts `tally` keeps.
//!
//! Who may do what is written here once: managers of a unit keep its
//! records; its managers and the inspectors who drew it read them.

pub mod attachments;
pub mod decisions;
pub mod handlers;
pub mod inspections;
pub mod meetings;
pub mod overview;
pub mod problems;
pub mod schedule;
pub mod talks;
pub mod tally;
pub mod venues;

use chrono::{Duration, NaiveDate};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult};
use zhibu_shared::auth::IdName;
use zhibu_shared::org::{OrgKind, Role};

pub use schedule::schedule;

use crate::access::{Caller, MANAGERS};
use crate::entities::org_unit;
use crate::error::{ApiError, ApiResult};
use crate::sql;

/// Units that keep a 三会一课 ledger, 四议两公开 records and a venue.
pub const LEDGER_KINDS: [OrgKind; 2] = [OrgKind::Branch, OrgKind::GeneralBranch];

/// Units whose secretaries draw inspections of their subtree (党(工)委 and
/// the county committee).
pub const INSPECTING_KINDS: [OrgKind; 5] = [
    OrgKind::CountyCommittee,
    OrgKind::PartyCommittee,
    OrgKind::WorkingCommittee,
    OrgKind::ParkCommittee,
    OrgKind::JointCommittee,
];

/// Who keeps a unit's records: its managers and those above.
pub const RECORD_KEEPERS: &[Role] = MANAGERS;

/// How long an inspector may read the records of a unit they drew.
pub const INSPECTOR_READ_DAYS: i64 = 366;

/// A live unit, or 404.
pub async fn live_unit(conn: &impl ConnectionTrait, org_id: i64) -> ApiResult<org_unit::Model> {
    org_unit::Entity::find_by_id(org_id)
        .one(conn)
        .await?
        .filter(|o| o.dissolved_at.is_none())
        .ok_or(ApiError::NotFound)
}

/// A unit whose records the caller keeps; 404 when out of reach, 422 when
/// the unit keeps no such records.
pub async fn kept_unit(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
) -> ApiResult<org_unit::Model> {
    caller.require(conn, RECORD_KEEPERS, org_id).await?;
    let unit = live_unit(conn, org_id).await?;
    if !LEDGER_KINDS.contains(&unit.kind) {
        return Err(ApiError::invalid(
            "org_id",
            "只有党支部、党总支记录三会一课、四议两公开和活动场所",
        ));
    }
    Ok(unit)
}

/// Whether the caller may read a unit's records: its managers and those
/// above, and for a year the inspectors of an inspection that drew it.
pub async fn may_read_records(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    today: NaiveDate,
) -> Result<bool, DbErr> {
    if caller.reaches(conn, RECORD_KEEPERS, org_id).await? {
        return Ok(true);
    }
    if !caller.has_any(RECORD_KEEPERS) {
        return Ok(false);
    }
    #[derive(FromQueryResult)]
    struct Inspector {
        inspector_org_id: i64,
    }
    let since =
        crate::time::start_of_day(today - Duration::days(INSPECTOR_READ_DAYS), chrono_tz::UTC);
    let inspectors = sql::fetch_all::<Inspector>(
        conn,
        "SELECT DISTINCT n.inspector_org_id FROM inspection_item i JOIN inspection n ON n.id = i.inspection_id \
         WHERE i.org_id = $1 AND n.created_at >= $2",
        [org_id.into(), since.into()],
    )
    .await?;
    for inspector in inspectors {
        if caller
            .reaches(conn, RECORD_KEEPERS, inspector.inspector_org_id)
            .await?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `may_read_records`, or 404.
pub async fn require_read(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    today: NaiveDate,
) -> ApiResult<()> {
    if may_read_records(conn, caller, org_id, today).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Names of members or units by id, for views.
pub async fn names(
    conn: &impl ConnectionTrait,
    table: &str,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>, DbErr> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let query = format!(
            "SELECT id, name FROM {table} WHERE id IN ({})",
            sql::placeholders(1, chunk.len())
        );
        for row in
            sql::fetch_all::<NamedRow>(conn, &query, chunk.iter().map(|i| (*i).into())).await?
        {
            out.insert(row.id, row.name);
        }
    }
    Ok(out)
}

#[derive(FromQueryResult)]
struct NamedRow {
    id: i64,
    name: String,
}

/// `IdName` from a name map, empty when missing.
pub fn id_name(names: &std::collections::HashMap<i64, String>, id: i64) -> IdName {
    IdName {
        id,
        name: names.get(&id).cloned().unwrap_or_default(),
    }
}

/// A trimmed text of 1 to `max` characters, or the field's reason.
pub fn required_text(field: &str, text: Option<&str>, max: usize, what: &str) -> ApiResult<String> {
    let text = text.map(str::trim).unwrap_or("");
    if text.is_empty() || text.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("{what}须为 1 到 {max} 个字"),
        ));
    }
    Ok(text.to_owned())
}

/// A trimmed optional text of at most `max` characters; empty is none.
pub fn optional_text(
    field: &str,
    text: Option<&str>,
    max: usize,
    what: &str,
) -> ApiResult<Option<String>> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > max) {
        return Err(ApiError::invalid(
            field,
            format!("{what}不能超过 {max} 个字"),
        ));
    }
    Ok(text.map(str::to_owned))
}

/// The id a phone made: a UUID.
pub fn client_id(id: &str) -> ApiResult<String> {
    uuid::Uuid::parse_str(id.trim())
        .map(|u| u.to_string())
        .map_err(|_| ApiError::invalid("id", "id 须为 UUID"))
}

/// A SHA-256 over the canonical fields of a request, for idempotency.
pub fn request_hash(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(parts.join("\u{1f}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
