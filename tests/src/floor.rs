//! The raw floor for the check-in burst: a minimal actix-web server whose
//! one handler does only the check-in's insert, in plain SQL through sqlx
//! (no auth, no ORM, no validation), on the same database with the same
//! connection settings as Zhibu (one writer connection on SQLite, a pool of
//! 32 on PostgreSQL). Zhibu's burst throughput divided by this one shows
//! what the application's own work costs.

use actix_web::{App, HttpResponse, HttpServer, web};
use sea_orm::sqlx::{self, PgPool, SqlitePool};
use serde::Deserialize;

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Deserialize)]
struct Checkin {
    id: String,
    theme_day_id: i64,
    member_id: i64,
}

const INSERT: &str = "INSERT INTO checkin (id, theme_day_id, member_id, method, status, at, request_hash) \
                      VALUES ($1, $2, $3, 'code', 'approved', $4, '')";

async fn insert_checkin(pool: web::Data<Pool>, body: web::Json<Checkin>) -> HttpResponse {
    let now = chrono::Utc::now();
    let result = match pool.get_ref() {
        Pool::Sqlite(p) => sqlx::query(INSERT)
            .bind(&body.id)
            .bind(body.theme_day_id)
            .bind(body.member_id)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()),
        Pool::Postgres(p) => sqlx::query(INSERT)
            .bind(&body.id)
            .bind(body.theme_day_id)
            .bind(body.member_id)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => HttpResponse::Created().finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

/// Serves `POST /checkins` on `bind` until the process is killed.
pub async fn serve(database_url: &str, bind: &str) -> anyhow::Result<()> {
    let pool = if database_url.starts_with("sqlite:") {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
        use std::str::FromStr;
        let options = SqliteConnectOptions::from_str(database_url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(30))
            .foreign_keys(true);
        Pool::Sqlite(
            sqlx::pool::PoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await?,
        )
    } else {
        Pool::Postgres(
            sqlx::pool::PoolOptions::new()
                .max_connections(32)
                .connect(database_url)
                .await?,
        )
    };
    let data = web::Data::new(pool);
    HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/readyz", web::get().to(HttpResponse::Ok))
            .route("/checkins", web::post().to(insert_checkin))
    })
    .bind(bind)?
    .run()
    .await?;
    Ok(())
}
