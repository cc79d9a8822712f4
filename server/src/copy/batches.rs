//! One table's rows in keyset-paged batches: read from the source's
//! snapshot, written as one target transaction each.

use anyhow::Context;
use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};

use super::cells::{Cell, Kind, bind, read};
use super::schema::Plan;
use crate::db::Db;
use crate::sql;

/// Bind parameters per statement: below SQLite's 32 766 and PostgreSQL's
/// 65 535.
const MAX_PARAMETERS: usize = 30_000;

impl Plan {
    /// Reads the batch after `after` (the key of the last row read): the
    /// rows, and the key of the last one. A unit is read after its parent
    /// (by depth in the tree, then id), as its foreign key needs.
    pub(super) async fn read_batch(
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
    pub(super) async fn write_batch(&self, target: &Db, rows: &[Vec<Cell>]) -> anyhow::Result<()> {
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
