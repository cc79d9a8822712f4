//! One file per lazily loaded module for a phone the service worker does
//! not serve yet.
//!
//! wasm-split puts every function that several lazily loaded modules use
//! into a chunk keyed by the set of modules using it, so one page can need
//! seventy chunks. On a first visit that is seventy requests over at most
//! six HTTP/1.1 connections, each a round trip on a weak network. So each
//! module also gets a pack: its own file and all its chunks in one file,
//! compressed together, behind their lengths (so the first load does not
//! carry every chunk's length). Its loader fetches the pack when no service worker
//! controls the page and six or more of those files are still to load;
//! otherwise (the service worker has precached every chunk, or little is
//! missing) it fetches the files one by one as before. Packs are not
//! precached, so the service worker's download does not grow.

use anyhow::{Context, Result, bail, ensure};

/// A lazily loaded module and the chunks it needs, as the loader names them.
#[derive(Debug, PartialEq)]
struct Module {
    /// `signed_in_home_12876526242985402817`.
    name: String,
    /// `split_signed_in_home_12876526242985402817.wasm`.
    file: String,
    /// The chunk files, such as `chunk_13.wasm`.
    chunks: Vec<String>,
}

/// The loader rewritten to use the packs, and the packs.
pub struct Packed {
    pub link_source: String,
    /// File name (`pack_<function>.bin`) and bytes.
    pub packs: Vec<(String, Vec<u8>)>,
}

/// What the loader's fetch of one file looks like in wasm-split's output.
fn fetch_line(file: &str) -> String {
    format!("    const src = fetch(new URL(\"./{file}\", import.meta.url));\n")
}

const INSTANTIATE_LINE: &str =
    "    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n";

/// The helpers the rewritten loaders call.
const HELPERS: &str = r#"
// Packs (see xtask/src/pwa/packs.rs): each file's bytes once a pack holding
// it is on its way, and the files whose fetch has started, by key (a chunk's
// number, a module's name).
const __parts = new Map();
const __started = new Set();
function __fetchPart(key, url) {
    __started.add(key);
    const part = __parts.get(key);
    if (part !== undefined) {
        __parts.delete(key);
        return part;
    }
    return fetch(new URL(url, import.meta.url));
}
// `13-15,20` for chunks 13, 14, 15 and 20.
function __numbers(runs) {
    return (runs ? runs.split(',') : []).flatMap((run) => {
        const [first, last = first] = run.split('-').map(Number);
        return Array.from({ length: last - first + 1 }, (_, i) => first + i);
    });
}
function __chunksOf(runs) {
    return __numbers(runs).map((n) => __chunkLoaders[n]);
}
function __instantiate(src, imports) {
    return src.then((got) => got instanceof Response
        ? WebAssembly.instantiateStreaming(got, imports)
        : WebAssembly.instantiate(got, imports));
}
// A pack starts with how many files it holds and each one's length (u32,
// little-endian), then the files in the order the loader names them.
function __withPack(pack, own, chunks, load) {
    return () => {
        const sw = navigator.serviceWorker;
        const keys = [own, ...__numbers(chunks)];
        // Each file not asked for yet, with its place in the pack.
        const missing = keys.flatMap((key, i) => __started.has(key) ? [] : [[key, i]]);
        if (!(sw && sw.controller) && missing.length >= 6) {
            const whole = fetch(new URL(pack, import.meta.url)).then((response) => {
                if (!response.ok) throw new Error(`${pack}: ${response.status}`);
                return response.arrayBuffer();
            }).then((bytes) => {
                const head = new DataView(bytes);
                let at = 4 + 4 * head.getUint32(0, true);
                return keys.map((_, i) => {
                    const length = head.getUint32(4 + 4 * i, true);
                    at += length;
                    return new Uint8Array(bytes, at - length, length);
                });
            });
            for (const [key, i] of missing) {
                const part = whole.then((parts) => parts[i]);
                part.catch(() => {});
                __parts.set(key, part);
            }
        }
        return load();
    };
}
"#;

