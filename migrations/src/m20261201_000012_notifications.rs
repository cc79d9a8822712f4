//! Reminders: a durable job queue (claimed with a lease, so with several
//! servers each job runs once; retried with backoff), the notification
//! centre (at most one reminder of a kind per member and day, by a partial
//! unique index), members' opt-ins and quiet hours, Web Push subscriptions
//! and WeChat subscribe-message consents.

use sea_orm_migration::{prelude::*, schema::*};

use crate::builders::fk;

fn one_of(column: impl IntoIden + Copy + 'static, values: &[&str]) -> SimpleExpr {
    crate::builders::one_of(column, values, false)
}

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const JOB_KINDS: &[&str] = &[
    "theme_day_eve",
    "theme_day_morning",
    "approvals_digest",
    "deadlines",
    "push",
];
pub const NOTIFICATION_KINDS: &[&str] = &["theme_day", "approvals", "deadlines", "results"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Job::Table)
                .col(big_pk_auto(Job::Id))
                .col(string(Job::Kind).check(one_of(Job::Kind, JOB_KINDS)))
                .col(string(Job::Key).unique_key())
                .col(text_null(Job::Payload))
                .col(timestamp_with_time_zone(Job::RunAt))
                .col(integer(Job::Attempts).default(0))
                .col(string_null(Job::LockedBy))
                .col(timestamp_with_time_zone_null(Job::LockedUntil))
                .col(string_null(Job::LastError))
                .col(timestamp_with_time_zone_null(Job::DoneAt))
                .col(timestamp_with_time_zone_null(Job::FailedAt))
                .col(timestamp_with_time_zone(Job::CreatedAt))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE INDEX ix_job_due ON job (run_at) WHERE done_at IS NULL AND failed_at IS NULL",
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Notification::Table)
                .col(big_pk_auto(Notification::Id))
                .col(big_integer(Notification::MemberId))
                .col(
                    string(Notification::Kind)
                        .check(one_of(Notification::Kind, NOTIFICATION_KINDS)),
                )
                .col(string_len(Notification::Day, 10))
                .col(string(Notification::Title))
                .col(string(Notification::Body))
                .col(string(Notification::Url))
                .col(timestamp_with_time_zone(Notification::CreatedAt))
                .col(timestamp_with_time_zone_null(Notification::ReadAt))
                .foreign_key(&mut fk(
                    (Notification::Table, Notification::MemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_notification_member ON notification (member_id, id)",
        )
        .await?;
        // At most one reminder of a kind a day; results may come several times.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_notification_reminder ON notification (member_id, kind, day) \
             WHERE kind <> 'results'",
        )
        .await?;

        m.create_table(
            Table::create()
                .table(NotificationSetting::Table)
                .col(big_integer(NotificationSetting::MemberId).primary_key())
                .col(boolean(NotificationSetting::ThemeDay))
                .col(boolean(NotificationSetting::Approvals))
                .col(boolean(NotificationSetting::Deadlines))
                .col(boolean(NotificationSetting::Results))
                .col(string_len(NotificationSetting::QuietFrom, 5))
                .col(string_len(NotificationSetting::QuietTo, 5))
                .col(timestamp_with_time_zone(NotificationSetting::UpdatedAt))
                .foreign_key(&mut fk(
                    (NotificationSetting::Table, NotificationSetting::MemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PushSubscription::Table)
                .col(big_pk_auto(PushSubscription::Id))
                .col(big_integer(PushSubscription::MemberId))
                .col(string(PushSubscription::Endpoint).unique_key())
                .col(string(PushSubscription::P256dh))
                .col(string(PushSubscription::Auth))
                .col(timestamp_with_time_zone(PushSubscription::CreatedAt))
                .foreign_key(&mut fk(
                    (PushSubscription::Table, PushSubscription::MemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_push_subscription_member")
                .table(PushSubscription::Table)
                .col(PushSubscription::MemberId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WechatConsent::Table)
                .col(big_integer(WechatConsent::MemberId))
                .col(string(WechatConsent::TemplateId))
                .col(integer(WechatConsent::Remaining).default(0))
                .col(timestamp_with_time_zone(WechatConsent::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(WechatConsent::MemberId)
                        .col(WechatConsent::TemplateId),
                )
                .foreign_key(&mut fk(
                    (WechatConsent::Table, WechatConsent::MemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "wechat_consent",
            "push_subscription",
            "notification_setting",
            "notification",
            "job",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Job {
    Table,
    Id,
    Kind,
    Key,
    Payload,
    RunAt,
    Attempts,
    LockedBy,
    LockedUntil,
    LastError,
    DoneAt,
    FailedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notification {
    Table,
    Id,
    MemberId,
    Kind,
    Day,
    Title,
    Body,
    Url,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum NotificationSetting {
    Table,
    MemberId,
    ThemeDay,
    Approvals,
    Deadlines,
    Results,
    QuietFrom,
    QuietTo,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PushSubscription {
    Table,
    Id,
    MemberId,
    Endpoint,
    P256dh,
    Auth,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WechatConsent {
    Table,
    MemberId,
    TemplateId,
    Remaining,
    UpdatedAt,
}
