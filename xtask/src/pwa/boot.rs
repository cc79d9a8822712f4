//! The script inside `index.html` that starts the app: after the first
//! paint it starts every download the first screen needs at once (the main
//! module, its loader and glue, and on a first visit the page's own module
//! as one pack), then runs the app and registers the service worker.

use anyhow::{Result, ensure};

#[path = "../../../app/src/first_modules.rs"]
#[cfg_attr(not(test), allow(dead_code))]
mod first_modules;

pub use first_modules::{FIRST_MODULES, SIGNED_IN_MODULES};

/// What the boot script needs to know of the build.
pub struct BootUrls<'a> {
    pub glue: &'a str,
    pub split_link: &'a str,
    pub wasm: &'a str,
}

/// The script, with `packs` giving each module of [`FIRST_MODULES`] its
/// pack URL. Kept free of `</` so it can sit inside `<script>`.
pub fn boot_script(
    urls: &BootUrls<'_>,
    pack_of: impl Fn(&str) -> Option<String>,
) -> Result<String> {
    let mut first = Vec::with_capacity(FIRST_MODULES.len());
    for (pattern, module) in FIRST_MODULES {
        let Some(pack) = pack_of(module) else {
            anyhow::bail!("app/src/first_modules.rs names `{module}`, which has no pack");
        };
        let signed_in = u8::from(SIGNED_IN_MODULES.contains(module));
        first.push(serde_json::json!([
            pattern_regex(pattern)?,
            pack,
            signed_in
        ]));
    }
    let first = serde_json::to_string(&first)?;
    let BootUrls {
        glue,
        split_link,
        wasm,
    } = urls;
    let script = format!(
        "const worker = navigator.serviceWorker;\n\
         const boot = document.getElementById('boot');\n\
         // The module each page shows first: [path pattern, its pack, signed in only].\n\
         const FIRST = {first};\n\
         function hint(rel, href, more) {{\n\
         \x20 const link = document.createElement('link');\n\
         \x20 Object.assign(link, {{ rel, href, crossOrigin: 'anonymous' }}, more);\n\
         \x20 document.head.append(link);\n\
         }}\n\
         function register() {{\n\
         \x20 if (worker) worker.register('/sw.js').catch((error) => console.warn('service worker:', error));\n\
         }}\n\
         let started = false;\n\
         function start() {{\n\
         \x20 if (started) return;\n\
         \x20 started = true;\n\
         \x20 hint('preload', '{wasm}', {{ as: 'fetch', type: 'application/wasm' }});\n\
         \x20 hint('modulepreload', '{split_link}');\n\
         \x20 // Before the service worker serves the chunks, the page's module comes as one pack.\n\
         \x20 if (!(worker && worker.controller)) {{\n\
         \x20   const signedIn = !!localStorage.getItem('zhibu.refresh_token');\n\
         \x20   const page = FIRST.find(([pattern]) => new RegExp(pattern).test(location.pathname));\n\
         \x20   if (page && (signedIn || !page[2])) hint('preload', page[1], {{ as: 'fetch' }});\n\
         \x20 }}\n\
         \x20 import('{glue}').then(({{ default: init }}) => init({{ module_or_path: '{wasm}' }})).then(\n\
         \x20   // After the app's first render, which its start puts in a task of its own.\n\
         \x20   () => setTimeout(() => {{\n\
         \x20     if (boot) boot.remove();\n\
         \x20     // Precaching waits for the first screen's own downloads.\n\
         \x20     if (document.readyState === 'complete') register(); else addEventListener('load', register);\n\
         \x20   }}),\n\
         \x20   (error) => {{\n\
         \x20     console.error(error);\n\
         \x20     if (boot) {{ boot.textContent = '加载失败，请检查网络后刷新页面。'; boot.classList.add('boot-failed'); }}\n\
         \x20   }},\n\
         \x20 );\n\
         }}\n\
         // Downloads start once the shell's first frame is out, so on a slow\n\
         // network the first paint waits for index.html alone. A hidden page\n\
         // gets no frames.\n\
         if (document.visibilityState === 'hidden') start();\n\
         else requestAnimationFrame(() => requestAnimationFrame(start));\n\
         setTimeout(start, 500);\n"
    );
    ensure!(
        !script.contains("</"),
        "the boot script must not contain `</`"
    );
    Ok(script)
}

