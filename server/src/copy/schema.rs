//! What both databases hold: their tables, columns, keys, row counts and
//! migrations, and the plan of every table matched column by column.

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, DatabaseBackend};

use super::cells::Kind;
use super::{OWN_BOOKKEEPING, TABLES};
use crate::sql;

#[derive(Clone, Debug)]
pub(super) struct Column {
    pub(super) name: String,
    pub(super) source: Kind,
    pub(super) target: Kind,
}

/// How one table is read and written.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) table: &'static str,
    pub(super) columns: Vec<Column>,
    /// The primary key, the order rows are read in.
    pub(super) key: Vec<String>,
}

#[derive(sea_orm::FromQueryResult)]
struct Name {
    name: String,
}

#[derive(sea_orm::FromQueryResult)]
pub(super) struct ColumnInfo {
    name: String,
    declared: String,
    pk: i64,
}

#[derive(sea_orm::FromQueryResult)]
pub(super) struct Count {
    pub(super) n: i64,
}

pub(super) async fn tables(conn: &impl ConnectionTrait) -> Result<Vec<String>, sea_orm::DbErr> {
    let query = match conn.get_database_backend() {
        DatabaseBackend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
        // SQLite's own tables (sqlite_sequence, sqlite_stat1, …) belong to
        // the file, not to the county.
        _ => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1"
        }
    };
    Ok(sql::fetch_all::<Name>(conn, query, [])
        .await?
        .into_iter()
        .map(|n| n.name)
        .collect())
}

/// A table's columns in order: name, declared type, place in the primary
/// key (0 when not in it).
pub(super) async fn columns(
    conn: &impl ConnectionTrait,
    table: &str,
) -> Result<Vec<ColumnInfo>, sea_orm::DbErr> {
    match conn.get_database_backend() {
        DatabaseBackend::Postgres => {
            sql::fetch_all::<ColumnInfo>(
                conn,
                "SELECT CAST(c.column_name AS TEXT) AS name, CAST(c.data_type AS TEXT) AS declared, \
                 COALESCE((SELECT CAST(k.ordinal_position AS BIGINT) FROM information_schema.table_constraints t \
                   JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name \
                   AND k.table_schema = t.table_schema AND k.table_name = t.table_name \
                   WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema \
                   AND t.table_name = c.table_name AND k.column_name = c.column_name), 0) AS pk \
                 FROM information_schema.columns c \
                 WHERE c.table_schema = current_schema() AND c.table_name = $1 ORDER BY c.ordinal_position",
                [table.into()],
            )
            .await
        }
        _ => {
            sql::fetch_all::<ColumnInfo>(
                conn,
                "SELECT name, type AS declared, pk FROM pragma_table_info($1) ORDER BY cid",
                [table.into()],
            )
            .await
        }
    }
}

pub(super) async fn count(conn: &impl ConnectionTrait, table: &str) -> Result<u64, sea_orm::DbErr> {
    Ok(
        sql::fetch_one::<Count>(conn, &format!("SELECT COUNT(*) AS n FROM {table}"), [])
            .await?
            .map_or(0, |c| c.n as u64),
    )
}

#[derive(sea_orm::FromQueryResult)]
struct Version {
    version: String,
}

pub(super) async fn migrations(conn: &impl ConnectionTrait) -> Result<Vec<String>, sea_orm::DbErr> {
    Ok(sql::fetch_all::<Version>(
        conn,
        "SELECT version FROM seaql_migrations ORDER BY version",
        [],
    )
    .await?
    .into_iter()
    .map(|v| v.version)
    .collect())
}

/// The tables of `conn` holding rows, with their counts: an empty target
/// has none (the target's own migration bookkeeping aside).
pub(super) async fn filled_tables(
    conn: &impl ConnectionTrait,
) -> anyhow::Result<Vec<(String, u64)>> {
    let mut filled = Vec::new();
    for table in tables(conn).await? {
        if OWN_BOOKKEEPING.contains(&table.as_str()) {
            continue;
        }
        let n = count(conn, &table).await?;
        if n > 0 {
            filled.push((table, n));
        }
    }
    Ok(filled)
}

/// Plans every table: the source's columns, matched by name with the
/// target's, and the primary key.
pub(super) async fn plan(
    source: &impl ConnectionTrait,
    target: &impl ConnectionTrait,
) -> anyhow::Result<Vec<Plan>> {
    let known: Vec<&str> = TABLES.iter().chain(OWN_BOOKKEEPING).copied().collect();
    let present = tables(source).await?;
    if let Some(unknown) = present.iter().find(|t| !known.contains(&t.as_str())) {
        bail!(
            "the source has a table copy-to does not know, {unknown}: this zhibu is older than the database, or copy::TABLES misses a new migration's table"
        );
    }
    let mut plans = Vec::new();
    for &table in TABLES {
        let from = columns(source, table).await?;
        let to = columns(target, table).await?;
        anyhow::ensure!(!from.is_empty(), "the source has no table {table}");
        let mut names_from: Vec<&str> = from.iter().map(|c| c.name.as_str()).collect();
        let mut names_to: Vec<&str> = to.iter().map(|c| c.name.as_str()).collect();
        names_from.sort_unstable();
        names_to.sort_unstable();
        anyhow::ensure!(
            names_from == names_to,
            "{table} has columns {names_from:?} in the source but {names_to:?} in the target"
        );
        let mut planned = Vec::with_capacity(from.len());
        for c in &from {
            let t = to.iter().find(|t| t.name == c.name).expect("same names");
            let kind = |backend: DatabaseBackend, info: &ColumnInfo| {
                Kind::of(backend, &info.declared).with_context(|| {
                    format!(
                        "{table}.{}: copy-to does not know the type {}",
                        info.name, info.declared
                    )
                })
            };
            let (source_kind, target_kind) = (
                kind(source.get_database_backend(), c)?,
                kind(target.get_database_backend(), t)?,
            );
            anyhow::ensure!(
                source_kind.fits(target_kind),
                "{table}.{}: {:?} in the source but {:?} in the target",
                c.name,
                source_kind,
                target_kind
            );
            planned.push(Column {
                name: c.name.clone(),
                source: source_kind,
                target: target_kind,
            });
        }
        let mut key: Vec<&ColumnInfo> = from.iter().filter(|c| c.pk > 0).collect();
        key.sort_by_key(|c| c.pk);
        anyhow::ensure!(!key.is_empty(), "{table} has no primary key to read it by");
        plans.push(Plan {
            table,
            columns: planned,
            key: key.iter().map(|c| c.name.clone()).collect(),
        });
    }
    Ok(plans)
}
