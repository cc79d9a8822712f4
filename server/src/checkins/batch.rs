//! Group commit for the check-in burst. On the first Thursday morning
//! thousands of members check in a second; writing each check-in as its
//! own statement and commit makes the database's commit the bottleneck
//! (SQLite has one writer). Requests instead queue their row here; one task
//! writes whatever is queued as a single multi-row insert (one statement,
//! one commit) and tells each request whether its row went in. Nothing
//! waits for a timer: under light load a batch is one row.

use prometheus_client::metrics::histogram::Histogram;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult, Value};
use tokio::sync::{mpsc, oneshot};

use crate::entities::checkin;
use crate::sql;

/// Rows per statement: 10 parameters each, well under both engines' limits.
const MAX_BATCH: usize = 256;

struct Job {
    row: checkin::Model,
    reply: oneshot::Sender<Result<bool, DbErr>>,
}

/// The queue of check-ins waiting to be written. Cheap to clone.
#[derive(Clone, Debug)]
pub struct CheckinWriter {
    queue: mpsc::Sender<Job>,
    writer: DatabaseConnection,
}

impl CheckinWriter {
    /// Starts the writing task on the current runtime.
    pub fn start(writer: DatabaseConnection) -> CheckinWriter {
        Self::start_measured(writer, None)
    }

    /// Starts the writing task, recording each batch's size in `sizes`.
    pub fn start_measured(writer: DatabaseConnection, sizes: Option<Histogram>) -> CheckinWriter {
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_queued(writer.clone(), jobs, sizes));
        CheckinWriter { queue, writer }
    }

    /// The connection the rows are written on, for reading them back.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// Writes `row` unless a check-in with its id, or of its member to its
    /// theme day, exists: true when it went in, false on such a conflict.
    pub async fn insert(&self, row: checkin::Model) -> Result<bool, DbErr> {
        let (reply, answer) = oneshot::channel();
        let stopped = || DbErr::Custom("the check-in writer has stopped".into());
        self.queue
            .send(Job { row, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn write_queued(
    writer: DatabaseConnection,
    mut queue: mpsc::Receiver<Job>,
    sizes: Option<Histogram>,
) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        if let Some(sizes) = &sizes {
            sizes.observe(jobs.len() as f64);
        }
        let rows: Vec<&checkin::Model> = jobs.iter().map(|j| &j.row).collect();
        match insert_rows(&writer, &rows).await {
            Ok(mut inserted) => {
                for job in jobs.drain(..) {
                    // Each stored row answers one request: a copy of a row
                    // in the same batch (a replay) learns it conflicted.
                    let went_in = inserted.remove(&key(&job.row));
                    let _ = job.reply.send(Ok(went_in));
                }
            }
            // One bad row must not fail the others: write them one by one
            // so each request gets its own answer.
            Err(_) => {
                for job in jobs.drain(..) {
                    let result = insert_rows(&writer, &[&job.row])
                        .await
                        .map(|inserted| !inserted.is_empty());
                    let _ = job.reply.send(result);
                }
            }
        }
    }
}

#[derive(FromQueryResult)]
struct Inserted {
    id: String,
    theme_day_id: i64,
    member_id: i64,
}

fn key(row: &checkin::Model) -> (String, i64, i64) {
    (row.id.clone(), row.theme_day_id, row.member_id)
}

/// One statement for all `rows`; returns (id, theme day, member) of the
/// rows that went in.
async fn insert_rows(
    conn: &impl ConnectionTrait,
    rows: &[&checkin::Model],
) -> Result<std::collections::HashSet<(String, i64, i64)>, DbErr> {
    const COLUMNS: usize = 10;
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * COLUMNS);
    let mut tuples = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        values.extend([
            r.id.clone().into(),
            r.theme_day_id.into(),
            r.member_id.into(),
            r.method.into(),
            r.status.into(),
            r.at.into(),
            r.client_time.into(),
            r.inside_geofence.into(),
            r.reason.clone().into(),
            r.request_hash.clone().into(),
        ]);
        tuples.push(format!("({})", sql::placeholders(i * COLUMNS + 1, COLUMNS)));
    }
    let query = format!(
        "INSERT INTO checkin (id, theme_day_id, member_id, method, status, at, client_time, inside_geofence, reason, request_hash) \
         VALUES {} ON CONFLICT DO NOTHING RETURNING id, theme_day_id, member_id",
        tuples.join(", ")
    );
    Ok(sql::fetch_all::<Inserted>(conn, &query, values)
        .await?
        .into_iter()
        .map(|r| (r.id, r.theme_day_id, r.member_id))
        .collect())
}
