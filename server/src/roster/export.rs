//! Roster export to XLSX, in the same columns the import reads, so an
//! exported file imports back unchanged.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use zhibu_shared::org::{MemberCategory, MemberStatus};

use super::parse::{EMPLOYER_HEADER, HEADERS};
use crate::access::{ADMINS, Caller};
use crate::entities::{community, member};
use crate::error::ApiResult;
use crate::members::categories_of;
use crate::orgs::{subtree_ids, tree};

/// The active members of `org_id`'s subtree as rows of the roster columns.
/// 困难 is left out of the categories unless `sensitive` (an export for a
/// recorded reason).
pub async fn roster_rows(
    conn: &impl ConnectionTrait,
    caller: Option<&Caller>,
    org_id: i64,
    sensitive: bool,
) -> ApiResult<Vec<[String; 7]>> {
    if let Some(caller) = caller {
        caller.require(conn, ADMINS, org_id).await?;
    }
    let units = subtree_ids(conn, org_id).await?;
    let mut members = Vec::new();
    for chunk in units.chunks(500) {
        members.extend(
            member::Entity::find()
                .filter(member::Column::BranchId.is_in(chunk.to_vec()))
                .filter(member::Column::Status.eq(MemberStatus::Active.code()))
                .order_by_asc(member::Column::Id)
                .all(conn)
                .await?,
        );
    }
    members.sort_by_key(|m| m.id);
    let communities: HashMap<i64, String> = community::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut paths: HashMap<i64, String> = HashMap::new();
    let mut rows = Vec::with_capacity(members.len());
    for m in members {
        if let std::collections::hash_map::Entry::Vacant(slot) = paths.entry(m.branch_id) {
            slot.insert(tree::path_names(conn, m.branch_id).await?.join("/"));
        }
        let categories: Vec<&str> = categories_of(conn, m.id)
            .await?
            .iter()
            .filter(|c| sensitive || **c != MemberCategory::InDifficulty)
            .map(|c| c.zh())
            .collect();
        rows.push([
            m.name,
            m.phone,
            paths[&m.branch_id].clone(),
            categories.join(","),
            m.joined_party_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            m.community_id
                .and_then(|id| communities.get(&id).cloned())
                .unwrap_or_default(),
            m.employer.unwrap_or_default(),
        ]);
    }
    Ok(rows)
}

pub fn to_xlsx(rows: &[[String; 7]]) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("党员名册")?;
    let bold = Format::new().set_bold();
    for (col, header) in HEADERS.iter().chain([&EMPLOYER_HEADER]).enumerate() {
        sheet.write_string_with_format(0, col as u16, *header, &bold)?;
    }
    for (i, row) in rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            // Written as text so Excel keeps phone numbers and dates as typed.
            sheet.write_string(i as u32 + 1, col as u16, value)?;
        }
    }
    sheet.set_column_width(0, 10)?;
    sheet.set_column_width(1, 14)?;
    sheet.set_column_width(2, 48)?;
    sheet.set_column_width(3, 16)?;
    sheet.set_column_width(4, 12)?;
    sheet.set_column_width(5, 16)?;
    sheet.set_column_width(6, 24)?;
    Ok(book.save_to_buffer()?)
}
