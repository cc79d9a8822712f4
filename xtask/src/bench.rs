//! `cargo xtask bench`: runs the load generator's scenarios on SQLite (and
//! on PostgreSQL when `ZHIBU_TEST_PG` is set) and writes BENCHMARKS.md with
//! medians of several runs and their spread.

use std::fmt::Write as _;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::pwa;

/// One line of the plan: a scenario with its clients and extra load
/// generator arguments. Hours are read by a county's dashboards: four
/// clients firing back to back are far more than a county's staff, and
/// the p99 target is a reader's wait, not a saturation figure.
struct Step {
    label: &'static str,
    scenario: &'static str,
    clients: usize,
    args: Vec<String>,
    /// Run on PostgreSQL only (several servers on one database).
    postgres_only: bool,
}

/// Scenarios that leave their data as they found it, so several rounds
/// can be measured on one seeded database and server.
const REPEATABLE: [&str; 6] = ["readyz", "me", "login", "hours", "province", "governance"];

/// Where the generated part of BENCHMARKS.md ends and kept notes begin.
const NOTES_MARKER: &str =
    "<!-- Notes below this line are hand-written; `cargo xtask bench` keeps them. -->";

struct Options {
    runs: usize,
    members: usize,
    seconds: u64,
    logs_per_member: usize,
    /// Then read hours again over this many logs per member (0: don't).
    grow_to: usize,
    province_members: usize,
    province_branches: usize,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        runs: 3,
        members: 30_000,
        seconds: 10,
        logs_per_member: 120,
        grow_to: 360,
        province_members: 7_700_000,
        province_branches: 100_000,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .context("a value is missing")
                .and_then(|v| v.parse::<u64>().context("not a number"))
        };
        match arg.as_str() {
            "--runs" => o.runs = value()? as usize,
            "--members" => o.members = value()? as usize,
            "--seconds" => o.seconds = value()?,
            "--logs-per-member" => o.logs_per_member = value()? as usize,
            "--grow-to" => o.grow_to = value()? as usize,
            "--province-members" => o.province_members = value()? as usize,
            "--province-branches" => o.province_branches = value()? as usize,
            other => bail!("bench: unknown option `{other}`"),
        }
    }
    Ok(o)
}

fn plan(o: &Options) -> Vec<Step> {
    let step = |label, scenario, clients, args: &[String]| Step {
        label,
        scenario,
        clients,
        args: args.to_vec(),
        postgres_only: false,
    };
    let mut hours = vec![
        "--logs-per-member".to_owned(),
        o.logs_per_member.to_string(),
    ];
    if o.grow_to > o.logs_per_member {
        hours.extend(["--grow-to".to_owned(), o.grow_to.to_string()]);
    }
    vec![
        step("readyz", "readyz", 64, &[]),
        step("me", "me", 64, &[]),
        step("login", "login", 16, &[]),
        step("checkin", "checkin", 64, &[]),
        step("floor", "floor", 64, &[]),
        Step {
            postgres_only: true,
            ..step(
                "checkin, 2 servers",
                "checkin",
                64,
                &["--servers".into(), "2".into()],
            )
        },
        Step {
            postgres_only: true,
            ..step("me, 2 servers", "me", 64, &["--servers".into(), "2".into()])
        },
        step("log", "log", 64, &[]),
        step("approve", "approve", 4, &[]),
        step("hours", "hours", 4, &hours),
        step("governance", "governance", 4, &[]),
        step(
            "province",
            "province",
            4,
            &[
                "--members".into(),
                o.province_members.to_string(),
                "--branches".into(),
                o.province_branches.to_string(),
            ],
        ),
    ]
}

/// The medians of one plan line on one engine.
struct Measured {
    label: String,
    scenario: &'static str,
    engine: &'static str,
    logs: u64,
    ok: f64,
    p99: f64,
    errors: f64,
    rss: f64,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn spread(values: &[f64]) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{min:.1}–{max:.1}")
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or("?".into(), |k| format!("{} GiB", k / 1024 / 1024));
    format!("{cores} cores ({cpu}), {mem} RAM")
}

