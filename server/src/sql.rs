//! Raw SQL for the few queries the query builder makes awkward (closure-table
//! maintenance, aggregates). Placeholders are written `$1, $2, …` in order of
//! first use: PostgreSQL reads them natively and SQLite binds them by
//! position, so one text serves both engines.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, FromQueryResult, Statement, Value};
use zhibu_shared::Vocabulary;

pub fn stmt(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Statement {
    Statement::from_sql_and_values(conn.get_database_backend(), sql, values)
}

pub async fn execute(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<u64, DbErr> {
    Ok(conn
        .execute_raw(stmt(conn, sql, values))
        .await?
        .rows_affected())
}

pub async fn fetch_all<T: FromQueryResult>(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<Vec<T>, DbErr> {
    T::find_by_statement(stmt(conn, sql, values))
        .all(conn)
        .await
}

pub async fn fetch_one<T: FromQueryResult>(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<Option<T>, DbErr> {
    T::find_by_statement(stmt(conn, sql, values))
        .one(conn)
        .await
}

/// A stored vocabulary value as an SQL literal (`'approved'`), so queries
/// name states through the shared enums and a misspelt state cannot compile.
/// Codes are fixed snake_case words, never user input.
pub fn lit(value: impl Vocabulary) -> String {
    format!("'{}'", value.code())
}

/// Several stored values as an SQL list (`'a', 'b'`) for `IN (…)`.
pub fn lits<V: Vocabulary>(values: &[V]) -> String {
    values
        .iter()
        .map(|v| lit(*v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$first, $first+1, …` for an `IN (…)` list of `n` values.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Serialises, for the rest of the caller's transaction, every write about
/// one member (daily caps, overlaps): a row lock on PostgreSQL. On SQLite a
/// write transaction already holds the one writer connection.
pub async fn lock_member(conn: &impl ConnectionTrait, member_id: i64) -> Result<(), DbErr> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        execute(
            conn,
            "SELECT id FROM member WHERE id = $1 FOR UPDATE",
            [member_id.into()],
        )
        .await?;
    }
    Ok(())
}

/// A `LIKE … ESCAPE '\'` pattern matching text that contains `q` literally.
pub fn contains_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// ` LIMIT n` to end a query with, or nothing.
pub fn limit(limit: Option<usize>) -> String {
    limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default()
}
