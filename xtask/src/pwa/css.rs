//! The stylesheet as phones get it: without comments and the whitespace
//! that only helps people read it. `index.html` carries it inline, so every
//! byte is on the first screen's path.

/// `css` without comments and with whitespace cut to what separates words.
/// Strings are kept as written.
pub fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    // A space seen but not yet written: it is dropped next to punctuation.
    let mut space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = '\0';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                space = true;
            }
            '"' | '\'' => {
                flush_space(&mut out, &mut space);
                out.push(c);
                let mut escaped = false;
                for inner in chars.by_ref() {
                    out.push(inner);
                    if escaped {
                        escaped = false;
                    } else if inner == '\\' {
                        escaped = true;
                    } else if inner == c {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => space = true,
            // Punctuation around which a space never matters. A colon is
            // not among them: `a :hover` and `a:hover` differ.
            '{' | '}' | ';' | ',' | '>' => {
                space = false;
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
                skip_whitespace(&mut chars);
            }
            ':' => {
                flush_space(&mut out, &mut space);
                out.push(c);
                // Inside a block a colon ends a property name; in a selector
                // a space after it would not be valid anyway.
                skip_whitespace(&mut chars);
            }
            c => {
                flush_space(&mut out, &mut space);
                out.push(c);
            }
        }
    }
    out
}

/// Writes the space seen before the next character, unless punctuation or
/// the start makes it needless.
fn flush_space(out: &mut String, space: &mut bool) {
    let after_punctuation = out.ends_with(['{', '}', ';', ',', '>', ':']) || out.is_empty();
    if *space && !after_punctuation {
        out.push(' ');
    }
    *space = false;
}

fn skip_whitespace(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.peek().is_some_and(|c| c.is_whitespace()) {
        chars.next();
    }
}

#[cfg(test)]
mod tests {
    use super::minify;

    #[test]
    fn comments_and_layout_whitespace_go_and_the_rules_stay() {
        let css = "/* head\n * more */\n:root {\n  --red: #c8102e;\n}\n\n*,\n*::before {\n  box-sizing: border-box; /* why */\n}\n@media (prefers-reduced-motion: reduce) {\n  .a > .b { margin: 0 auto; }\n}\n";
        assert_eq!(
            minify(css),
            ":root{--red:#c8102e}*,*::before{box-sizing:border-box}@media (prefers-reduced-motion:reduce){.a>.b{margin:0 auto}}"
        );
    }

    #[test]
    fn a_descendant_pseudo_class_and_strings_are_kept_as_written() {
        let css = ".x :focus { content: \"a  /* b */ ;\"; font-family: \"PingFang SC\", sans-serif; }\n.tab[aria-current=\"page\"] { color: red }";
        assert_eq!(
            minify(css),
            ".x :focus{content:\"a  /* b */ ;\";font-family:\"PingFang SC\",sans-serif}.tab[aria-current=\"page\"]{color:red}"
        );
    }
}
