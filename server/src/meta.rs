//! Small settings the server keeps in its own database (`app_meta`).

use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use secrecy::SecretString;

use crate::entities::app_meta;

pub async fn get(conn: &impl ConnectionTrait, key: &str) -> Result<Option<String>, DbErr> {
    Ok(app_meta::Entity::find_by_id(key.to_owned())
        .one(conn)
        .await?
        .map(|row| row.value))
}

/// Stores `value` under `key` unless the key already has a value; returns
/// the value that is stored afterwards (the first writer wins).
pub async fn get_or_insert(
    conn: &impl ConnectionTrait,
    key: &str,
    value: &str,
) -> Result<String, DbErr> {
    app_meta::Entity::insert(app_meta::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
    })
    .on_conflict_do_nothing_on([app_meta::Column::Key])
    .exec(conn)
    .await?;
    Ok(get(conn, key).await?.unwrap_or_else(|| value.to_owned()))
}

/// Stores `value` under `key`, replacing what was there.
pub async fn set(conn: &impl ConnectionTrait, key: &str, value: &str) -> Result<(), DbErr> {
    app_meta::Entity::insert(app_meta::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(app_meta::Column::Key)
            .update_column(app_meta::Column::Value)
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// 48 random bytes as hex, for secrets the server generates itself.
pub fn random_secret_hex() -> anyhow::Result<String> {
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The demo server's JWT secret: random, created on first start, kept after.
pub async fn demo_jwt_secret(conn: &impl ConnectionTrait) -> anyhow::Result<SecretString> {
    let fresh = random_secret_hex()?;
    let stored = get_or_insert(conn, "demo_jwt_secret", &fresh).await?;
    Ok(SecretString::from(stored))
}
