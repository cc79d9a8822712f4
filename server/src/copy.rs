//! `zhibu copy-to URL`: the whole county from one database into an empty
//! one, SQLite to PostgreSQL or back, while the server is stopped.
//!
//! The target is migrated with the same migrations first and refused if any
//! app table holds a row. Tables are copied parents first (`TABLES`), ids
//! kept, in batches that are each one transaction on the target, all read
//! from one snapshot of the source. Values are read by the source column's
//! type and bound by the target's, so each engine stores timestamps,
//! booleans and dates in its own form. Afterwards id sequences continue
//! where the source's did, the trigger-kept member counts are rebuilt,
//! row counts are compared table by table and the roll-ups are verified.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseBackend, DatabaseTransaction, IsolationLevel, QueryResult,
    TransactionTrait, Value,
};

use crate::db::Db;
use crate::sql;
use crate::volunteer::rollup::{self, Difference};

/// Rows per batch (one transaction on the target) unless told otherwise.
pub const DEFAULT_BATCH: usize = 1000;

/// Bind parameters per statement: below SQLite's 32 766 and PostgreSQL's
/// 65 535.
const MAX_PARAMETERS: usize = 30_000;

/// Every table of the schema, each after the tables its foreign keys name
/// (the order of `migrations/src`). A table missing here stops the copy,
/// so a new migration cannot be copied without thought.
pub const TABLES: &[&str] = &[
    "app_meta",
    "seed_step",
    "org_unit",
    "org_closure",
    "community",
    "member",
    "member_branch_history",
    "member_category",
    "sector_membership",
    "role_grant",
    "auth_session",
    "login_failure",
    "wechat_account",
    "audit_log",
    "theme_day",
    "checkin",
    "dues_payment",
    "study_record",
    "makeup",
    "community_report",
    "service_log",
    "service_credit",
    "hours_rollup",
    "hours_participation",
    "hours_member",
    "certificate",
    "org_member_count",
    "hours_member_range",
    "hours_month",
    "checkin_failure",
    "activation_code",
    "meeting",
    "meeting_attendee",
    "obligation",
    "governance_tally",
    "attachment",
    "inspection",
    "inspection_item",
    "problem",
    "talk",
    "village_decision",
    "decision_step",
    "venue",
    "venue_item",
    "job",
    "notification",
    "notification_setting",
    "push_subscription",
    "wechat_consent",
    "post",
    "post_holder",
    "floating_profile",
    "floating_contact",
    "remote_study",
    "difficulty_file",
    "center_household",
];

/// Read models that triggers on the target keep while the base tables are
/// copied (`org_member_count`, by triggers on `member` and `org_closure`):
/// copying them too would count every member twice, so they are rebuilt
/// from the copied rows instead and then verified.
pub const REBUILT: &[&str] = &["org_member_count"];

/// Schema bookkeeping that is the target's own, never copied.
const OWN_BOOKKEEPING: &[&str] = &["seaql_migrations"];

/// What a finished copy found.
#[derive(Debug)]
pub struct CopyReport {
    pub tables: usize,
    pub rows: u64,
    /// Rows per copied table, equal in source and target.
    pub counts: BTreeMap<String, u64>,
    /// `verify-rollups` on the target.
    pub differences: Vec<Difference>,
}

/// How a column's values are read and bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    I16,
    I32,
    I64,
    F32,
    F64,
    Bool,
    Text,
    Date,
    Timestamp,
    TimestampTz,
    Json,
    Blob,
}

