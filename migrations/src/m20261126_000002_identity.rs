//! Identity and organisation: the org tree (with a closure table for subtree
//! queries), communities, members, roles, sessions and WeChat accounts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OrgUnit::Table)
                .col(big_pk_auto(OrgUnit::Id))
                .col(string(OrgUnit::Name))
                .col(string(OrgUnit::Kind))
                .col(string_null(OrgUnit::Sector))
                .col(big_integer_null(OrgUnit::ParentId))
                .col(timestamp_with_time_zone(OrgUnit::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(OrgUnit::Table, OrgUnit::ParentId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_org_unit_parent_name")
                .table(OrgUnit::Table)
                .col(OrgUnit::ParentId)
                .col(OrgUnit::Name)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_org_unit_kind")
                .table(OrgUnit::Table)
                .col(OrgUnit::Kind)
                .to_owned(),
        )
        .await?;

        // Every (ancestor, descendant) pair including (x, x) at depth 0, so
        // "everything under X" is one indexed join on both engines.
        m.create_table(
            Table::create()
                .table(OrgClosure::Table)
                .col(big_integer(OrgClosure::AncestorId))
                .col(big_integer(OrgClosure::DescendantId))
                .col(integer(OrgClosure::Depth))
                .primary_key(
                    Index::create()
                        .col(OrgClosure::AncestorId)
                        .col(OrgClosure::DescendantId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(OrgClosure::Table, OrgClosure::AncestorId)
                        .to(OrgUnit::Table, OrgUnit::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(OrgClosure::Table, OrgClosure::DescendantId)
                        .to(OrgUnit::Table, OrgUnit::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_org_closure_descendant")
                .table(OrgClosure::Table)
                .col(OrgClosure::DescendantId)
                .col(OrgClosure::Depth)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Community::Table)
                .col(big_pk_auto(Community::Id))
                .col(string(Community::Name))
                .col(big_integer(Community::ParentOrgId))
                .col(big_integer_null(Community::OrgId))
                .col(timestamp_with_time_zone(Community::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Community::Table, Community::ParentOrgId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Community::Table, Community::OrgId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_community_parent_name")
                .table(Community::Table)
                .col(Community::ParentOrgId)
                .col(Community::Name)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_community_name")
                .table(Community::Table)
                .col(Community::Name)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Member::Table)
                .col(big_pk_auto(Member::Id))
                .col(string(Member::Name))
                .col(string_uniq(Member::Phone))
                .col(string_null(Member::PasswordHash))
                .col(big_integer(Member::BranchId))
                .col(string_null(Member::Employer))
                .col(big_integer_null(Member::CommunityId))
                .col(date_null(Member::JoinedPartyOn))
                .col(boolean(Member::Probationary).default(false))
                .col(string(Member::Status).default("active"))
                .col(timestamp_with_time_zone_null(Member::DisabledAt))
                .col(timestamp_with_time_zone(Member::CreatedAt))
                .col(timestamp_with_time_zone(Member::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Member::Table, Member::BranchId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Member::Table, Member::CommunityId)
                        .to(Community::Table, Community::Id),
                )
                .to_owned(),
        )
        .await?;
        // Covering: subtree member counts read the index only.
        m.create_index(
            Index::create()
                .name("ix_member_branch")
                .table(Member::Table)
                .col(Member::BranchId)
                .col(Member::Status)
                .col(Member::Probationary)
                .to_owned(),
        )
        .await?;
        for (name, col) in [("ix_member_community", Member::CommunityId)] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Member::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }

        // Which branch a member belonged to when: credit follows the branch
        // of the day, not the branch of today.
        m.create_table(
            Table::create()
                .table(MemberBranchHistory::Table)
                .col(big_pk_auto(MemberBranchHistory::Id))
                .col(big_integer(MemberBranchHistory::MemberId))
                .col(big_integer(MemberBranchHistory::BranchId))
                .col(date(MemberBranchHistory::ValidFrom))
                .col(date_null(MemberBranchHistory::ValidTo))
                .foreign_key(
                    ForeignKey::create()
                        .from(MemberBranchHistory::Table, MemberBranchHistory::MemberId)
                        .to(Member::Table, Member::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(MemberBranchHistory::Table, MemberBranchHistory::BranchId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_member_branch_history_member")
                .table(MemberBranchHistory::Table)
                .col(MemberBranchHistory::MemberId)
                .col(MemberBranchHistory::ValidFrom)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(MemberCategory::Table)
                .col(big_integer(MemberCategory::MemberId))
                .col(string(MemberCategory::Category))
                .primary_key(
                    Index::create()
                        .col(MemberCategory::MemberId)
                        .col(MemberCategory::Category),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(MemberCategory::Table, MemberCategory::MemberId)
                        .to(Member::Table, Member::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SectorMembership::Table)
                .col(big_pk_auto(SectorMembership::Id))
                .col(big_integer(SectorMembership::MemberId))
                .col(big_integer(SectorMembership::CommitteeId))
                .col(string(SectorMembership::Platform))
                .col(string_null(SectorMembership::Note))
                .col(string(SectorMembership::Status))
                .col(string_null(SectorMembership::Reason))
                .col(big_integer_null(SectorMembership::DecidedBy))
                .col(timestamp_with_time_zone_null(SectorMembership::DecidedAt))
                .col(timestamp_with_time_zone(SectorMembership::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(SectorMembership::Table, SectorMembership::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SectorMembership::Table, SectorMembership::CommitteeId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SectorMembership::Table, SectorMembership::DecidedBy)
                        .to(Member::Table, Member::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sector_membership_member")
                .table(SectorMembership::Table)
                .col(SectorMembership::MemberId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sector_membership_committee_status")
                .table(SectorMembership::Table)
                .col(SectorMembership::CommitteeId)
                .col(SectorMembership::Status)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RoleGrant::Table)
                .col(big_pk_auto(RoleGrant::Id))
                .col(big_integer(RoleGrant::MemberId))
                .col(string(RoleGrant::Role))
                .col(big_integer(RoleGrant::OrgId))
                .foreign_key(
                    ForeignKey::create()
                        .from(RoleGrant::Table, RoleGrant::MemberId)
                        .to(Member::Table, Member::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RoleGrant::Table, RoleGrant::OrgId)
                        .to(OrgUnit::Table, OrgUnit::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_role_grant")
                .table(RoleGrant::Table)
                .col(RoleGrant::MemberId)
                .col(RoleGrant::Role)
                .col(RoleGrant::OrgId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_role_grant_org")
                .table(RoleGrant::Table)
                .col(RoleGrant::OrgId)
                .to_owned(),
        )
        .await?;

        // One row per login (a refresh-token family). Access tokens name
        // their session, so revoking the row ends them at once.
        m.create_table(
            Table::create()
                .table(AuthSession::Table)
                .col(string_len(AuthSession::Id, 36).primary_key())
                .col(big_integer(AuthSession::MemberId))
                .col(string_len(AuthSession::RefreshJti, 64))
                .col(timestamp_with_time_zone(AuthSession::CreatedAt))
                .col(timestamp_with_time_zone(AuthSession::RefreshedAt))
                .col(timestamp_with_time_zone(AuthSession::ExpiresAt))
                .col(timestamp_with_time_zone_null(AuthSession::RevokedAt))
                .col(string_null(AuthSession::RevokeReason))
                .foreign_key(
                    ForeignKey::create()
                        .from(AuthSession::Table, AuthSession::MemberId)
                        .to(Member::Table, Member::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_auth_session_member")
                .table(AuthSession::Table)
                .col(AuthSession::MemberId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginFailure::Table)
                .col(big_pk_auto(LoginFailure::Id))
                .col(string(LoginFailure::Phone))
                .col(string(LoginFailure::Ip))
                .col(timestamp_with_time_zone(LoginFailure::At))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_login_failure_phone", LoginFailure::Phone),
            ("ix_login_failure_ip", LoginFailure::Ip),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(LoginFailure::Table)
                    .col(col)
                    .col(LoginFailure::At)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(WechatAccount::Table)
                .col(string(WechatAccount::Openid).primary_key())
                .col(big_integer_null(WechatAccount::MemberId).unique_key())
                .col(string(WechatAccount::SessionKey))
                .col(timestamp_with_time_zone(WechatAccount::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WechatAccount::Table, WechatAccount::MemberId)
                        .to(Member::Table, Member::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(big_integer_null(AuditLog::ActorId))
                .col(string(AuditLog::Action))
                .col(string(AuditLog::ObjectType))
                .col(string(AuditLog::ObjectId))
                .col(text_null(AuditLog::Detail))
                .col(timestamp_with_time_zone(AuditLog::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_log_object")
                .table(AuditLog::Table)
                .col(AuditLog::ObjectType)
                .col(AuditLog::ObjectId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            WechatAccount::Table.into_iden(),
            LoginFailure::Table.into_iden(),
            AuthSession::Table.into_iden(),
            RoleGrant::Table.into_iden(),
            SectorMembership::Table.into_iden(),
            MemberCategory::Table.into_iden(),
            MemberBranchHistory::Table.into_iden(),
            Member::Table.into_iden(),
            Community::Table.into_iden(),
            OrgClosure::Table.into_iden(),
            OrgUnit::Table.into_iden(),
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
    Name,
    Kind,
    Sector,
    ParentId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrgClosure {
    Table,
    AncestorId,
    DescendantId,
    Depth,
}

#[derive(DeriveIden)]
enum Community {
    Table,
    Id,
    Name,
    ParentOrgId,
    OrgId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
    Name,
    Phone,
    PasswordHash,
    BranchId,
    Employer,
    CommunityId,
    JoinedPartyOn,
    Probationary,
    Status,
    DisabledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MemberBranchHistory {
    Table,
    Id,
    MemberId,
    BranchId,
    ValidFrom,
    ValidTo,
}

#[derive(DeriveIden)]
enum MemberCategory {
    Table,
    MemberId,
    Category,
}

#[derive(DeriveIden)]
enum SectorMembership {
    Table,
    Id,
    MemberId,
    CommitteeId,
    Platform,
    Note,
    Status,
    Reason,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RoleGrant {
    Table,
    Id,
    MemberId,
    Role,
    OrgId,
}

#[derive(DeriveIden)]
enum AuthSession {
    Table,
    Id,
    MemberId,
    RefreshJti,
    CreatedAt,
    RefreshedAt,
    ExpiresAt,
    RevokedAt,
    RevokeReason,
}

#[derive(DeriveIden)]
enum LoginFailure {
    Table,
    Id,
    Phone,
    Ip,
    At,
}

#[derive(DeriveIden)]
enum WechatAccount {
    Table,
    Openid,
    MemberId,
    SessionKey,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    ObjectType,
    ObjectId,
    Detail,
    At,
}