/// Builds a pack per module from the loader wasm-split wrote and the files
/// it names, and rewrites the loader to use them. `build` is what the
/// build adds to each file's stem (`-<hash>`): the chunks' loaders are made
/// in one loop, which names chunk `n` `chunk_<n><build>.wasm` itself.
pub fn pack(
    link_source: &str,
    build: &str,
    file: impl Fn(&str) -> Result<Vec<u8>>,
) -> Result<Packed> {
    let modules = modules(link_source)?;
    let mut source = link_source.to_owned();
    let mut packs = Vec::new();
    let mut all = std::collections::BTreeSet::new();
    for module in &modules {
        let mut files =
            vec![file(&module.file).with_context(|| format!("packing {}", module.file))?];
        let mut numbers = Vec::new();
        for name in &module.chunks {
            files.push(file(name).with_context(|| format!("packing {name}"))?);
            let number = chunk_number(name)?;
            all.insert(number);
            numbers.push(number);
        }
        let bytes = pack_bytes(&files)?;
        // Named after the function alone (`pack_me_page.bin`): the build
        // adds its own hash, and the boot script names each page's pack.
        let short = module
            .name
            .rsplit_once('_')
            .map_or(module.name.as_str(), |(short, _)| short);
        ensure!(
            !packs
                .iter()
                .any(|(file, _)| *file == format!("pack_{short}.bin")),
            "two lazily loaded modules are named {short}"
        );
        let pack_file = format!("pack_{short}.bin");
        let head = format!(
            "export const __wasm_split_load_{} = wrapAsyncCb(makeLoad(",
            module.name
        );
        let start = source
            .find(&head)
            .with_context(|| format!("the loader of {}", module.name))?;
        let end = start
            + source[start..]
                .find("]));\n")
                .with_context(|| format!("the end of the loader of {}", module.name))?;
        let (fetcher, _) = source[start + head.len()..end]
            .rsplit_once("\n, [")
            .with_context(|| format!("the chunks of {}", module.name))?;
        let wrapped = format!(
            "export const __wasm_split_load_{name} = wrapAsyncCb(__withPack(\"./{pack_file}\", \"{name}\", \"{runs}\", makeLoad({fetcher}\n, __chunksOf(\"{runs}\"))));\n",
            runs = runs(&numbers),
            name = module.name,
        );
        source.replace_range(start..end + "]));\n".len(), &wrapped);
        packs.push((pack_file, bytes));
    }
    // Each module's own file is fetched through the packs' helper.
    for module in &modules {
        let name = &module.file;
        let original = format!(
            "{}    src.catch(() => {{}});\n{INSTANTIATE_LINE}",
            fetch_line(name)
        );
        ensure!(
            source.matches(&original).count() == 1,
            "the loader of {name} is not as wasm-split writes it"
        );
        source = source.replace(
            &original,
            &format!(
                "    const src = __fetchPart(\"{}\", \"./{name}\");\n    src.catch(() => {{}});\n    return async (imports) => (__instantiate(src, imports));\n",
                module.name
            ),
        );
    }
    // wasm-split writes one loader per chunk, all alike: 40 KB of script
    // that one loop replaces.
    for number in &all {
        let name = format!("chunk_{number}.wasm");
        let original = format!(
            "const __chunk_{number} = makeLoad(() => {{\n{}    src.catch(() => {{}});\n{INSTANTIATE_LINE}}}\n, []);\n",
            fetch_line(&name)
        );
        ensure!(
            source.matches(&original).count() == 1,
            "the loader of {name} is not as wasm-split writes it"
        );
        source = source.replace(&original, "");
    }
    ensure!(
        !source.contains("instantiateStreaming(src") && !source.contains("const __chunk_"),
        "a loader wasm-split wrote was left unpacked"
    );
    let all: Vec<u32> = all.into_iter().collect();
    if let Some(first_module) = source.find("export const __wasm_split_load_") {
        source.insert_str(
            first_module,
            &format!(
                "// The chunks' loaders by number.\n\
                 const __chunkLoaders = {{}};\n\
                 for (const n of __numbers(\"{}\")) __chunkLoaders[n] = makeLoad(() => {{\n\
                 \x20   const src = __fetchPart(n, `./chunk_${{n}}{build}.wasm`);\n\
                 \x20   src.catch(() => {{}});\n\
                 \x20   return async (imports) => (__instantiate(src, imports));\n\
                 }}, []);\n",
                runs(&all)
            ),
        );
    }
    // wasm-split's comments name every module using each chunk: 0.8 KB
    // of the first load that no phone reads.
    source = source
        .split_inclusive('\n')
        .filter(|line| !(line.starts_with("/* ") && line.ends_with(" */\n")))
        .collect();
    let insert_at = source.find("\n\n").map_or(0, |at| at + 1);
    source.insert_str(insert_at, HELPERS);
    Ok(Packed {
        link_source: source,
        packs,
    })
}

