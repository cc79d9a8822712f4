//! Id sequences: the source's high-water marks, continued on the target so
//! no id is ever handed out twice.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseBackend};

use super::schema::Count;
use crate::db::Db;
use crate::sql;

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
pub(super) async fn id_high_water(
    conn: &impl ConnectionTrait,
) -> anyhow::Result<BTreeMap<String, i64>> {
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
pub(super) async fn continue_ids(target: &Db, marks: &BTreeMap<String, i64>) -> anyhow::Result<()> {
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
