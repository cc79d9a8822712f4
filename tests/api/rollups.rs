//! The roll-up invariant as a property: after any sequence of log, approve,
//! reject, correct, move-branch and move-unit, every roll-up equals a
//! recomputation from the raw logs.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use zhibu_server::access::{Caller, Grant};
use zhibu_server::volunteer::{logs, rollup};
use zhibu_shared::checkin::Decision;
use zhibu_shared::org::Role;
use zhibu_shared::volunteer::{ServiceKind, ServiceLogRequest};
use zhibu_tests::{TestApp, demo};

#[derive(Debug, Clone)]
enum Op {
    Log {
        member: usize,
        kind: usize,
        minutes: u32,
        days_ago: i64,
        in_community: bool,
    },
    Approve(usize),
    Reject(usize),
    Correct {
        log: usize,
        minutes: u32,
    },
    MoveMember {
        member: usize,
        branch: usize,
    },
    MoveBranchUnit {
        branch: usize,
        street: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..6usize, 0..7usize, 1..400u32, 0..59i64, any::<bool>())
            .prop_map(|(member, kind, minutes, days_ago, in_community)| Op::Log { member, kind, minutes, days_ago, in_community }),
        3 => (0..64usize).prop_map(Op::Approve),
        1 => (0..64usize).prop_map(Op::Reject),
        2 => (0..64usize, 1..400u32).prop_map(|(log, minutes)| Op::Correct { log, minutes }),
        1 => (0..6usize, 0..4usize).prop_map(|(member, branch)| Op::MoveMember { member, branch }),
        1 => (0..4usize, 0..2usize).prop_map(|(branch, street)| Op::MoveBranchUnit { branch, street }),
    ]
}

struct World {
    members: Vec<i64>,
    branches: Vec<i64>,
    streets: Vec<i64>,
    community: i64,
    reviewer: Caller,
}

async fn world(app: &TestApp) -> World {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let streets = vec![
        app.org_id(&[demo::COUNTY, demo::STREET]).await,
        app.org_id(&[demo::COUNTY, "渔沃街道党工委"]).await,
    ];
    let mut branches = Vec::new();
    for (street, branch) in [
        (demo::STREET, demo::BRANCH_A),
        (demo::STREET, demo::BRANCH_B),
        ("渔沃街道党工委", "渔沃社区党支部"),
        ("渔沃街道党工委", "黄河社区党支部"),
    ] {
        branches.push(app.org_id(&[demo::COUNTY, street, branch]).await);
    }
    let members = zhibu_server::entities::member::Entity::find()
        .filter(zhibu_server::entities::member::Column::BranchId.is_in(branches.clone()))
        .all(app.db.reader())
        .await
        .unwrap()
        .into_iter()
        .take(6)
        .map(|m| m.id)
        .collect();
    let community = zhibu_server::entities::community::Entity::find()
        .one(app.db.reader())
        .await
        .unwrap()
        .unwrap()
        .id;
    let county = app.org_id(&[demo::COUNTY]).await;
    // Reviews everything in the county; belongs to nobody's logs.
    let reviewer = Caller {
        member_id: 0,
        branch_id: county,
        grants: vec![
            Grant {
                role: Role::Secretary,
                org_id: county,
            },
            Grant {
                role: Role::CommunityAdmin,
                org_id: county,
            },
        ],
    };
    World {
        members,
        branches,
        streets,
        community,
        reviewer,
    }
}

/// The oracle: what each approved log should credit, worked out from raw
/// rows at the moment things happened (the member's branch on the log's
/// date when the log was written, that branch's ancestors when it was
/// approved), never from what the code under test wrote about credits.
#[derive(Default)]
struct Oracle {
    branch_of_log: HashMap<String, i64>,
    credited: HashMap<String, Credit>,
}

struct Credit {
    scopes: Vec<(&'static str, i64)>,
    month: String,
    kind: String,
    minutes: i64,
}

#[derive(sea_orm::FromQueryResult)]
struct Id {
    id: i64,
}

impl Oracle {
    /// Remembers the branch a new log belongs to.
    async fn written(&mut self, conn: &sea_orm::DatabaseConnection, log_id: &str) {
        use sea_orm::{EntityTrait, FromQueryResult, Statement};
        let log = zhibu_server::entities::service_log::Entity::find_by_id(log_id.to_owned())
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        let backend = conn.get_database_backend();
        let history = Id::find_by_statement(Statement::from_sql_and_values(
            backend,
            "SELECT branch_id AS id FROM member_branch_history WHERE member_id = $1 \
             AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2) \
             ORDER BY valid_from DESC LIMIT 1",
            [log.member_id.into(), log.date.into()],
        ))
        .one(conn)
        .await
        .unwrap();
        let branch = match history {
            Some(row) => row.id,
            None => {
                zhibu_server::entities::member::Entity::find_by_id(log.member_id)
                    .one(conn)
                    .await
                    .unwrap()
                    .unwrap()
                    .branch_id
            }
        };
        self.branch_of_log.insert(log.id, branch);
    }

