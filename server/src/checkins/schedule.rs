//! The first-Thursday schedule: every holding unit's theme days for this
//! month and the next two, created ahead so that reads never write.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use zhibu_shared::org::OrgKind;
use zhibu_shared::theme_day::Month;

use super::IdRow;
use crate::entities::theme_day;
use crate::sql;
use crate::time::now;

/// Units that hold a theme day every month.
pub const HOLDER_KINDS: [OrgKind; 3] = [
    OrgKind::Branch,
    OrgKind::GeneralBranch,
    OrgKind::SectorCommittee,
];

/// The default check-in window, county time: the morning of the day.
const DEFAULT_START: (u32, u32) = (8, 30);
const DEFAULT_END: (u32, u32) = (11, 30);
pub(super) fn holder_kind_list() -> String {
    crate::sql::lits(&HOLDER_KINDS)
}

fn local_time(tz: Tz, date: NaiveDate, (h, m): (u32, u32)) -> DateTime<FixedOffset> {
    let naive = date.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default());
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc).fixed_offset())
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive).fixed_offset())
}

/// Creates the month's theme days of `org_ids` that do not exist yet.
pub async fn ensure_theme_days(
    conn: &impl ConnectionTrait,
    org_ids: &[i64],
    month: Month,
    tz: Tz,
) -> Result<(), DbErr> {
    let date = month.theme_date();
    let title = format!("{}年{}月主题党日", month.year, month.month);
    for chunk in org_ids.chunks(200) {
        let rows = chunk.iter().map(|org_id| theme_day::ActiveModel {
            org_id: Set(*org_id),
            month: Set(month.to_string()),
            date: Set(date),
            starts_at: Set(local_time(tz, date, DEFAULT_START)),
            ends_at: Set(local_time(tz, date, DEFAULT_END)),
            title: Set(title.clone()),
            study_item: Set(String::new()),
            location: Set(String::new()),
            activities: Set("[]".into()),
            geofence_lat: Set(None),
            geofence_lng: Set(None),
            geofence_radius_m: Set(None),
            updated_at: Set(now()),
            ..Default::default()
        });
        theme_day::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([theme_day::Column::OrgId, theme_day::Column::Month])
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Months ahead whose theme days exist before anyone asks (this month and
/// the next two), so reads never write.
pub const SCHEDULED_MONTHS_AHEAD: u32 = 2;

/// Creates the theme days of every holding unit for this month and the
/// next ones. Idempotent, so every server node may run it: at start, every
/// hour, and after units are created.
pub async fn schedule(conn: &impl ConnectionTrait, tz: Tz) -> Result<(), DbErr> {
    // Only the missing ones, found through the (unit, month) key: this pass
    // runs at every start and after every new unit, over every holder of a
    // province. The insert stays idempotent by that key.
    let query = format!(
        "SELECT id FROM org_unit o WHERE kind IN ({}) AND dissolved_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM theme_day t WHERE t.org_id = o.id AND t.month = $1) ORDER BY id",
        holder_kind_list()
    );
    let mut month = Month::of(crate::time::today(tz));
    for _ in 0..=SCHEDULED_MONTHS_AHEAD {
        let missing: Vec<i64> = sql::fetch_all::<IdRow>(conn, &query, [month.to_string().into()])
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        ensure_theme_days(conn, &missing, month, tz).await?;
        month = month.next();
    }
    Ok(())
}

/// The month's theme days of `org_ids` (read only: `schedule` creates them).
pub async fn theme_days_of(
    reader: &impl ConnectionTrait,
    org_ids: &[i64],
    month: Month,
) -> Result<Vec<theme_day::Model>, DbErr> {
    if org_ids.is_empty() {
        return Ok(Vec::new());
    }
    theme_day::Entity::find()
        .filter(theme_day::Column::OrgId.is_in(org_ids.to_vec()))
        .filter(theme_day::Column::Month.eq(month.to_string()))
        .order_by_asc(theme_day::Column::OrgId)
        .all(reader)
        .await
}
