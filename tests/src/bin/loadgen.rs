//! The load generator: seeds a synthetic county through the server's own
//! code, starts a `zhibu` server process on it (or targets a running one),
//! drives a named scenario over HTTP with C concurrent clients, and prints
//! throughput, p50/p99 latency, errors and the server's peak RSS as one
//! JSON line.
//!
//! cargo build --release -p zhibu-server -p zhibu-tests
//! target/release/loadgen --scenario checkin --members 30000 --concurrency 64 --seconds 10

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, ValueEnum};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde_json::json;
use zhibu_server::auth::tokens::{JwtKeys, TokenType};
use zhibu_server::checkins::codes::CodeSigner;
use zhibu_server::db::Db;
use zhibu_tests::{TEST_JWT_SECRET, TestDatabase, synthetic};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Scenario {
    /// `GET /readyz`: the HTTP and database floor.
    Readyz,
    /// `POST /auth/login`: password logins (Argon2-bound).
    Login,
    /// `GET /me` with live sessions: an authenticated read.
    Me,
    /// The first-Thursday burst: every member checks in once with the live code.
    Checkin,
    /// `GET /orgs/{county}/hours?by=child` (year to date) over a year of approved logs.
    Hours,
    /// Bulk approval: `POST /service-logs/review` with 100 pending logs a request.
    Approve,
    /// The raw floor of the check-in burst: the same inserts through a
    /// minimal actix-web handler with plain SQL (`zhibu_tests::floor`).
    Floor,
    /// Hour logging: every member logs an hour of service once.
    Log,
    /// `GET /orgs/{province}/hours?by=child` on a province-sized tree
    /// (`--members` members in `--branches` branches, seeded directly).
    Province,
    /// `GET /orgs/{county}/governance` (this quarter) over a year of every
    /// branch's 三会一课 obligations, four in five met.
    Governance,
}

#[derive(Debug, Parser)]
#[command(about = "Zhibu's load generator")]
struct Args {
    #[arg(long, value_enum, default_value = "me")]
    scenario: Scenario,
    /// Members in the synthetic county.
    #[arg(long, default_value_t = 30_000)]
    members: usize,
    /// Approved logs per member for the hours scenario (120 gives 3.6 M for 30,000 members).
    #[arg(long, default_value_t = 12)]
    logs_per_member: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// How long to drive load (the check-in burst also stops when everyone has checked in).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The server binary to start (default: `zhibu` beside this binary).
    #[arg(long)]
    server: Option<std::path::PathBuf>,
    /// Append the result as one JSON line to this file.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Measure this many rounds on one seeded database and server (read
    /// scenarios only: a burst or an approval round uses its data up).
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Hours: also read a copy of the county grown to this many logs per
    /// member, in rounds alternating with the original.
    #[arg(long)]
    grow_to: Option<usize>,
    /// Province: branches in the tree.
    #[arg(long, default_value_t = 100_000)]
    branches: usize,
    /// Province: one approved log for every this many members.
    #[arg(long, default_value_t = 10)]
    log_every: usize,
    /// Server processes on the one database; clients take turns among them.
    #[arg(long, default_value_t = 1)]
    servers: usize,
    /// Internal: serve the raw floor on `--bind` (used by the floor scenario).
    #[arg(long, hide = true)]
    serve_floor: bool,
    #[arg(long, hide = true)]
    bind: Option<String>,
}

