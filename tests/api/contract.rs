//! The API contract, docs/api.md, against the OpenAPI document the server
//! serves (`GET /api/openapi.json`, the source of truth): every operation
//! under `/api/v1` is listed by a table row of the contract, and every
//! operation a table row names is served. Calls are written in backticks,
//! `` `METHOD /path?query` ``, relative to `/api/v1`, with path parameters
//! spelt as in the OpenAPI document; the query is not compared. A section
//! whose text has the line `Planned — not served yet.` (and every section
//! under it) describes future work and is skipped.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use zhibu_tests::spawn_app;

/// The contract as committed.
const CONTRACT: &str = include_str!("../../docs/api.md");
/// The line that marks a section, and the sections under it, as not built yet.
const PLANNED: &str = "Planned — not served yet.";
/// The base path the contract's calls are written relative to.
const BASE: &str = "/api/v1";
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// A method and a path relative to `/api/v1`, e.g. `("GET", "/orgs/{id}")`.
type Operation = (String, String);

fn show((method, path): &Operation) -> String {
    format!("`{method} {path}`")
}

/// What the contract's tables say, with 1-based line numbers.
#[derive(Debug, Default)]
struct Contract {
    /// The call each table row is about: the one in its first cell.
    listed: Vec<(Operation, usize)>,
    /// Every call a table row names, in any cell (the first one included).
    named: Vec<(Operation, usize)>,
}

impl Contract {
    fn parse(text: &str) -> Contract {
        let lines: Vec<&str> = text.lines().collect();
        let mut contract = Contract::default();
        // (heading level, planned) of the sections the current line is in.
        let mut sections: Vec<(usize, bool)> = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            if let Some(level) = heading_level(line) {
                while sections.last().is_some_and(|&(l, _)| l >= level) {
                    sections.pop();
                }
                let body = lines[index + 1..]
                    .iter()
                    .take_while(|l| heading_level(l).is_none());
                let planned = sections.last().is_some_and(|&(_, p)| p)
                    || body.clone().any(|l| l.trim() == PLANNED);
                sections.push((level, planned));
                continue;
            }
            if sections.last().is_some_and(|&(_, planned)| planned) {
                continue;
            }
            let Some(cells) = table_cells(line) else {
                continue;
            };
            for (n, cell) in cells.iter().enumerate() {
                for operation in code_spans(cell).iter().flat_map(|s| operations(s)) {
                    if n == 0 {
                        contract.listed.push((operation.clone(), index + 1));
                    }
                    contract.named.push((operation, index + 1));
                }
            }
        }
        contract
    }

    /// Everything the contract and the served operations disagree on.
    fn differences(&self, served: &BTreeSet<Operation>) -> Vec<String> {
        let mut differences = Vec::new();
        for (operation, line) in &self.named {
            if !served.contains(operation) {
                differences.push(format!(
                    "docs/api.md:{line}: {} is not served (no such operation in the OpenAPI document)",
                    show(operation)
                ));
            }
        }
        let mut rows: BTreeMap<&Operation, Vec<usize>> = BTreeMap::new();
        for (operation, line) in &self.listed {
            rows.entry(operation).or_default().push(*line);
        }
        for operation in served {
            if !rows.contains_key(operation) {
                differences.push(format!(
                    "{} is served, but no table row of docs/api.md lists it",
                    show(operation)
                ));
            }
        }
        for (operation, lines) in rows {
            if lines.len() > 1 {
                differences.push(format!(
                    "docs/api.md lists {} on more than one row: lines {lines:?}",
                    show(operation)
                ));
            }
        }
        differences
    }
}

/// `## Title` → 2.
fn heading_level(line: &str) -> Option<usize> {
    let level = line.chars().take_while(|&c| c == '#').count();
    (level > 0 && line[level..].starts_with(' ')).then_some(level)
}

