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
    /// The statuses a row's other cells name for its call (see `STATUSES`).
    statuses: Vec<(Operation, u16, usize)>,
}

/// The statuses the contract's rows are read for. 200 and 400 are left
/// out: rows also say "at most 200" or "400 days back".
const STATUSES: &[u16] = &[201, 204, 401, 403, 404, 405, 409, 413, 415, 422, 429];

/// The statuses named in a cell: three-digit numbers of `STATUSES` standing
/// alone (not inside a longer number or a code span).
fn statuses(cell: &str) -> Vec<u16> {
    let outside: String = cell.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    let mut found = Vec::new();
    let chars: Vec<char> = outside.chars().collect();
    for (i, window) in chars.windows(3).enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 3);
        if window.iter().all(char::is_ascii_digit)
            && !before.is_some_and(|c| c.is_ascii_digit() || c == '.')
            && !after.is_some_and(|c| c.is_ascii_digit())
        {
            let n: u16 = window.iter().collect::<String>().parse().unwrap();
            if STATUSES.contains(&n) && !found.contains(&n) {
                found.push(n);
            }
        }
    }
    found
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
            let row_calls: Vec<Operation> = cells
                .first()
                .map(|c| code_spans(c).iter().flat_map(|s| operations(s)).collect())
                .unwrap_or_default();
            for call in &row_calls {
                for cell in cells.iter().skip(1) {
                    for status in statuses(cell) {
                        contract.statuses.push((call.clone(), status, index + 1));
                    }
                }
            }
        }
        contract
    }

    /// The statuses a row names that its operation does not document.
    fn undocumented_statuses(
        &self,
        documented: &BTreeMap<Operation, BTreeSet<u16>>,
    ) -> Vec<String> {
        self.statuses
            .iter()
            .filter(|(operation, status, _)| {
                documented
                    .get(operation)
                    .is_some_and(|known| !known.contains(status))
            })
            .map(|(operation, status, line)| {
                format!(
                    "docs/api.md:{line}: {} answers {status}, which the OpenAPI document does not list",
                    show(operation)
                )
            })
            .collect()
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

/// The statuses each served operation documents.
fn documented_statuses(doc: &Value) -> BTreeMap<Operation, BTreeSet<u16>> {
    let mut documented = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("the document has paths") {
        let Some(relative) = path.strip_prefix(BASE).filter(|p| p.starts_with('/')) else {
            continue;
        };
        for (method, operation) in item.as_object().expect("a path item is an object") {
            let statuses = operation["responses"]
                .as_object()
                .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
                .unwrap_or_default();
            documented.insert((method.to_uppercase(), relative.to_owned()), statuses);
        }
    }
    documented
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
    let contract = Contract::parse(CONTRACT);
    let mut differences = contract.differences(&served);
    differences.extend(contract.undocumented_statuses(&documented_statuses(&doc)));
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
| `POST /gone` | nobody | → 201 X; 409 `code_409`, at most 200, 4220 ms |
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
        contract
            .statuses
            .iter()
            .map(|(o, s, _)| (o.clone(), *s))
            .collect::<Vec<_>>(),
        [(op("POST", "/gone"), 201), (op("POST", "/gone"), 409)]
    );
    let documented = BTreeMap::from([(op("POST", "/gone"), BTreeSet::from([201]))]);
    assert_eq!(
        contract.undocumented_statuses(&documented),
        ["docs/api.md:7: `POST /gone` answers 409, which the OpenAPI document does not list"]
    );
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

/// The statuses an operation can answer whatever it does, by what it takes.
fn required_statuses(path: &str, operation: &Value) -> Vec<u16> {
    let mut required = Vec::new();
    if operation["security"]
        .as_array()
        .is_some_and(|s| !s.is_empty())
    {
        required.extend([401, 403, 404]);
    }
    if operation.get("requestBody").is_some() {
        required.extend([400, 413, 415, 422]);
    }
    if path.contains('{') {
        required.push(404);
    }
    let has_query = operation["parameters"]
        .as_array()
        .is_some_and(|p| p.iter().any(|p| p["in"] == "query"));
    if has_query {
        required.push(422);
    }
    required
}

/// The operations a throttle guards, which answer 429 with `Retry-After`.
const THROTTLED: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/wechat"),
    ("post", "/api/v1/auth/wechat/bind"),
    ("post", "/api/v1/auth/activate"),
    ("post", "/api/v1/theme-days/{id}/checkins"),
];

async fn openapi_document() -> Value {
    spawn_app().await.openapi().await
}

/// A response's JSON schema, resolved when it is a reference.
fn response_schema<'a>(doc: &'a Value, response: &'a Value) -> Option<&'a Value> {
    let schema = response.pointer("/content/application~1json/schema")?;
    match schema["$ref"].as_str() {
        Some(reference) => doc.pointer(reference.trim_start_matches('#')),
        None => Some(schema),
    }
}

#[tokio::test]
async fn every_operation_documents_the_errors_it_can_answer_with_the_error_body() {
    let doc = openapi_document().await;
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let mut required = required_statuses(path, operation);
            if THROTTLED.contains(&(method.as_str(), path.as_str())) {
                required.push(429);
            }
            for status in required {
                if !responses.contains_key(&status.to_string()) {
                    missing.push(format!("{method} {path}: {status} is not documented"));
                }
            }
            for (status, response) in responses {
                if !status.starts_with('4') {
                    continue;
                }
                // Every error answers ErrorBody's code and message at least.
                let properties =
                    response_schema(&doc, response).and_then(|s| s["properties"].as_object());
                if !properties.is_some_and(|p| p.contains_key("code") && p.contains_key("message"))
                {
                    missing.push(format!(
                        "{method} {path}: {status} does not document the error body"
                    ));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} gaps:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// Every `vocabulary!` of the shared crate, read from its source, with its
/// wire codes in order: the server's own enums are the source.
fn vocabularies() -> Vec<(String, Vec<String>)> {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/src")];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut found = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).unwrap();
        for block in text.split("vocabulary! {").skip(1) {
            let body = &block[..block.find("\n}").unwrap()];
            let mut lines = body
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("///") && !l.starts_with("#["));
            let name = lines
                .next()
                .unwrap()
                .trim_end_matches('{')
                .trim()
                .to_owned();
            let codes = lines
                .filter_map(|l| l.split('"').nth(1).filter(|_| l.contains(" = \"")))
                .map(str::to_owned)
                .collect();
            found.push((name, codes));
        }
    }
    found.sort();
    found
}

#[tokio::test]
async fn every_vocabulary_the_server_sends_is_documented_with_all_its_values() {
    let doc = openapi_document().await;
    let vocabularies = vocabularies();
    assert!(
        vocabularies
            .iter()
            .any(|(name, codes)| name == "LogStatus" && codes.contains(&"superseded".to_owned())),
        "the shared sources are read: {vocabularies:?}"
    );
    let mut wrong = Vec::new();
    for (name, codes) in &vocabularies {
        let Some(schema) = doc.pointer(&format!("/components/schemas/{name}")) else {
            wrong.push(format!("{name} is not a schema of the document"));
            continue;
        };
        let documented: Vec<String> = schema["enum"]
            .as_array()
            .map(|values| {
                values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if &documented != codes {
            wrong.push(format!(
                "{name}: the document lists {documented:?}, the server sends {codes:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
