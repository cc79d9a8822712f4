//! Counts kept current so that dashboard reads cost O(children) rows,
//! whatever the number of members or logs:
//!
//! - `org_member_count`: active and formal members of each unit's whole
//!   subtree, maintained by triggers on `member` and `org_closure`, so every
//!   write path (roster import, status changes, moving units) keeps it right.
//! - `hours_member_range`: distinct members who served in each scope for
//!   every month range inside a year (78 ranges), kept by the roll-up code
//!   in the same transaction as `hours_member`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CREATE_COUNTS: &str = "CREATE TABLE org_member_count (\
    org_id BIGINT NOT NULL PRIMARY KEY, \
    members BIGINT NOT NULL, \
    formal BIGINT NOT NULL)";

const FILL_COUNTS: &str = "INSERT INTO org_member_count (org_id, members, formal) \
    SELECT o.id, COUNT(m.id), COALESCE(SUM(CASE WHEN m.id IS NULL OR m.probationary THEN 0 ELSE 1 END), 0) \
    FROM org_unit o LEFT JOIN org_closure c ON c.ancestor_id = o.id \
    LEFT JOIN member m ON m.branch_id = c.descendant_id AND m.status = 'active' \
    GROUP BY o.id";

const CREATE_RANGES: &str = "CREATE TABLE hours_member_range (\
    scope_kind VARCHAR(1) NOT NULL, \
    scope_id BIGINT NOT NULL, \
    year INTEGER NOT NULL, \
    first_month INTEGER NOT NULL, \
    last_month INTEGER NOT NULL, \
    members BIGINT NOT NULL, \
    PRIMARY KEY (scope_kind, scope_id, year, first_month, last_month))";

/// Adds (`sign` empty) or takes away (`sign` = "-") one member, the `row`
/// (NEW or OLD) of `member`, on every ancestor of its branch when it is
/// active; the upsert creates the rows of new units.
fn member_delta(row: &str, sign: &str) -> String {
    format!(
        "INSERT INTO org_member_count (org_id, members, formal) \
         SELECT ancestor_id, {sign}1, {sign}(CASE WHEN {row}.probationary THEN 0 ELSE 1 END) \
         FROM org_closure WHERE descendant_id = {row}.branch_id AND {row}.status = 'active' \
         ON CONFLICT (org_id) DO UPDATE SET members = org_member_count.members + excluded.members, \
         formal = org_member_count.formal + excluded.formal"
    )
}

/// Adds or takes away the direct members of a closure row's descendant on
/// its ancestor, as units are attached or detached.
fn closure_delta(row: &str, sign: &str) -> String {
    format!(
        "INSERT INTO org_member_count (org_id, members, formal) \
         SELECT {row}.ancestor_id, {sign}COUNT(*), {sign}COALESCE(SUM(CASE WHEN probationary THEN 0 ELSE 1 END), 0) \
         FROM member WHERE branch_id = {row}.descendant_id AND status = 'active' \
         ON CONFLICT (org_id) DO UPDATE SET members = org_member_count.members + excluded.members, \
         formal = org_member_count.formal + excluded.formal"
    )
}

fn sqlite_triggers() -> Vec<String> {
    vec![
        format!(
            "CREATE TRIGGER member_count_insert AFTER INSERT ON member BEGIN {}; END",
            member_delta("NEW", "")
        ),
        format!(
            "CREATE TRIGGER member_count_delete AFTER DELETE ON member BEGIN {}; END",
            member_delta("OLD", "-")
        ),
        format!(
            "CREATE TRIGGER member_count_update AFTER UPDATE OF branch_id, status, probationary ON member \
             BEGIN {}; {}; END",
            member_delta("OLD", "-"),
            member_delta("NEW", "")
        ),
        format!(
            "CREATE TRIGGER closure_count_insert AFTER INSERT ON org_closure BEGIN {}; END",
            closure_delta("NEW", "")
        ),
        format!(
            "CREATE TRIGGER closure_count_delete AFTER DELETE ON org_closure BEGIN {}; END",
            closure_delta("OLD", "-")
        ),
    ]
}

fn postgres_triggers() -> Vec<String> {
    vec![
        format!(
            "CREATE FUNCTION zhibu_member_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF TG_OP <> 'INSERT' THEN {}; END IF; \
             IF TG_OP <> 'DELETE' THEN {}; END IF; \
             RETURN NULL; END $$",
            member_delta("OLD", "-"),
            member_delta("NEW", "")
        ),
        "CREATE TRIGGER member_count AFTER INSERT OR DELETE OR UPDATE OF branch_id, status, probationary \
         ON member FOR EACH ROW EXECUTE FUNCTION zhibu_member_count()"
            .into(),
        format!(
            "CREATE FUNCTION zhibu_closure_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF TG_OP = 'INSERT' THEN {}; ELSE {}; END IF; \
             RETURN NULL; END $$",
            closure_delta("NEW", ""),
            closure_delta("OLD", "-")
        ),
        "CREATE TRIGGER closure_count AFTER INSERT OR DELETE ON org_closure \
         FOR EACH ROW EXECUTE FUNCTION zhibu_closure_count()"
            .into(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(CREATE_COUNTS).await?;
        db.execute_unprepared(FILL_COUNTS).await?;
        db.execute_unprepared(CREATE_RANGES).await?;
        let triggers = match m.get_database_backend() {
            DatabaseBackend::Postgres => postgres_triggers(),
            _ => sqlite_triggers(),
        };
        for trigger in triggers {
            db.execute_unprepared(&trigger).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DatabaseBackend::Postgres => {
                for statement in [
                    "DROP TRIGGER member_count ON member",
                    "DROP TRIGGER closure_count ON org_closure",
                    "DROP FUNCTION zhibu_member_count()",
                    "DROP FUNCTION zhibu_closure_count()",
                ] {
                    db.execute_unprepared(statement).await?;
                }
            }
            _ => {
                for name in [
                    "member_count_insert",
                    "member_count_delete",
                    "member_count_update",
                    "closure_count_insert",
                    "closure_count_delete",
                ] {
                    db.execute_unprepared(&format!("DROP TRIGGER {name}"))
                        .await?;
                }
            }
        }
        db.execute_unprepared("DROP TABLE hours_member_range")
            .await?;
        db.execute_unprepared("DROP TABLE org_member_count").await?;
        Ok(())
    }
}
