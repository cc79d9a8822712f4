//! `zhibu copy-to URL`: the whole county from one database into an empty
//! one, SQLite to PostgreSQL or back, while the server is stopped.
//!
//! The target is migrated with the same migrations first and refused if any
//! app table holds a row. Tables are copied parents first (`TABLES`), ids
//! kept, in batches that are each one transaction on the target, all read
//! from one snapshot of the source. Values are read by the source column's
//! type and bound by the target's, so each engine stores timestamps,
//! booleans and dates in its own form. Afterwards id sequences continue
//! where the source's did, the trigger-kept member counts are rebuilt,
//! row counts are compared table by table and the roll-ups are verified.

mod batches;
mod cells;
mod ids;
mod schema;

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseBackend, DatabaseTransaction, IsolationLevel,
    TransactionTrait,
};

use crate::db::Db;
use crate::volunteer::rollup::{self, Difference};
use cells::Cell;
use ids::{continue_ids, id_high_water};
use schema::{count, filled_tables, migrations, plan};

/// Rows per batch (one transaction on the target) unless told otherwise.
pub const DEFAULT_BATCH: usize = 1000;

/// Every table of the schema, each after the tables its foreign keys name
/// (the order of `migrations/src`). A table missing here stops the copy,
/// so a new migration cannot be copied without thought.
pub const TABLES: &[&str] = &[
    "app_meta",
    "seed_step",
    "org_unit",
    "org_closure",
    "community",
    "member",
    "member_branch_history",
    "member_category",
    "sector_membership",
    "role_grant",
    "auth_session",
    "login_failure",
    "wechat_account",
    "audit_log",
    "theme_day",
    "checkin",
    "dues_payment",
    "study_record",
    "makeup",
    "community_report",
    "service_log",
    "service_credit",
    "hours_rollup",
    "hours_participation",
    "hours_member",
    "certificate",
    "org_member_count",
    "hours_member_range",
    "hours_month",
    "checkin_failure",
    "activation_code",
    "meeting",
    "meeting_attendee",
    "obligation",
    "governance_tally",
    "attachment",
    "inspection",
    "inspection_item",
    "problem",
    "talk",
    "village_decision",
    "decision_step",
    "venue",
    "venue_item",
    "job",
    "notification",
    "notification_setting",
    "push_subscription",
    "wechat_consent",
    "post",
    "post_holder",
    "floating_profile",
    "floating_contact",
    "remote_study",
    "difficulty_file",
    "center_household",
];

/// Read models that triggers on the target keep while the base tables are
/// copied (`org_member_count`, by triggers on `member` and `org_closure`):
/// copying them too would count every member twice, so they are rebuilt
/// from the copied rows instead and then verified.
pub const REBUILT: &[&str] = &["org_member_count"];

/// Schema bookkeeping that is the target's own, never copied.
const OWN_BOOKKEEPING: &[&str] = &["seaql_migrations"];

/// What a finished copy found.
#[derive(Debug)]
pub struct CopyReport {
    pub tables: usize,
    pub rows: u64,
    /// Rows per copied table, equal in source and target.
    pub counts: BTreeMap<String, u64>,
    /// `verify-rollups` on the target.
    pub differences: Vec<Difference>,
}

/// A read-only snapshot of the whole source, so every table is read as of
/// one moment.
async fn snapshot(source: &Db) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    match source.backend() {
        DatabaseBackend::Postgres => {
            source
                .reader()
                .begin_with_config(
                    Some(IsolationLevel::RepeatableRead),
                    Some(AccessMode::ReadOnly),
                )
                .await
        }
        _ => source.reader().begin().await,
    }
}

/// Copies the county at `source_url` into the empty database at
/// `target_url`; `progress` hears each table as it is done. The server
/// must be stopped: writes after the snapshot would not be copied.
pub async fn copy(
    source_url: &str,
    target_url: &str,
    batch: usize,
    mut progress: impl FnMut(&str, u64),
) -> anyhow::Result<CopyReport> {
    anyhow::ensure!(batch > 0, "--batch must be at least 1");
    anyhow::ensure!(
        source_url != target_url,
        "the target is the configured database itself"
    );
    let source = Db::connect(source_url)
        .await
        .context("opening the source (the configured database)")?;
    crate::db::ensure_sqlite_dir(target_url)?;
    let target = Db::connect(target_url)
        .await
        .context("opening the target")?;
    let result = copy_between(&source, &target, batch, &mut progress).await;
    source.close().await;
    target.close().await;
    result
}

