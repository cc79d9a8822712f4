//! Invariants the security review found enforced only by read-then-write:
//! one pending correction per service log (a partial unique index), and
//! wrong check-in codes kept per member and theme day so guessing is
//! throttled on every server node alike.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_service_log_pending_correction ON service_log (corrects_id) \
             WHERE status = 'pending' AND corrects_id IS NOT NULL",
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CheckinFailure::Table)
                    .col(big_pk_auto(CheckinFailure::Id))
                    .col(big_integer(CheckinFailure::ThemeDayId))
                    .col(big_integer(CheckinFailure::MemberId))
                    .col(timestamp_with_time_zone(CheckinFailure::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CheckinFailure::Table, CheckinFailure::ThemeDayId)
                            .to(Alias::new("theme_day"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CheckinFailure::Table, CheckinFailure::MemberId)
                            .to(Alias::new("member"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_checkin_failure_member ON checkin_failure (member_id, theme_day_id, at)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_checkin_failure_day ON checkin_failure (theme_day_id)",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(LoginFailure::Table)
                    .add_column(boolean(LoginFailure::Failed).default(true))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuthSession::Table)
                    .add_column(string_null(AuthSession::PreviousRefreshJti))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuthSession::Table)
                    .drop_column(AuthSession::PreviousRefreshJti)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(LoginFailure::Table)
                    .drop_column(LoginFailure::Failed)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE checkin_failure").await?;
        db.execute_unprepared("DROP INDEX ux_service_log_pending_correction")
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CheckinFailure {
    Table,
    Id,
    ThemeDayId,
    MemberId,
    At,
}

#[derive(DeriveIden)]
enum LoginFailure {
    Table,
    Failed,
}

#[derive(DeriveIden)]
enum AuthSession {
    Table,
    PreviousRefreshJti,
}
