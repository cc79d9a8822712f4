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
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
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
    }
    Ok(())
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