impl Kind {
    /// The kind of a column from its declared type on `backend`.
    fn of(backend: DatabaseBackend, declared: &str) -> Option<Kind> {
        let t = declared.to_ascii_lowercase();
        match backend {
            DatabaseBackend::Postgres => Some(match t.as_str() {
                "smallint" => Kind::I16,
                "integer" => Kind::I32,
                "bigint" => Kind::I64,
                "real" => Kind::F32,
                "double precision" => Kind::F64,
                "boolean" => Kind::Bool,
                "text" | "character varying" | "character" => Kind::Text,
                "date" => Kind::Date,
                "timestamp without time zone" => Kind::Timestamp,
                "timestamp with time zone" => Kind::TimestampTz,
                "json" | "jsonb" => Kind::Json,
                "bytea" => Kind::Blob,
                _ => return None,
            }),
            // SQLite keeps the type as written by sea-query's SQLite
            // backend (`timestamp_with_timezone_text`, `date_text`, …);
            // every integer is 64-bit there.
            _ => Some(if t.starts_with("timestamp_with_timezone") {
                Kind::TimestampTz
            } else if t.starts_with("timestamp") || t.starts_with("datetime") {
                Kind::Timestamp
            } else if t.starts_with("date") {
                Kind::Date
            } else if t.starts_with("bool") {
                Kind::Bool
            } else if t.contains("int") {
                Kind::I64
            } else if t.starts_with("double") || t.starts_with("real") || t.starts_with("float") {
                Kind::F64
            } else if t.starts_with("json") {
                Kind::Json
            } else if t.contains("blob") {
                Kind::Blob
            } else if t.contains("char") || t.contains("text") || t.contains("clob") {
                Kind::Text
            } else {
                return None;
            }),
        }
    }

    /// Whether a value read as `self` may be bound as `target`.
    fn fits(self, target: Kind) -> bool {
        use Kind::*;
        let family = |k: Kind| match k {
            I16 | I32 | I64 => 0,
            F32 | F64 => 1,
            other => 2 + other as u8,
        };
        family(self) == family(target)
    }
}

/// A value in between the engines.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
    TimestampTz(DateTime<FixedOffset>),
    Json(serde_json::Value),
    Blob(Vec<u8>),
}

fn read(row: &QueryResult, idx: usize, kind: Kind) -> Result<Cell, sea_orm::DbErr> {
    fn get<T: sea_orm::TryGetable>(
        row: &QueryResult,
        idx: usize,
        f: impl FnOnce(T) -> Cell,
    ) -> Result<Cell, sea_orm::DbErr> {
        Ok(row
            .try_get_by_index::<Option<T>>(idx)?
            .map_or(Cell::Null, f))
    }
    match kind {
        Kind::I16 => get::<i16>(row, idx, |v| Cell::Int(v.into())),
        Kind::I32 => get::<i32>(row, idx, |v| Cell::Int(v.into())),
        Kind::I64 => get::<i64>(row, idx, Cell::Int),
        Kind::F32 => get::<f32>(row, idx, |v| Cell::Float(v.into())),
        Kind::F64 => get::<f64>(row, idx, Cell::Float),
        Kind::Bool => get::<bool>(row, idx, Cell::Bool),
        Kind::Text => get::<String>(row, idx, Cell::Text),
        Kind::Date => get::<NaiveDate>(row, idx, Cell::Date),
        Kind::Timestamp => get::<NaiveDateTime>(row, idx, Cell::Timestamp),
        Kind::TimestampTz => get::<DateTime<FixedOffset>>(row, idx, Cell::TimestampTz),
        Kind::Json => get::<serde_json::Value>(row, idx, Cell::Json),
        Kind::Blob => get::<Vec<u8>>(row, idx, Cell::Blob),
    }
}

/// The value to bind for a target column of `kind`.
fn bind(cell: &Cell, kind: Kind, column: &str) -> anyhow::Result<Value> {
    let narrow = |n: i64| anyhow::anyhow!("{column}: {n} does not fit the target column");
    Ok(match (cell, kind) {
        (Cell::Null, Kind::I16) => Option::<i16>::None.into(),
        (Cell::Null, Kind::I32) => Option::<i32>::None.into(),
        (Cell::Null, Kind::I64) => Option::<i64>::None.into(),
        (Cell::Null, Kind::F32) => Option::<f32>::None.into(),
        (Cell::Null, Kind::F64) => Option::<f64>::None.into(),
        (Cell::Null, Kind::Bool) => Option::<bool>::None.into(),
        (Cell::Null, Kind::Text) => Option::<String>::None.into(),
        (Cell::Null, Kind::Date) => Option::<NaiveDate>::None.into(),
        (Cell::Null, Kind::Timestamp) => Option::<NaiveDateTime>::None.into(),
        (Cell::Null, Kind::TimestampTz) => Option::<DateTime<FixedOffset>>::None.into(),
        (Cell::Null, Kind::Json) => Option::<serde_json::Value>::None.into(),
        (Cell::Null, Kind::Blob) => Option::<Vec<u8>>::None.into(),
        (Cell::Int(n), Kind::I16) => i16::try_from(*n).map_err(|_| narrow(*n))?.into(),
        (Cell::Int(n), Kind::I32) => i32::try_from(*n).map_err(|_| narrow(*n))?.into(),
        (Cell::Int(n), Kind::I64) => (*n).into(),
        (Cell::Float(x), Kind::F32) => (*x as f32).into(),
        (Cell::Float(x), Kind::F64) => (*x).into(),
        (Cell::Bool(b), Kind::Bool) => (*b).into(),
        (Cell::Text(s), Kind::Text) => s.clone().into(),
        (Cell::Date(d), Kind::Date) => (*d).into(),
        (Cell::Timestamp(t), Kind::Timestamp) => (*t).into(),
        (Cell::TimestampTz(t), Kind::TimestampTz) => (*t).into(),
        (Cell::Json(j), Kind::Json) => j.clone().into(),
        (Cell::Blob(b), Kind::Blob) => b.clone().into(),
        (cell, kind) => bail!("{column}: a {cell:?} cannot be stored as {kind:?}"),
    })
}

