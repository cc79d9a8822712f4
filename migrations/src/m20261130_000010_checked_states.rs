//! The closed vocabularies are checked by the database itself, so no path —
//! a raw statement, a restored backup, a hand-written fix — can store a
//! state the app does not know. PostgreSQL uses CHECK constraints; SQLite,
//! which cannot add them to existing tables, uses triggers that abort.
//! The lists are frozen here; a new value needs a new migration (a test
//! compares them with the shared vocabularies).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Table, column, whether it may be NULL, and the allowed values.
pub const CHECKED: &[(&str, &str, bool, &[&str])] = &[
    (
        "checkin",
        "method",
        false,
        &["code", "roll_call", "makeup", "offline"],
    ),
    (
        "checkin",
        "status",
        false,
        &["approved", "pending", "rejected"],
    ),
    (
        "makeup",
        "status",
        false,
        &["approved", "pending", "rejected"],
    ),
    (
        "service_log",
        "kind",
        false,
        &[
            "volunteer",
            "pairing",
            "grid",
            "civility",
            "environment",
            "governance",
            "other",
        ],
    ),
    (
        "service_log",
        "status",
        false,
        &["pending", "approved", "rejected", "superseded"],
    ),
    (
        "community_report",
        "status",
        false,
        &["pending", "approved", "rejected", "superseded"],
    ),
    (
        "sector_membership",
        "status",
        false,
        &["pending", "approved", "rejected", "superseded"],
    ),
    ("dues_payment", "method", false, &["cash", "transfer"]),
    (
        "member",
        "status",
        false,
        &["active", "transferred_out", "deceased"],
    ),
    (
        "member_category",
        "category",
        false,
        &[
            "in_office",
            "jobless_with_post",
            "floating",
            "in_difficulty",
            "retired",
        ],
    ),
    (
        "org_unit",
        "kind",
        false,
        &[
            "county_committee",
            "party_committee",
            "working_committee",
            "general_branch",
            "branch",
            "party_group",
            "sector_committee",
            "park_committee",
            "joint_committee",
        ],
    ),
    (
        "org_unit",
        "sector",
        true,
        &[
            "express",
            "live_commerce",
            "road_transport",
            "private_enterprise",
            "property",
            "ride_hailing",
            "food_delivery",
        ],
    ),
    (
        "role_grant",
        "role",
        false,
        &["secretary", "org_officer", "admin", "community_admin"],
    ),
];

fn allowed(column: &str, nullable: bool, values: &[&str]) -> String {
    let list = values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ");
    if nullable {
        format!("{column} IS NULL OR {column} IN ({list})")
    } else {
        format!("{column} IN ({list})")
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, column, nullable, values) in CHECKED {
            let name = format!("ck_{table}_{column}");
            match db.get_database_backend() {
                DatabaseBackend::Postgres => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({})",
                        allowed(column, *nullable, values)
                    ))
                    .await?;
                }
                _ => {
                    let bad = allowed(&format!("NEW.{column}"), *nullable, values);
                    let events = [
                        ("insert", "INSERT".to_owned()),
                        ("update", format!("UPDATE OF {column}")),
                    ];
                    for (when, event) in events {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {name}_{when} BEFORE {event} ON {table} \
                             WHEN NOT ({bad}) \
                             BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, column, _, _) in CHECKED {
            let name = format!("ck_{table}_{column}");
            match db.get_database_backend() {
                DatabaseBackend::Postgres => {
                    db.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                        .await?;
                }
                _ => {
                    for when in ["insert", "update"] {
                        db.execute_unprepared(&format!("DROP TRIGGER {name}_{when}"))
                            .await?;
                    }
                }
            }
        }
        Ok(())
    }
}
