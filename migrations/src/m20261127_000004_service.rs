//! Community reporting, service logs and their roll-ups.
//!
//! `service_credit` records where each approved log was credited (the
//! member's branch as of the log's date and its ancestors at approval time,
//! the community, the sector committee); the roll-up tables are sums over
//! those credits, kept in the same transaction as each decision.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CommunityReport::Table)
                .col(big_pk_auto(CommunityReport::Id))
                .col(big_integer(CommunityReport::MemberId))
                .col(big_integer(CommunityReport::CommunityId))
                .col(string(CommunityReport::Status))
                .col(string_null(CommunityReport::Reason))
                .col(big_integer_null(CommunityReport::DecidedBy))
                .col(timestamp_with_time_zone_null(CommunityReport::DecidedAt))
                .col(timestamp_with_time_zone(CommunityReport::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CommunityReport::Table, CommunityReport::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CommunityReport::Table, CommunityReport::CommunityId)
                        .to(Community::Table, Community::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_community_report_member")
                .table(CommunityReport::Table)
                .col(CommunityReport::MemberId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_community_report_community_status")
                .table(CommunityReport::Table)
                .col(CommunityReport::CommunityId)
                .col(CommunityReport::Status)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ServiceLog::Table)
                .col(string_len(ServiceLog::Id, 36).primary_key())
                .col(big_integer(ServiceLog::MemberId))
                .col(string(ServiceLog::Kind))
                .col(date(ServiceLog::Date))
                .col(string_len(ServiceLog::Month, 7))
                .col(integer(ServiceLog::Minutes))
                .col(small_integer_null(ServiceLog::StartMinute))
                .col(big_integer_null(ServiceLog::CommunityId))
                .col(big_integer_null(ServiceLog::OrgId))
                .col(big_integer(ServiceLog::BranchId))
                .col(string_null(ServiceLog::Note))
                .col(string(ServiceLog::Status))
                .col(string_len(ServiceLog::RequestHash, 64))
                .col(string_len_null(ServiceLog::CorrectsId, 36))
                .col(string_null(ServiceLog::Reason))
                .col(big_integer_null(ServiceLog::DecidedBy))
                .col(timestamp_with_time_zone_null(ServiceLog::DecidedAt))
                .col(timestamp_with_time_zone(ServiceLog::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ServiceLog::Table, ServiceLog::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ServiceLog::Table, ServiceLog::CommunityId)
                        .to(Community::Table, Community::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ServiceLog::Table, ServiceLog::OrgId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ServiceLog::Table, ServiceLog::BranchId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_service_log_member_date")
                .table(ServiceLog::Table)
                .col(ServiceLog::MemberId)
                .col(ServiceLog::Date)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_service_log_status")
                .table(ServiceLog::Table)
                .col(ServiceLog::Status)
                .col(ServiceLog::BranchId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_service_log_community")
                .table(ServiceLog::Table)
                .col(ServiceLog::CommunityId)
                .col(ServiceLog::Status)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_service_log_org")
                .table(ServiceLog::Table)
                .col(ServiceLog::OrgId)
                .col(ServiceLog::Status)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ServiceCredit::Table)
                .col(string_len(ServiceCredit::LogId, 36))
                .col(string_len(ServiceCredit::ScopeKind, 1))
                .col(big_integer(ServiceCredit::ScopeId))
                .primary_key(
                    Index::create()
                        .col(ServiceCredit::LogId)
                        .col(ServiceCredit::ScopeKind)
                        .col(ServiceCredit::ScopeId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ServiceCredit::Table, ServiceCredit::LogId)
                        .to(ServiceLog::Table, ServiceLog::Id),
                )
                .to_owned(),
        )
        .await?;

        // Sums per (scope, month, kind): what hour reports read.
        m.create_table(
            Table::create()
                .table(HoursRollup::Table)
                .col(string_len(HoursRollup::ScopeKind, 1))
                .col(big_integer(HoursRollup::ScopeId))
                .col(string_len(HoursRollup::Month, 7))
                .col(string(HoursRollup::Kind))
                .col(big_integer(HoursRollup::Minutes))
                .col(big_integer(HoursRollup::Entries))
                .primary_key(
                    Index::create()
                        .col(HoursRollup::ScopeKind)
                        .col(HoursRollup::ScopeId)
                        .col(HoursRollup::Month)
                        .col(HoursRollup::Kind),
                )
                .to_owned(),
        )
        .await?;
        // Who served per (scope, month): distinct members without scanning logs.
        m.create_table(
            Table::create()
                .table(HoursParticipation::Table)
                .col(string_len(HoursParticipation::ScopeKind, 1))
                .col(big_integer(HoursParticipation::ScopeId))
                .col(string_len(HoursParticipation::Month, 7))
                .col(string(HoursParticipation::Kind))
                .col(big_integer(HoursParticipation::MemberId))
                .col(big_integer(HoursParticipation::Minutes))
                .col(big_integer(HoursParticipation::Entries))
                .primary_key(
                    Index::create()
                        .col(HoursParticipation::ScopeKind)
                        .col(HoursParticipation::ScopeId)
                        .col(HoursParticipation::Month)
                        .col(HoursParticipation::Kind)
                        .col(HoursParticipation::MemberId),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_hours_participation_member")
                .table(HoursParticipation::Table)
                .col(HoursParticipation::MemberId)
                .col(HoursParticipation::Month)
                .to_owned(),
        )
        .await?;
        // One row per (scope, year, member) with a bit per month served:
        // distinct members over any month range read one row per member,
        // not one per log or per month.
        m.create_table(
            Table::create()
                .table(HoursMember::Table)
                .col(string_len(HoursMember::ScopeKind, 1))
                .col(big_integer(HoursMember::ScopeId))
                .col(integer(HoursMember::Year))
                .col(big_integer(HoursMember::MemberId))
                .col(big_integer(HoursMember::Months))
                .primary_key(
                    Index::create()
                        .col(HoursMember::ScopeKind)
                        .col(HoursMember::ScopeId)
                        .col(HoursMember::Year)
                        .col(HoursMember::MemberId),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_hours_member_member")
                .table(HoursMember::Table)
                .col(HoursMember::MemberId)
                .col(HoursMember::Year)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Certificate::Table)
                .col(string_len(Certificate::Number, 64).primary_key())
                .col(big_integer(Certificate::MemberId))
                .col(text(Certificate::Body))
                .col(timestamp_with_time_zone(Certificate::IssuedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Certificate::Table, Certificate::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Certificate::Table.into_iden(),
            HoursMember::Table.into_iden(),
            HoursParticipation::Table.into_iden(),
            HoursRollup::Table.into_iden(),
            ServiceCredit::Table.into_iden(),
            ServiceLog::Table.into_iden(),
            CommunityReport::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Community {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CommunityReport {
    Table,
    Id,
    MemberId,
    CommunityId,
    Status,
    Reason,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ServiceLog {
    Table,
    Id,
    MemberId,
    Kind,
    Date,
    Month,
    Minutes,
    StartMinute,
    CommunityId,
    OrgId,
    BranchId,
    Note,
    Status,
    RequestHash,
    CorrectsId,
    Reason,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ServiceCredit {
    Table,
    LogId,
    ScopeKind,
    ScopeId,
}

#[derive(DeriveIden)]
enum HoursRollup {
    Table,
    ScopeKind,
    ScopeId,
    Month,
    Kind,
    Minutes,
    Entries,
}

#[derive(DeriveIden)]
enum HoursParticipation {
    Table,
    ScopeKind,
    ScopeId,
    Month,
    Kind,
    MemberId,
    Minutes,
    Entries,
}

#[derive(DeriveIden)]
enum HoursMember {
    Table,
    ScopeKind,
    ScopeId,
    Year,
    MemberId,
    Months,
}

#[derive(DeriveIden)]
enum Certificate {
    Table,
    Number,
    MemberId,
    Body,
    IssuedAt,
}
