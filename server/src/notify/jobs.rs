//! The durable job queue, in the database so it works on SQLite and on
//! PostgreSQL and survives restarts. A job has a unique key (planning it
//! twice, from two servers or every hour, makes one job), is claimed with a
//! lease by one runner at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
//! SQLite's single writer serialises the claim), and is marked done only by
//! the runner that holds it, in the same transaction as what it did. A
//! failed job is retried with backoff and, after a few tries, kept as
//! failed for the organisation department to see.

use chrono::{DateTime, Duration, FixedOffset};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult, TransactionTrait,
};
use zhibu_shared::api::Page;
use zhibu_shared::notify::{Job, JobKind, JobStatus};

use super::Context;
use crate::access::{ADMINS, Caller};
use crate::db::Db;
use crate::entities::job;
use crate::error::{ApiError, ApiResult};
use crate::sql;

/// How long a claimed job is its runner's before another may take it.
pub const LEASE_SECS: i64 = 300;
/// Tries before a job is kept as failed.
pub const MAX_ATTEMPTS: i32 = 5;
/// Jobs one claim takes.
const CLAIM_BATCH: i64 = 50;

/// A job to plan.
pub struct Planned {
    pub kind: JobKind,
    pub key: String,
    pub run_at: DateTime<FixedOffset>,
    pub payload: Option<serde_json::Value>,
}

/// Plans jobs; a key already planned is left as it is.
pub async fn plan(
    conn: &impl ConnectionTrait,
    jobs: &[Planned],
    now: DateTime<FixedOffset>,
) -> Result<(), DbErr> {
    for chunk in jobs.chunks(200) {
        let rows = (0..chunk.len())
            .map(|i| {
                let b = 5 * i;
                format!(
                    "(${}, ${}, ${}, ${}, 0, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let values = chunk.iter().flat_map(|j| {
            [
                j.kind.code().into(),
                j.key.as_str().into(),
                j.payload.as_ref().map(|p| p.to_string()).into(),
                j.run_at.into(),
                now.into(),
            ]
        });
        sql::execute(
            conn,
            &format!(
                "INSERT INTO job (kind, key, payload, run_at, attempts, created_at) VALUES {rows} \
                 ON CONFLICT (key) DO NOTHING"
            ),
            values,
        )
        .await?;
    }
    Ok(())
}

/// Takes up to a batch of due jobs for `runner`, each for one lease.
pub async fn claim(
    conn: &impl ConnectionTrait,
    runner: &str,
    now: DateTime<FixedOffset>,
) -> Result<Vec<job::Model>, DbErr> {
    let skip_locked = if conn.get_database_backend() == DatabaseBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let query = format!(
        "UPDATE job SET locked_by = $1, locked_until = $2, attempts = attempts + 1 WHERE id IN ( \
         SELECT id FROM job WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= $3 \
         AND (locked_until IS NULL OR locked_until < $3) ORDER BY run_at, id LIMIT {CLAIM_BATCH}{skip_locked}) \
         RETURNING *"
    );
    let until = now + Duration::seconds(LEASE_SECS);
    let mut claimed = job::Model::find_by_statement(sql::stmt(
        conn,
        &query,
        [runner.into(), until.into(), now.into()],
    ))
    .all(conn)
    .await?;
    claimed.sort_by_key(|j| (j.run_at, j.id));
    Ok(claimed)
}

/// What one `run_due` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub done: usize,
    pub deferred: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Runs every job due at `now`, once: `zhibu jobs run-due`, and the
/// server's own minute loop. Jobs a job plans for `now` or earlier run in
/// the same call.
pub async fn run_due(
    db: &Db,
    context: &Context<'_>,
    runner: &str,
    now: DateTime<FixedOffset>,
) -> anyhow::Result<RunReport> {
    let mut report = RunReport::default();
    // Bounded, so a job that keeps planning more cannot loop for ever.
    for _ in 0..20 {
        let claimed = claim(db.writer(), runner, now).await?;
        if claimed.is_empty() {
            break;
        }
        for job in claimed {
            let outcome = if job.kind == JobKind::Push {
                // A push calls the network: no transaction is held open
                // (on SQLite it would hold up every other write).
                super::reminders::deliver(db, context, &job, now).await
            } else {
                in_transaction(db, context, &job, runner, now).await
            };
            match outcome {
                Ok(Some(super::reminders::Outcome::Deferred(until))) => {
                    // Not a try: the job waits, its attempts as they were.
                    sql::execute(
                        db.writer(),
                        "UPDATE job SET run_at = $3, locked_until = NULL, attempts = attempts - 1 \
                         WHERE id = $1 AND locked_by = $2",
                        [job.id.into(), runner.into(), until.into()],
                    )
                    .await?;
                    report.deferred += 1;
                }
                Ok(Some(super::reminders::Outcome::Done)) => {
                    if mark_done(db.writer(), &job, runner, now).await? {
                        report.done += 1;
                    }
                }
                // Done and marked inside its transaction, or the lease was lost.
                Ok(None) => report.done += 1,
                Err(error) => {
                    let failed = job.attempts >= MAX_ATTEMPTS;
                    tracing::warn!(job = job.id, kind = job.kind.code(), error = %format!("{error:#}"), failed, "job failed");
                    let message: String = format!("{error:#}").chars().take(500).collect();
                    let backoff = Duration::minutes(1 << job.attempts.clamp(0, 10));
                    sql::execute(
                        db.writer(),
                        "UPDATE job SET locked_until = NULL, last_error = $3, run_at = $4, failed_at = $5 \
                         WHERE id = $1 AND locked_by = $2",
                        [
                            job.id.into(),
                            runner.into(),
                            message.into(),
                            (now + backoff).into(),
                            failed.then_some(now).into(),
                        ],
                    )
                    .await?;
                    if failed {
                        report.failed += 1;
                    } else {
                        report.retried += 1;
                    }
                }
            }
        }
    }
    Ok(report)
}

/// Only the lease holder marks a job done.
async fn mark_done(
    conn: &impl ConnectionTrait,
    job: &job::Model,
    runner: &str,
    now: DateTime<FixedOffset>,
) -> Result<bool, DbErr> {
    Ok(sql::execute(
        conn,
        "UPDATE job SET done_at = $3, locked_until = NULL, last_error = NULL \
         WHERE id = $1 AND locked_by = $2 AND done_at IS NULL",
        [job.id.into(), runner.into(), now.into()],
    )
    .await?
        == 1)
}

/// A job that only writes to the database: its work and its being done in
/// one transaction, so it happens once or not at all.
async fn in_transaction(
    db: &Db,
    context: &Context<'_>,
    job: &job::Model,
    runner: &str,
    now: DateTime<FixedOffset>,
) -> anyhow::Result<Option<super::reminders::Outcome>> {
    let txn = db.writer().begin().await?;
    // Writing first takes SQLite's write lock before anything is read, so
    // another process writing meanwhile cannot make the commit fail; it
    // also checks the lease is still ours.
    let held = sql::execute(
        &txn,
        "UPDATE job SET locked_until = $3 WHERE id = $1 AND locked_by = $2 AND done_at IS NULL",
        [
            job.id.into(),
            runner.into(),
            (now + Duration::seconds(LEASE_SECS)).into(),
        ],
    )
    .await?;
    if held == 0 {
        txn.rollback().await?;
        return Ok(None);
    }
    match super::reminders::run(&txn, context, job, now).await {
        Ok(super::reminders::Outcome::Done) => {
            if mark_done(&txn, job, runner, now).await? {
                txn.commit().await?;
            } else {
                txn.rollback().await?;
            }
            Ok(None)
        }
        Ok(deferred) => {
            txn.rollback().await?;
            Ok(Some(deferred))
        }
        Err(error) => {
            txn.rollback().await?;
            Err(error)
        }
    }
}

/// A name for this runner: the host and the process.
pub fn runner_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "zhibu".to_owned());
    format!("{host}:{}", std::process::id())
}