fn loadgen_runs(
    loadgen: &std::path::Path,
    root: &std::path::Path,
    step: &Step,
    options: &Options,
    url: Option<&str>,
) -> Result<Vec<Value>> {
    let repeatable = REPEATABLE.contains(&step.scenario);
    let processes = if repeatable { 1 } else { options.runs };
    let rounds = if repeatable { options.runs } else { 1 };
    let mut results = Vec::new();
    for run in 0..processes {
        eprintln!(
            "bench: {} on {}, {}",
            step.label,
            if url.is_some() { "postgres" } else { "sqlite" },
            if repeatable {
                format!("{rounds} rounds")
            } else {
                format!("run {}/{}", run + 1, options.runs)
            }
        );
        let mut command = Command::new(loadgen);
        // A step may set its own member count (the province does).
        if !step.args.iter().any(|a| a == "--members") {
            command.args(["--members", &options.members.to_string()]);
        }
        command.current_dir(root).args([
            "--scenario",
            step.scenario,
            "--concurrency",
            &step.clients.to_string(),
            "--seconds",
            &options.seconds.to_string(),
            "--rounds",
            &rounds.to_string(),
        ]);
        command.args(&step.args);
        match url {
            Some(url) => command.env("ZHIBU_TEST_PG", url),
            None => command.env_remove("ZHIBU_TEST_PG"),
        };
        command.stderr(std::process::Stdio::inherit());
        let output = command.output()?;
        if !output.status.success() {
            bail!("loadgen failed on {}", step.label);
        }
        for line in String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| l.starts_with('{'))
        {
            results.push(
                serde_json::from_str(line)
                    .with_context(|| format!("reading loadgen output {line:?}"))?,
            );
        }
    }
    Ok(results)
}

