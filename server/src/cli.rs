//! The `zhibu` command line.

use std::path::PathBuf;

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
            println!("migrations applied to {}", crate::config::redact_url(&settings.database_url));
            db.close().await;
        }
    }
    Ok(())
}

fn print_banner(settings: &Settings, app: &Application) {
    let host = settings.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
    let host = if host == "0.0.0.0" || host == "[::]" { "127.0.0.1" } else { host };
    println!();
    println!("  支部 Zhibu is running at http://{host}:{}/", app.port());
    println!("  API docs: http://{host}:{}/api/docs/", app.port());
    if let Some(report) = app.demo_report() {
        println!("  Demo county {} (seed steps applied now: {:?})", crate::demo::DEMO_COUNTY, report.applied);
    }
    println!();
}