/// The cells of a table row, split at unescaped pipes (as GitHub does,
/// even inside code spans: a pipe in a cell is written `\|`).
fn table_cells(line: &str) -> Option<Vec<String>> {
    let row = line.trim().strip_prefix('|')?;
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut escaped = false;
    for c in row.chars() {
        match c {
            '|' if !escaped => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    if !cell.trim().is_empty() {
        cells.push(cell);
    }
    Some(cells)
}

/// The texts between single backticks, with `\|` read as `|`.
fn code_spans(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(|span| span.replace("\\|", "|"))
        .collect()
}

/// `GET /orgs/{id}/hours?from=` → `GET /orgs/{id}/hours`; `GET/PUT /x` → two.
fn operations(span: &str) -> Vec<Operation> {
    let Some((methods, target)) = span.trim().split_once(' ') else {
        return Vec::new();
    };
    let path = target.split('?').next().unwrap_or_default().trim();
    let methods: Vec<&str> = methods.split('/').collect();
    if !path.starts_with('/')
        || path.contains(char::is_whitespace)
        || !methods.iter().all(|m| METHODS.contains(m))
    {
        return Vec::new();
    }
    methods
        .into_iter()
        .map(|m| (m.to_owned(), path.to_owned()))
        .collect()
}

/// The operations of an OpenAPI document under `/api/v1`, relative to it.
fn served_operations(doc: &Value) -> BTreeSet<Operation> {
    let mut served = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("the document has paths") {
        let Some(relative) = path.strip_prefix(BASE).filter(|p| p.starts_with('/')) else {
            continue;
        };
        for method in item.as_object().expect("a path item is an object").keys() {
            let method = method.to_uppercase();
            if METHODS.contains(&method.as_str()) {
                served.insert((method, relative.to_owned()));
            }
        }
    }
    served
}

#[tokio::test]
async fn the_contract_lists_exactly_the_operations_the_openapi_document_serves() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let served = served_operations(&doc);
    assert!(
        served.contains(&("POST".into(), "/auth/login".into())),
        "the document's operations are read: {served:?}"
    );
    let differences = Contract::parse(CONTRACT).differences(&served);
    assert!(
        differences.is_empty(),
        "docs/api.md and GET /api/openapi.json disagree ({} differences):\n{}",
        differences.len(),
        differences.join("\n")
    );
}

#[test]
fn the_contract_reads_calls_from_table_rows_outside_planned_sections_and_reports_both_directions() {
    let text = "\
# Title
Prose naming `GET /prose` is not a row.
## Built
| call | who | body / answer |
|---|---|---|
| `GET /orgs/{id}/hours?from=&by=child\\|month` | anyone | `{a\\|b}`; see `POST /refs` |
| `POST /gone` | nobody | – |
| `GET/PUT /orgs/{id}/venue` | secretary | – |
## Later
Planned — not served yet.
| `GET /later` | – | – |
### Under later
| `GET /later/too` | – | – |
## Built again
| `GET /orgs/{id}/hours` | twice | – |
";
    let contract = Contract::parse(text);
    let op = |m: &str, p: &str| (m.to_owned(), p.to_owned());
    let listed: Vec<_> = contract.listed.iter().map(|(o, _)| o.clone()).collect();
    assert_eq!(
        listed,
        [
            op("GET", "/orgs/{id}/hours"),
            op("POST", "/gone"),
            op("GET", "/orgs/{id}/venue"),
            op("PUT", "/orgs/{id}/venue"),
            op("GET", "/orgs/{id}/hours"),
        ]
    );
    assert!(
        contract
            .named
            .iter()
            .any(|(o, line)| *o == op("POST", "/refs") && *line == 6)
    );
    let served: BTreeSet<Operation> = [
        op("GET", "/orgs/{id}/hours"),
        op("GET", "/orgs/{id}/venue"),
        op("PUT", "/orgs/{id}/venue"),
        op("POST", "/refs"),
        op("DELETE", "/unlisted"),
    ]
    .into();
    assert_eq!(
        contract.differences(&served),
        [
            "docs/api.md:7: `POST /gone` is not served (no such operation in the OpenAPI document)",
            "`DELETE /unlisted` is served, but no table row of docs/api.md lists it",
            "`POST /refs` is served, but no table row of docs/api.md lists it",
            "docs/api.md lists `GET /orgs/{id}/hours` on more than one row: lines [6, 15]",
        ]
    );
}