struct ServerProcess {
    child: Child,
    url: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// The server's peak resident set (VmHWM), in KiB.
    fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn start_server(
    binary: &std::path::Path,
    database_url: &str,
    floor: bool,
) -> anyhow::Result<ServerProcess> {
    let port = free_port()?;
    let mut command = if floor {
        let mut c = Command::new(std::env::current_exe()?);
        c.args(["--serve-floor", "--bind", &format!("127.0.0.1:{port}")]);
        c
    } else {
        let mut c = Command::new(binary);
        c.arg("serve");
        c
    };
    let child = command
        .env("ZHIBU_DATABASE_URL", database_url)
        .env("ZHIBU_BIND", format!("127.0.0.1:{port}"))
        .env("ZHIBU_JWT_SECRET", TEST_JWT_SECRET)
        .env("ZHIBU_PUBLIC_DIR", "/nonexistent")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let server = ServerProcess {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let started = Instant::now();
    for _ in 0..400 {
        if let Ok(r) = client.get(format!("{}/readyz", server.url)).send().await
            && r.status().is_success()
        {
            eprintln!("server ready in {:.1}s", started.elapsed().as_secs_f64());
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the server did not become ready")
}

#[derive(FromQueryResult)]
struct Pair {
    member_id: i64,
    other: i64,
}

/// Seeding and growing the largest databases takes longer than an access
/// token lives (`ACCESS_TTL_SECS`), and clients here never refresh: their
/// tokens live as long as their sessions.
const LOAD_TOKEN_TTL_SECS: u64 = 24 * 3600;

/// Live sessions for members, made with the server's own token code.
async fn sessions(db: &Db, member_ids: &[i64]) -> anyhow::Result<Vec<String>> {
    let keys = JwtKeys::new(&secrecy::SecretString::from(TEST_JWT_SECRET));
    let now = zhibu_server::time::now();
    let mut tokens = Vec::with_capacity(member_ids.len());
    for chunk in member_ids.chunks(500) {
        let mut rows = Vec::new();
        for member_id in chunk {
            let sid = uuid::Uuid::new_v4().to_string();
            rows.push(zhibu_server::entities::auth_session::ActiveModel {
                id: sea_orm::ActiveValue::Set(sid.clone()),
                member_id: sea_orm::ActiveValue::Set(*member_id),
                refresh_jti: sea_orm::ActiveValue::Set("load-test".into()),
                previous_refresh_jti: sea_orm::ActiveValue::Set(None),
                created_at: sea_orm::ActiveValue::Set(now),
                refreshed_at: sea_orm::ActiveValue::Set(now),
                expires_at: sea_orm::ActiveValue::Set(now + chrono::Duration::days(1)),
                revoked_at: sea_orm::ActiveValue::Set(None),
                revoke_reason: sea_orm::ActiveValue::Set(None),
            });
            tokens.push(keys.issue(
                TokenType::Access,
                member_id.to_string(),
                Some(sid),
                None,
                LOAD_TOKEN_TTL_SECS,
            )?);
        }
        use sea_orm::EntityTrait;
        zhibu_server::entities::auth_session::Entity::insert_many(rows)
            .exec_without_returning(db.writer())
            .await?;
    }
    Ok(tokens)
}

/// Opens this month's theme day of every branch around now; returns
/// (member, theme day) for every member.
async fn open_theme_days(db: &Db) -> anyhow::Result<Vec<(i64, i64)>> {
    let tz = chrono_tz::Asia::Shanghai;
    let county = zhibu_server::orgs::tree::find_path(db.reader(), &[synthetic::COUNTY])
        .await?
        .context("no county")?;
    let holders = zhibu_server::checkins::holders_in_subtree(db.reader(), county).await?;
    let month = zhibu_shared::theme_day::Month::of(zhibu_server::time::today(tz));
    zhibu_server::checkins::ensure_theme_days(db.writer(), &holders, month, tz).await?;
    let now = zhibu_server::time::now();
    zhibu_server::sql::execute(
        db.writer(),
        "UPDATE theme_day SET starts_at = $1, ends_at = $2 WHERE month = $3",
        [
            (now - chrono::Duration::hours(1)).into(),
            (now + chrono::Duration::hours(3)).into(),
            month.to_string().into(),
        ],
    )
    .await?;
    let pairs = zhibu_server::sql::fetch_all::<Pair>(
        db.reader(),
        "SELECT m.id AS member_id, t.id AS other FROM member m JOIN theme_day t ON t.org_id = m.branch_id AND t.month = $1 ORDER BY m.id",
        [month.to_string().into()],
    )
    .await?;
    Ok(pairs.into_iter().map(|p| (p.member_id, p.other)).collect())
}

/// One pending log per member but the reviewer, dated over the last fifty days.
async fn seed_pending(db: &Db) -> anyhow::Result<Vec<String>> {
    let members = zhibu_server::sql::fetch_all::<Pair>(
        db.reader(),
        "SELECT id AS member_id, branch_id AS other FROM member WHERE id <> 1 ORDER BY id",
        [],
    )
    .await?;
    let today = zhibu_server::time::today(chrono_tz::Asia::Shanghai);
    let now = zhibu_server::time::now();
    let mut ids = Vec::with_capacity(members.len());
    for chunk in members.chunks(500) {
        let mut values: Vec<sea_orm::Value> = Vec::new();
        let mut rows = Vec::new();
        for (i, m) in chunk.iter().enumerate() {
            let id = uuid::Uuid::new_v4().to_string();
            let date = today - chrono::Duration::days(m.member_id % 50);
            values.extend([
                id.clone().into(),
                m.member_id.into(),
                zhibu_shared::volunteer::ServiceKind::ALL[(m.member_id % 7) as usize]
                    .code()
                    .into(),
                date.into(),
                zhibu_shared::theme_day::Month::of(date).to_string().into(),
                m.other.into(),
                now.into(),
            ]);
            ids.push(id);
            let b = i * 7;
            rows.push(format!(
                "(${}, ${}, ${}, ${}, ${}, 60, ${}, 'pending', '', ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        let query = format!(
            "INSERT INTO service_log (id, member_id, kind, date, month, minutes, branch_id, status, request_hash, created_at) VALUES {}",
            rows.join(", ")
        );
        zhibu_server::sql::execute(db.writer(), &query, values).await?;
    }
    Ok(ids)
}

#[derive(Debug, Default)]
struct Outcome {
    latencies_us: Vec<u64>,
    errors: u64,
}

struct Plan {
    tokens: Vec<String>,
    /// (member, theme day) per member, for the raw floor.
    pairs: Vec<(i64, i64)>,
    /// (token, theme day) per member, for the check-in burst.
    checkins: Vec<(String, i64)>,
    hours_path: String,
    /// Pending log ids, 100 per review request.
    batches: Vec<Vec<String>>,
    /// Today in the county's time zone, for hour logging.
    today: String,
}

/// Logs per bulk-approval request.
const APPROVE_BATCH: usize = 100;

async fn one_request(
    client: &reqwest::Client,
    url: &str,
    scenario: Scenario,
    n: usize,
    members: usize,
    plan: &Plan,
    signer: &CodeSigner,
) -> bool {
    let result = match scenario {
        Scenario::Readyz => client.get(format!("{url}/readyz")).send().await,
        Scenario::Login => client
            .post(format!("{url}/api/v1/auth/login"))
            .json(&json!({"phone": synthetic::phone(n % members), "password": synthetic::PASSWORD}))
            .send()
            .await,
        Scenario::Me => {
            client
                .get(format!("{url}/api/v1/me"))
                .bearer_auth(&plan.tokens[n % plan.tokens.len()])
                .send()
                .await
        }
        Scenario::Checkin => {
            let (token, theme_day) = &plan.checkins[n];
            let code = signer.short_code(
                *theme_day,
                CodeSigner::step_at(chrono::Utc::now().timestamp()),
            );
            client
                .post(format!("{url}/api/v1/theme-days/{theme_day}/checkins"))
                .bearer_auth(token)
                .json(&json!({"id": uuid::Uuid::new_v4().to_string(), "short_code": code}))
                .send()
                .await
        }
        Scenario::Hours | Scenario::Province | Scenario::Governance => {
            client
                .get(format!("{url}{}", plan.hours_path))
                .bearer_auth(&plan.tokens[0])
                .send()
                .await
        }
        Scenario::Floor => {
            let (member_id, theme_day_id) = plan.pairs[n];
            client
                .post(format!("{url}/checkins"))
                .json(&json!({"id": uuid::Uuid::new_v4().to_string(), "theme_day_id": theme_day_id, "member_id": member_id}))
                .send()
                .await
        }
        Scenario::Log => {
            let kinds = zhibu_shared::volunteer::ServiceKind::ALL;
            client
                .post(format!("{url}/api/v1/service-logs"))
                .bearer_auth(&plan.tokens[n])
                .json(&json!({
                    "id": uuid::Uuid::new_v4().to_string(),
                    "kind": kinds[n % kinds.len()].code(),
                    "date": plan.today,
                    "minutes": 60,
                }))
                .send()
                .await
        }
        Scenario::Approve => {
            client
                .post(format!("{url}/api/v1/service-logs/review"))
                .bearer_auth(&plan.tokens[0])
                .json(&json!({"ids": plan.batches[n], "decision": "approve"}))
                .send()
                .await
        }
    };
    match result {
        Ok(r) => {
            let status = r.status();
            let body = r.bytes().await.unwrap_or_default();
            if !status.is_success() {
                first_error(|| format!("{status} {}", String::from_utf8_lossy(&body)));
            }
            status.is_success()
        }
        Err(e) => {
            first_error(|| e.to_string());
            false
        }
    }
}

/// Prints the first failed request of the run, so an error count in the
/// results comes with its cause.
fn first_error(describe: impl FnOnce() -> String) {
    static PRINTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !PRINTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        eprintln!("first failed request: {}", describe());
    }
}

/// Drives `rounds` rounds of the scenario against the servers (one for
/// scenarios that use their data up) and prints one JSON line per round.
async fn measure(
    args: &Args,
    plan: &Arc<Plan>,
    servers: &[ServerProcess],
    logs: usize,
    rounds: usize,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let urls: Arc<Vec<String>> = Arc::new(servers.iter().map(|s| s.url.clone()).collect());
    let signer = Arc::new(CodeSigner::new(&secrecy::SecretString::from(
        TEST_JWT_SECRET,
    )));
    // A burst or an approval round uses its data up: one round only.
    let rounds = match args.scenario {
        Scenario::Checkin | Scenario::Floor | Scenario::Approve | Scenario::Log => 1,
        _ => rounds.max(1),
    };
    for _ in 0..rounds {
        let next = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_secs(args.seconds);
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..args.concurrency {
            let (client, urls, plan, signer, next) = (
                client.clone(),
                urls.clone(),
                plan.clone(),
                signer.clone(),
                next.clone(),
            );
            let (scenario, members) = (args.scenario, args.members);
            workers.push(tokio::spawn(async move {
                let mut outcome = Outcome::default();
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if (scenario == Scenario::Checkin && n >= plan.checkins.len())
                        || (scenario == Scenario::Floor && n >= plan.pairs.len())
                        || (scenario == Scenario::Approve && n >= plan.batches.len())
                        || (scenario == Scenario::Log && n >= plan.tokens.len())
                    {
                        break;
                    }
                    let url = &urls[n % urls.len()];
                    let t = Instant::now();
                    let ok = one_request(&client, url, scenario, n, members, &plan, &signer).await;
                    outcome.latencies_us.push(t.elapsed().as_micros() as u64);
                    if !ok {
                        outcome.errors += 1;
                    }
                }
                outcome
            }));
        }
        let mut all = Outcome::default();
        for w in workers {
            let o = w.await?;
            all.latencies_us.extend(o.latencies_us);
            all.errors += o.errors;
        }
        let elapsed = started.elapsed().as_secs_f64();
        all.latencies_us.sort_unstable();
        let pct = |p: f64| -> f64 {
            if all.latencies_us.is_empty() {
                return 0.0;
            }
            let i = ((all.latencies_us.len() as f64 - 1.0) * p).round() as usize;
            all.latencies_us[i] as f64 / 1000.0
        };
        let requests = all.latencies_us.len();
        let ok = requests as u64 - all.errors;
        // The largest of the servers' peaks: what one process needs.
        let peak_rss_kib = servers.iter().filter_map(ServerProcess::peak_rss_kib).max();
        let result = json!({
            "scenario": format!("{:?}", args.scenario).to_lowercase(),
            "engine": if zhibu_tests::test_pg_url().is_some() { "postgres" } else { "sqlite" },
            "members": args.members,
            "logs": logs,
            "servers": servers.len(),
            "concurrency": args.concurrency,
            "seconds": elapsed,
            "requests": requests,
            "ok_per_sec": ok as f64 / elapsed,
            "logs_approved_per_sec": (args.scenario == Scenario::Approve)
                .then(|| (ok as usize * APPROVE_BATCH) as f64 / elapsed),
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "errors": all.errors,
            "peak_rss_mib": peak_rss_kib.map(|k| k as f64 / 1024.0),
        });
        println!("{result}");
        if let Some(out) = &args.out {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(out)?;
            writeln!(f, "{result}")?;
        }
    }
    Ok(())
}

/// Hours as the logs grow: a copy of the seeded county is grown to
/// `grow_to` logs per member, and the two sizes are read in alternate
/// rounds, each from its own server, so that drift in the machine's speed
/// over the run falls on both alike. Nothing in the read should notice the
/// larger table.
async fn measure_growth(
    args: &Args,
    plan: &Arc<Plan>,
    database: &TestDatabase,
    logs: usize,
    grow_to: usize,
) -> anyhow::Result<()> {
    let grown = database.copy().await?;
    let db = Db::connect(&grown.url).await?;
    let t = Instant::now();
    let members = synthetic::members(&db).await?;
    let grown_logs =
        logs + synthetic::seed_approved_logs(&db, &members, args.logs_per_member, grow_to).await?;
    eprintln!(
        "grew a copy to {grown_logs} approved logs in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    refresh_statistics(&db).await?;
    db.close().await;
    let small = start_servers(args, &database.url).await?;
    let large = start_servers(args, &grown.url).await?;
    for _ in 0..args.rounds.max(1) {
        measure(args, plan, &small, logs, 1).await?;
        measure(args, plan, &large, grown_logs, 1).await?;
    }
    Ok(())
}

/// Bulk loads leave the planner's statistics stale; a running system keeps
/// them fresh (autovacuum, `PRAGMA optimize`), so measure that.
/// Refreshes the planner's statistics after seeding and writes the seeded
/// pages out, so that a measurement starts from a quiet database.
/// A year of obligations for every branch, made by the scheduler's own
/// code, four in five met; the counts recounted as the scheduler does.
async fn seed_obligations(db: &Db) -> anyhow::Result<usize> {
    use sea_orm::ConnectionTrait;
    use zhibu_server::governance::{schedule, tally};
    use zhibu_shared::governance::{Period, Quarter};
    use zhibu_shared::theme_day::Month;
    let today = zhibu_server::time::today(chrono_tz::Asia::Shanghai);
    let mut periods = Vec::new();
    let mut month = Month::of(today);
    for _ in 0..12 {
        periods.push(Period::Month(month));
        periods.push(Period::Quarter(Quarter::of_month(month)));
        month = month.previous();
    }
    periods.sort();
    periods.dedup();
    for period in &periods {
        schedule::ensure_obligations(db.writer(), *period).await?;
    }
    db.writer()
        .execute_unprepared("UPDATE obligation SET meetings = 1 WHERE org_id % 5 <> 0")
        .await?;
    for period in &periods {
        tally::recount_obligations(db.writer(), &period.to_string()).await?;
    }
    #[derive(sea_orm::FromQueryResult)]
    struct Count {
        n: i64,
    }
    let n = zhibu_server::sql::fetch_one::<Count>(
        db.reader(),
        "SELECT COUNT(*) AS n FROM obligation",
        [],
    )
    .await?
    .map_or(0, |c| c.n);
    Ok(n as usize)
}

async fn refresh_statistics(db: &Db) -> anyhow::Result<()> {
    let statements: &[&str] = match db.backend() {
        sea_orm::DatabaseBackend::Postgres => &["VACUUM ANALYZE", "CHECKPOINT"],
        _ => &["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"],
    };
    for statement in statements {
        db.writer().execute_unprepared(statement).await?;
    }
    Ok(())
}

async fn start_servers(args: &Args, database_url: &str) -> anyhow::Result<Vec<ServerProcess>> {
    let binary = args
        .server
        .clone()
        .unwrap_or_else(|| std::env::current_exe().unwrap().with_file_name("zhibu"));
    let mut servers = Vec::new();
    for _ in 0..args.servers.max(1) {
        let floor = args.scenario == Scenario::Floor;
        servers.push(start_server(&binary, database_url, floor).await?);
    }
    Ok(servers)
}

/// Grants `role` over `org_id` to member 1 and returns a live session of theirs.
async fn grant_first_member(db: &Db, role: &str, org_id: i64) -> anyhow::Result<Vec<String>> {
    zhibu_server::sql::execute(
        db.writer(),
        "INSERT INTO role_grant (member_id, role, org_id) VALUES (1, $1, $2)",
        [role.into(), org_id.into()],
    )
    .await?;
    sessions(db, &[1]).await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.serve_floor {
        let url = std::env::var("ZHIBU_DATABASE_URL").context("ZHIBU_DATABASE_URL")?;
        return zhibu_tests::floor::serve(&url, args.bind.as_deref().unwrap_or("127.0.0.1:0"))
            .await;
    }
    zhibu_server::tls::install_crypto_provider();
    let database = TestDatabase::create().await;
    let db = Db::connect(&database.url).await?;
    db.migrate().await?;
    let started = Instant::now();
    if args.scenario == Scenario::Province {
        let (province, logs) =
            synthetic::seed_province(&db, args.members, args.branches, args.log_every).await?;
        eprintln!(
            "seeded a province of {} members in {} branches with {logs} approved logs in {:.1}s",
            args.members,
            args.branches,
            started.elapsed().as_secs_f64()
        );
        // A real province arrives through imports, each followed by the
        // scheduler's pass; a server then starts on a scheduled database.
        let t = Instant::now();
        zhibu_server::scheduler::run(db.writer(), chrono_tz::Asia::Shanghai).await?;
        eprintln!("scheduled in {:.1}s", t.elapsed().as_secs_f64());
        let tokens = grant_first_member(&db, "admin", province).await?;
        refresh_statistics(&db).await?;
        db.close().await;
        let servers = start_servers(&args, &database.url).await?;
        let plan = Arc::new(Plan {
            tokens,
            pairs: Vec::new(),
            checkins: Vec::new(),
            hours_path: format!("/api/v1/orgs/{province}/hours?by=child"),
            batches: Vec::new(),
            today: String::new(),
        });
        measure(&args, &plan, &servers, logs, args.rounds).await?;
        return Ok(());
    }
    let created = synthetic::seed_county(&db, args.members).await?;
    eprintln!(
        "seeded {created} members in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let mut plan = Plan {
        tokens: Vec::new(),
        pairs: Vec::new(),
        checkins: Vec::new(),
        hours_path: String::new(),
        batches: Vec::new(),
        today: zhibu_server::time::today(chrono_tz::Asia::Shanghai).to_string(),
    };
    let mut logs = 0;
    let county = zhibu_server::orgs::tree::find_path(db.reader(), &[synthetic::COUNTY])
        .await?
        .context("no county")?;
    match args.scenario {
        Scenario::Me => {
            let ids: Vec<i64> = (1..=args.concurrency.clamp(1, 500) as i64).collect();
            plan.tokens = sessions(&db, &ids).await?;
        }
        Scenario::Checkin => {
            let pairs = open_theme_days(&db).await?;
            let ids: Vec<i64> = pairs.iter().map(|p| p.0).collect();
            let tokens = sessions(&db, &ids).await?;
            plan.checkins = tokens.into_iter().zip(pairs.iter().map(|p| p.1)).collect();
        }
        Scenario::Floor => plan.pairs = open_theme_days(&db).await?,
        Scenario::Log => {
            let ids: Vec<i64> = synthetic::members(&db)
                .await?
                .iter()
                .map(|m| m.id)
                .collect();
            plan.tokens = sessions(&db, &ids).await?;
        }
        Scenario::Hours => {
            let t = Instant::now();
            let members = synthetic::members(&db).await?;
            logs = synthetic::seed_approved_logs(&db, &members, 0, args.logs_per_member).await?;
            eprintln!(
                "seeded {logs} approved logs in {:.1}s",
                t.elapsed().as_secs_f64()
            );
            plan.tokens = grant_first_member(&db, "admin", county).await?;
            // The dashboard's default: this year so far, by child unit.
            plan.hours_path = format!("/api/v1/orgs/{county}/hours?by=child");
        }
        Scenario::Approve => {
            let ids = seed_pending(&db).await?;
            logs = ids.len();
            // The reviewer is a secretary over every branch who logged nothing.
            plan.tokens = grant_first_member(&db, "secretary", county).await?;
            plan.batches = ids.chunks(APPROVE_BATCH).map(|c| c.to_vec()).collect();
        }
        Scenario::Governance => {
            let t = Instant::now();
            logs = seed_obligations(&db).await?;
            eprintln!(
                "seeded {logs} obligations in {:.1}s",
                t.elapsed().as_secs_f64()
            );
            plan.tokens = grant_first_member(&db, "admin", county).await?;
            plan.hours_path = format!("/api/v1/orgs/{county}/governance");
        }
        Scenario::Readyz | Scenario::Login | Scenario::Province => {}
    }
    refresh_statistics(&db).await?;
    db.close().await;
    let plan = Arc::new(plan);
    if let (Scenario::Hours, Some(grow_to)) = (args.scenario, args.grow_to) {
        return measure_growth(&args, &plan, &database, logs, grow_to).await;
    }
    let servers = start_servers(&args, &database.url).await?;
    measure(&args, &plan, &servers, logs, args.rounds).await?;
    Ok(())
}
