//! Small edits to built wasm modules, section by section.

use anyhow::{Context, Result, bail, ensure};

/// The custom section id: names, producers and target features, which
/// nothing at run time reads.
const CUSTOM: u8 = 0;

fn leb(bytes: &[u8], at: &mut usize) -> Result<u64> {
    let (mut value, mut shift) = (0u64, 0);
    loop {
        let byte = *bytes.get(*at).context("truncated wasm")?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
        shift += 7;
        ensure!(shift < 64, "an overlong number in wasm");
    }
}

fn put_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// (id, start of contents, end of contents) of every section.
fn sections(wasm: &[u8]) -> Result<Vec<(u8, usize, usize)>> {
    ensure!(wasm.starts_with(b"\0asm"), "not a wasm module");
    let mut sections = Vec::new();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb(wasm, &mut at)? as usize;
        ensure!(at + size <= wasm.len(), "a wasm section runs past the end");
        sections.push((id, at, at + size));
        at += size;
    }
    Ok(sections)
}

/// The module without its custom sections. wasm-split leaves each chunk its
/// name section, which was 60 % of the chunks' bytes and 40 % of them
/// compressed.
pub fn without_custom_sections(wasm: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(wasm.len());
    out.extend_from_slice(&wasm[..8]);
    for (id, start, end) in sections(wasm)? {
        if id != CUSTOM {
            out.push(id);
            put_leb(&mut out, (end - start) as u64);
            out.extend_from_slice(&wasm[start..end]);
        }
    }
    Ok(out)
}

/// Classes wasm-bindgen exports for JavaScript that no script of the app
/// uses: wasm-streams' adapters, which leptos's server functions bring in
/// for browsers (the app calls no server function). Dropping them takes
/// their code out of the first load.
pub const UNUSED_CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// The main module without the exports of `classes` (their methods and
/// `__wbg_<class>_free`) and the code only they reached.
pub fn without_classes(wasm: &[u8], classes: &[&str]) -> Result<Vec<u8>> {
    let mut module = walrus::Module::from_buffer(wasm).context("reading the main module")?;
    let prefixes: Vec<(String, String)> = classes
        .iter()
        .map(|class| {
            let lower = class.to_lowercase();
            (format!("{lower}_"), format!("__wbg_{lower}_free"))
        })
        .collect();
    let unused: Vec<walrus::ExportId> = module
        .exports
        .iter()
        .filter(|export| {
            prefixes
                .iter()
                .any(|(methods, free)| export.name.starts_with(methods) || export.name == *free)
        })
        .map(|export| export.id())
        .collect();
    for id in unused {
        module.exports.delete(id);
    }
    walrus::passes::gc::run(&mut module);
    Ok(module.emit_wasm())
}

/// The name split chunks import the main module's function table by.
const FUNCTION_TABLE: &str = "__indirect_function_table";

/// Exports the main module's function table again: split chunks install
/// their functions into it, but wasm-bindgen drops the linker's export.
pub fn export_function_table(wasm: Vec<u8>) -> Result<Vec<u8>> {
    let sections = sections(&wasm)?;
    // Imported tables would come first in the index space.
    if let Some(&(_, start, _)) = sections.iter().find(|&&(id, _, _)| id == 2) {
        let mut at = start;
        for _ in 0..leb(&wasm, &mut at)? {
            for _ in 0..2 {
                let len = leb(&wasm, &mut at)? as usize;
                at += len;
            }
            let kind = wasm[at];
            at += 1;
            match kind {
                0 => {
                    leb(&wasm, &mut at)?;
                }
                2 => {
                    let flags = leb(&wasm, &mut at)?;
                    leb(&wasm, &mut at)?;
                    if flags & 1 == 1 {
                        leb(&wasm, &mut at)?;
                    }
                }
                3 => at += 2,
                _ => bail!("the main module imports a table or a tag"),
            }
        }
    }
    let Some(&(_, table_start, _)) = sections.iter().find(|&&(id, _, _)| id == 4) else {
        return Ok(wasm);
    };
    let mut at = table_start;
    let tables = leb(&wasm, &mut at)?;
    ensure!(
        tables > 0 && wasm[at] == 0x70,
        "the first table is not the function table"
    );
    let Some(&(_, export_start, export_end)) = sections.iter().find(|&&(id, _, _)| id == 7) else {
        bail!("the main module exports nothing");
    };
    let mut at = export_start;
    let count = leb(&wasm, &mut at)?;
    let entries = &wasm[at..export_end];
    let name = FUNCTION_TABLE.as_bytes();
    if entries.windows(name.len()).any(|window| window == name) {
        return Ok(wasm);
    }
    let mut contents = Vec::new();
    put_leb(&mut contents, count + 1);
    contents.extend_from_slice(entries);
    put_leb(&mut contents, name.len() as u64);
    contents.extend_from_slice(name);
    contents.push(0x01); // a table
    put_leb(&mut contents, 0);
    let mut out = Vec::with_capacity(wasm.len() + 32);
    out.extend_from_slice(&wasm[..8]);
    for (id, start, end) in sections {
        out.push(id);
        if id == 7 {
            put_leb(&mut out, contents.len() as u64);
            out.extend_from_slice(&contents);
        } else {
            put_leb(&mut out, (end - start) as u64);
            out.extend_from_slice(&wasm[start..end]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(id: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![id];
        put_leb(&mut out, contents.len() as u64);
        out.extend_from_slice(contents);
        out
    }

    #[test]
    fn custom_sections_are_dropped_and_every_other_section_kept_as_it_was() {
        let header = b"\0asm\x01\0\0\0".to_vec();
        let mut name = vec![4];
        name.extend_from_slice(b"name");
        name.extend_from_slice(&[0xAA; 200]);
        let types = section(1, &[1, 0x60, 0, 0]);
        let functions = section(3, &[1, 0]);
        let code = section(10, &[1, 2, 0, 0x0B]);
        let module = [
            header.clone(),
            types.clone(),
            section(CUSTOM, &name),
            functions.clone(),
            code.clone(),
        ]
        .concat();
        let stripped = without_custom_sections(&module).unwrap();
        assert_eq!(stripped, [header, types, functions, code].concat());
        assert!(
            without_custom_sections(b"\0asm\x01\0\0\0\x01\x05\0").is_err(),
            "a section past the end"
        );
        assert!(without_custom_sections(b"not wasm").is_err());
    }
}
