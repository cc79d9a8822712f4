//! Builds the PWA into `dist/`.
//!
//! 1. `cargo build -p zhibu-app` for wasm32 (size profile, or dev);
//! 2. the wasm split at its `#[lazy]` functions (wasm_split_cli_support): a
//!    main module, chunks loaded when a page first needs them, and the small
//!    JS module that loads them;
//! 3. wasm-bindgen on the main module as a library (no separate CLI install),
//!    skipped when its input has not changed since the last run;
//! 4. `dist/` assembled fresh: content-hashed files under `assets/` (cached
//!    for a year by the server), `index.html`, `offline.html` and `sw.js`
//!    filled in from the templates in `public/` (scripts and CSS without
//!    comments and indentation), the other public files copied;
//! 5. brotli and gzip siblings (`.br`, `.gz`) that the server sends as they are;
//! 6. the first-load weight (chunks are precached but not part of it), printed and written to `dist/build-report.json`.

mod boot;
mod css;
mod files;
mod js;
mod packs;
mod report;
mod wasm;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use sha2::{Digest, Sha256};

use files::{hex, is_compressible, relative_url, sha256_hex, walk, write_compressed};
pub use report::{BuildReport, FIRST_LOAD_BUDGET_BYTES, FileReport};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const APP_PACKAGE: &str = "zhibu-app";
/// The wasm cargo writes for the app's binary target.
const APP_BINARY: &str = "zhibu-app.wasm";
/// What wasm-bindgen names its outputs after (`zhibu_app.js`, `zhibu_app_bg.wasm`).
const APP_STEM: &str = "zhibu_app";
/// The JS module that loads split chunks, as the main wasm imports it.
const SPLIT_LINK: &str = "__wasm_split.js";

/// Files filled in by the build rather than copied.
const TEMPLATES: [&str; 4] = ["index.html", "offline.html", "sw.js", "app.css"];

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Builds the PWA into `<workspace>/dist`.
pub fn build_app(dev: bool) -> Result<BuildReport> {
    let root = workspace_root();
    let target = target_dir(&root);
    ensure_wasm_target()?;
    let wasm = cargo_build(&root, &target, dev)?;
    let profile_name = if dev { "dev" } else { "release" };
    let split_dir = target.join("zhibu-app-split").join(profile_name);
    let main_wasm = run_split(&wasm, &split_dir)?;
    let bindgen_dir = target.join("zhibu-app-bindgen").join(profile_name);
    run_bindgen(&main_wasm, &bindgen_dir, dev)?;
    let dist = root.join("dist");
    let compress_cache = target.join("zhibu-app-compressed");
    let report = assemble(
        &root.join("public"),
        &bindgen_dir,
        &split_dir,
        &dist,
        &compress_cache,
        dev,
    )?;
    let json = serde_json::to_string_pretty(&report.to_json())?;
    fs::write(dist.join("build-report.json"), json + "\n")?;
    Ok(report)
}

/// Installs the wasm target through rustup when it is missing.
fn ensure_wasm_target() -> Result<()> {
    let installed = match Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    {
        Ok(output) if output.status.success() => output.stdout,
        // Without rustup (a distribution toolchain) cargo reports a missing
        // target itself.
        _ => return Ok(()),
    };
    if String::from_utf8_lossy(&installed)
        .lines()
        .any(|line| line.trim() == WASM_TARGET)
    {
        return Ok(());
    }
    eprintln!("installing the {WASM_TARGET} target");
    let status = Command::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .status()?;
    ensure!(status.success(), "`rustup target add {WASM_TARGET}` failed");
    Ok(())
}

/// Compiles the app and returns the path of its `.wasm`.
fn cargo_build(root: &Path, target: &Path, dev: bool) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let profile = if dev { "dev" } else { "wasm-release" };
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "-p",
            APP_PACKAGE,
            "--target",
            WASM_TARGET,
            "--profile",
            profile,
        ])
        .status()
        .context("running cargo")?;
    ensure!(status.success(), "building {APP_PACKAGE} failed");
    // Cargo names the dev profile's directory `debug`.
    let profile_dir = if dev { "debug" } else { profile };
    let wasm = target.join(WASM_TARGET).join(profile_dir).join(APP_BINARY);
    ensure!(wasm.is_file(), "cargo did not produce {}", wasm.display());
    Ok(wasm)
}

