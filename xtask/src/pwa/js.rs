//! Scripts as phones get them: without the comments and indentation that
//! only help people read them (wasm-bindgen's glue is a quarter comments).
//! Lines stay lines, so automatic semicolons and line numbers in a stack
//! trace keep working.

use anyhow::{Result, ensure};

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

#[cfg(test)]
mod tests {
    use super::strip_layout;

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
