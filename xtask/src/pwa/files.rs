//! The files of `dist/`: compressed siblings, walking a folder, hashes.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// Extensions worth compressing; PNGs are compressed already.
const COMPRESSIBLE: [&str; 9] = [
    "bin",
    "html",
    "js",
    "wasm",
    "css",
    "json",
    "webmanifest",
    "svg",
    "txt",
];

pub(super) fn is_compressible(url: &str) -> bool {
    url.rsplit_once('.')
        .is_some_and(|(_, ext)| COMPRESSIBLE.contains(&ext))
}

/// Writes `.br` and `.gz` siblings when they are smaller than the file;
/// compressed bytes are cached by content hash, since brotli at quality 11 is
/// the slowest step of a rebuild.
pub(super) fn write_compressed(
    path: &Path,
    bytes: &[u8],
    cache: &Path,
    brotli_quality: u32,
) -> Result<(Option<u64>, Option<u64>)> {
    let hash = sha256_hex(bytes);
    let mut sizes = [None, None];
    for (slot, ext) in sizes.iter_mut().zip(["br", "gz"]) {
        let cached = cache.join(format!("{hash}-q{brotli_quality}.{ext}"));
        let compressed = match fs::read(&cached) {
            Ok(compressed) => compressed,
            Err(_) => {
                let compressed = if ext == "br" {
                    brotli(bytes, brotli_quality)?
                } else {
                    gzip(bytes)?
                };
                fs::write(&cached, &compressed)?;
                compressed
            }
        };
        if compressed.len() < bytes.len() {
            let mut sibling = path.as_os_str().to_owned();
            sibling.push(format!(".{ext}"));
            fs::write(sibling, &compressed)?;
            *slot = Some(compressed.len() as u64);
        }
    }
    Ok((sizes[0], sizes[1]))
}

fn brotli(bytes: &[u8], quality: u32) -> Result<Vec<u8>> {
    let mut writer = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, quality, 22);
    writer.write_all(bytes)?;
    writer.flush()?;
    Ok(writer.into_inner())
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// Every file under `dir`, in a stable order.
pub(super) fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `/icons/icon-192.png` for `<dir>/icons/icon-192.png`.
pub(super) fn relative_url(dir: &Path, file: &Path) -> String {
    let rel = file
        .strip_prefix(dir)
        .expect("walked files are inside their directory");
    let mut url = String::new();
    for part in rel.components() {
        let _ = write!(url, "/{}", part.as_os_str().to_string_lossy());
    }
    url
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}
