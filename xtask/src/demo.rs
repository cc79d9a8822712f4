//! `cargo xtask demo`: from a fresh clone to the running demo county.
//!
//! Builds the PWA and the server (release), then starts the server in demo
//! mode on ./data/zhibu.db. A second run reuses the build and the data.

use std::os::unix::process::CommandExt;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::pwa;

pub fn run(args: &[String]) -> Result<()> {
    let root = pwa::workspace_root();
    let report = pwa::build_app(false)?;
    report.print_summary();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .current_dir(&root)
        .args(["build", "--release", "-p", "zhibu-server", "--bin", "zhibu"])
        .status()
        .context("building the server")?;
    if !status.success() {
        bail!("building the server failed");
    }
    std::fs::create_dir_all(root.join("data"))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let binary = target.join("release").join("zhibu");
    let mut server = Command::new(&binary);
    server
        .current_dir(&root)
        .arg("serve")
        .arg("--demo")
        .args(args);
    if std::env::var_os("ZHIBU_DATABASE_URL").is_none()
        && std::env::var_os("DATABASE_URL").is_none()
    {
        server.env("ZHIBU_DATABASE_URL", "sqlite://data/zhibu.db?mode=rwc");
    }
    if std::env::var_os("ZHIBU_PUBLIC_DIR").is_none() {
        server.env("ZHIBU_PUBLIC_DIR", &report.dist_dir);
    }
    // Replace this process, so Ctrl-C and SIGTERM reach the server directly.
    let error = server.exec();
    Err(error).with_context(|| format!("starting {}", binary.display()))
}
