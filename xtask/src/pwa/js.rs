//! Scripts as phones get them: without the comments and indentation that
//! only help people read them (wasm-bindgen's glue is a quarter comments).
//! Lines stay lines, so automatic semicolons and line numbers in a stack
//! trace keep working.

use anyhow::{Context, Result, ensure};

/// `js` without whole-line comments, indentation and empty lines. Refuses
/// a script where a line ends inside a template string or a block comment
/// shares its line with code, since dropping lines could then change it.
pub fn strip_layout(js: &str) -> Result<String> {
    let mut out = String::with_capacity(js.len());
    let mut in_comment = false;
    for line in js.lines() {
        let line = line.trim();
        ensure!(
            line.matches('`').count() % 2 == 0,
            "a template string runs over a line: {line}"
        );
        if in_comment {
            if let Some(end) = line.find("*/") {
                ensure!(
                    line[end + 2..].trim().is_empty(),
                    "code after a block comment: {line}"
                );
                in_comment = false;
            }
            continue;
        }
        if line.starts_with("/*") {
            match line.find("*/") {
                Some(end) => ensure!(
                    line[end + 2..].trim().is_empty(),
                    "code after a block comment: {line}"
                ),
                None => in_comment = true,
            }
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    ensure!(!in_comment, "a block comment runs to the end");
    Ok(out)
}

/// wasm-bindgen's glue without the exported `classes` and their
/// finalization registries. Refuses a glue that names one elsewhere.
pub fn without_classes(glue: &str, classes: &[&str]) -> Result<String> {
    let mut out = String::with_capacity(glue.len());
    let mut lines = glue.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let class = classes.iter().find(|class| {
            trimmed.starts_with(&format!("export class {class} {{"))
                || trimmed.starts_with(&format!("const {class}Finalization = "))
        });
        let Some(class) = class else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        // A class ends with its `Symbol.dispose` line, a registry with `);`.
        let dispose = format!("if (Symbol.dispose) {class}.prototype");
        let is_class = trimmed.starts_with("export class");
        let ends = |line: &str| {
            if is_class {
                line.starts_with(&dispose)
            } else {
                line.trim_end().ends_with(");")
            }
        };
        let mut last = trimmed;
        while !ends(last) {
            last = lines
                .next()
                .with_context(|| format!("the end of {class} in the glue"))?
                .trim_start();
        }
    }
    for class in classes {
        ensure!(!out.contains(class), "the glue still uses {class}");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{strip_layout, without_classes};

    #[test]
    fn an_unused_class_and_its_registry_leave_the_glue() {
        let glue = "export class Keep {\n}\nexport class Drop {\n    free() {\n        wasm.__wbg_drop_free(ptr, 0);\n    }\n}\nif (Symbol.dispose) Drop.prototype[Symbol.dispose] = Drop.prototype.free;\nconst DropFinalization = (typeof FinalizationRegistry === 'undefined')\n    ? { register: () => {}, unregister: () => {} }\n    : new FinalizationRegistry(ptr => wasm.__wbg_drop_free(ptr, 1));\nconst after = 1;\n";
        assert_eq!(
            without_classes(glue, &["Drop"]).unwrap(),
            "export class Keep {\n}\nconst after = 1;\n"
        );
        assert!(without_classes("export class Drop {\n}\nnew Drop();\n", &["Drop"]).is_err());
        assert_eq!(
            without_classes("const a = 1;\n", &["Drop"]).unwrap(),
            "const a = 1;\n"
        );
    }

    #[test]
    fn comments_indentation_and_empty_lines_go_and_code_lines_stay() {
        let js = "import * as a from \"./a.js\"\n\nexport class X {\n    /**\n     * @returns {number}\n     */\n    get n() {\n        // why\n        return `${1} // not a comment`;\n    }\n}\n/* one line */\nconst url = 'http://x';\n";
        assert_eq!(
            strip_layout(js).unwrap(),
            "import * as a from \"./a.js\"\nexport class X {\nget n() {\nreturn `${1} // not a comment`;\n}\n}\nconst url = 'http://x';\n"
        );
    }

    #[test]
    fn a_script_whose_lines_cannot_be_dropped_safely_is_refused() {
        assert!(strip_layout("const s = `a\n  b`;\n").is_err());
        assert!(strip_layout("/* a */ f();\n").is_err());
        assert!(strip_layout("/* a\n */ f();\n").is_err());
        assert!(strip_layout("/* a\n").is_err());
    }
}
