//! Theme Party Days: one per holding unit per month, check-ins (idempotent
//! by the client's UUID), dues paid on site, the study item, and make-ups.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ThemeDay::Table)
                .col(big_pk_auto(ThemeDay::Id))
                .col(big_integer(ThemeDay::OrgId))
                .col(string_len(ThemeDay::Month, 7))
                .col(date(ThemeDay::Date))
                .col(timestamp_with_time_zone(ThemeDay::StartsAt))
                .col(timestamp_with_time_zone(ThemeDay::EndsAt))
                .col(string(ThemeDay::Title))
                .col(text(ThemeDay::StudyItem))
                .col(string(ThemeDay::Location))
                .col(text(ThemeDay::Activities))
                .col(double_null(ThemeDay::GeofenceLat))
                .col(double_null(ThemeDay::GeofenceLng))
                .col(integer_null(ThemeDay::GeofenceRadiusM))
                .col(timestamp_with_time_zone(ThemeDay::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ThemeDay::Table, ThemeDay::OrgId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_theme_day_org_month")
                .table(ThemeDay::Table)
                .col(ThemeDay::OrgId)
                .col(ThemeDay::Month)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_theme_day_date")
                .table(ThemeDay::Table)
                .col(ThemeDay::Date)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Checkin::Table)
                .col(string_len(Checkin::Id, 36).primary_key())
                .col(big_integer(Checkin::ThemeDayId))
                .col(big_integer(Checkin::MemberId))
                .col(string(Checkin::Method))
                .col(string(Checkin::Status))
                .col(timestamp_with_time_zone(Checkin::At))
                .col(timestamp_with_time_zone_null(Checkin::ClientTime))
                .col(boolean_null(Checkin::InsideGeofence))
                .col(string_null(Checkin::Reason))
                .col(string_len(Checkin::RequestHash, 64))
                .col(big_integer_null(Checkin::RecordedBy))
                .col(big_integer_null(Checkin::DecidedBy))
                .col(timestamp_with_time_zone_null(Checkin::DecidedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Checkin::Table, Checkin::ThemeDayId)
                        .to(ThemeDay::Table, ThemeDay::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Checkin::Table, Checkin::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_checkin_theme_day_member")
                .table(Checkin::Table)
                .col(Checkin::ThemeDayId)
                .col(Checkin::MemberId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_checkin_theme_day_status")
                .table(Checkin::Table)
                .col(Checkin::ThemeDayId)
                .col(Checkin::Status)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_checkin_member")
                .table(Checkin::Table)
                .col(Checkin::MemberId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DuesPayment::Table)
                .col(big_pk_auto(DuesPayment::Id))
                .col(big_integer(DuesPayment::MemberId))
                .col(string_len(DuesPayment::Month, 7))
                .col(big_integer(DuesPayment::AmountFen))
                .col(string(DuesPayment::Method))
                .col(big_integer_null(DuesPayment::StandardFen))
                .col(big_integer_null(DuesPayment::ThemeDayId))
                .col(big_integer(DuesPayment::RecordedBy))
                .col(timestamp_with_time_zone(DuesPayment::At))
                .foreign_key(
                    ForeignKey::create()
                        .from(DuesPayment::Table, DuesPayment::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(DuesPayment::Table, DuesPayment::ThemeDayId)
                        .to(ThemeDay::Table, ThemeDay::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_dues_member_month")
                .table(DuesPayment::Table)
                .col(DuesPayment::MemberId)
                .col(DuesPayment::Month)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(StudyRecord::Table)
                .col(big_integer(StudyRecord::ThemeDayId))
                .col(big_integer(StudyRecord::MemberId))
                .col(big_integer(StudyRecord::RecordedBy))
                .col(timestamp_with_time_zone(StudyRecord::At))
                .primary_key(
                    Index::create()
                        .col(StudyRecord::ThemeDayId)
                        .col(StudyRecord::MemberId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(StudyRecord::Table, StudyRecord::ThemeDayId)
                        .to(ThemeDay::Table, ThemeDay::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(StudyRecord::Table, StudyRecord::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Makeup::Table)
                .col(big_pk_auto(Makeup::Id))
                .col(big_integer(Makeup::ThemeDayId))
                .col(big_integer(Makeup::MemberId))
                .col(text(Makeup::Studied))
                .col(date(Makeup::StudiedOn))
                .col(string(Makeup::Status))
                .col(string_null(Makeup::Reason))
                .col(big_integer_null(Makeup::DecidedBy))
                .col(timestamp_with_time_zone_null(Makeup::DecidedAt))
                .col(timestamp_with_time_zone(Makeup::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Makeup::Table, Makeup::ThemeDayId)
                        .to(ThemeDay::Table, ThemeDay::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Makeup::Table, Makeup::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_makeup_theme_day_status")
                .table(Makeup::Table)
                .col(Makeup::ThemeDayId)
                .col(Makeup::Status)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Makeup::Table.into_iden(),
            StudyRecord::Table.into_iden(),
            DuesPayment::Table.into_iden(),
            Checkin::Table.into_iden(),
            ThemeDay::Table.into_iden(),
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
enum ThemeDay {
    Table,
    Id,
    OrgId,
    Month,
    Date,
    StartsAt,
    EndsAt,
    Title,
    StudyItem,
    Location,
    Activities,
    GeofenceLat,
    GeofenceLng,
    GeofenceRadiusM,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Checkin {
    Table,
    Id,
    ThemeDayId,
    MemberId,
    Method,
    Status,
    At,
    ClientTime,
    InsideGeofence,
    Reason,
    RequestHash,
    RecordedBy,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum DuesPayment {
    Table,
    Id,
    MemberId,
    Month,
    AmountFen,
    Method,
    StandardFen,
    ThemeDayId,
    RecordedBy,
    At,
}

#[derive(DeriveIden)]
enum StudyRecord {
    Table,
    ThemeDayId,
    MemberId,
    RecordedBy,
    At,
}

#[derive(DeriveIden)]
enum Makeup {
    Table,
    Id,
    ThemeDayId,
    MemberId,
    Studied,
    StudiedOn,
    Status,
    Reason,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}