/// The files of one pack behind their count and lengths, as `__withPack`
/// reads them.
fn pack_bytes(files: &[Vec<u8>]) -> Result<Vec<u8>> {
    let length = |n: usize| u32::try_from(n).context("a pack over 4 GB");
    let mut bytes = length(files.len())?.to_le_bytes().to_vec();
    for file in files {
        bytes.extend_from_slice(&length(file.len())?.to_le_bytes());
    }
    for file in files {
        bytes.extend_from_slice(file);
    }
    Ok(bytes)
}

/// The modules of the loader, each with its own file and the chunks it
/// waits for, read from wasm-split's output.
fn modules(link_source: &str) -> Result<Vec<Module>> {
    let chunk_file = |constant: &str| -> Result<String> {
        let head = format!("const {constant} = makeLoad(() => {{\n");
        let at = link_source
            .find(&head)
            .with_context(|| format!("the loader of {constant}"))?;
        file_fetched(&link_source[at + head.len()..])
    };
    let mut modules = Vec::new();
    let marker = "export const __wasm_split_load_";
    for (at, _) in link_source.match_indices(marker) {
        let rest = &link_source[at + marker.len()..];
        let name = rest
            .split_once(" = ")
            .map(|(name, _)| name.to_owned())
            .context("a module loader without a name")?;
        let body = &rest[..rest
            .find("]));\n")
            .context("a module loader without an end")?];
        let file = file_fetched(
            body.split_once("makeLoad(() => {\n")
                .map(|(_, after)| after)
                .context("a module loader without a fetch")?,
        )?;
        let deps = body
            .rsplit_once("\n, [")
            .map(|(_, deps)| deps)
            .context("a module loader without its chunks")?;
        let chunks = deps
            .split(',')
            .map(str::trim)
            .filter(|dep| !dep.is_empty())
            .map(chunk_file)
            .collect::<Result<_>>()?;
        modules.push(Module { name, file, chunks });
    }
    if modules.is_empty() && link_source.contains("makeLoad(") {
        bail!("the loader names no modules");
    }
    Ok(modules)
}

/// `13-28,67` for 13, 14, …, 28 and 67, in the order given: the loader
/// lists a module's chunks mostly in runs.
fn runs(numbers: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(u32, u32)> = None;
    fn flush(run: (u32, u32), out: &mut Vec<String>) {
        out.push(if run.0 == run.1 {
            run.0.to_string()
        } else {
            format!("{}-{}", run.0, run.1)
        });
    }
    for &number in numbers {
        run = match run {
            Some((first, last)) if number == last + 1 => Some((first, number)),
            Some(done) => {
                flush(done, &mut out);
                Some((number, number))
            }
            None => Some((number, number)),
        };
    }
    if let Some(done) = run {
        flush(done, &mut out);
    }
    out.join(",")
}

/// 13 for `chunk_13.wasm`.
fn chunk_number(file: &str) -> Result<u32> {
    file.strip_prefix("chunk_")
        .and_then(|rest| rest.strip_suffix(".wasm"))
        .and_then(|number| number.parse().ok())
        .with_context(|| format!("{file} is not a chunk"))
}

