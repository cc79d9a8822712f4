//! The demo county (api-v1.md, "Demo mode").
//!
//! Seeding is a list of named steps. Each step runs once, in its own
//! transaction, and is recorded in `seed_step`; a second start skips the
//! steps already applied and runs only steps added since, so an existing demo
//! database grows with the code instead of being rebuilt.

use futures_util::future::BoxFuture;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait, TransactionTrait};

use crate::db::Db;
use crate::entities::seed_step;

pub struct SeedStep {
    pub name: &'static str,
    pub run: for<'a> fn(&'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<()>>,
}

/// What `seed` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub applied: Vec<&'static str>,
    pub skipped: Vec<&'static str>,
}

/// The county every demo step builds on.
pub const DEMO_COUNTY: &str = "东明县";

/// The steps, in order. Later capabilities append theirs.
pub fn steps() -> Vec<SeedStep> {
    vec![SeedStep { name: "county", run: |txn| Box::pin(seed_county(txn)) }]
}

/// Applies every step not yet applied.
pub async fn seed(db: &Db) -> anyhow::Result<SeedReport> {
    let mut report = SeedReport::default();
    for step in steps() {
        let txn = db.writer().begin().await?;
        if seed_step::Entity::find_by_id(step.name.to_owned()).one(&txn).await?.is_some() {
            report.skipped.push(step.name);
            continue;
        }
        (step.run)(&txn).await?;
        seed_step::Entity::insert(seed_step::ActiveModel {
            name: Set(step.name.to_owned()),
            applied_at: Set(chrono::Utc::now().fixed_offset()),
        })
        .exec(&txn)
        .await?;
        txn.commit().await?;
        tracing::info!(step = step.name, "demo seed step applied");
        report.applied.push(step.name);
    }
    Ok(report)
}

async fn seed_county(txn: &DatabaseTransaction) -> anyhow::Result<()> {
    crate::meta::get_or_insert(txn, "county_name", DEMO_COUNTY).await?;
    Ok(())
}
