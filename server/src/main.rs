use clap::Parser;
use zhibu_server::{cli, telemetry};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_tracing("info,sqlx=warn,sea_orm=warn");
    cli::run(cli::Cli::parse()).await
}