/// `chunk_13.wasm` from `    const src = fetch(new URL("./chunk_13.wasm", …`.
fn file_fetched(body: &str) -> Result<String> {
    let start = "    const src = fetch(new URL(\"./";
    let rest = body
        .strip_prefix(start)
        .context("a loader that does not start with its fetch")?;
    Ok(rest
        .split_once('"')
        .context("a fetch without its file")?
        .0
        .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loader() -> String {
        let chunk = |n: u32| {
            format!(
                "const __chunk_{n} = makeLoad(() => {{\n{}    src.catch(() => {{}});\n{INSTANTIATE_LINE}}}\n, []);\n",
                fetch_line(&format!("chunk_{n}.wasm"))
            )
        };
        let module = |name: &str, deps: &str| {
            format!(
                "export const __wasm_split_load_{name} = wrapAsyncCb(makeLoad(() => {{\n{}    src.catch(() => {{}});\n{INSTANTIATE_LINE}}}\n, [{deps}]));\n",
                fetch_line(&format!("split_{name}.wasm"))
            )
        };
        format!(
            "import {{ initSync }} from \"./zhibu_app.js\";\n\nfunction makeLoad() {{}}\n/* home_1, login_2 */\n{}{}{}{}",
            chunk(1),
            chunk(2),
            module("home_1", "__chunk_1, __chunk_2"),
            module("login_2", "__chunk_2"),
        )
    }

    #[test]
    fn modules_are_read_with_their_chunks() {
        assert_eq!(
            modules(&loader()).unwrap(),
            vec![
                Module {
                    name: "home_1".into(),
                    file: "split_home_1.wasm".into(),
                    chunks: vec!["chunk_1.wasm".into(), "chunk_2.wasm".into()],
                },
                Module {
                    name: "login_2".into(),
                    file: "split_login_2.wasm".into(),
                    chunks: vec!["chunk_2.wasm".into()],
                },
            ]
        );
    }

    #[test]
    fn each_module_gets_a_pack_of_its_file_and_chunks_with_their_ranges() {
        let bytes = |name: &str| Ok(name.as_bytes().to_vec());
        let packed = pack(&loader(), "-b1", bytes).unwrap();
        let head = |lengths: &[u32]| {
            let mut head = (lengths.len() as u32).to_le_bytes().to_vec();
            lengths
                .iter()
                .for_each(|n| head.extend_from_slice(&n.to_le_bytes()));
            head
        };
        assert_eq!(
            packed.packs,
            vec![
                (
                    "pack_home.bin".to_owned(),
                    [
                        head(&[17, 12, 12]),
                        b"split_home_1.wasmchunk_1.wasmchunk_2.wasm".to_vec()
                    ]
                    .concat()
                ),
                (
                    "pack_login.bin".to_owned(),
                    [head(&[18, 12]), b"split_login_2.wasmchunk_2.wasm".to_vec()].concat()
                ),
            ]
        );
        let source = &packed.link_source;
        assert!(
            source
                .contains("__withPack(\"./pack_home.bin\", \"home_1\", \"1-2\", makeLoad(() => {")
        );
        assert!(!source.contains("__lengths"));
        assert!(source.contains("const src = __fetchPart(n, `./chunk_${n}-b1.wasm`);"));
        assert!(!source.contains("const __chunk_"));
        assert!(source.contains("const src = __fetchPart(\"home_1\", \"./split_home_1.wasm\");"));
        assert!(!source.contains("instantiateStreaming(src"));
        assert!(!source.contains("/* home_1, login_2 */"));
        assert!(source.starts_with("import { initSync } from \"./zhibu_app.js\";\n\n// Packs"));
        assert_eq!(source.matches("\", makeLoad(").count(), 2);
        assert!(source.ends_with("}\n, __chunksOf(\"2\"))));\n"));
        assert!(source.contains(
            "const __chunkLoaders = {};\nfor (const n of __numbers(\"1-2\")) __chunkLoaders[n] = makeLoad(() => {"
        ));
        assert!(source.contains("}, []);\nexport const __wasm_split_load_home_1"));
    }

    #[test]
    fn chunk_numbers_are_written_in_runs() {
        assert_eq!(runs(&[13, 14, 15, 20, 22, 23]), "13-15,20,22-23");
        assert_eq!(runs(&[7]), "7");
        assert_eq!(runs(&[]), "");
    }

    #[test]
    fn a_loader_not_as_wasm_split_writes_it_is_refused() {
        let changed = loader().replace("src.catch(() => {});\n", "");
        assert!(pack(&changed, "", |name: &str| Ok(name.as_bytes().to_vec())).is_err());
    }
}
