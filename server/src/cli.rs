//! The `zhibu` command line.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::{self, Db};
use crate::startup::Application;

#[derive(Debug, Parser)]
#[command(name = "zhibu", version, about = "支部 — the party-branch app server")]
pub struct Cli {
    /// A TOML configuration file (default: ./zhibu.toml when present).
    #[arg(long, global = true, env = "ZHIBU_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API and the PWA.
    Serve {
        /// Seed the demo county and its logins (never in production).
        #[arg(long)]
        demo: bool,
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Set up a real county on an empty database: its root unit and first
    /// admin, who signs in with the printed one-time activation code.
    Init {
        /// The county committee's name, e.g. 东明县委.
        #[arg(long)]
        county: String,
        #[arg(long)]
        admin_name: String,
        #[arg(long)]
        admin_phone: String,
    },
    /// Write a consistent copy of the SQLite database to FILE while the
    /// server keeps running (PostgreSQL: use pg_dump, see README).
    Backup { file: PathBuf },
    /// Replace the SQLite database with a backup; the server must be
    /// stopped. Refuses a database holding a county unless --force.
    Restore {
        file: PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Import a roster (CSV or XLSX in the docs/api.md columns) for the whole
    /// county. A file with any bad row imports nothing.
    ImportRoster {
        file: PathBuf,
        /// Validate and count only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Recompute the hours roll-ups from the raw logs and report any
    /// difference; --fix rebuilds them.
    VerifyRollups {
        #[arg(long)]
        fix: bool,
    },
    /// The reminder jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Print a fresh one-time activation code for the member with PHONE and
    /// end their sessions: the way back in when the last admin is locked
    /// out. Run it on the server's machine; it is audited.
    RecoverAccount { phone: String },
    /// Copy the whole county from the configured database to the empty
    /// database at URL (SQLite to PostgreSQL or back) while the server is
    /// stopped, then check row counts and the roll-ups on the copy.
    CopyTo {
        /// The target, e.g. postgres://zhibu:PASSWORD@db-host/zhibu.
        url: String,
        /// Rows per batch; each batch is one transaction on the target.
        #[arg(long, default_value_t = crate::copy::DEFAULT_BATCH)]
        batch: usize,
    },
    /// Exit 0 when the server answers /readyz (it and its database are up),
    /// 1 otherwise: for container and systemd health checks.
    Healthcheck {
        /// The server's base address (default: the configured bind
        /// address, on loopback when it listens on every interface).
        #[arg(long)]
        url: Option<String>,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
    /// Load the layered configuration, check it and print the effective
    /// settings with secrets redacted; exit 1 when `serve` would refuse it.
    Configtest,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // These two must answer even when the configuration is broken.
    match &cli.command {
        Command::Configtest => std::process::exit(configtest(cli.config.as_deref())),
        Command::Healthcheck { url, timeout } => {
            let url = match url {
                Some(url) => url.clone(),
                None => crate::health::local_url(&Settings::load(cli.config.as_deref())?.bind),
            };
            std::process::exit(healthcheck(&url, *timeout).await);
        }
        _ => {}
    }
    let mut settings = Settings::load(cli.config.as_deref())?;
    crate::telemetry::init_tracing_as(DEFAULT_LOG_FILTER, settings.log_format()?);
    match cli.command {
        Command::Configtest | Command::Healthcheck { .. } => unreachable!("answered above"),
        Command::Serve { demo, bind } => {
            settings.demo |= demo;
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            tracing::info!(settings = ?settings, "starting");
            let app = Application::build(settings.clone()).await?;
            print_banner(&settings, &app);
            app.run_until_stopped().await?;
            tracing::info!("stopped");
        }
        Command::Migrate => {
            db::ensure_sqlite_dir(&settings.database_url)?;
            let db = Db::connect(&settings.database_url).await?;
            db.migrate().await?;
            println!(
                "migrations applied to {}",
                crate::config::redact_url(&settings.database_url)
            );
            db.close().await;
        }
        Command::Init {
            county,
            admin_name,
            admin_phone,
        } => {
            std::process::exit(init(&settings, &county, &admin_name, &admin_phone).await?);
        }
        Command::Backup { file } => {
            let db = Db::connect(&settings.database_url).await?;
            crate::backup::backup(&db, &file).await?;
            db.close().await;
            println!("backup written to {} (integrity ok)", file.display());
        }
        Command::Restore { file, force } => {
            crate::backup::restore(&settings.database_url, &file, force).await?;
            println!("restored {}", file.display());
        }
        Command::ImportRoster { file, dry_run } => {
            std::process::exit(import_roster(&settings, &file, dry_run).await?);
        }
        Command::VerifyRollups { fix } => {
            std::process::exit(verify_rollups(&settings, fix).await?);
        }
        Command::RecoverAccount { phone } => {
            std::process::exit(recover_account(&settings, &phone).await?);
        }
        Command::CopyTo { url, batch } => {
            std::process::exit(copy_to(&settings, &url, batch).await?);
        }
        Command::Jobs {
            command: JobsCommand::RunDue { now },
        } => {
            let now = match now {
                Some(text) => chrono::DateTime::parse_from_rfc3339(&text).with_context(|| {
                    format!("--now must be RFC 3339, e.g. 2026-12-02T18:00:00+08:00, not {text:?}")
                })?,
                None => crate::time::now(),
            };
            run_due_jobs(&settings, now).await?;
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Plan the coming reminders and run every job due at --now (default:
    /// now) once, then exit. Several runners at once run each job once.
    RunDue {
        /// The time to run as, RFC 3339.
        #[arg(long)]
        now: Option<String>,
    },
}

/// `zhibu jobs run-due`: what the server's minute loop does, once.
pub async fn run_due_jobs(
    settings: &Settings,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> anyhow::Result<crate::notify::jobs::RunReport> {
    crate::tls::install_crypto_provider();
    let tz = settings.timezone()?;
    let db = Db::connect(&settings.database_url).await?;
    db.migrate().await?;
    crate::notify::reminders::plan(db.writer(), tz, now).await?;
    let push = crate::notify::push::PushClient::new(settings)?;
    let wechat = crate::auth::wechat::WechatClient::new(settings)?;
    let context = crate::notify::Context {
        tz,
        settings,
        push: &push,
        wechat: &wechat,
    };
    let report =
        crate::notify::jobs::run_due(&db, &context, &crate::notify::jobs::runner_name(), now)
            .await?;
    println!(
        "jobs at {}: {} done, {} deferred, {} to retry, {} failed",
        now.to_rfc3339(),
        report.done,
        report.deferred,
        report.retried,
        report.failed
    );
    db.close().await;
    Ok(report)
}

/// Levels logged unless `RUST_LOG` says otherwise.
pub const DEFAULT_LOG_FILTER: &str = "info,sqlx=warn,sea_orm=warn";

/// `zhibu configtest`: 0 when `serve` would accept the settings.
pub fn configtest(config_file: Option<&std::path::Path>) -> i32 {
    let settings = match Settings::load_unchecked(config_file) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("zhibu configtest: {error:#}");
            return 1;
        }
    };
    println!("effective settings:");
    for (name, value) in settings.effective() {
        println!("  {name} = {value}");
    }
    for warning in settings.warnings() {
        println!("warning: {warning}");
    }
    let problems = settings.problems();
    for problem in &problems {
        eprintln!("error: {problem}");
    }
    if problems.is_empty() {
        println!("configuration ok");
        0
    } else {
        eprintln!(
            "zhibu configtest: {} problem(s); `zhibu serve` would refuse this configuration",
            problems.len()
        );
        1
    }
}

/// `zhibu healthcheck`: 0 when the server at `url` is ready.
pub async fn healthcheck(url: &str, timeout_secs: u64) -> i32 {
    match crate::health::probe(url, std::time::Duration::from_secs(timeout_secs)).await {
        Ok(()) => {
            println!("healthy: {url}");
            0
        }
        Err(error) => {
            eprintln!("unhealthy: {error:#}");
            1
        }
    }
}

/// `zhibu recover-account`: 0 with the code printed, 1 (nothing changed)
/// for an unknown phone or a member who cannot sign in.
pub async fn recover_account(settings: &Settings, phone: &str) -> anyhow::Result<i32> {
    use sea_orm::TransactionTrait;
    let db = Db::connect(&settings.database_url).await?;
    db.migrate().await?;
    let txn = db.writer().begin().await?;
    let code = match crate::recovery::recover_account(&txn, phone, crate::time::now()).await {
        Ok(done) => {
            txn.commit().await?;
            let tz = settings.timezone()?;
            println!("member: {} (id {})", done.name, done.member_id);
            println!("sessions ended; the old password no longer signs in");
            println!("activation code: {}", done.code);
            println!(
                "expires: {}",
                done.expires_at.with_timezone(&tz).format("%Y-%m-%d %H:%M")
            );
            0
        }
        Err(crate::error::ApiError::Internal(error)) => return Err(error),
        Err(error) => {
            txn.rollback().await?;
            eprintln!("zhibu recover-account: {}", error.body().message);
            1
        }
    };
    db.close().await;
    Ok(code)
}

/// `zhibu copy-to`: 0 when the copy is complete and checked.
pub async fn copy_to(settings: &Settings, target: &str, batch: usize) -> anyhow::Result<i32> {
    crate::config::check_database_url(target).context("the target")?;
    let report = crate::copy::copy(&settings.database_url, target, batch, |table, rows| {
        println!("  {table}: {rows} rows");
    })
    .await?;
    println!(
        "copied {} rows in {} tables from {} to {}; row counts match",
        report.rows,
        report.tables,
        crate::config::redact_url(&settings.database_url),
        crate::config::redact_url(target)
    );
    if report.differences.is_empty() {
        println!("roll-ups on the copy match the raw logs");
        Ok(0)
    } else {
        for d in &report.differences {
            println!(
                "{} {}: stored {:?}, recomputed {:?}",
                d.table, d.key, d.stored, d.expected
            );
        }
        println!(
            "{} roll-up differences on the copy (they were in the source too: run `zhibu verify-rollups --fix` on it)",
            report.differences.len()
        );
        Ok(1)
    }
}

/// `zhibu init`: 0 with the activation code printed, 1 (nothing changed)
/// when the database already has a county or the input is bad.
pub async fn init(
    settings: &Settings,
    county: &str,
    admin_name: &str,
    admin_phone: &str,
) -> anyhow::Result<i32> {
    use sea_orm::TransactionTrait;
    db::ensure_sqlite_dir(&settings.database_url)?;
    let db = Db::connect(&settings.database_url).await?;
    db.migrate().await?;
    let txn = db.writer().begin().await?;
    let now = crate::time::now();
    let code = match crate::setup::init_county(&txn, county, admin_name, admin_phone, now).await {
        Ok(done) => {
            crate::scheduler::run(&txn, settings.timezone()?).await?;
            txn.commit().await?;
            let tz = settings.timezone()?;
            println!("county: {county} (id {})", done.county_id);
            println!("admin: {admin_name} {admin_phone}");
            println!("activation code: {}", done.activation_code);
            println!(
                "expires: {}",
                done.expires_at.with_timezone(&tz).format("%Y-%m-%d %H:%M")
            );
            0
        }
        Err(crate::error::ApiError::Internal(error)) => return Err(error),
        Err(error) => {
            txn.rollback().await?;
            eprintln!("zhibu init: {}", error.body().message);
            1
        }
    };
    db.close().await;
    Ok(code)
}

/// Runs an import and prints its report; the exit code is 0 when the file
/// was good, 1 when it had bad rows.
pub async fn import_roster(
    settings: &Settings,
    file: &std::path::Path,
    dry_run: bool,
) -> anyhow::Result<i32> {
    use sea_orm::TransactionTrait;
    let size = std::fs::metadata(file)
        .with_context(|| format!("reading {}", file.display()))?
        .len();
    anyhow::ensure!(
        size <= crate::roster::handlers::MAX_ROSTER_BYTES as u64,
        "名册文件不能超过 {} MB",
        crate::roster::handlers::MAX_ROSTER_BYTES / 1024 / 1024
    );
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let format = crate::roster::parse::Format::detect(file.to_str(), &bytes);
    let sheet = crate::roster::parse::read(format, &bytes).map_err(|e| anyhow::anyhow!(e))?;
    db::ensure_sqlite_dir(&settings.database_url)?;
    let db = Db::connect(&settings.database_url).await?;
    db.migrate().await?;
    let txn = db.writer().begin().await?;
    let today = crate::time::today(settings.timezone()?);
    let report = crate::roster::import(&txn, None, &sheet, dry_run, today)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if report.errors.is_empty() && !dry_run {
        crate::scheduler::run(&txn, settings.timezone()?).await?;
        txn.commit().await?;
    } else {
        txn.rollback().await?;
    }
    for e in &report.errors {
        println!("第 {} 行 {}：{}", e.row, e.field, e.message);
    }
    println!(
        "{}新增 {}，更新 {}，未变 {}{}",
        if dry_run {
            "（试导入，未写入）"
        } else {
            ""
        },
        report.created,
        report.updated,
        report.unchanged,
        if report.errors.is_empty() {
            String::new()
        } else {
            format!("；{} 处错误，未导入任何记录", report.errors.len())
        }
    );
    db.close().await;
    Ok(if report.errors.is_empty() { 0 } else { 1 })
}

fn print_banner(settings: &Settings, app: &Application) {
    let host = settings
        .bind
        .rsplit_once(':')
        .map_or("127.0.0.1", |(h, _)| h);
    let host = if host == "0.0.0.0" || host == "[::]" {
        "127.0.0.1"
    } else {
        host
    };
    println!();
    println!("  支部 Zhibu is running at http://{host}:{}/", app.port());
    println!("  API docs: http://{host}:{}/api/docs/", app.port());
    if let Some(report) = app.demo_report() {
        println!(
            "  演示县 Demo county: {} (seed steps applied now: {:?})",
            crate::demo::DEMO_COUNTY,
            report.applied
        );
        println!("  Demo logins (password {}):", crate::demo::DEMO_PASSWORD);
        for (phone, who) in crate::demo::DEMO_LOGINS {
            println!("    {phone}  {who}");
        }
    }
    println!();
}

/// Prints the roll-up differences; exit code 0 when none are left.
pub async fn verify_rollups(settings: &Settings, fix: bool) -> anyhow::Result<i32> {
    use sea_orm::TransactionTrait;
    let db = Db::connect(&settings.database_url).await?;
    db.migrate().await?;
    let differences = crate::volunteer::rollup::verify(db.reader()).await?;
    for d in &differences {
        println!(
            "{} {}: stored {:?}, recomputed {:?}",
            d.table, d.key, d.stored, d.expected
        );
    }
    if differences.is_empty() {
        println!("roll-ups match the raw logs");
        db.close().await;
        return Ok(0);
    }
    println!("{} differences", differences.len());
    if !fix {
        db.close().await;
        return Ok(1);
    }
    let txn = db.writer().begin().await?;
    crate::volunteer::rollup::rebuild(&txn).await?;
    txn.commit().await?;
    let left = crate::volunteer::rollup::verify(db.reader()).await?;
    println!("rebuilt; {} differences left", left.len());
    db.close().await;
    Ok(if left.is_empty() { 0 } else { 1 })
}
