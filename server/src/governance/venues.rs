//! The 十有 venue registry: each village venue's checklist with photos;
//! the county sees how many are registered and how many meet all ten.

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use zhibu_shared::governance::{Venue, VenueItem, VenueItemState, VenueRequest};

use super::attachments::{self, Owner};
use super::tally::{self, ALWAYS, Metric};
use super::{kept_unit, optional_text};
use crate::access::Caller;
use crate::entities::{venue, venue_item};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

fn photo_owner(org_id: i64, item: VenueItem) -> String {
    format!("{org_id}:{}", item.code())
}

/// `GET /orgs/{id}/venue`.
pub async fn get(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    today: NaiveDate,
    tz: Tz,
) -> ApiResult<Venue> {
    super::require_read(conn, caller, org_id, today).await?;
    view(conn, org_id, tz).await
}

async fn view(conn: &impl ConnectionTrait, org_id: i64, tz: Tz) -> ApiResult<Venue> {
    let unit = super::live_unit(conn, org_id).await?;
    let row = venue::Entity::find_by_id(org_id).one(conn).await?;
    let met: HashMap<VenueItem, bool> = venue_item::Entity::find()
        .filter(venue_item::Column::OrgId.eq(org_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|i| (i.item, i.met))
        .collect();
    let owners: Vec<String> = VenueItem::ALL
        .iter()
        .map(|i| photo_owner(org_id, *i))
        .collect();
    let mut photos = attachments::of_owners(conn, Owner::VENUE, &owners).await?;
    let items: Vec<VenueItemState> = VenueItem::ALL
        .iter()
        .map(|item| VenueItemState {
            item: *item,
            met: met.get(item).copied().unwrap_or(false),
            photos: photos
                .remove(&photo_owner(org_id, *item))
                .unwrap_or_default(),
        })
        .collect();
    Ok(Venue {
        org: zhibu_shared::auth::IdName {
            id: unit.id,
            name: unit.name,
        },
        registered: row.is_some(),
        address: row.as_ref().and_then(|r| r.address.clone()),
        area_m2: row
            .as_ref()
            .and_then(|r| r.area_m2)
            .map(|a| a.max(0) as u32),
        met: items.iter().filter(|i| i.met).count() as u32,
        items,
        updated_at: row.map(|r| r.updated_at.with_timezone(&tz).fixed_offset()),
    })
}

/// `PUT /orgs/{id}/venue`: the whole checklist; items left out are not met.
pub async fn put(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    org_id: i64,
    req: &VenueRequest,
    tz: Tz,
) -> ApiResult<Venue> {
    kept_unit(conn, caller, org_id).await?;
    let address = optional_text("address", req.address.as_deref(), 100, "地址")?;
    if req.area_m2.is_some_and(|a| a == 0 || a > 100_000) {
        return Err(ApiError::invalid(
            "area_m2",
            "面积须在 1 到 100000 平方米之间",
        ));
    }
    let mut wanted: HashMap<VenueItem, bool> = HashMap::new();
    for item in &req.items {
        if wanted.insert(item.item, item.met).is_some() {
            return Err(ApiError::invalid("items", "每项只能填写一次"));
        }
    }
    let before = venue::Entity::find_by_id(org_id).one(conn).await?;
    let was_complete = before.is_some()
        && venue_item::Entity::find()
            .filter(venue_item::Column::OrgId.eq(org_id))
            .filter(venue_item::Column::Met.eq(true))
            .all(conn)
            .await?
            .len()
            == VenueItem::ALL.len();
    match before {
        Some(_) => {
            sql::execute(
                conn,
                "UPDATE venue SET address = $2, area_m2 = $3, updated_by = $4, updated_at = $5 WHERE org_id = $1",
                [
                    org_id.into(),
                    address.into(),
                    req.area_m2.map(|a| a as i32).into(),
                    caller.member_id.into(),
                    now().into(),
                ],
            )
            .await?;
        }
        None => {
            venue::Entity::insert(venue::ActiveModel {
                org_id: Set(org_id),
                address: Set(address),
                area_m2: Set(req.area_m2.map(|a| a as i32)),
                updated_by: Set(caller.member_id),
                updated_at: Set(now()),
            })
            .exec_without_returning(conn)
            .await?;
            tally::add(conn, org_id, ALWAYS, Metric::Venues, 1).await?;
        }
    }
    venue_item::Entity::delete_many()
        .filter(venue_item::Column::OrgId.eq(org_id))
        .exec(conn)
        .await?;
    venue_item::Entity::insert_many(VenueItem::ALL.iter().map(|item| venue_item::ActiveModel {
        org_id: Set(org_id),
        item: Set(*item),
        met: Set(wanted.get(item).copied().unwrap_or(false)),
    }))
    .exec_without_returning(conn)
    .await?;
    for item in &req.items {
        attachments::claim(
            conn,
            org_id,
            &item.photo_ids,
            Owner::VENUE,
            &photo_owner(org_id, item.item),
        )
        .await?;
    }
    let complete = VenueItem::ALL
        .iter()
        .all(|i| wanted.get(i).copied().unwrap_or(false));
    let delta = i64::from(complete) - i64::from(was_complete);
    tally::add(conn, org_id, ALWAYS, Metric::VenuesComplete, delta).await?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "venue.update",
        "venue",
        &org_id.to_string(),
        Some(serde_json::json!({"met": wanted.values().filter(|m| **m).count()}).to_string()),
    )
    .await?;
    view(conn, org_id, tz).await
}