/// Splits the linked wasm at its split points into `out_dir`: `main.wasm`
/// for wasm-bindgen, one `.wasm` per chunk and the loader module
/// [`SPLIT_LINK`]. Returns the main module's path.
fn run_split(wasm: &Path, out_dir: &Path) -> Result<PathBuf> {
    let input = fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    if out_dir.exists() {
        fs::remove_dir_all(out_dir)?;
    }
    fs::create_dir_all(out_dir)?;
    let main = out_dir.join("main.wasm");
    let link_name = format!("./{SPLIT_LINK}");
    let main_module = format!("./{APP_STEM}.js");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = out_dir;
    options.main_out_path = &main;
    options.link_name = &link_name;
    options.main_module = &main_module;
    wasm_split_cli_support::transform(options)
        .map_err(|error| anyhow::anyhow!("splitting the wasm: {error:?}"))?;
    ensure!(main.is_file(), "the split produced no main module");
    Ok(main)
}

/// Runs wasm-bindgen unless its output already matches this input.
fn run_bindgen(wasm: &Path, out_dir: &Path, dev: bool) -> Result<()> {
    let input = fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let stamp_path = out_dir.join(".input-sha256");
    let stamp = format!("{} dev={dev}", sha256_hex(&input));
    let outputs_exist = out_dir.join(format!("{APP_STEM}.js")).is_file()
        && out_dir.join(format!("{APP_STEM}_bg.wasm")).is_file();
    if outputs_exist && fs::read_to_string(&stamp_path).is_ok_and(|old| old == stamp) {
        return Ok(());
    }
    if out_dir.exists() {
        fs::remove_dir_all(out_dir)?;
    }
    fs::create_dir_all(out_dir)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_bytes(APP_STEM, input)
        .web(true)?
        .typescript(false)
        // Keeps `init()` able to find the wasm next to the glue by default.
        .omit_default_module_path(false)
        // The name section only helps debugging and costs ~200 KB raw.
        .remove_name_section(!dev)
        .remove_producers_section(!dev)
        .debug(dev)
        .generate(out_dir)
        .context("wasm-bindgen")?;
    fs::write(stamp_path, stamp)?;
    Ok(())
}

/// A file on its way into `dist/`.
struct Output {
    /// The URL path (`/assets/…`), which is also the path under `dist/`.
    url: String,
    bytes: Vec<u8>,
    precache: bool,
    first_load: bool,
}

