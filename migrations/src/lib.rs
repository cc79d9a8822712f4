//! Zhibu's schema, one migration per capability, shared by SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod builders;
mod m20261126_000001_foundation;
mod m20261126_000002_identity;
mod m20261127_000003_theme_days;
mod m20261127_000004_service;
mod m20261127_000005_read_models;
mod m20261127_000006_month_rollup;
mod m20261129_000007_trust;
mod m20261129_000008_activation;
mod m20261130_000009_administration;
pub mod m20261130_000010_checked_states;
pub mod m20261201_000011_governance;
pub mod m20261201_000012_notifications;
pub mod m20261201_000013_member_classes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_identity::Migration),
            Box::new(m20261127_000003_theme_days::Migration),
            Box::new(m20261127_000004_service::Migration),
            Box::new(m20261127_000005_read_models::Migration),
            Box::new(m20261127_000006_month_rollup::Migration),
            Box::new(m20261129_000007_trust::Migration),
            Box::new(m20261129_000008_activation::Migration),
            Box::new(m20261130_000009_administration::Migration),
            Box::new(m20261130_000010_checked_states::Migration),
            Box::new(m20261201_000011_governance::Migration),
            Box::new(m20261201_000012_notifications::Migration),
            Box::new(m20261201_000013_member_classes::Migration),
        ]
    }
}
