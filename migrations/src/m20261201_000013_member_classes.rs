//! Member classes: posts for members without jobs and their holders,
//! floating members' whereabouts, contact persons and contacts, studies
//! done from afar (decided like other requests), files of members in
//! difficulty, 党员中心户, and on service logs the post served and the
//! member helped.

use sea_orm_migration::{prelude::*, schema::*};

use crate::builders::fk;

fn one_of(column: impl IntoIden + Copy + 'static, values: &[&str]) -> SimpleExpr {
    crate::builders::one_of(column, values, false)
}

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const DIFFICULTY_KINDS: &[&str] = &[
    "illness",
    "disability",
    "elderly_alone",
    "low_income",
    "disaster",
    "other",
];
pub const CONTACT_WAYS: &[&str] = &["phone", "wechat", "visit", "other"];
const LOG_STATUSES: &[&str] = &["pending", "approved", "rejected", "superseded"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Post::Table)
                .col(big_pk_auto(Post::Id))
                .col(big_integer(Post::OrgId))
                .col(string(Post::Name))
                .col(string(Post::Duties))
                .col(timestamp_with_time_zone(Post::CreatedAt))
                .col(timestamp_with_time_zone_null(Post::RetiredAt))
                .foreign_key(&mut fk(
                    (Post::Table, Post::OrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_post_org_name ON post (org_id, name) WHERE retired_at IS NULL",
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PostHolder::Table)
                .col(big_integer(PostHolder::PostId))
                .col(big_integer(PostHolder::MemberId))
                .col(timestamp_with_time_zone(PostHolder::Since))
                .primary_key(
                    Index::create()
                        .col(PostHolder::PostId)
                        .col(PostHolder::MemberId),
                )
                .foreign_key(&mut fk(
                    (PostHolder::Table, PostHolder::PostId),
                    (Post::Table, Post::Id),
                ))
                .foreign_key(&mut fk(
                    (PostHolder::Table, PostHolder::MemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(FloatingProfile::Table)
                .col(big_integer(FloatingProfile::MemberId).primary_key())
                .col(string_null(FloatingProfile::City))
                .col(string_null(FloatingProfile::Employer))
                .col(date_null(FloatingProfile::Since))
                .col(big_integer_null(FloatingProfile::ContactMemberId))
                .col(date_null(FloatingProfile::ReturnedOn))
                .col(timestamp_with_time_zone(FloatingProfile::UpdatedAt))
                .foreign_key(&mut fk(
                    (FloatingProfile::Table, FloatingProfile::MemberId),
                    (Member::Table, Member::Id),
                ))
                .foreign_key(&mut fk(
                    (FloatingProfile::Table, FloatingProfile::ContactMemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FloatingContact::Table)
                .col(big_pk_auto(FloatingContact::Id))
                .col(big_integer(FloatingContact::MemberId))
                .col(big_integer(FloatingContact::ByMemberId))
                .col(date(FloatingContact::ContactedOn))
                .col(string(FloatingContact::Way).check(one_of(FloatingContact::Way, CONTACT_WAYS)))
                .col(string_null(FloatingContact::Note))
                .col(timestamp_with_time_zone(FloatingContact::CreatedAt))
                .foreign_key(&mut fk(
                    (FloatingContact::Table, FloatingContact::MemberId),
                    (Member::Table, Member::Id),
                ))
                .foreign_key(&mut fk(
                    (FloatingContact::Table, FloatingContact::ByMemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_floating_contact_member")
                .table(FloatingContact::Table)
                .col(FloatingContact::MemberId)
                .col(FloatingContact::ContactedOn)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RemoteStudy::Table)
                .col(big_pk_auto(RemoteStudy::Id))
                .col(big_integer(RemoteStudy::ThemeDayId))
                .col(big_integer(RemoteStudy::MemberId))
                .col(string(RemoteStudy::Note))
                .col(string(RemoteStudy::Status).check(one_of(RemoteStudy::Status, LOG_STATUSES)))
                .col(string_null(RemoteStudy::Reason))
                .col(big_integer_null(RemoteStudy::DecidedBy))
                .col(timestamp_with_time_zone_null(RemoteStudy::DecidedAt))
                .col(timestamp_with_time_zone(RemoteStudy::CreatedAt))
                .foreign_key(&mut fk(
                    (RemoteStudy::Table, RemoteStudy::ThemeDayId),
                    (ThemeDay::Table, ThemeDay::Id),
                ))
                .foreign_key(&mut fk(
                    (RemoteStudy::Table, RemoteStudy::MemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        // One request a member and theme day that is not refused.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_remote_study_open ON remote_study (theme_day_id, member_id) \
             WHERE status IN ('pending', 'approved')",
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DifficultyFile::Table)
                .col(big_integer(DifficultyFile::MemberId).primary_key())
                .col(
                    string(DifficultyFile::Kind)
                        .check(one_of(DifficultyFile::Kind, DIFFICULTY_KINDS)),
                )
                .col(string(DifficultyFile::Needs))
                .col(date(DifficultyFile::Since))
                .col(big_integer(DifficultyFile::UpdatedBy))
                .col(timestamp_with_time_zone(DifficultyFile::UpdatedAt))
                .foreign_key(&mut fk(
                    (DifficultyFile::Table, DifficultyFile::MemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CenterHousehold::Table)
                .col(big_integer(CenterHousehold::MemberId).primary_key())
                .col(big_integer(CenterHousehold::OrgId))
                .col(text(CenterHousehold::Households))
                .col(timestamp_with_time_zone(CenterHousehold::UpdatedAt))
                .foreign_key(&mut fk(
                    (CenterHousehold::Table, CenterHousehold::MemberId),
                    (Member::Table, Member::Id),
                ))
                .foreign_key(&mut fk(
                    (CenterHousehold::Table, CenterHousehold::OrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table(ServiceLog::Table)
                .add_column(big_integer_null(ServiceLog::PostId))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ServiceLog::Table)
                .add_column(big_integer_null(ServiceLog::HelpedMemberId))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [ServiceLog::HelpedMemberId, ServiceLog::PostId] {
            m.alter_table(
                Table::alter()
                    .table(ServiceLog::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for table in [
            "center_household",
            "difficulty_file",
            "remote_study",
            "floating_contact",
            "floating_profile",
            "post_holder",
            "post",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
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
}

#[derive(DeriveIden)]
enum ServiceLog {
    Table,
    PostId,
    HelpedMemberId,
}

#[derive(DeriveIden)]
enum Post {
    Table,
    Id,
    OrgId,
    Name,
    Duties,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum PostHolder {
    Table,
    PostId,
    MemberId,
    Since,
}

#[derive(DeriveIden)]
enum FloatingProfile {
    Table,
    MemberId,
    City,
    Employer,
    Since,
    ContactMemberId,
    ReturnedOn,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum FloatingContact {
    Table,
    Id,
    MemberId,
    ByMemberId,
    ContactedOn,
    Way,
    Note,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RemoteStudy {
    Table,
    Id,
    ThemeDayId,
    MemberId,
    Note,
    Status,
    Reason,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DifficultyFile {
    Table,
    MemberId,
    Kind,
    Needs,
    Since,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CenterHousehold {
    Table,
    MemberId,
    OrgId,
    Households,
    UpdatedAt,
}
