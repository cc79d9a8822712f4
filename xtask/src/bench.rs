//! `cargo xtask bench`: runs the load generator's scenarios on SQLite (and
//! on PostgreSQL when `ZHIBU_TEST_PG` is set) and writes BENCHMARKS.md with
//! medians of several runs and their spread.

use std::fmt::Write as _;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::pwa;

/// Scenarios and their concurrent clients. Hours are read by a county's
/// dashboards: four clients firing back to back are far more than a
/// county's staff, and the p99 target is a reader's wait, not a saturation
/// figure.
const SCENARIOS: [(&str, usize); 7] = [
    ("readyz", 64),
    ("me", 64),
    ("login", 16),
    ("checkin", 64),
    ("floor", 64),
    ("hours", 4),
    ("approve", 4),
];

/// Scenarios that leave their data as they found it, so several rounds
/// can be measured on one seeded database and server.
const REPEATABLE: [&str; 4] = ["readyz", "me", "login", "hours"];

/// Where the generated part of BENCHMARKS.md ends and kept notes begin.
const NOTES_MARKER: &str =
    "<!-- Notes below this line are hand-written; `cargo xtask bench` keeps them. -->";

struct Options {
    runs: usize,
    members: usize,
    seconds: u64,
    logs_per_member: usize,
    /// Also read hours over ten times the logs, to show the reads stay flat.
    large: bool,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        runs: 3,
        members: 30_000,
        seconds: 10,
        logs_per_member: 12,
        large: false,
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
            "--large" => o.large = true,
            other => bail!("bench: unknown option `{other}`"),
        }
    }
    Ok(o)
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
    let engines: Vec<(&str, Option<&str>)> = match &pg {
        Some(url) => vec![("sqlite", None), ("postgres", Some(url.as_str()))],
        None => vec![("sqlite", None)],
    };
    let mut table = String::new();
    writeln!(
        table,
        "| scenario | engine | clients | ok/s (median, range) | p50 ms | p99 ms (median, range) | errors | peak RSS MiB |"
    )?;
    writeln!(table, "|---|---|---|---|---|---|---|---|")?;
    let mut plan: Vec<(String, &str, usize, usize)> = Vec::new();
    // (scenario, engine, median ok/s) of the check-in burst and its floor.
    let mut burst: Vec<(&str, String, f64)> = Vec::new();
    for (scenario, clients) in SCENARIOS {
        plan.push((
            scenario.to_owned(),
            scenario,
            clients,
            options.logs_per_member,
        ));
        if scenario == "hours" && options.large {
            let logs = options.logs_per_member * 10;
            plan.push((
                format!("hours ×10 logs ({logs}/member)"),
                scenario,
                clients,
                logs,
            ));
        }
    }
    for (label, scenario, clients, logs_per_member) in plan {
        for (engine, url) in &engines {
            let mut results: Vec<Value> = Vec::new();
            let repeatable = REPEATABLE.contains(&scenario);
            let processes = if repeatable { 1 } else { options.runs };
            let rounds = if repeatable { options.runs } else { 1 };
            for run in 0..processes {
                eprintln!(
                    "bench: {label} on {engine}, {}",
                    if repeatable {
                        format!("{rounds} rounds")
                    } else {
                        format!("run {}/{}", run + 1, options.runs)
                    }
                );
                let mut command = Command::new(&loadgen);
                command.current_dir(&root).args([
                    "--scenario",
                    scenario,
                    "--members",
                    &options.members.to_string(),
                    "--concurrency",
                    &clients.to_string(),
                    "--seconds",
                    &options.seconds.to_string(),
                    "--logs-per-member",
                    &logs_per_member.to_string(),
                    "--rounds",
                    &rounds.to_string(),
                ]);
                match url {
                    Some(url) => command.env("ZHIBU_TEST_PG", url),
                    None => command.env_remove("ZHIBU_TEST_PG"),
                };
                let output = command.output()?;
                if !output.status.success() {
                    bail!(
                        "loadgen failed: {}",
                        String::from_utf8_lossy(&output.stderr)
                    );
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
            let field = |name: &str| {
                results
                    .iter()
                    .map(|r| r[name].as_f64().unwrap_or(f64::NAN))
                    .collect::<Vec<_>>()
            };
            // Bulk approval counts logs, 100 a request.
            let rate = if scenario == "approve" {
                "logs_approved_per_sec"
            } else {
                "ok_per_sec"
            };
            let (mut ok, mut p50, mut p99, mut rss) = (
                field(rate),
                field("p50_ms"),
                field("p99_ms"),
                field("peak_rss_mib"),
            );
            let errors: f64 = field("errors").iter().sum();
            if scenario == "checkin" || scenario == "floor" {
                burst.push((scenario, engine.to_string(), median(&mut ok.clone())));
            }
            writeln!(
                table,
                "| {label} | {engine} | {clients} | {:.0} ({}) | {:.1} | {:.1} ({}) | {errors:.0} | {:.0} |",
                median(&mut ok.clone()),
                spread(&ok),
                median(&mut p50),
                median(&mut p99.clone()),
                spread(&p99),
                median(&mut rss)
            )?;
            ok.clear();
            p99.clear();
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
        "- Command: `cargo xtask bench --runs {} --members {} --seconds {} --logs-per-member {}{}`; each row is the median of {} runs, with the range",
        options.runs,
        options.members,
        options.seconds,
        options.logs_per_member,
        if options.large { " --large" } else { "" },
        options.runs
    )?;
    writeln!(
        doc,
        "- Synthetic county: {} members in branches of 30, seeded through the roster import; the server is a separate release process, the load generator closed-loop HTTP clients on the same machine.\n",
        options.members
    )?;
    writeln!(doc, "## Server\n")?;
    writeln!(
        doc,
        "- readyz: HTTP plus a database ping (the floor of the stack)."
    )?;
    writeln!(
        doc,
        "- me: `GET /api/v1/me` with live sessions (JWT check, session row, profile queries)."
    )?;
    writeln!(
        doc,
        "- login: `POST /api/v1/auth/login`; bound by Argon2id (19 MiB, 2 passes), run one per core."
    )?;
    writeln!(
        doc,
        "- checkin: the first-Thursday burst: every member checks in once with the live 6-digit code (auth, participant check, idempotency, insert). Target ≥ 5,000 accepted/s, p99 ≤ 50 ms, no errors, RSS ≤ 100 MB."
    )?;
    writeln!(
        doc,
        "- floor: the same burst against a minimal actix-web handler doing only the insert in plain SQL (sqlx; no auth, ORM or validation), same database settings and clients: the raw floor."
    )?;
    writeln!(
        doc,
        "- Repeatable scenarios (readyz, me, login, hours) measure {} rounds of {} s on one seeded server; the others start a fresh seeded server per run.",
        options.runs, options.seconds
    )?;
    writeln!(
        doc,
        "- hours: `GET /orgs/{{county}}/hours?by=child` (the dashboard's default: this year to date) over {} approved logs ({} per member, spread over the last twelve months), read from the roll-ups. Target p99 ≤ 10 ms.\n- approve: bulk approval, `POST /service-logs/review` with 100 pending logs a request (credit, roll-ups, audit in one transaction); the ok/s column counts logs approved per second.\n",
        options.members * options.logs_per_member,
        options.logs_per_member
    )?;
    doc.push_str(&table);
    writeln!(doc)?;
    for (engine, _) in &engines {
        let rate = |name: &str| {
            burst
                .iter()
                .find(|(s, e, _)| *s == name && e == engine)
                .map(|b| b.2)
        };
        if let (Some(zhibu), Some(floor)) = (rate("checkin"), rate("floor")) {
            writeln!(
                doc,
                "- Check-in burst on {engine}: Zhibu ÷ raw floor = {zhibu:.0} ÷ {floor:.0} = **{:.2}** (target ≥ 0.5).",
                zhibu / floor
            )?;
        }
    }
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