#[derive(Debug, Default)]
pub struct JobQuery {
    pub status: Option<JobStatus>,
    pub limit: u64,
    pub cursor: Option<i64>,
}

/// `GET /admin/jobs`: the queue for the organisation department, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    query: &JobQuery,
) -> ApiResult<Page<Job>> {
    if !caller.has_any(ADMINS) {
        return Err(ApiError::forbidden("只有组织部管理员可以查看任务队列"));
    }
    let limit = query.limit.clamp(1, 200);
    let mut conditions = vec!["1 = 1".to_owned()];
    let mut values: Vec<sea_orm::Value> = Vec::new();
    match query.status {
        Some(JobStatus::Due) => conditions.push("done_at IS NULL AND failed_at IS NULL".into()),
        Some(JobStatus::Done) => conditions.push("done_at IS NOT NULL".into()),
        Some(JobStatus::Failed) => conditions.push("failed_at IS NOT NULL".into()),
        None => {}
    }
    if let Some(cursor) = query.cursor {
        values.push(cursor.into());
        conditions.push(format!("id < ${}", values.len()));
    }
    let rows = job::Model::find_by_statement(sql::stmt(
        conn,
        &format!(
            "SELECT * FROM job WHERE {} ORDER BY id DESC LIMIT {}",
            conditions.join(" AND "),
            limit + 1
        ),
        values,
    ))
    .all(conn)
    .await?;
    let more = rows.len() as u64 > limit;
    let items: Vec<Job> = rows.into_iter().take(limit as usize).map(view).collect();
    Ok(Page {
        next_cursor: more
            .then(|| items.last().map(|j| j.id.to_string()))
            .flatten(),
        items,
    })
}

fn view(j: job::Model) -> Job {
    Job {
        id: j.id,
        kind: j.kind,
        status: if j.done_at.is_some() {
            JobStatus::Done
        } else if j.failed_at.is_some() {
            JobStatus::Failed
        } else {
            JobStatus::Due
        },
        key: j.key,
        run_at: j.run_at,
        attempts: j.attempts.max(0) as u32,
        last_error: j.last_error,
        done_at: j.done_at,
    }
}

/// How many jobs are due and not yet done (the metrics' queue depth).
pub async fn depth(conn: &impl ConnectionTrait, now: DateTime<FixedOffset>) -> Result<i64, DbErr> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    Ok(sql::fetch_one::<Count>(
        conn,
        "SELECT COUNT(*) AS n FROM job WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= $1",
        [now.into()],
    )
    .await?
    .map_or(0, |c| c.n))
}

/// The job, for tests and the CLI.
pub async fn find(conn: &impl ConnectionTrait, key: &str) -> Result<Option<job::Model>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    job::Entity::find()
        .filter(job::Column::Key.eq(key))
        .one(conn)
        .await
}
