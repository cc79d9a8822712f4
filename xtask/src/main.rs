//! Zhibu's build tool, run as `cargo xtask <subcommand>`.
//!
//! A plain dispatcher over `std::env::args`: each subcommand lives in its own
//! module so other tools (tests, benchmarks) can call the same functions.

mod bench;
mod demo;
mod pwa;
mod test;

use std::process::ExitCode;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <subcommand>

subcommands:
  demo [ARGS]         build everything and run the demo county on
                      http://127.0.0.1:8080 (ARGS go to `zhibu serve`, e.g. --bind 0.0.0.0:8080)
  test [--no-browser] run every test: SQLite always, PostgreSQL too when
                      ZHIBU_TEST_PG is set (installs Debian's chromium if missing)
  bench [--runs N] [--members N] [--seconds N] [--logs-per-member N] [--grow-to N]
        [--province-members N] [--province-branches N]
                      run the load generator's scenarios and write BENCHMARKS.md
  build-app [--dev]   build the PWA into dist/ (hashed assets, .br/.gz siblings,
                      dist/build-report.json); --dev skips size optimisation
  help                show this message";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build-app") => build_app(&args[1..]),
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(anyhow::anyhow!("unknown subcommand `{other}`\n\n{USAGE}")),
        None => Err(anyhow::anyhow!("missing subcommand\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn build_app(args: &[String]) -> Result<()> {
    let mut dev = false;
    for arg in args {
        match arg.as_str() {
            "--dev" => dev = true,
            other => bail!("build-app: unknown option `{other}`\n\n{USAGE}"),
        }
    }
    let report = pwa::build_app(dev)?;
    report.print_summary();
    Ok(())
}
