//! `cargo xtask test`: every test of the workspace.
//!
//! Builds the PWA (the browser tests load it), installs Debian's Chromium
//! when it is missing, runs every test on SQLite, then runs the integration
//! and browser tests again on PostgreSQL when `ZHIBU_TEST_PG` names a server.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::pwa;

pub fn run(args: &[String]) -> Result<()> {
    let mut skip_browser = false;
    for arg in args {
        match arg.as_str() {
            "--no-browser" => skip_browser = true,
            other => bail!("test: unknown option `{other}`"),
        }
    }
    let root = pwa::workspace_root();
    let report = pwa::build_app(false)?;
    report.print_summary();
    if !skip_browser {
        ensure_chromium()?;
    }
    let pg = std::env::var("ZHIBU_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty());
    if pg.is_none() && std::env::var("ZHIBU_REQUIRE_PG").is_ok_and(|v| v == "1") {
        bail!("ZHIBU_REQUIRE_PG is set but ZHIBU_TEST_PG is empty");
    }

    // The crash test runs the real binary as a child process.
    let mut binary = cargo(&root);
    binary.args(["build", "-p", "zhibu-server", "--bin", "zhibu"]);
    run_checked(binary, "building the zhibu binary")?;

    println!("== all tests on SQLite");
    let mut sqlite = cargo(&root);
    sqlite
        .args([
            "test",
            "--workspace",
            "--exclude",
            "zhibu-app",
            "--no-fail-fast",
        ])
        .env_remove("ZHIBU_TEST_PG")
        .env("ZHIBU_TEST_PUBLIC_DIR", &report.dist_dir);
    if skip_browser {
        sqlite.args(["--exclude", "zhibu-tests"]);
    }
    run_checked(sqlite, "the tests on SQLite")?;
    // The app's pure rules, on the host (the PWA itself is wasm).
    let mut app = cargo(&root);
    app.args(["test", "-p", "zhibu-app", "--lib"]);
    run_checked(app, "the app's unit tests")?;
    if skip_browser {
        let mut api = cargo(&root);
        api.args([
            "test",
            "-p",
            "zhibu-tests",
            "--lib",
            "--bins",
            "--test",
            "api",
        ])
        .env_remove("ZHIBU_TEST_PG");
        run_checked(api, "the integration tests on SQLite")?;
    }

    if let Some(pg) = pg {
        println!("== integration and browser tests on PostgreSQL");
        let mut postgres = cargo(&root);
        postgres
            .args(["test", "-p", "zhibu-tests", "--test", "api"])
            .args(if skip_browser {
                &[][..]
            } else {
                &["--test", "browser"][..]
            })
            .arg("--no-fail-fast")
            .env("ZHIBU_TEST_PG", pg)
            .env("ZHIBU_TEST_PUBLIC_DIR", &report.dist_dir);
        run_checked(postgres, "the integration tests on PostgreSQL")?;
    } else {
        println!("(ZHIBU_TEST_PG is not set: PostgreSQL skipped; .ci/run always sets it)");
    }
    if !report.within_budget() {
        eprintln!(
            "warning: the first load is {} bytes brotli, over the {} byte budget",
            report.first_load_brotli_bytes,
            pwa::FIRST_LOAD_BUDGET_BYTES
        );
    }
    println!("all tests passed");
    Ok(())
}

fn cargo(root: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root);
    command
}

fn run_checked(mut command: Command, what: &str) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {what}"))?;
    if !status.success() {
        bail!("{what} failed");
    }
    Ok(())
}

/// The browser tests drive Debian's Chromium; no browser is downloaded.
fn ensure_chromium() -> Result<()> {
    if let Ok(path) = std::env::var("ZHIBU_CHROMIUM")
        && Path::new(&path).exists()
    {
        return Ok(());
    }
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !is_root {
        bail!(
            "Chromium is missing: install Debian's package with `sudo apt-get install -y chromium` (or set ZHIBU_CHROMIUM)"
        );
    }
    println!("installing Debian's chromium for the browser tests");
    let update = Command::new("apt-get").args(["update", "-q"]).status()?;
    if !update.success() {
        bail!("apt-get update failed");
    }
    let install = Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends", "chromium"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?;
    if !install.success() {
        bail!("installing chromium failed");
    }
    Ok(())
}
