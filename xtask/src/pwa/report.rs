//! What a build of the PWA produced: every file with its sizes, and the
//! first load against its budget.

use std::path::PathBuf;

use serde_json::json;

/// The first load (index.html with its CSS, wasm, JS glue, boot script; brotli) must stay under
/// this on 2G/3G networks inside WeChat.
pub const FIRST_LOAD_BUDGET_BYTES: u64 = 150 * 1000;

/// What one build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Names the service worker's cache; changes whenever a precached file does.
    pub build_hash: String,
    pub dist_dir: PathBuf,
    pub dev: bool,
    /// Brotli bytes of index.html (with the CSS) + wasm + JS glue + boot script.
    pub first_load_brotli_bytes: u64,
    pub first_load_raw_bytes: u64,
    pub files: Vec<FileReport>,
}

/// One file of `dist/`.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The URL path, such as `/assets/app-0123456789abcdef.css`.
    pub path: String,
    pub raw_bytes: u64,
    pub brotli_bytes: Option<u64>,
    pub gzip_bytes: Option<u64>,
    /// Part of what a phone downloads before the app can render.
    pub first_load: bool,
}

impl BuildReport {
    pub fn within_budget(&self) -> bool {
        self.first_load_brotli_bytes <= FIRST_LOAD_BUDGET_BYTES
    }

    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "build_hash": self.build_hash,
            "profile": if self.dev { "dev" } else { "wasm-release" },
            "first_load_brotli_bytes": self.first_load_brotli_bytes,
            "first_load_raw_bytes": self.first_load_raw_bytes,
            "first_load_budget_bytes": FIRST_LOAD_BUDGET_BYTES,
            "within_budget": self.within_budget(),
            "files": self.files.iter().map(|file| json!({
                "path": file.path,
                "raw_bytes": file.raw_bytes,
                "brotli_bytes": file.brotli_bytes,
                "gzip_bytes": file.gzip_bytes,
                "first_load": file.first_load,
            })).collect::<Vec<_>>(),
        })
    }

    pub fn print_summary(&self) {
        println!(
            "built {} (build {})",
            self.dist_dir.display(),
            self.build_hash
        );
        for file in self.files.iter().filter(|file| file.first_load) {
            println!(
                "  {:<48} {:>9} raw {:>9} br",
                file.path,
                kb(file.raw_bytes),
                file.brotli_bytes.map(kb).unwrap_or_else(|| "-".into()),
            );
        }
        let chunks: Vec<&FileReport> = self
            .files
            .iter()
            .filter(|file| !file.first_load && file.path.ends_with(".wasm"))
            .collect();
        println!(
            "  lazily loaded chunks: {} files, {} brotli (largest {})",
            chunks.len(),
            kb(chunks
                .iter()
                .map(|file| file.brotli_bytes.unwrap_or(file.raw_bytes))
                .sum()),
            kb(chunks
                .iter()
                .map(|file| file.brotli_bytes.unwrap_or(file.raw_bytes))
                .max()
                .unwrap_or(0)),
        );
        let packs: Vec<&FileReport> = self
            .files
            .iter()
            .filter(|file| file.path.ends_with(".bin"))
            .collect();
        println!(
            "  packs for a first visit: {} files, largest {} brotli",
            packs.len(),
            kb(packs
                .iter()
                .map(|file| file.brotli_bytes.unwrap_or(file.raw_bytes))
                .max()
                .unwrap_or(0)),
        );
        println!(
            "first load: {} brotli ({} raw); budget {} — {}",
            kb(self.first_load_brotli_bytes),
            kb(self.first_load_raw_bytes),
            kb(FIRST_LOAD_BUDGET_BYTES),
            if self.within_budget() {
                "ok"
            } else {
                "OVER BUDGET"
            },
        );
    }
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}