/// Millions or thousands, for labels.
fn count(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} M", n as f64 / 1e6)
    } else {
        format!("{} k", n / 1000)
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let options = parse(args)?;
    let root = pwa::workspace_root();
    let report = pwa::build_app(false)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "-p",
            "zhibu-server",
            "--bin",
            "zhibu",
            "-p",
            "zhibu-tests",
            "--bin",
            "loadgen",
        ])
        .status()?;
    if !status.success() {
        bail!("building the server and the load generator failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let loadgen = target.join("release").join("loadgen");
    let pg = std::env::var("ZHIBU_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty());
    let engines: Vec<(&'static str, Option<&str>)> = match &pg {
        Some(url) => vec![("sqlite", None), ("postgres", Some(url.as_str()))],
        None => vec![("sqlite", None)],
    };
    let mut table = String::new();
    writeln!(
        table,
        "| scenario | engine | clients | ok/s (median, range) | p50 ms | p99 ms (median, range) | errors | peak RSS MiB |"
    )?;
    writeln!(table, "|---|---|---|---|---|---|---|---|")?;
    let mut measured: Vec<Measured> = Vec::new();
    for step in plan(&options) {
        for (engine, url) in &engines {
            if step.postgres_only && url.is_none() {
                continue;
            }
            // One failing step is reported in its row; the rest still run.
            let results = match loadgen_runs(&loadgen, &root, &step, &options, *url) {
                Ok(results) => results,
                Err(error) => {
                    eprintln!("bench: {} on {engine} failed: {error:#}", step.label);
                    writeln!(
                        table,
                        "| {} | {engine} | {} | failed: {error} | | | | |",
                        step.label, step.clients
                    )?;
                    continue;
                }
            };
            // The hours step measures each size of the log table, in
            // alternate rounds: one row per size.
            let mut sizes: Vec<u64> = results.iter().filter_map(|r| r["logs"].as_u64()).collect();
            sizes.sort_unstable();
            sizes.dedup();
            for logs in sizes {
                let results: Vec<&Value> = results
                    .iter()
                    .filter(|r| r["logs"].as_u64() == Some(logs))
                    .collect();
                let field = |name: &str| {
                    results
                        .iter()
                        .map(|r| r[name].as_f64().unwrap_or(f64::NAN))
                        .collect::<Vec<_>>()
                };
                // Bulk approval counts logs, 100 a request.
                let rate = if step.scenario == "approve" {
                    "logs_approved_per_sec"
                } else {
                    "ok_per_sec"
                };
                let (ok, mut p50, p99, mut rss) = (
                    field(rate),
                    field("p50_ms"),
                    field("p99_ms"),
                    field("peak_rss_mib"),
                );
                let errors: f64 = field("errors").iter().sum();
                let label = match step.scenario {
                    "hours" => format!("hours, county, {} logs", count(logs)),
                    "governance" => {
                        format!("governance overview, county, {} obligations", count(logs))
                    }
                    "province" => format!(
                        "hours, province of {} members, {} logs",
                        count(options.province_members as u64),
                        count(logs)
                    ),
                    _ => step.label.to_owned(),
                };
                let row = Measured {
                    label,
                    scenario: step.scenario,
                    engine,
                    logs,
                    ok: median(&mut ok.clone()),
                    p99: median(&mut p99.clone()),
                    errors,
                    rss: median(&mut rss),
                };
                writeln!(
                    table,
                    "| {} | {engine} | {} | {:.0} ({}) | {:.1} | {:.1} ({}) | {errors:.0} | {:.0} |",
                    row.label,
                    step.clients,
                    row.ok,
                    spread(&ok),
                    median(&mut p50),
                    row.p99,
                    spread(&p99),
                    row.rss
                )?;
                measured.push(row);
            }
        }
    }
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let mut doc = String::new();
    writeln!(doc, "# Benchmarks\n")?;
    writeln!(
        doc,
        "Reproduce with `cargo xtask bench` (set `ZHIBU_TEST_PG=postgres://postgres@127.0.0.1:5432/test` to include PostgreSQL). The tables are written by that command; the notes at the end are hand-written and kept across runs.\n"
    )?;
    writeln!(doc, "- Date: {date}")?;
    writeln!(doc, "- Machine: {}", machine())?;
    writeln!(
        doc,
        "- Command: `cargo xtask bench --runs {} --members {} --seconds {} --logs-per-member {} --grow-to {} --province-members {} --province-branches {}`; each row is the median of {} runs, with the range",
        options.runs,
        options.members,
        options.seconds,
        options.logs_per_member,
        options.grow_to,
        options.province_members,
        options.province_branches,
        options.runs
    )?;
    writeln!(
        doc,
        "- Synthetic county: {} members in branches of 30, seeded through the roster import; the server is a separate release process, the load generator closed-loop HTTP clients on the same machine.\n",
        options.members
    )?;
    doc.push_str(&targets(&measured, &report, &engines)?);
    writeln!(doc, "## Server\n")?;
    for line in [
        "- readyz: HTTP plus a database ping (the floor of the stack).",
        "- me: `GET /api/v1/me` with live sessions (JWT check, session row, profile queries).",
        "- login: `POST /api/v1/auth/login`; bound by Argon2id (19 MiB, 2 passes), run one per core.",
        "- checkin: the first-Thursday burst: every member checks in once with the live 6-digit code (auth, participant check, idempotency, insert).",
        "- floor: the same burst against a minimal actix-web handler doing only the insert in plain SQL (sqlx; no auth, ORM or validation), same database settings and clients: the raw floor.",
        "- 2 servers: the same scenario against two server processes on the one PostgreSQL database, clients taking turns between them (peak RSS is the larger of the two).",
        "- log: hour logging, `POST /api/v1/service-logs`: every member logs an hour once (validation, daily total, idempotency).",
        "- approve: bulk approval, `POST /service-logs/review` with 100 pending logs a request (credit, roll-ups, audit in one transaction); ok/s counts logs approved per second.",
        "- hours: `GET /orgs/{id}/hours?by=child` (the dashboard's default: this year to date, by child unit), read from the roll-ups. The county's logs are spread over the last twelve months; a copy of its database is then grown, and the two sizes are read in alternate rounds, each by its own server.",
        "- governance: `GET /orgs/{id}/governance` for the county this quarter (per child: meetings done, due and overdue, problems, venues), read from `governance_tally` over a year of every branch's obligations made by the scheduler's code, four in five met.",
        "- province: the same read for a province-sized tree (16 cities, 160 counties, townships of 50 branches), loaded directly with the server's tree and roll-up code, one approved log for every tenth member.",
    ] {
        writeln!(doc, "{line}")?;
    }
    writeln!(
        doc,
        "- Repeatable scenarios (readyz, me, login, hours, governance, province) measure {} rounds of {} s on one seeded server; the others start a fresh seeded server per run.\n",
        options.runs, options.seconds
    )?;
    doc.push_str(&table);
    writeln!(doc, "\n## PWA first load\n")?;
    writeln!(doc, "| file | raw KB | brotli KB |\n|---|---|---|")?;
    for f in report.files.iter().filter(|f| f.first_load) {
        writeln!(
            doc,
            "| `{}` | {:.1} | {:.1} |",
            f.path,
            f.raw_bytes as f64 / 1000.0,
            f.brotli_bytes.unwrap_or(0) as f64 / 1000.0
        )?;
    }
    writeln!(
        doc,
        "| **total** | {:.1} | **{:.1}** (budget {:.0}) |",
        report.first_load_raw_bytes as f64 / 1000.0,
        report.first_load_brotli_bytes as f64 / 1000.0,
        pwa::FIRST_LOAD_BUDGET_BYTES as f64 / 1000.0
    )?;
    // Hand-written notes after the marker survive a new run.
    let path = root.join("BENCHMARKS.md");
    let notes = std::fs::read_to_string(&path)
        .ok()
        .and_then(|old| old.find(NOTES_MARKER).map(|i| old[i..].to_owned()))
        .unwrap_or_else(|| format!("{NOTES_MARKER}\n"));
    writeln!(doc)?;
    doc.push_str(&notes);
    std::fs::write(path, doc)?;
    println!("{table}");
    println!("wrote BENCHMARKS.md");
    Ok(())
}

/// Met, or missed and by how much: `value` against `limit`, where
/// `at_least` says which side is good.
fn verdict(value: f64, limit: f64, at_least: bool) -> String {
    if value.is_nan() {
        return "not measured".into();
    }
    let met = if at_least {
        value >= limit
    } else {
        value <= limit
    };
    if met {
        "met".into()
    } else {
        let by = if at_least {
            (limit - value) / limit
        } else {
            (value - limit) / limit
        };
        format!("**missed** by {:.0}%", by * 100.0)
    }
}

/// The targets of the performance issues, met or missed, per engine.
fn targets(
    measured: &[Measured],
    report: &pwa::BuildReport,
    engines: &[(&'static str, Option<&str>)],
) -> Result<String> {
    let find = |label: &str, engine: &str| {
        measured
            .iter()
            .find(|m| m.label == label && m.engine == engine)
    };
    let mut out = String::new();
    writeln!(out, "## Targets\n")?;
    let mut header = "| target |".to_owned();
    let mut rule = "|---|".to_owned();
    for (engine, _) in engines {
        write!(header, " {engine} | verdict |")?;
        rule.push_str("---|---|");
    }
    writeln!(out, "{header}\n{rule}")?;
    type Check<'a> = Box<dyn Fn(&str) -> (String, String) + 'a>;
    let simple = |label: &'static str,
                  field: fn(&Measured) -> f64,
                  unit: &'static str,
                  limit: f64,
                  at_least: bool|
     -> Check<'_> {
        Box::new(move |engine: &str| match find(label, engine) {
            Some(m) => {
                let value = field(m);
                (format!("{value:.1}{unit}"), verdict(value, limit, at_least))
            }
            None => ("–".into(), "not measured".into()),
        })
    };
    let by_scenario = |scenario: &'static str| {
        move |engine: &str| -> Vec<&Measured> {
            let mut rows: Vec<&Measured> = measured
                .iter()
                .filter(|m| m.scenario == scenario && m.engine == engine)
                .collect();
            rows.sort_by_key(|m| m.logs);
            rows
        }
    };
    let county = by_scenario("hours");
    let province = by_scenario("province");
    let governance = by_scenario("governance");
    let rows: Vec<(String, Check)> = vec![
        (
            "check-in burst ≥ 5,000 accepted/s".into(),
            simple("checkin", |m| m.ok, "/s", 5000.0, true),
        ),
        (
            "check-in burst p99 ≤ 50 ms".into(),
            simple("checkin", |m| m.p99, " ms", 50.0, false),
        ),
        (
            "check-in burst without errors".into(),
            simple("checkin", |m| m.errors, " errors", 0.0, false),
        ),
        (
            "check-in burst peak RSS ≤ 100 MB".into(),
            simple("checkin", |m| m.rss * 1.048576, " MB", 100.0, false),
        ),
        (
            "check-in burst Zhibu ÷ raw floor ≥ 0.5".into(),
            Box::new(
                |engine: &str| match (find("checkin", engine), find("floor", engine)) {
                    (Some(z), Some(f)) => {
                        let ratio = z.ok / f.ok;
                        (
                            format!("{:.0} ÷ {:.0} = {ratio:.2}", z.ok, f.ok),
                            verdict(ratio, 0.5, true),
                        )
                    }
                    _ => ("–".into(), "not measured".into()),
                },
            ),
        ),
        (
            "county hours p99 ≤ 10 ms, at each size".into(),
            Box::new(move |engine: &str| {
                let rows = county(engine);
                if rows.is_empty() {
                    return ("–".into(), "not measured".into());
                }
                let worst = rows.iter().map(|m| m.p99).fold(0.0, f64::max);
                let shown: Vec<String> = rows
                    .iter()
                    .map(|m| format!("{:.1} ms ({} logs)", m.p99, count(m.logs)))
                    .collect();
                (shown.join(" → "), verdict(worst, 10.0, false))
            }),
        ),
        (
            "county hours flat as logs grow (p99 rises ≤ 20%)".into(),
            Box::new(move |engine: &str| {
                let rows = county(engine);
                match (rows.first(), rows.last()) {
                    (Some(small), Some(large)) if large.logs > small.logs => {
                        let growth = large.p99 / small.p99;
                        (
                            format!(
                                "×{:.1} logs: p99 ×{growth:.2}",
                                large.logs as f64 / small.logs as f64
                            ),
                            verdict(growth, 1.2, false),
                        )
                    }
                    _ => ("–".into(), "not measured".into()),
                }
            }),
        ),
        (
            "county governance overview p99 ≤ 10 ms".into(),
            Box::new(move |engine: &str| match governance(engine).first() {
                Some(m) => (format!("{:.1} ms", m.p99), verdict(m.p99, 10.0, false)),
                None => ("–".into(), "not measured".into()),
            }),
        ),
        (
            "province hours p99 ≤ 100 ms".into(),
            Box::new(move |engine: &str| match province(engine).first() {
                Some(m) => (format!("{:.1} ms", m.p99), verdict(m.p99, 100.0, false)),
                None => ("–".into(), "not measured".into()),
            }),
        ),
    ];
    for (name, check) in &rows {
        let mut line = format!("| {name} |");
        for (engine, _) in engines {
            let (value, verdict) = check(engine);
            write!(line, " {value} | {verdict} |")?;
        }
        writeln!(out, "{line}")?;
    }
    let kb = report.first_load_brotli_bytes as f64 / 1000.0;
    let budget = pwa::FIRST_LOAD_BUDGET_BYTES as f64 / 1000.0;
    writeln!(
        out,
        "\nPWA first load: {kb:.1} KB brotli against a budget of {budget:.0} KB: {}.\n",
        verdict(kb, budget, false)
    )?;
    // Scaling out: the same load on one and on two servers.
    if let (Some(one), Some(two)) = (
        find("checkin", "postgres"),
        find("checkin, 2 servers", "postgres"),
    ) {
        writeln!(out, "## Scaling out on PostgreSQL\n")?;
        writeln!(
            out,
            "| scenario | 1 server ok/s | 2 servers ok/s | ratio | p99 ms, 1 → 2 |\n|---|---|---|---|---|"
        )?;
        for (a, b) in [
            (Some(one), Some(two)),
            (find("me", "postgres"), find("me, 2 servers", "postgres")),
        ] {
            if let (Some(a), Some(b)) = (a, b) {
                writeln!(
                    out,
                    "| {} | {:.0} | {:.0} | {:.2} | {:.1} → {:.1} |",
                    a.label,
                    a.ok,
                    b.ok,
                    b.ok / a.ok,
                    a.p99,
                    b.p99
                )?;
            }
        }
        writeln!(out)?;
    }
    Ok(out)
}
