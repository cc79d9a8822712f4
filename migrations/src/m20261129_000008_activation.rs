//! One-time activation codes: how a member of a real county first signs in
//! (or recovers a forgotten password) without anyone handing passwords
//! around. Only a hash of each code is kept.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActivationCode::Table)
                    .col(big_pk_auto(ActivationCode::Id))
                    .col(big_integer(ActivationCode::MemberId))
                    .col(string(ActivationCode::CodeHash))
                    .col(big_integer_null(ActivationCode::IssuedBy))
                    .col(timestamp_with_time_zone(ActivationCode::IssuedAt))
                    .col(timestamp_with_time_zone(ActivationCode::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ActivationCode::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivationCode::Table, ActivationCode::MemberId)
                            .to(Alias::new("member"), Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivationCode::Table, ActivationCode::IssuedBy)
                            .to(Alias::new("member"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_activation_code_member")
                    .table(ActivationCode::Table)
                    .col(ActivationCode::MemberId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ActivationCode::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ActivationCode {
    Table,
    Id,
    MemberId,
    CodeHash,
    IssuedBy,
    IssuedAt,
    ExpiresAt,
    UsedAt,
}
