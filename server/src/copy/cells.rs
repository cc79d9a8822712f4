//! Values between the engines: a column's kind from its declared type, read
//! by the source's kind and bound by the target's, refused rather than cut.

use anyhow::bail;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use sea_orm::{DatabaseBackend, QueryResult, Value};

/// How a column's values are read and bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
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
    pub(super) fn of(backend: DatabaseBackend, declared: &str) -> Option<Kind> {
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
    pub(super) fn fits(self, target: Kind) -> bool {
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
pub(super) enum Cell {
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

pub(super) fn read(row: &QueryResult, idx: usize, kind: Kind) -> Result<Cell, sea_orm::DbErr> {
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
pub(super) fn bind(cell: &Cell, kind: Kind, column: &str) -> anyhow::Result<Value> {
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