#[derive(Clone, Debug)]
struct Column {
    name: String,
    source: Kind,
    target: Kind,
}

/// How one table is read and written.
#[derive(Debug)]
struct Plan {
    table: &'static str,
    columns: Vec<Column>,
    /// The primary key, the order rows are read in.
    key: Vec<String>,
}

#[derive(sea_orm::FromQueryResult)]
struct Name {
    name: String,
}

#[derive(sea_orm::FromQueryResult)]
struct ColumnInfo {
    name: String,
    declared: String,
    pk: i64,
}

#[derive(sea_orm::FromQueryResult)]
struct Count {
    n: i64,
}

async fn tables(conn: &impl ConnectionTrait) -> Result<Vec<String>, sea_orm::DbErr> {
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
async fn columns(
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

async fn count(conn: &impl ConnectionTrait, table: &str) -> Result<u64, sea_orm::DbErr> {
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

async fn migrations(conn: &impl ConnectionTrait) -> Result<Vec<String>, sea_orm::DbErr> {
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
async fn filled_tables(conn: &impl ConnectionTrait) -> anyhow::Result<Vec<(String, u64)>> {
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
async fn plan(
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

impl Plan {
    /// Reads the batch after `after` (the key of the last row read): the
    /// rows, and the key of the last one. A unit is read after its parent
    /// (by depth in the tree, then id), as its foreign key needs.
    async fn read_batch(
        &self,
        source: &DatabaseTransaction,
        after: Option<&[Cell]>,
        limit: usize,
    ) -> anyhow::Result<(Vec<Vec<Cell>>, Option<Vec<Cell>>)> {
        let columns = self
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let (from, key): (String, Vec<(String, Kind)>) = if self.table == "org_unit" {
            (
                "(SELECT u.*, CAST(COALESCE((SELECT MAX(c.depth) FROM org_closure c WHERE c.descendant_id = u.id), 0) AS BIGINT) AS copy_depth FROM org_unit u) t".into(),
                vec![("copy_depth".into(), Kind::I64), ("id".into(), self.kind_of("id"))],
            )
        } else {
            (
                self.table.to_owned(),
                self.key
                    .iter()
                    .map(|k| (k.clone(), self.kind_of(k)))
                    .collect(),
            )
        };
        let key_list = key
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut values = Vec::new();
        let filter = match after {
            Some(last) => {
                for ((name, kind), cell) in key.iter().zip(last) {
                    values.push(bind(cell, *kind, name)?);
                }
                format!(
                    " WHERE ({key_list}) > ({})",
                    sql::placeholders(1, key.len())
                )
            }
            None => String::new(),
        };
        // Key columns that are not table columns (the depth) are selected
        // after them; the others are read where they stand, so no output
        // name appears twice (PostgreSQL would call ORDER BY ambiguous).
        let n = self.columns.len();
        let extra: Vec<&(String, Kind)> = key
            .iter()
            .filter(|(k, _)| !self.columns.iter().any(|c| &c.name == k))
            .collect();
        let selected = extra.iter().fold(columns, |mut list, (k, _)| {
            list.push_str(", ");
            list.push_str(k);
            list
        });
        let key_at: Vec<usize> = key
            .iter()
            .map(|(k, _)| {
                self.columns
                    .iter()
                    .position(|c| &c.name == k)
                    .unwrap_or_else(|| n + extra.iter().position(|(e, _)| e == k).unwrap_or(0))
            })
            .collect();
        let query =
            format!("SELECT {selected} FROM {from}{filter} ORDER BY {key_list} LIMIT {limit}");
        let rows = source
            .query_all_raw(sql::stmt(source, &query, values))
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut last_key = None;
        for row in &rows {
            let mut cells = Vec::with_capacity(n);
            for (i, c) in self.columns.iter().enumerate() {
                cells.push(
                    read(row, i, c.source)
                        .with_context(|| format!("reading {}.{}", self.table, c.name))?,
                );
            }
            let mut k = Vec::with_capacity(key.len());
            for ((name, kind), at) in key.iter().zip(&key_at) {
                k.push(read(row, *at, *kind).with_context(|| format!("reading {name}"))?);
            }
            last_key = Some(k);
            out.push(cells);
        }
        Ok((out, last_key))
    }

    fn kind_of(&self, column: &str) -> Kind {
        self.columns
            .iter()
            .find(|c| c.name == column)
            .map_or(Kind::I64, |c| c.source)
    }

    /// Writes `rows` in one transaction on the target.
    async fn write_batch(&self, target: &Db, rows: &[Vec<Cell>]) -> anyhow::Result<()> {
        let n = self.columns.len();
        let per_statement = (MAX_PARAMETERS / n).max(1);
        let names = self
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let txn = target.writer().begin().await?;
        for chunk in rows.chunks(per_statement) {
            let mut values = Vec::with_capacity(chunk.len() * n);
            let mut tuples = Vec::with_capacity(chunk.len());
            for (i, row) in chunk.iter().enumerate() {
                for (cell, column) in row.iter().zip(&self.columns) {
                    values.push(bind(cell, column.target, &column.name)?);
                }
                tuples.push(format!("({})", sql::placeholders(i * n + 1, n)));
            }
            let statement = format!(
                "INSERT INTO {} ({names}) VALUES {}",
                self.table,
                tuples.join(", ")
            );
            txn.execute_raw(sql::stmt(&txn, &statement, values))
                .await
                .with_context(|| format!("writing {}", self.table))?;
        }
        txn.commit().await?;
        Ok(())
    }
}

/// A read-only snapshot of the whole source, so every table is read as of
/// one moment.
async fn snapshot(source: &Db) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    match source.backend() {
        DatabaseBackend::Postgres => {
            source
                .reader()
                .begin_with_config(
                    Some(IsolationLevel::RepeatableRead),
                    Some(AccessMode::ReadOnly),
                )
                .await
        }
        _ => source.reader().begin().await,
    }
}

#[derive(sea_orm::FromQueryResult)]
struct Serial {
    table_name: String,
    sequence: String,
}

#[derive(sea_orm::FromQueryResult)]
struct Value64 {
    n: Option<i64>,
}

/// The highest id each auto-numbered table has handed out, which may be
/// above its largest id when rows were deleted (login failures): the copy
/// continues after it, so no id is ever used twice.
async fn id_high_water(conn: &impl ConnectionTrait) -> anyhow::Result<BTreeMap<String, i64>> {
    let mut marks = BTreeMap::new();
    match conn.get_database_backend() {
        DatabaseBackend::Postgres => {
            for s in serials(conn).await? {
                let mark = sql::fetch_one::<Value64>(
                    conn,
                    &format!(
                        "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS n FROM {}",
                        s.sequence
                    ),
                    [],
                )
                .await?
                .and_then(|v| v.n)
                .unwrap_or(0);
                marks.insert(s.table_name, mark);
            }
        }
        _ => {
            #[derive(sea_orm::FromQueryResult)]
            struct Seq {
                name: String,
                seq: i64,
            }
            let has_sequences = sql::fetch_one::<Count>(
                conn,
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sqlite_sequence'",
                [],
            )
            .await?
            .is_some_and(|c| c.n > 0);
            if has_sequences {
                for s in
                    sql::fetch_all::<Seq>(conn, "SELECT name, seq FROM sqlite_sequence", []).await?
                {
                    marks.insert(s.name, s.seq);
                }
            }
        }
    }
    Ok(marks)
}

/// PostgreSQL's id sequences: table and sequence name.
async fn serials(conn: &impl ConnectionTrait) -> Result<Vec<Serial>, sea_orm::DbErr> {
    sql::fetch_all::<Serial>(
        conn,
        "SELECT CAST(table_name AS TEXT) AS table_name, \
         pg_get_serial_sequence(quote_ident(table_name), column_name) AS sequence \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL",
        [],
    )
    .await
}

/// Makes new rows on the target get ids after every id the source used.
async fn continue_ids(target: &Db, marks: &BTreeMap<String, i64>) -> anyhow::Result<()> {
    let conn = target.writer();
    match target.backend() {
        DatabaseBackend::Postgres => {
            for s in serials(conn).await? {
                let mark = marks.get(&s.table_name).copied().unwrap_or(0);
                // setval(…, n, true): the next id is n + 1; (1, false): 1.
                sql::execute(
                    conn,
                    &format!(
                        "SELECT setval(CAST($1 AS regclass), GREATEST(COALESCE((SELECT MAX(id) FROM {t}), 0), $2, 1), \
                         GREATEST(COALESCE((SELECT MAX(id) FROM {t}), 0), $2) > 0)",
                        t = s.table_name
                    ),
                    [s.sequence.clone().into(), mark.into()],
                )
                .await?;
            }
        }
        _ => {
            // Explicit ids already moved sqlite_sequence up to the largest
            // copied id; ids the source gave out and deleted come on top.
            for (table, mark) in marks {
                let autoincrement = sql::fetch_one::<Count>(
                    conn,
                    "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = $1 \
                     AND upper(sql) LIKE '%AUTOINCREMENT%'",
                    [table.clone().into()],
                )
                .await?
                .is_some_and(|c| c.n > 0);
                if !autoincrement || *mark <= 0 {
                    continue;
                }
                let updated = sql::execute(
                    conn,
                    "UPDATE sqlite_sequence SET seq = $1 WHERE name = $2 AND seq < $1",
                    [(*mark).into(), table.clone().into()],
                )
                .await?;
                if updated == 0 {
                    sql::execute(
                        conn,
                        "INSERT INTO sqlite_sequence (name, seq) SELECT $1, $2 \
                         WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $1)",
                        [table.clone().into(), (*mark).into()],
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// Copies the county at `source_url` into the empty database at
/// `target_url`; `progress` hears each table as it is done. The server
/// must be stopped: writes after the snapshot would not be copied.
pub async fn copy(
    source_url: &str,
    target_url: &str,
    batch: usize,
    mut progress: impl FnMut(&str, u64),
) -> anyhow::Result<CopyReport> {
    anyhow::ensure!(batch > 0, "--batch must be at least 1");
    anyhow::ensure!(
        source_url != target_url,
        "the target is the configured database itself"
    );
    let source = Db::connect(source_url)
        .await
        .context("opening the source (the configured database)")?;
    crate::db::ensure_sqlite_dir(target_url)?;
    let target = Db::connect(target_url)
        .await
        .context("opening the target")?;
    let result = copy_between(&source, &target, batch, &mut progress).await;
    source.close().await;
    target.close().await;
    result
}

async fn copy_between(
    source: &Db,
    target: &Db,
    batch: usize,
    progress: &mut impl FnMut(&str, u64),
) -> anyhow::Result<CopyReport> {
    // Refused before migrating, so a database holding anything else is
    // left exactly as it was.
    let filled = filled_tables(target.reader()).await?;
    if let Some((table, n)) = filled.first() {
        bail!(
            "the target is not empty ({n} rows in {table}{}): copy-to only writes into an empty database",
            if filled.len() > 1 {
                format!(" and {} more tables", filled.len() - 1)
            } else {
                String::new()
            }
        );
    }
    target.migrate().await.context("migrating the target")?;
    let (from, to) = (
        migrations(source.reader()).await?,
        migrations(target.reader()).await?,
    );
    anyhow::ensure!(
        from == to,
        "the source has migrations {} but this zhibu has {}: run `zhibu migrate` on the source first (with the server stopped)",
        from.len(),
        to.len()
    );
    let filled = filled_tables(target.reader()).await?;
    anyhow::ensure!(
        filled.is_empty(),
        "the target holds rows after migrating: {filled:?}"
    );

    let snapshot = snapshot(source).await?;
    let plans = plan(&snapshot, target.reader()).await?;
    let marks = id_high_water(&snapshot).await?;
    let mut counts = BTreeMap::new();
    let mut total = 0;
    for plan in plans.iter().filter(|p| !REBUILT.contains(&p.table)) {
        let expected = count(&snapshot, plan.table).await?;
        let mut copied = 0u64;
        let mut after: Option<Vec<Cell>> = None;
        loop {
            let (rows, last) = plan.read_batch(&snapshot, after.as_deref(), batch).await?;
            if rows.is_empty() {
                break;
            }
            plan.write_batch(target, &rows).await.with_context(|| {
                format!(
                    "the copy stopped in {} after {copied} rows; the target holds part of the county now: empty it before copying again",
                    plan.table
                )
            })?;
            copied += rows.len() as u64;
            after = last;
        }
        let written = count(target.reader(), plan.table).await?;
        anyhow::ensure!(
            copied == expected && written == expected,
            "{}: {expected} rows in the source, {copied} read, {written} in the target",
            plan.table
        );
        progress(plan.table, written);
        counts.insert(plan.table.to_owned(), written);
        total += written;
    }
    snapshot.commit().await?;

    continue_ids(target, &marks).await?;
    let txn = target.writer().begin().await?;
    rollup::rebuild_member_counts(&txn).await?;
    txn.commit().await?;
    for &table in REBUILT {
        progress(table, count(target.reader(), table).await?);
    }
    // Fresh statistics, so the planner knows the tables are full.
    target.writer().execute_unprepared("ANALYZE").await?;
    let differences = rollup::verify(target.reader()).await?;
    Ok(CopyReport {
        tables: counts.len(),
        rows: total,
        counts,
        differences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_of_both_engines_are_read_the_same_way() {
        let sqlite = DatabaseBackend::Sqlite;
        let pg = DatabaseBackend::Postgres;
        for (declared, kind) in [
            ("timestamp_with_timezone_text", Kind::TimestampTz),
            ("date_text", Kind::Date),
            ("boolean", Kind::Bool),
            ("bigint", Kind::I64),
            ("integer", Kind::I64),
            ("smallint", Kind::I64),
            ("double", Kind::F64),
            ("varchar(36)", Kind::Text),
            ("text", Kind::Text),
            ("json_text", Kind::Json),
            ("blob", Kind::Blob),
        ] {
            assert_eq!(Kind::of(sqlite, declared), Some(kind), "{declared}");
        }
        assert_eq!(
            Kind::of(pg, "timestamp with time zone"),
            Some(Kind::TimestampTz)
        );
        assert_eq!(Kind::of(pg, "integer"), Some(Kind::I32));
        assert_eq!(Kind::of(pg, "smallint"), Some(Kind::I16));
        assert_eq!(Kind::of(pg, "numeric"), None);
        assert!(Kind::I64.fits(Kind::I16));
        assert!(!Kind::Text.fits(Kind::TimestampTz));
    }

    #[test]
    fn values_too_wide_for_the_target_are_refused_not_cut() {
        assert!(bind(&Cell::Int(40_000), Kind::I16, "t.c").is_err());
        assert!(bind(&Cell::Int(-5), Kind::I16, "t.c").is_ok());
        assert!(bind(&Cell::Text("x".into()), Kind::Bool, "t.c").is_err());
    }

    #[tokio::test]
    async fn every_table_a_fresh_database_has_is_in_the_copy_order() {
        let dir =
            std::env::temp_dir().join(format!("zhibu-copy-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/zhibu.db?mode=rwc", dir.display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let mut present: Vec<String> = tables(db.reader())
            .await
            .unwrap()
            .into_iter()
            .filter(|t| !OWN_BOOKKEEPING.contains(&t.as_str()))
            .collect();
        present.sort();
        let mut listed: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
        listed.sort();
        assert_eq!(present, listed);
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