    /// Credits logs approved since the last look and drops those no
    /// longer approved (rejected originals, superseded by a correction).
    async fn sync(&mut self, conn: &sea_orm::DatabaseConnection) {
        use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, Statement};
        let approved = zhibu_server::entities::service_log::Entity::find()
            .filter(zhibu_server::entities::service_log::Column::Status.eq("approved"))
            .all(conn)
            .await
            .unwrap();
        let ids: std::collections::HashSet<&String> = approved.iter().map(|l| &l.id).collect();
        self.credited.retain(|id, _| ids.contains(id));
        for log in &approved {
            if self.credited.contains_key(&log.id) {
                continue;
            }
            let Some(branch) = self.branch_of_log.get(&log.id) else {
                continue;
            };
            let ancestors = Id::find_by_statement(Statement::from_sql_and_values(
                conn.get_database_backend(),
                "SELECT ancestor_id AS id FROM org_closure WHERE descendant_id = $1",
                [(*branch).into()],
            ))
            .all(conn)
            .await
            .unwrap();
            let mut scopes: Vec<(&'static str, i64)> =
                ancestors.into_iter().map(|a| ("o", a.id)).collect();
            scopes.extend(log.community_id.map(|c| ("c", c)));
            self.credited.insert(
                log.id.clone(),
                Credit {
                    scopes,
                    month: log.date.format("%Y-%m").to_string(),
                    kind: log.kind.code().to_owned(),
                    minutes: i64::from(log.minutes),
                },
            );
        }
    }

    /// Rows of `hours_rollup` that differ from the oracle's sums.
    async fn differences(&self, conn: &sea_orm::DatabaseConnection) -> Vec<String> {
        use sea_orm::EntityTrait;
        let mut expected: BTreeMap<(String, i64, String, String), (i64, i64)> = BTreeMap::new();
        for credit in self.credited.values() {
            for (kind, id) in &credit.scopes {
                let sum = expected
                    .entry((
                        (*kind).to_owned(),
                        *id,
                        credit.month.clone(),
                        credit.kind.clone(),
                    ))
                    .or_default();
                sum.0 += credit.minutes;
                sum.1 += 1;
            }
        }
        let actual: BTreeMap<(String, i64, String, String), (i64, i64)> =
            zhibu_server::entities::hours_rollup::Entity::find()
                .all(conn)
                .await
                .unwrap()
                .into_iter()
                .filter(|r| r.minutes != 0 || r.entries != 0)
                .map(|r| {
                    (
                        (r.scope_kind, r.scope_id, r.month, r.kind),
                        (r.minutes, r.entries),
                    )
                })
                .collect();
        let mut keys: Vec<_> = expected.keys().chain(actual.keys()).cloned().collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| expected.get(k) != actual.get(k))
            .map(|k| {
                format!(
                    "{k:?}: expected {:?}, stored {:?}",
                    expected.get(&k),
                    actual.get(&k)
                )
            })
            .collect()
    }
}

