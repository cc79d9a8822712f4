//! What administering a real county needs beyond the first import: units
//! are dissolved (kept for their history, never deleted), a member's 转正
//! date is recorded, and a community has an address. Names are unique
//! among a parent's live units only, so a dissolved unit's name is free.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OrgUnit::Table)
                    .add_column(timestamp_with_time_zone_null(OrgUnit::DissolvedAt))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ux_org_unit_parent_name")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_org_unit_parent_name ON org_unit (parent_id, name) \
             WHERE dissolved_at IS NULL",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Member::Table)
                    .add_column(date_null(Member::FormalOn))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Community::Table)
                    .add_column(string_null(Community::Address))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ux_org_unit_parent_name")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_org_unit_parent_name ON org_unit (parent_id, name)",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Community::Table)
                    .drop_column(Community::Address)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Member::Table)
                    .drop_column(Member::FormalOn)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrgUnit::Table)
                    .drop_column(OrgUnit::DissolvedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    DissolvedAt,
}

#[derive(DeriveIden)]
enum Member {
    Table,
    FormalOn,
}

#[derive(DeriveIden)]
enum Community {
    Table,
    Address,
}