/// A pattern of [`FIRST_MODULES`] as a JavaScript regular expression over
/// `location.pathname`, matching what `first_module` matches.
fn pattern_regex(pattern: &str) -> Result<String> {
    let segments: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let mut regex = String::from("^");
    for (index, segment) in segments.iter().enumerate() {
        match *segment {
            "*" => {
                ensure!(index + 1 == segments.len(), "`*` ends a pattern: {pattern}");
                regex.push_str("(?:/.*)?");
            }
            ":" => regex.push_str("/[^/]+"),
            literal => {
                ensure!(
                    literal.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                    "a path segment outside [a-z-] in {pattern}"
                );
                regex.push('/');
                regex.push_str(literal);
            }
        }
    }
    regex.push_str("/?$");
    Ok(regex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> BootUrls<'static> {
        BootUrls {
            glue: "/assets/zhibu_app-0123.js",
            split_link: "/assets/split-cdef.js",
            wasm: "/assets/zhibu_app_bg-4567.wasm",
        }
    }

    #[test]
    fn the_boot_script_starts_the_glue_with_the_wasm_and_names_every_pages_pack() {
        let boot = boot_script(&urls(), |module| {
            Some(format!("/assets/pack_{module}_1-89ab.bin"))
        })
        .unwrap();
        assert!(boot.contains(
            "import('/assets/zhibu_app-0123.js').then(({ default: init }) => init({ module_or_path: '/assets/zhibu_app_bg-4567.wasm' }))"
        ));
        assert!(boot.contains("hint('modulepreload', '/assets/split-cdef.js')"));
        assert!(
            boot.contains(r#"["^/?$","/assets/pack_signed_in_home_1-89ab.bin",1]"#),
            "{boot}"
        );
        assert!(
            boot.contains(r#"["^/login/?$","/assets/pack_login_page_1-89ab.bin",0]"#),
            "{boot}"
        );
        assert!(boot.contains("register('/sw.js')"));
    }

    #[test]
    fn a_module_without_a_pack_fails_the_build() {
        let error = boot_script(&urls(), |module| {
            (module != "review_pages").then(|| format!("/assets/pack_{module}.bin"))
        })
        .expect_err("review_pages has no pack");
        assert!(error.to_string().contains("review_pages"), "{error}");
    }

    #[test]
    fn each_pattern_becomes_a_regular_expression_of_the_same_paths() {
        let cases = [
            ("/", "^/?$"),
            ("/checkin", "^/checkin/?$"),
            ("/checkin/*", "^/checkin(?:/.*)?/?$"),
            ("/orgs/:/meetings/*", "^/orgs/[^/]+/meetings(?:/.*)?/?$"),
        ];
        for (pattern, regex) in cases {
            assert_eq!(pattern_regex(pattern).unwrap(), regex);
        }
        assert!(pattern_regex("/Orgs").is_err());
        assert!(pattern_regex("/orgs/*/x").is_err());
    }

    /// The boot script picks by these expressions, the app by its matcher.
    #[test]
    fn the_boot_script_and_the_app_pick_the_same_module_for_every_page() {
        let table: Vec<(regex::Regex, &str)> = FIRST_MODULES
            .iter()
            .map(|(pattern, module)| {
                (
                    regex::Regex::new(&pattern_regex(pattern).unwrap()).unwrap(),
                    *module,
                )
            })
            .collect();
        let paths = [
            "/",
            "/checkin",
            "/checkin/7",
            "/service",
            "/me",
            "/me/",
            "/me/community",
            "/login",
            "/attendance",
            "/theme-days/3/live",
            "/notifications",
            "/certificates/ZB-1",
            "/verify/ZB-1",
            "/members/9",
            "/orgs",
            "/orgs/2",
            "/orgs/2/hours",
            "/orgs/2/meetings",
            "/orgs/2/meetings/5",
            "/orgs/2/problems",
            "/orgs/2/governance",
            "/inspections",
            "/inspections/4",
            "/review",
            "/admin",
            "/admin/roster",
            "/admin/audit",
            "/nope",
            "/checking",
            "/service/x",
        ];
        for path in paths {
            let by_regex = table
                .iter()
                .find(|(regex, _)| regex.is_match(path))
                .map(|(_, m)| *m);
            assert_eq!(by_regex, first_modules::first_module(path), "{path}");
        }
    }
}
