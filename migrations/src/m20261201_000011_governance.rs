//! Governance records: 三会一课 meetings and the obligations they meet,
//! attachments, random and cross inspections with their sampled items,
//! problems and rectification, 约谈, 四议两公开 decisions and the 十有
//! venue checklist.
//!
//! `obligation` rows are made by the scheduler for the periods under way,
//! so what a unit owed is kept as it was; `governance_tally` holds counts
//! per unit and its ancestors (obligations, those met, problems found and
//! accepted, venues), kept in the same transaction as each record, so the
//! county's overview reads a few rows per child. Every closed vocabulary
//! is checked by the database.

use sea_orm_migration::{prelude::*, schema::*};

use crate::builders::{fk, one_of};

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const MEETING_KINDS: &[&str] = &["branch_assembly", "committee", "group", "lecture"];
pub const RECORD_KINDS: &[&str] = &["meetings", "decisions", "dues"];
pub const GRADES: &[&str] = &["good", "fair", "poor"];
pub const PROBLEM_SOURCES: &[&str] = &["inspection", "self_check"];
pub const PROBLEM_STATUSES: &[&str] = &["open", "submitted", "accepted", "reopened"];
pub const DECISION_STEPS: &[&str] = &[
    "proposal",
    "deliberation",
    "review",
    "resolution",
    "resolution_public",
    "result_public",
];
pub const VENUE_ITEMS: &[&str] = &[
    "site",
    "sign",
    "flag",
    "rules",
    "meeting_room",
    "education",
    "books",
    "archive",
    "service",
    "culture",
];
pub const ATTACHMENT_TYPES: &[&str] = &["image/jpeg", "image/png", "application/pdf"];
pub const ATTACHMENT_OWNERS: &[&str] = &["meeting", "problem", "decision_step", "venue"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Meeting::Table)
                .col(string_len(Meeting::Id, 36).primary_key())
                .col(big_integer(Meeting::OrgId))
                .col(string(Meeting::Kind).check(one_of(Meeting::Kind, MEETING_KINDS, false)))
                .col(date(Meeting::HeldOn))
                .col(string_len(Meeting::Period, 7))
                .col(string(Meeting::Topic))
                .col(string(Meeting::Host))
                .col(string_null(Meeting::Recorder))
                .col(text_null(Meeting::Minutes))
                .col(big_integer_null(Meeting::ThemeDayId))
                .col(string_len(Meeting::RequestHash, 64))
                .col(big_integer(Meeting::RecordedBy))
                .col(timestamp_with_time_zone(Meeting::CreatedAt))
                .foreign_key(&mut fk(
                    (Meeting::Table, Meeting::OrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .foreign_key(&mut fk(
                    (Meeting::Table, Meeting::ThemeDayId),
                    (ThemeDay::Table, ThemeDay::Id),
                ))
                .foreign_key(&mut fk(
                    (Meeting::Table, Meeting::RecordedBy),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_meeting_org_held")
                .table(Meeting::Table)
                .col(Meeting::OrgId)
                .col(Meeting::HeldOn)
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        // A theme day is recorded as a given kind of meeting once.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_meeting_theme_day_kind ON meeting (theme_day_id, kind) \
             WHERE theme_day_id IS NOT NULL",
        )
        .await?;

        m.create_table(
            Table::create()
                .table(MeetingAttendee::Table)
                .col(string_len(MeetingAttendee::MeetingId, 36))
                .col(big_integer(MeetingAttendee::MemberId))
                .primary_key(
                    Index::create()
                        .col(MeetingAttendee::MeetingId)
                        .col(MeetingAttendee::MemberId),
                )
                .foreign_key(&mut fk(
                    (MeetingAttendee::Table, MeetingAttendee::MeetingId),
                    (Meeting::Table, Meeting::Id),
                ))
                .foreign_key(&mut fk(
                    (MeetingAttendee::Table, MeetingAttendee::MemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Obligation::Table)
                .col(big_integer(Obligation::OrgId))
                .col(string(Obligation::Kind).check(one_of(Obligation::Kind, MEETING_KINDS, false)))
                .col(string_len(Obligation::Period, 7))
                .col(integer(Obligation::Meetings).default(0))
                .primary_key(
                    Index::create()
                        .col(Obligation::OrgId)
                        .col(Obligation::Kind)
                        .col(Obligation::Period),
                )
                .foreign_key(&mut fk(
                    (Obligation::Table, Obligation::OrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_obligation_period")
                .table(Obligation::Table)
                .col(Obligation::Period)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(GovernanceTally::Table)
                .col(big_integer(GovernanceTally::ScopeId))
                .col(string_len(GovernanceTally::Period, 7))
                .col(string_len(GovernanceTally::Metric, 32))
                .col(big_integer(GovernanceTally::N).default(0))
                .primary_key(
                    Index::create()
                        .col(GovernanceTally::ScopeId)
                        .col(GovernanceTally::Period)
                        .col(GovernanceTally::Metric),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Attachment::Table)
                .col(big_pk_auto(Attachment::Id))
                .col(big_integer(Attachment::OrgId))
                .col(string_null(Attachment::OwnerType).check(one_of(
                    Attachment::OwnerType,
                    ATTACHMENT_OWNERS,
                    true,
                )))
                .col(string_null(Attachment::OwnerId))
                .col(string(Attachment::Name))
                .col(string(Attachment::ContentType).check(one_of(
                    Attachment::ContentType,
                    ATTACHMENT_TYPES,
                    false,
                )))
                .col(big_integer(Attachment::Bytes))
                .col(string_len(Attachment::Sha256, 64))
                .col(string(Attachment::StorageKey).unique_key())
                .col(big_integer(Attachment::UploadedBy))
                .col(timestamp_with_time_zone(Attachment::CreatedAt))
                .foreign_key(&mut fk(
                    (Attachment::Table, Attachment::OrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .foreign_key(&mut fk(
                    (Attachment::Table, Attachment::UploadedBy),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_attachment_owner")
                .table(Attachment::Table)
                .col(Attachment::OwnerType)
                .col(Attachment::OwnerId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Inspection::Table)
                .col(big_pk_auto(Inspection::Id))
                .col(big_integer(Inspection::ScopeOrgId))
                .col(big_integer(Inspection::InspectorOrgId))
                .col(string_len(Inspection::Month, 7))
                .col(big_integer(Inspection::Seed))
                .col(integer(Inspection::SampleSize))
                .col(string(Inspection::RecordKinds))
                .col(boolean(Inspection::Rotation))
                .col(big_integer(Inspection::CreatedBy))
                .col(timestamp_with_time_zone(Inspection::CreatedAt))
                .foreign_key(&mut fk(
                    (Inspection::Table, Inspection::ScopeOrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .foreign_key(&mut fk(
                    (Inspection::Table, Inspection::InspectorOrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .foreign_key(&mut fk(
                    (Inspection::Table, Inspection::CreatedBy),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        // One rotation assignment per pair and month, however often it is asked for.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_inspection_rotation ON inspection (inspector_org_id, scope_org_id, month) \
             WHERE rotation",
        )
        .await?;

        m.create_table(
            Table::create()
                .table(InspectionItem::Table)
                .col(big_pk_auto(InspectionItem::Id))
                .col(big_integer(InspectionItem::InspectionId))
                .col(big_integer(InspectionItem::OrgId))
                .col(string(InspectionItem::RecordKind).check(one_of(
                    InspectionItem::RecordKind,
                    RECORD_KINDS,
                    false,
                )))
                .col(string_null(InspectionItem::RecordId))
                .col(string_null(InspectionItem::Grade).check(one_of(
                    InspectionItem::Grade,
                    GRADES,
                    true,
                )))
                .col(string_null(InspectionItem::Note))
                .col(big_integer_null(InspectionItem::GradedBy))
                .col(timestamp_with_time_zone_null(InspectionItem::GradedAt))
                .foreign_key(&mut fk(
                    (InspectionItem::Table, InspectionItem::InspectionId),
                    (Inspection::Table, Inspection::Id),
                ))
                .foreign_key(&mut fk(
                    (InspectionItem::Table, InspectionItem::OrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_inspection_item")
                .table(InspectionItem::Table)
                .col(InspectionItem::InspectionId)
                .col(InspectionItem::OrgId)
                .col(InspectionItem::RecordKind)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_inspection_item_org")
                .table(InspectionItem::Table)
                .col(InspectionItem::OrgId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Problem::Table)
                .col(big_pk_auto(Problem::Id))
                .col(big_integer(Problem::OrgId))
                .col(string(Problem::Source).check(one_of(Problem::Source, PROBLEM_SOURCES, false)))
                .col(big_integer_null(Problem::InspectionId))
                .col(big_integer_null(Problem::ItemId))
                .col(string(Problem::Description))
                .col(date(Problem::Deadline))
                .col(string(Problem::Status).check(one_of(
                    Problem::Status,
                    PROBLEM_STATUSES,
                    false,
                )))
                .col(big_integer(Problem::ReviewerOrgId))
                .col(big_integer(Problem::RaisedBy))
                .col(timestamp_with_time_zone(Problem::RaisedAt))
                .col(string_len(Problem::Quarter, 7))
                .col(string_null(Problem::RectificationNote))
                .col(big_integer_null(Problem::RectifiedBy))
                .col(timestamp_with_time_zone_null(Problem::RectifiedAt))
                .col(string_null(Problem::ReopenReason))
                .col(big_integer_null(Problem::DecidedBy))
                .col(timestamp_with_time_zone_null(Problem::DecidedAt))
                .foreign_key(&mut fk(
                    (Problem::Table, Problem::OrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .foreign_key(&mut fk(
                    (Problem::Table, Problem::InspectionId),
                    (Inspection::Table, Inspection::Id),
                ))
                .foreign_key(&mut fk(
                    (Problem::Table, Problem::ItemId),
                    (InspectionItem::Table, InspectionItem::Id),
                ))
                .foreign_key(&mut fk(
                    (Problem::Table, Problem::ReviewerOrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .foreign_key(&mut fk(
                    (Problem::Table, Problem::RaisedBy),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_problem_org_status")
                .table(Problem::Table)
                .col(Problem::OrgId)
                .col(Problem::Status)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Talk::Table)
                .col(big_pk_auto(Talk::Id))
                .col(big_integer(Talk::OrgId))
                .col(big_integer(Talk::WithMemberId))
                .col(big_integer(Talk::ByMemberId))
                .col(date(Talk::HeldOn))
                .col(string(Talk::Reason))
                .col(string(Talk::Outcome))
                .col(timestamp_with_time_zone(Talk::CreatedAt))
                .foreign_key(&mut fk(
                    (Talk::Table, Talk::OrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .foreign_key(&mut fk(
                    (Talk::Table, Talk::WithMemberId),
                    (Member::Table, Member::Id),
                ))
                .foreign_key(&mut fk(
                    (Talk::Table, Talk::ByMemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(VillageDecision::Table)
                .col(string_len(VillageDecision::Id, 36).primary_key())
                .col(big_integer(VillageDecision::OrgId))
                .col(string(VillageDecision::Subject))
                .col(string_len(VillageDecision::RequestHash, 64))
                .col(big_integer(VillageDecision::CreatedBy))
                .col(timestamp_with_time_zone(VillageDecision::CreatedAt))
                .foreign_key(&mut fk(
                    (VillageDecision::Table, VillageDecision::OrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .foreign_key(&mut fk(
                    (VillageDecision::Table, VillageDecision::CreatedBy),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_village_decision_org")
                .table(VillageDecision::Table)
                .col(VillageDecision::OrgId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DecisionStep::Table)
                .col(string_len(DecisionStep::DecisionId, 36))
                .col(string(DecisionStep::Step).check(one_of(
                    DecisionStep::Step,
                    DECISION_STEPS,
                    false,
                )))
                .col(date(DecisionStep::DoneOn))
                .col(string_null(DecisionStep::Note))
                .col(big_integer(DecisionStep::RecordedBy))
                .col(timestamp_with_time_zone(DecisionStep::RecordedAt))
                .primary_key(
                    Index::create()
                        .col(DecisionStep::DecisionId)
                        .col(DecisionStep::Step),
                )
                .foreign_key(&mut fk(
                    (DecisionStep::Table, DecisionStep::DecisionId),
                    (VillageDecision::Table, VillageDecision::Id),
                ))
                .foreign_key(&mut fk(
                    (DecisionStep::Table, DecisionStep::RecordedBy),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Venue::Table)
                .col(big_integer(Venue::OrgId).primary_key())
                .col(string_null(Venue::Address))
                .col(integer_null(Venue::AreaM2))
                .col(big_integer(Venue::UpdatedBy))
                .col(timestamp_with_time_zone(Venue::UpdatedAt))
                .foreign_key(&mut fk(
                    (Venue::Table, Venue::OrgId),
                    (OrgUnit::Table, OrgUnit::Id),
                ))
                .foreign_key(&mut fk(
                    (Venue::Table, Venue::UpdatedBy),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(VenueItem::Table)
                .col(big_integer(VenueItem::OrgId))
                .col(string(VenueItem::Item).check(one_of(VenueItem::Item, VENUE_ITEMS, false)))
                .col(boolean(VenueItem::Met))
                .primary_key(Index::create().col(VenueItem::OrgId).col(VenueItem::Item))
                .foreign_key(&mut fk(
                    (VenueItem::Table, VenueItem::OrgId),
                    (Venue::Table, Venue::OrgId),
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "venue_item",
            "venue",
            "decision_step",
            "village_decision",
            "talk",
            "problem",
            "inspection_item",
            "inspection",
            "attachment",
            "governance_tally",
            "obligation",
            "meeting_attendee",
            "meeting",
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

#[derive(DeriveIden, Clone, Copy)]
enum Meeting {
    Table,
    Id,
    OrgId,
    Kind,
    HeldOn,
    Period,
    Topic,
    Host,
    Recorder,
    Minutes,
    ThemeDayId,
    RequestHash,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MeetingAttendee {
    Table,
    MeetingId,
    MemberId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Obligation {
    Table,
    OrgId,
    Kind,
    Period,
    Meetings,
}

#[derive(DeriveIden)]
enum GovernanceTally {
    Table,
    ScopeId,
    Period,
    Metric,
    N,
}

#[derive(DeriveIden, Clone, Copy)]
enum Attachment {
    Table,
    Id,
    OrgId,
    OwnerType,
    OwnerId,
    Name,
    ContentType,
    Bytes,
    Sha256,
    StorageKey,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Inspection {
    Table,
    Id,
    ScopeOrgId,
    InspectorOrgId,
    Month,
    Seed,
    SampleSize,
    RecordKinds,
    Rotation,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum InspectionItem {
    Table,
    Id,
    InspectionId,
    OrgId,
    RecordKind,
    RecordId,
    Grade,
    Note,
    GradedBy,
    GradedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Problem {
    Table,
    Id,
    OrgId,
    Source,
    InspectionId,
    ItemId,
    Description,
    Deadline,
    Status,
    ReviewerOrgId,
    RaisedBy,
    RaisedAt,
    Quarter,
    RectificationNote,
    RectifiedBy,
    RectifiedAt,
    ReopenReason,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Talk {
    Table,
    Id,
    OrgId,
    WithMemberId,
    ByMemberId,
    HeldOn,
    Reason,
    Outcome,
    CreatedAt,
}

#[derive(DeriveIden)]
enum VillageDecision {
    Table,
    Id,
    OrgId,
    Subject,
    RequestHash,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DecisionStep {
    Table,
    DecisionId,
    Step,
    DoneOn,
    Note,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum Venue {
    Table,
    OrgId,
    Address,
    AreaM2,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum VenueItem {
    Table,
    OrgId,
    Item,
    Met,
}