/// Writes `dist/` from the templates and the bindgen output.
fn assemble(
    public: &Path,
    bindgen_dir: &Path,
    split_dir: &Path,
    dist: &Path,
    compress_cache: &Path,
    dev: bool,
) -> Result<BuildReport> {
    let read = |path: &Path| fs::read(path).with_context(|| format!("reading {}", path.display()));
    let read_text = |path: &Path| {
        fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    };
    let mut outputs: Vec<Output> = Vec::new();

    let wasm = hashed_asset(
        &format!("{APP_STEM}_bg"),
        "wasm",
        wasm::export_function_table(wasm::without_classes(
            &read(&bindgen_dir.join(format!("{APP_STEM}_bg.wasm")))?,
            &wasm::UNUSED_CLASSES,
        )?)?,
    );
    // The chunks and their loader are named after the whole split program,
    // so the glue can name the loader before the loader names the glue.
    let mut chunks: Vec<(String, Vec<u8>)> = Vec::new();
    for file in walk(split_dir)? {
        let name = file
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default()
            .to_owned();
        if name.ends_with(".wasm") && name != "main.wasm" {
            chunks.push((name, wasm::without_custom_sections(&read(&file)?)?));
        }
    }
    chunks.sort();
    let mut program = Sha256::new();
    program.update(&wasm.bytes);
    // And after the code that writes the loader and the packs, so a new
    // format never reuses the name of a file phones keep for a year.
    program.update(include_str!("packs.rs"));
    program.update(include_str!("js.rs"));
    for (name, bytes) in &chunks {
        program.update(name.as_bytes());
        program.update(Sha256::digest(bytes));
    }
    let program_hash = hex(&program.finalize())[..16].to_owned();
    let link_file = format!("split-{program_hash}.js");
    let glue_source = js::without_classes(
        &read_text(&bindgen_dir.join(format!("{APP_STEM}.js")))?,
        &wasm::UNUSED_CLASSES,
    )?;
    let glue_source = glue_source
        .replace(
            &format!("from './{SPLIT_LINK}'"),
            &format!("from './{link_file}'"),
        )
        .replace(
            &format!("from \"./{SPLIT_LINK}\""),
            &format!("from \"./{link_file}\""),
        );
    // The scripts lose their comments and indentation, except in a dev build.
    let strip = |source: String| {
        if dev {
            Ok(source)
        } else {
            js::strip_layout(&source)
        }
    };
    let glue = hashed_asset(APP_STEM, "js", strip(glue_source)?.into_bytes());
    let glue_file = glue.url.rsplit('/').next().unwrap_or_default().to_owned();
    let mut link_source = read_text(&split_dir.join(SPLIT_LINK))?.replace(
        &format!("\"./{APP_STEM}.js\""),
        &format!("\"./{glue_file}\""),
    );
    let packed = packs::pack(&link_source, &format!("-{program_hash}"), |name| {
        chunks
            .iter()
            .find(|(chunk, _)| chunk == name)
            .map(|(_, bytes)| bytes.clone())
            .with_context(|| format!("the loader names {name}, which the split did not write"))
    })?;
    link_source = packed.link_source;
    // Each lazily loaded module's pack, by the module's name.
    let mut pack_urls: Vec<(String, String)> = Vec::new();
    // Chunks are precached; packs serve only a first visit.
    let files = chunks
        .into_iter()
        .map(|(name, bytes)| (name, bytes, true))
        .chain(
            packed
                .packs
                .into_iter()
                .map(|(name, bytes)| (name, bytes, false)),
        );
    for (name, bytes, precache) in files {
        let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "wasm"));
        let hashed = format!("{stem}-{program_hash}.{ext}");
        link_source = link_source.replace(&format!("\"./{name}\""), &format!("\"./{hashed}\""));
        if let Some(module) = stem.strip_prefix("pack_") {
            pack_urls.push((module.to_owned(), format!("/assets/{hashed}")));
        }
        outputs.push(Output {
            url: format!("/assets/{hashed}"),
            bytes,
            precache,
            first_load: false,
        });
    }
    // The glue imports the loader statically: it is part of the first load.
    outputs.push(Output {
        url: format!("/assets/{link_file}"),
        bytes: strip(link_source)?.into_bytes(),
        precache: true,
        first_load: true,
    });
    let css_text = css::minify(&read_text(&public.join("app.css"))?);
    ensure!(
        !css_text.contains("</"),
        "public/app.css is inlined into index.html and must not contain `</`"
    );
    // index.html carries the CSS itself (one round trip less before the
    // first paint); offline.html links the file.
    let mut css = hashed_asset("app", "css", css_text.clone().into_bytes());
    css.first_load = false;
    let boot_source = boot::boot_script(
        &boot::BootUrls {
            glue: &glue.url,
            split_link: &format!("/assets/{link_file}"),
            wasm: &wasm.url,
        },
        |module| {
            pack_urls
                .iter()
                .find(|(name, _)| name == module)
                .map(|(_, url)| url.clone())
        },
    )?;
    let boot_source = strip(boot_source)?;
    let css_url = css.url.clone();
    outputs.extend([wasm, glue, css]);

    // Inline JS snippets of dependencies, imported by the glue relative to itself.
    let snippets = bindgen_dir.join("snippets");
    if snippets.is_dir() {
        for file in walk(&snippets)? {
            let rel = relative_url(&snippets, &file);
            outputs.push(Output {
                url: format!("/assets/snippets{rel}"),
                bytes: read(&file)?,
                precache: true,
                first_load: true,
            });
        }
    }

    let placeholders = [
        ("{{APP_CSS}}", css_url.as_str()),
        ("{{BOOT_INLINE}}", boot_source.trim_end()),
        ("{{APP_CSS_INLINE}}", css_text.trim_end()),
    ];
    for page in ["index.html", "offline.html"] {
        let html = fill(&read_text(&public.join(page))?, &placeholders, page)?;
        outputs.push(Output {
            url: format!("/{page}"),
            bytes: html.into_bytes(),
            precache: true,
            first_load: page == "index.html",
        });
    }

    for file in walk(public)? {
        let rel = relative_url(public, &file);
        if TEMPLATES.contains(&rel.trim_start_matches('/')) {
            continue;
        }
        outputs.push(Output {
            url: rel,
            bytes: read(&file)?,
            precache: true,
            first_load: false,
        });
    }

    // The build hash covers every precached file, so any change to them
    // gives the service worker a new cache.
    let mut fingerprint = Sha256::new();
    let mut precached: Vec<&Output> = outputs.iter().filter(|output| output.precache).collect();
    precached.sort_by(|a, b| a.url.cmp(&b.url));
    for output in &precached {
        fingerprint.update(output.url.as_bytes());
        fingerprint.update(Sha256::digest(&output.bytes));
    }
    let build_hash = hex(&fingerprint.finalize())[..16].to_owned();
    let precache_urls: Vec<&str> = precached.iter().map(|output| output.url.as_str()).collect();
    let precache_json = serde_json::to_string(&precache_urls)?;
    let sw = fill(
        &read_text(&public.join("sw.js"))?,
        &[
            ("{{BUILD_HASH}}", build_hash.as_str()),
            ("{{PRECACHE}}", precache_json.as_str()),
        ],
        "sw.js",
    )?;
    outputs.push(Output {
        url: "/sw.js".into(),
        bytes: sw.into_bytes(),
        precache: false,
        first_load: false,
    });

    if dist.exists() {
        fs::remove_dir_all(dist).with_context(|| format!("removing {}", dist.display()))?;
    }
    fs::create_dir_all(compress_cache)?;
    // Quality 11 is what phones download; a dev wasm is megabytes, so dev
    // builds trade a little size for a much faster build.
    let brotli_quality = if dev { 5 } else { 11 };
    let mut files = Vec::new();
    for output in &outputs {
        let path = dist.join(output.url.trim_start_matches('/'));
        fs::create_dir_all(path.parent().expect("files live in a directory"))?;
        fs::write(&path, &output.bytes)?;
        let (brotli_bytes, gzip_bytes) = if is_compressible(&output.url) {
            write_compressed(&path, &output.bytes, compress_cache, brotli_quality)?
        } else {
            (None, None)
        };
        files.push(FileReport {
            path: output.url.clone(),
            raw_bytes: output.bytes.len() as u64,
            brotli_bytes,
            gzip_bytes,
            first_load: output.first_load,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let first_load = files.iter().filter(|file| file.first_load);
    let first_load_brotli_bytes = first_load
        .clone()
        .map(|file| file.brotli_bytes.unwrap_or(file.raw_bytes))
        .sum();
    let first_load_raw_bytes = first_load.map(|file| file.raw_bytes).sum();
    Ok(BuildReport {
        build_hash,
        dist_dir: dist.to_path_buf(),
        dev,
        first_load_brotli_bytes,
        first_load_raw_bytes,
        files,
    })
}

/// Names an asset after its content, so the server can cache it for a year.
fn hashed_asset(stem: &str, ext: &str, bytes: Vec<u8>) -> Output {
    let hash = &sha256_hex(&bytes)[..16];
    Output {
        url: format!("/assets/{stem}-{hash}.{ext}"),
        bytes,
        precache: true,
        first_load: true,
    }
}

/// Replaces every placeholder and refuses to leave one behind.
fn fill(template: &str, placeholders: &[(&str, &str)], name: &str) -> Result<String> {
    let mut text = template.to_owned();
    for (placeholder, value) in placeholders {
        text = text.replace(placeholder, value);
    }
    if let Some(start) = text.find("{{") {
        let rest = &text[start..];
        let end = rest.find("}}").map_or(rest.len(), |end| end + 2);
        bail!("public/{name}: unknown placeholder {}", &rest[..end]);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_rejects_a_placeholder_left_behind() {
        let error = fill(
            "<link href=\"{{APP_CSS}}\">{{NOPE}}",
            &[("{{APP_CSS}}", "/a.css")],
            "x.html",
        )
        .unwrap_err();
        assert!(error.to_string().contains("{{NOPE}}"), "{error}");
    }

    #[test]
    fn hashed_asset_names_follow_the_content() {
        let a = hashed_asset("app", "css", b"body{}".to_vec());
        let b = hashed_asset("app", "css", b"body{ }".to_vec());
        assert_ne!(a.url, b.url);
        assert!(a.url.starts_with("/assets/app-") && a.url.ends_with(".css"));
        assert_eq!(a.url.len(), "/assets/app-".len() + 16 + ".css".len());
    }
}
