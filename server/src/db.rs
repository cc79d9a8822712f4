//! Database connections: one pool for reads and one for writes.
//!
//! SQLite allows one writer at a time. Giving writes a single-connection pool
//! queues them inside the server instead of letting them collide in SQLite,
//! so concurrent writes never surface "database is locked"; readers use WAL
//! snapshots on a read-only pool and never wait for the writer. On PostgreSQL
//! both handles are the same pool.

use std::time::Duration;

use anyhow::Context;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection};
use zhibu_migrations::{Migrator, MigratorTrait};

/// How long a statement waits for a SQLite lock held by another process.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a request waits for a pooled connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct Db {
    reader: DatabaseConnection,
    writer: DatabaseConnection,
}

impl Db {
    /// Opens the pools for `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if url.starts_with("sqlite:") {
            let cores = std::thread::available_parallelism().map_or(2, usize::from);
            let writer = sea_orm::Database::connect(sqlite_options(url, false, 1))
                .await
                .context("opening the SQLite database")?;
            let reader =
                sea_orm::Database::connect(sqlite_options(url, true, (cores * 2).max(4) as u32))
                    .await
                    .context("opening the SQLite database for reading")?;
            Ok(Db { reader, writer })
        } else {
            let mut options = ConnectOptions::new(url);
            options
                .max_connections(32)
                .min_connections(1)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .sqlx_logging(false);
            let pool = sea_orm::Database::connect(options)
                .await
                .context("connecting to PostgreSQL")?;
            Ok(Db {
                reader: pool.clone(),
                writer: pool,
            })
        }
    }

    /// The handle for queries that only read.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// The handle for anything that writes, including transactions.
    pub fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.writer.get_database_backend()
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        Migrator::up(&self.writer, None)
            .await
            .context("migrating the database")?;
        if self.backend() == DatabaseBackend::Sqlite {
            // Refreshes the planner's statistics where they have drifted.
            self.writer.execute_unprepared("PRAGMA optimize").await?;
        }
        Ok(())
    }

    /// True when the database answers a trivial query.
    pub async fn is_ready(&self) -> bool {
        self.reader.ping().await.is_ok()
    }

    pub async fn close(self) {
        let _ = self.reader.close().await;
        let _ = self.writer.close().await;
    }
}

fn sqlite_options(url: &str, read_only: bool, max_connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts: SqliteConnectOptions| {
            let opts = opts
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                .pragma("temp_store", "memory")
                .pragma("cache_size", "-4000");
            if read_only {
                // The writer creates the file; readers must never write.
                opts.read_only(true).create_if_missing(false)
            } else {
                // WAL is a property of the file, set once by the writer.
                opts.journal_mode(SqliteJournalMode::Wal)
                    .create_if_missing(true)
            }
        });
    options
}

/// Creates the parent directory of a SQLite file URL so a fresh machine works.
pub fn ensure_sqlite_dir(url: &str) -> anyhow::Result<()> {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(());
    };
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the database directory {}", parent.display()))?;
    }
    Ok(())
}

/// Runs `sql` ignoring its result rows (schema or pragma statements).
pub async fn execute_raw(conn: &impl ConnectionTrait, sql: &str) -> Result<(), sea_orm::DbErr> {
    conn.execute_unprepared(sql).await.map(|_| ())
}
