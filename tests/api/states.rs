//! Closed vocabularies are checked by the database on both engines: a
//! state the app does not know cannot be stored by any path.

use sea_orm::{ConnectionTrait, Statement};
use zhibu_migrations::m20261130_000010_checked_states::CHECKED;
use zhibu_shared::checkin::{CheckinMethod, PaymentMethod, ReviewStatus};
use zhibu_shared::org::{MemberCategory, MemberStatus, OrgKind, Role, Sector};
use zhibu_shared::volunteer::{LogStatus, ServiceKind};
use zhibu_tests::{demo, spawn_demo_app};

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| code(*v)).collect()
}

#[test]
fn the_databases_lists_are_the_shared_vocabularies() {
    let expected: Vec<(&str, &str, Vec<&str>)> = vec![
        (
            "checkin",
            "method",
            codes(CheckinMethod::ALL, CheckinMethod::code),
        ),
        (
            "checkin",
            "status",
            codes(ReviewStatus::ALL, ReviewStatus::code),
        ),
        (
            "makeup",
            "status",
            codes(ReviewStatus::ALL, ReviewStatus::code),
        ),
        (
            "service_log",
            "kind",
            codes(ServiceKind::ALL, ServiceKind::code),
        ),
        (
            "service_log",
            "status",
            codes(LogStatus::ALL, LogStatus::code),
        ),
        (
            "community_report",
            "status",
            codes(LogStatus::ALL, LogStatus::code),
        ),
        (
            "sector_membership",
            "status",
            codes(LogStatus::ALL, LogStatus::code),
        ),
        (
            "dues_payment",
            "method",
            codes(PaymentMethod::ALL, PaymentMethod::code),
        ),
        (
            "member",
            "status",
            codes(MemberStatus::ALL, MemberStatus::code),
        ),
        (
            "member_category",
            "category",
            codes(MemberCategory::ALL, MemberCategory::code),
        ),
        ("org_unit", "kind", codes(OrgKind::ALL, OrgKind::code)),
        ("org_unit", "sector", codes(Sector::ALL, Sector::code)),
        ("role_grant", "role", codes(Role::ALL, Role::code)),
    ];
    let stored: Vec<(&str, &str, Vec<&str>)> = CHECKED
        .iter()
        .map(|(table, column, _, values)| (*table, *column, values.to_vec()))
        .collect();
    assert_eq!(stored, expected);
}

#[tokio::test]
async fn a_state_the_app_does_not_know_is_refused_by_the_database() {
    let app = spawn_demo_app().await;
    let member = app.member_id(demo::MEMBER).await;
    let db = app.db.writer();
    let backend = db.get_database_backend();
    let run = |sql: &str, values: Vec<sea_orm::Value>| {
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
    };
    let refused = run(
        "UPDATE member SET status = $1 WHERE id = $2",
        vec!["on_leave".into(), member.into()],
    )
    .await;
    assert!(refused.is_err(), "an unknown member status was stored");
    let refused = run(
        "UPDATE org_unit SET sector = $1 WHERE parent_id IS NULL",
        vec!["mining".into()],
    )
    .await;
    assert!(refused.is_err(), "an unknown sector was stored");
    // Known values, and NULL where a column allows it, still go in.
    run(
        "UPDATE member SET status = $1 WHERE id = $2",
        vec!["active".into(), member.into()],
    )
    .await
    .unwrap();
    run(
        "UPDATE org_unit SET sector = NULL WHERE parent_id IS NULL",
        vec![],
    )
    .await
    .unwrap();
    let refused = run(
        "INSERT INTO member_category (member_id, category) VALUES ($1, $2)",
        vec![member.into(), "vip".into()],
    )
    .await;
    assert!(refused.is_err(), "an unknown category was stored");
}

#[test]
fn the_governance_tables_lists_are_the_shared_vocabularies() {
    use zhibu_migrations::m20261201_000011_governance as frozen;
    use zhibu_shared::governance::{
        DecisionStep, Grade, MeetingKind, ProblemSource, ProblemStatus, RecordKind, VenueItem,
    };
    assert_eq!(
        frozen::MEETING_KINDS,
        codes(MeetingKind::ALL, MeetingKind::code)
    );
    assert_eq!(
        frozen::RECORD_KINDS,
        codes(RecordKind::ALL, RecordKind::code)
    );
    assert_eq!(frozen::GRADES, codes(Grade::ALL, Grade::code));
    assert_eq!(
        frozen::PROBLEM_SOURCES,
        codes(ProblemSource::ALL, ProblemSource::code)
    );
    assert_eq!(
        frozen::PROBLEM_STATUSES,
        codes(ProblemStatus::ALL, ProblemStatus::code)
    );
    assert_eq!(
        frozen::DECISION_STEPS,
        codes(DecisionStep::ALL, DecisionStep::code)
    );
    assert_eq!(frozen::VENUE_ITEMS, codes(VenueItem::ALL, VenueItem::code));
    use zhibu_migrations::m20261201_000012_notifications as notifications;
    use zhibu_shared::notify::{JobKind, NotificationKind};
    assert_eq!(notifications::JOB_KINDS, codes(JobKind::ALL, JobKind::code));
    assert_eq!(
        notifications::NOTIFICATION_KINDS,
        codes(NotificationKind::ALL, NotificationKind::code)
    );
    use zhibu_migrations::m20261201_000013_member_classes as classes;
    use zhibu_shared::classes::{ContactWay, DifficultyKind};
    assert_eq!(
        classes::DIFFICULTY_KINDS,
        codes(DifficultyKind::ALL, DifficultyKind::code)
    );
    assert_eq!(
        classes::CONTACT_WAYS,
        codes(ContactWay::ALL, ContactWay::code)
    );
}

#[tokio::test]
async fn a_governance_state_the_app_does_not_know_is_refused_by_the_database() {
    let app = spawn_demo_app().await;
    let admin = app.token(demo::ADMIN).await;
    let branch = app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let today = zhibu_server::time::today(app.settings.timezone().unwrap());
    let problem: serde_json::Value = app
        .post(
            "/problems",
            &admin,
            &serde_json::json!({"org_id": branch, "description": "台账不全", "deadline": today}),
        )
        .await
        .json()
        .await
        .unwrap();
    let db = app.db.writer();
    let backend = db.get_database_backend();
    let refused = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE problem SET status = $1 WHERE id = $2",
            vec!["forgotten".into(), problem["id"].as_i64().unwrap().into()],
        ))
        .await;
    assert!(refused.is_err(), "an unknown problem status was stored");
    let refused = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO obligation (org_id, kind, period, meetings) VALUES ($1, $2, $3, 0)",
            vec![branch.into(), "party_congress".into(), "2026-Q4".into()],
        ))
        .await;
    assert!(refused.is_err(), "an unknown meeting kind was stored");
}
