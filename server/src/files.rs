//! The attachment store: files kept through `object_store`, in a local
//! directory by default or in S3-compatible storage in production
//! (`ZHIBU_STORAGE_URL`). Keys are made by the server, never by clients.

use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use secrecy::ExposeSecret;

use crate::config::Settings;

#[derive(Clone, Debug)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
    /// The path inside the bucket (`s3://bucket/prefix`), if any.
    prefix: Option<String>,
}

impl Files {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Files> {
        let url = settings.storage_url.trim();
        let mut prefix = None;
        let store: Arc<dyn ObjectStore> = if let Some(rest) = url.strip_prefix("s3://") {
            prefix = rest
                .split_once('/')
                .map(|(_, p)| p.trim_matches('/').to_owned())
                .filter(|p| !p.is_empty());
            let mut builder = AmazonS3Builder::from_env().with_url(url);
            if let Some(endpoint) = &settings.storage_endpoint {
                builder = builder.with_endpoint(endpoint);
            }
            if let Some(region) = &settings.storage_region {
                builder = builder.with_region(region);
            }
            if let Some(key) = &settings.storage_access_key_id {
                builder = builder.with_access_key_id(key);
            }
            if let Some(secret) = &settings.storage_secret_access_key {
                builder = builder.with_secret_access_key(secret.expose_secret());
            }
            if settings.storage_allow_http {
                builder = builder.with_allow_http(true);
            }
            Arc::new(
                builder
                    .build()
                    .context("ZHIBU_STORAGE_URL: the S3 storage is not usable")?,
            )
        } else {
            let dir = url.strip_prefix("file://").unwrap_or(url);
            anyhow::ensure!(
                !dir.contains("://"),
                "ZHIBU_STORAGE_URL must be a directory, file:///… or s3://bucket, not {url:?}"
            );
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the attachment directory {dir}"))?;
            Arc::new(
                LocalFileSystem::new_with_prefix(dir)
                    .with_context(|| format!("ZHIBU_STORAGE_URL: {dir}"))?,
            )
        };
        Ok(Files { store, prefix })
    }

    fn path(&self, key: &str) -> Path {
        match &self.prefix {
            Some(prefix) => Path::from(format!("{prefix}/{key}")),
            None => Path::from(key),
        }
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.store
            .put(&self.path(key), PutPayload::from(bytes))
            .await
            .with_context(|| format!("storing {key}"))?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        let found = self
            .store
            .get(&self.path(key))
            .await
            .with_context(|| format!("reading {key}"))?;
        Ok(found.bytes().await?)
    }

    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        self.store
            .delete(&self.path(key))
            .await
            .with_context(|| format!("removing {key}"))?;
        Ok(())
    }
}
