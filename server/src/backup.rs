//! Backup and restore of the embedded SQLite database. A backup is taken
//! with `VACUUM INTO` while the server keeps serving writes: it reads one
//! consistent snapshot, so every write committed before it started is in
//! the copy. PostgreSQL is backed up with its own `pg_dump`/`pg_restore`
//! (README, "Running it for a real county").

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::db::Db;

/// The file of a `sqlite://` URL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn quoted(path: &Path) -> anyhow::Result<String> {
    let text = path
        .to_str()
        .context("the backup path is not valid UTF-8")?;
    Ok(format!("'{}'", text.replace('\'', "''")))
}

/// Writes a consistent copy of the database to `target` (which must not
/// exist) and checks it. `db` is a connection of the backup's own.
pub async fn backup(db: &Db, target: &Path) -> anyhow::Result<()> {
    if db.backend() != DatabaseBackend::Sqlite {
        bail!(
            "this database is PostgreSQL: back it up with `pg_dump --format=custom --file=FILE URL` (see README)"
        );
    }
    if target.exists() {
        bail!("{} exists already; choose a new file", target.display());
    }
    // Run from its own process (`zhibu backup`): in WAL mode the snapshot
    // neither waits for nor blocks the server's writer.
    db.writer()
        .execute_unprepared(&format!("VACUUM INTO {}", quoted(target)?))
        .await
        .context("writing the backup")?;
    check(target).await
}

/// `PRAGMA integrity_check` of a SQLite file, and that it is Zhibu's.
pub async fn check(file: &Path) -> anyhow::Result<()> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let copy = sea_orm::Database::connect(&url)
        .await
        .with_context(|| format!("opening {}", file.display()))?;
    let verdict = copy
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await?
        .map(|row| row.try_get_by_index::<String>(0))
        .transpose()?
        .unwrap_or_default();
    let has_members = copy
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'member'",
        ))
        .await?
        .map(|row| row.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    let _ = copy.close().await;
    if verdict != "ok" {
        bail!("{} is damaged: {verdict}", file.display());
    }
    if has_members != 1 {
        bail!("{} is not a Zhibu database", file.display());
    }
    Ok(())
}

/// Replaces the database at `url` with the backup `source`. Refuses a
/// database that holds a county unless `force`. The server must be stopped.
pub async fn restore(url: &str, source: &Path, force: bool) -> anyhow::Result<()> {
    let Some(target) = sqlite_path(url) else {
        bail!(
            "this database is PostgreSQL: restore it with `pg_restore --dbname=URL FILE` (see README)"
        );
    };
    check(source).await?;
    if target.exists() && !force {
        let db = Db::connect(url).await?;
        let units = db
            .reader()
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Sqlite,
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'org_unit'",
            ))
            .await?
            .map(|row| row.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0);
        let rows = if units == 1 {
            db.reader()
                .query_one_raw(Statement::from_string(
                    DatabaseBackend::Sqlite,
                    "SELECT COUNT(*) FROM org_unit",
                ))
                .await?
                .map(|row| row.try_get_by_index::<i64>(0))
                .transpose()?
                .unwrap_or(0)
        } else {
            0
        };
        db.close().await;
        if rows > 0 {
            bail!(
                "{} already holds a county; add --force to replace it with the backup",
                target.display()
            );
        }
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    // Copied beside the target first, so a failure leaves the old file.
    let staging = target.with_extension("restoring");
    std::fs::copy(source, &staging).context("copying the backup")?;
    for stale in ["-wal", "-shm"] {
        let mut name = target.clone().into_os_string();
        name.push(stale);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
    std::fs::rename(&staging, &target).context("putting the backup in place")?;
    Ok(())
}
