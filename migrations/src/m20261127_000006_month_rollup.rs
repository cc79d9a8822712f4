//! `hours_month`: the sums of `hours_rollup` over kinds, one row per scope
//! and month, kept by the roll-up code in the same transaction. The
//! dashboard's by-child read then reads 12 rows a unit for a year, not one
//! per month and kind.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE hours_month (\
             scope_kind VARCHAR(1) NOT NULL, \
             scope_id BIGINT NOT NULL, \
             month VARCHAR(7) NOT NULL, \
             minutes BIGINT NOT NULL, \
             entries BIGINT NOT NULL, \
             PRIMARY KEY (scope_kind, scope_id, month))",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO hours_month (scope_kind, scope_id, month, minutes, entries) \
             SELECT scope_kind, scope_id, month, CAST(SUM(minutes) AS BIGINT), CAST(SUM(entries) AS BIGINT) \
             FROM hours_rollup GROUP BY scope_kind, scope_id, month",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE hours_month")
            .await?;
        Ok(())
    }
}
