use clap::Parser;
use zhibu_server::cli;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    pin_mmap_threshold();
    cli::run(cli::Cli::parse()).await
}

/// Each password hash allocates ~19 MiB. glibc raises its mmap threshold
/// after the first such block is freed and then serves later ones from
/// per-thread heaps it never returns, so a login burst would leave hundreds
/// of MiB resident. A fixed threshold keeps large blocks on mmap, returned
/// to the system as soon as a hash is done.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn pin_mmap_threshold() {
    const M_MMAP_THRESHOLD: i32 = -3;
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // SAFETY: mallopt only adjusts allocator tuning; it is called once,
    // before any other thread exists.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn pin_mmap_threshold() {}
