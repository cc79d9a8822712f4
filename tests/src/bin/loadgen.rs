//! The load generator: seeds a synthetic county through the server's own
//! code, starts a `zhibu` server process on it (or targets a running one),
//! drives a named scenario over HTTP with C concurrent clients, and prints
//! throughput, p50/p99 latency, errors and the server's peak RSS.
//!
//! cargo build --release -p zhibu-server -p zhibu-tests
//! target/release/loadgen --scenario me --members 30000 --concurrency 64 --seconds 10

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, ValueEnum};
use serde_json::json;
use zhibu_server::db::Db;
use zhibu_tests::{TestDatabase, synthetic};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Scenario {
    /// `GET /readyz`: the HTTP and database floor.
    Readyz,
    /// `POST /auth/login`: password logins (Argon2-bound).
    Login,
    /// `GET /me` with live sessions: an authenticated read.
    Me,
}

#[derive(Debug, Parser)]
#[command(about = "Zhibu's load generator")]
struct Args {
    #[arg(long, value_enum, default_value = "me")]
    scenario: Scenario,
    /// Members in the synthetic county.
    #[arg(long, default_value_t = 30_000)]
    members: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// How long to drive load.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The server binary to start (default: target/release/zhibu beside this binary).
    #[arg(long)]
    server: Option<std::path::PathBuf>,
    /// Drive an already running server instead (its members must be synthetic).
    #[arg(long)]
    target: Option<String>,
    /// Append the result as one JSON line to this file.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
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
) -> anyhow::Result<ServerProcess> {
    let port = free_port()?;
    let child = Command::new(binary)
        .arg("serve")
        .env("ZHIBU_DATABASE_URL", database_url)
        .env("ZHIBU_BIND", format!("127.0.0.1:{port}"))
        .env("ZHIBU_JWT_SECRET", zhibu_tests::TEST_JWT_SECRET)
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
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{}/readyz", server.url)).send().await
            && r.status().is_success()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the server did not become ready")
}

#[derive(Debug, Default)]
struct Outcome {
    latencies_us: Vec<u64>,
    errors: u64,
}

/// Runs one request of the scenario; true when it succeeded.
async fn one_request(
    client: &reqwest::Client,
    url: &str,
    scenario: Scenario,
    n: usize,
    members: usize,
    tokens: &[String],
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
                .bearer_auth(&tokens[n % tokens.len()])
                .send()
                .await
        }
    };
    match result {
        Ok(r) => {
            let ok = r.status().is_success();
            let _ = r.bytes().await;
            ok
        }
        Err(_) => false,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    zhibu_server::tls::install_crypto_provider();
    let mut _database = None;
    let mut server = None;
    let url = match &args.target {
        Some(url) => url.clone(),
        None => {
            let database = TestDatabase::create().await;
            let db = Db::connect(&database.url).await?;
            db.migrate().await?;
            let started = Instant::now();
            let created = synthetic::seed_county(&db, args.members).await?;
            eprintln!(
                "seeded {created} members in {:.1}s",
                started.elapsed().as_secs_f64()
            );
            db.close().await;
            let binary = args
                .server
                .clone()
                .unwrap_or_else(|| std::env::current_exe().unwrap().with_file_name("zhibu"));
            let process = start_server(&binary, &database.url).await?;
            let url = process.url.clone();
            server = Some(process);
            _database = Some(database);
            url
        }
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let mut tokens = Vec::new();
    if args.scenario == Scenario::Me {
        for i in 0..args.concurrency.clamp(1, 200) {
            let r: serde_json::Value = client
                .post(format!("{url}/api/v1/auth/login"))
                .json(&json!({"phone": synthetic::phone(i * 97 % args.members), "password": synthetic::PASSWORD}))
                .send()
                .await?
                .json()
                .await?;
            tokens.push(
                r["access_token"]
                    .as_str()
                    .context("login failed")?
                    .to_owned(),
            );
        }
    }
    let tokens = Arc::new(tokens);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..args.concurrency {
        let (client, url, tokens) = (client.clone(), url.clone(), tokens.clone());
        let (scenario, members, concurrency) = (args.scenario, args.members, args.concurrency);
        workers.push(tokio::spawn(async move {
            let mut outcome = Outcome::default();
            let mut n = w;
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = one_request(&client, &url, scenario, n, members, &tokens).await;
                outcome.latencies_us.push(t.elapsed().as_micros() as u64);
                if !ok {
                    outcome.errors += 1;
                }
                n += concurrency;
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
    let result = json!({
        "scenario": format!("{:?}", args.scenario).to_lowercase(),
        "engine": if zhibu_tests::test_pg_url().is_some() { "postgres" } else { "sqlite" },
        "members": args.members,
        "concurrency": args.concurrency,
        "seconds": elapsed,
        "requests": requests,
        "ok_per_sec": ok as f64 / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "errors": all.errors,
        "peak_rss_mib": server.as_ref().and_then(|s| s.peak_rss_kib()).map(|k| k as f64 / 1024.0),
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
    drop(server);
    Ok(())
}