async fn copy_between(
    source: &Db,
    target: &Db,
    batch: usize,
    progress: &mut impl FnMut(&str, u64),
) -> anyhow::Result<CopyReport> {
    // Refused before migrating, so a database holding anything else is
    // left exactly as it was.
    let filled = filled_tables(target.reader()).await?;
    if let Some((table, n)) = filled.first() {
        bail!(
            "the target is not empty ({n} rows in {table}{}): copy-to only writes into an empty database",
            if filled.len() > 1 {
                format!(" and {} more tables", filled.len() - 1)
            } else {
                String::new()
            }
        );
    }
    target.migrate().await.context("migrating the target")?;
    let (from, to) = (
        migrations(source.reader()).await?,
        migrations(target.reader()).await?,
    );
    anyhow::ensure!(
        from == to,
        "the source has migrations {} but this zhibu has {}: run `zhibu migrate` on the source first (with the server stopped)",
        from.len(),
        to.len()
    );
    let filled = filled_tables(target.reader()).await?;
    anyhow::ensure!(
        filled.is_empty(),
        "the target holds rows after migrating: {filled:?}"
    );

    let snapshot = snapshot(source).await?;
    let plans = plan(&snapshot, target.reader()).await?;
    let marks = id_high_water(&snapshot).await?;
    let mut counts = BTreeMap::new();
    let mut total = 0;
    for plan in plans.iter().filter(|p| !REBUILT.contains(&p.table)) {
        let expected = count(&snapshot, plan.table).await?;
        let mut copied = 0u64;
        let mut after: Option<Vec<Cell>> = None;
        loop {
            let (rows, last) = plan.read_batch(&snapshot, after.as_deref(), batch).await?;
            if rows.is_empty() {
                break;
            }
            plan.write_batch(target, &rows).await.with_context(|| {
                format!(
                    "the copy stopped in {} after {copied} rows; the target holds part of the county now: empty it before copying again",
                    plan.table
                )
            })?;
            copied += rows.len() as u64;
            after = last;
        }
        let written = count(target.reader(), plan.table).await?;
        anyhow::ensure!(
            copied == expected && written == expected,
            "{}: {expected} rows in the source, {copied} read, {written} in the target",
            plan.table
        );
        progress(plan.table, written);
        counts.insert(plan.table.to_owned(), written);
        total += written;
    }
    snapshot.commit().await?;

    continue_ids(target, &marks).await?;
    let txn = target.writer().begin().await?;
    rollup::rebuild_member_counts(&txn).await?;
    txn.commit().await?;
    for &table in REBUILT {
        progress(table, count(target.reader(), table).await?);
    }
    // Fresh statistics, so the planner knows the tables are full.
    target.writer().execute_unprepared("ANALYZE").await?;
    let differences = rollup::verify(target.reader()).await?;
    Ok(CopyReport {
        tables: counts.len(),
        rows: total,
        counts,
        differences,
    })
}

#[cfg(test)]
mod tests {
    use super::cells::{Kind, bind};
    use super::schema::tables;
    use super::*;

    #[test]
    fn column_types_of_both_engines_are_read_the_same_way() {
        let sqlite = DatabaseBackend::Sqlite;
        let pg = DatabaseBackend::Postgres;
        for (declared, kind) in [
            ("timestamp_with_timezone_text", Kind::TimestampTz),
            ("date_text", Kind::Date),
            ("boolean", Kind::Bool),
            ("bigint", Kind::I64),
            ("integer", Kind::I64),
            ("smallint", Kind::I64),
            ("double", Kind::F64),
            ("varchar(36)", Kind::Text),
            ("text", Kind::Text),
            ("json_text", Kind::Json),
            ("blob", Kind::Blob),
        ] {
            assert_eq!(Kind::of(sqlite, declared), Some(kind), "{declared}");
        }
        assert_eq!(
            Kind::of(pg, "timestamp with time zone"),
            Some(Kind::TimestampTz)
        );
        assert_eq!(Kind::of(pg, "integer"), Some(Kind::I32));
        assert_eq!(Kind::of(pg, "smallint"), Some(Kind::I16));
        assert_eq!(Kind::of(pg, "numeric"), None);
        assert!(Kind::I64.fits(Kind::I16));
        assert!(!Kind::Text.fits(Kind::TimestampTz));
    }

    #[test]
    fn values_too_wide_for_the_target_are_refused_not_cut() {
        assert!(bind(&Cell::Int(40_000), Kind::I16, "t.c").is_err());
        assert!(bind(&Cell::Int(-5), Kind::I16, "t.c").is_ok());
        assert!(bind(&Cell::Text("x".into()), Kind::Bool, "t.c").is_err());
    }

    #[tokio::test]
    async fn every_table_a_fresh_database_has_is_in_the_copy_order() {
        let dir =
            std::env::temp_dir().join(format!("zhibu-copy-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/zhibu.db?mode=rwc", dir.display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let mut present: Vec<String> = tables(db.reader())
            .await
            .unwrap()
            .into_iter()
            .filter(|t| !OWN_BOOKKEEPING.contains(&t.as_str()))
            .collect();
        present.sort();
        let mut listed: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
        listed.sort();
        assert_eq!(present, listed);
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