async fn run(
    app: &TestApp,
    w: &World,
    oracle: &mut Oracle,
    ops: Vec<Op>,
) -> (Vec<String>, Vec<rollup::Difference>) {
    use sea_orm::TransactionTrait;
    let tz = chrono_tz::Asia::Shanghai;
    let today = zhibu_server::time::today(tz);
    let conn = app.db.writer();
    let mut created: Vec<String> = Vec::new();
    for op in ops {
        match op {
            Op::Log {
                member,
                kind,
                minutes,
                days_ago,
                in_community,
            } => {
                let member_id = w.members[member % w.members.len()];
                let member = Caller {
                    member_id,
                    branch_id: 0,
                    grants: Vec::new(),
                };
                let req = ServiceLogRequest {
                    id: uuid::Uuid::new_v4().to_string(),
                    kind: ServiceKind::ALL[kind % ServiceKind::ALL.len()],
                    date: today - chrono::Duration::days(days_ago),
                    minutes,
                    community_id: in_community.then_some(w.community),
                    org_id: None,
                    start_time: None,
                    note: None,
                    post_id: None,
                    helped_member_id: None,
                };
                // Refusals (a full day, a duplicate) are part of the game.
                if let Ok(outcome) = logs::create(conn, &member, &req, None, today, tz).await {
                    oracle.written(conn, &outcome.log.id).await;
                    created.push(outcome.log.id);
                }
            }
            Op::Approve(i) | Op::Reject(i) if created.is_empty() => {
                let _ = i;
            }
            Op::Approve(i) => {
                let txn = conn.begin().await.unwrap();
                if logs::review(
                    &txn,
                    &w.reviewer,
                    &[created[i % created.len()].clone()],
                    Decision::Approve,
                    None,
                )
                .await
                .is_ok()
                {
                    txn.commit().await.unwrap();
                }
            }
            Op::Reject(i) => {
                let txn = conn.begin().await.unwrap();
                if logs::review(
                    &txn,
                    &w.reviewer,
                    &[created[i % created.len()].clone()],
                    Decision::Reject,
                    Some("核实不符"),
                )
                .await
                .is_ok()
                {
                    txn.commit().await.unwrap();
                }
            }
            Op::Correct { log, minutes } => {
                if created.is_empty() {
                    continue;
                }
                let original = created[log % created.len()].clone();
                let row = {
                    use sea_orm::EntityTrait;
                    zhibu_server::entities::service_log::Entity::find_by_id(original.clone())
                        .one(conn)
                        .await
                        .unwrap()
                        .unwrap()
                };
                let member = Caller {
                    member_id: row.member_id,
                    branch_id: 0,
                    grants: Vec::new(),
                };
                let req = ServiceLogRequest {
                    id: uuid::Uuid::new_v4().to_string(),
                    kind: row.kind,
                    date: row.date,
                    minutes,
                    community_id: row.community_id,
                    org_id: None,
                    start_time: None,
                    note: Some("更正".into()),
                    post_id: None,
                    helped_member_id: None,
                };
                if let Ok(outcome) =
                    logs::create(conn, &member, &req, Some(&original), today, tz).await
                {
                    oracle.written(conn, &outcome.log.id).await;
                    created.push(outcome.log.id);
                }
            }
            Op::MoveMember { member, branch } => {
                let member_id = w.members[member % w.members.len()];
                zhibu_server::members::move_branch(
                    conn,
                    member_id,
                    w.branches[branch % w.branches.len()],
                    today,
                )
                .await
                .unwrap();
            }
            Op::MoveBranchUnit { branch, street } => {
                let txn = conn.begin().await.unwrap();
                if zhibu_server::orgs::tree::move_org(
                    &txn,
                    w.branches[branch % w.branches.len()],
                    w.streets[street % w.streets.len()],
                )
                .await
                .is_ok()
                {
                    txn.commit().await.unwrap();
                }
            }
        }
        oracle.sync(conn).await;
    }
    (
        oracle.differences(conn).await,
        rollup::verify(app.db.reader()).await.unwrap(),
    )
}

#[test]
fn every_rollup_equals_a_recompute_after_any_sequence_of_decisions() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(zhibu_tests::spawn_demo_app());
    let w = rt.block_on(world(&app));
    assert_eq!(w.members.len(), 6);
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    // One oracle across the cases: they accumulate on one database.
    let oracle = std::cell::RefCell::new(Oracle::default());
    let result = runner.run(&proptest::collection::vec(op(), 1..40), |ops| {
        let (against_oracle, against_verify) =
            rt.block_on(run(&app, &w, &mut oracle.borrow_mut(), ops));
        prop_assert!(
            against_oracle.is_empty(),
            "roll-ups differ from the raw logs: {against_oracle:?}"
        );
        prop_assert!(
            against_verify.is_empty(),
            "roll-ups differ from their own recomputation: {against_verify:?}"
        );
        Ok(())
    });
    // The checks accumulate over every case on one database.
    let approved = rt.block_on(async {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        zhibu_server::entities::service_log::Entity::find()
            .filter(zhibu_server::entities::service_log::Column::Status.eq("approved"))
            .count(app.db.reader())
            .await
            .unwrap()
    });
    drop(app);
    result.unwrap();
    assert!(approved > 0, "the sequences approved some logs");
}
