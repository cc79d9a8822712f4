//! The script inside `index.html` that starts the app: at once, the page's
//! first requests for data (with the stored token); after the first paint,
//! every download the first screen needs (the main module, its loader and
//! glue, and on a first visit the page's own module as one pack); then it
//! runs the app and registers the service worker.

use anyhow::{Result, ensure};

#[path = "../../../app/src/first_modules.rs"]
#[cfg_attr(not(test), allow(dead_code))]
mod first_modules;

pub use first_modules::{FIRST_MODULES, FIRST_REQUESTS, SIGNED_IN_MODULES};

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
    let mut asks = Vec::with_capacity(FIRST_REQUESTS.len());
    for (pattern, requests) in FIRST_REQUESTS {
        for request in *requests {
            check_request(pattern, request)?;
        }
        asks.push(serde_json::json!([pattern_regex(pattern)?, requests]));
    }
    let asks = serde_json::to_string(&asks)?;
    let BootUrls {
        glue,
        split_link,
        wasm,
    } = urls;
    let script = format!(
        "const worker = navigator.serviceWorker;\n\
         const boot = document.getElementById('boot');\n\
         // The page's first GETs, asked now: the app takes their answers\n\
         // (early_response in app/src/api/mod.rs) instead of asking again.\n\
         const ASK = {asks};\n\
         const early = self.zhibuEarly = {{}};\n\
         const asked = localStorage.getItem('zhibu.refresh_token')\n\
         \x20 && ASK.find(([pattern]) => new RegExp(pattern).test(location.pathname));\n\
         // Seconds since 1970 when the stored access token expires; 0 if unreadable.\n\
         function expires(token) {{\n\
         \x20 try {{\n\
         \x20   const claims = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');\n\
         \x20   return JSON.parse(atob(claims)).exp || 0;\n\
         \x20 }} catch (_) {{\n\
         \x20   return 0;\n\
         \x20 }}\n\
         }}\n\
         // An access token lives minutes, so a day's first start finds it\n\
         // expired: renewed here, beside the downloads, and stored as the app\n\
         // stores a session. The app waits for this before renewing itself\n\
         // (a refresh token is single-use; using one twice ends the session).\n\
         function session() {{\n\
         \x20 const token = localStorage.getItem('zhibu.access_token');\n\
         \x20 if (token && expires(token) * 1000 > Date.now() + 30000) return Promise.resolve(token);\n\
         \x20 const body = JSON.stringify({{ refresh_token: localStorage.getItem('zhibu.refresh_token') }});\n\
         \x20 return self.zhibuRefresh = fetch('/api/v1/auth/refresh', {{\n\
         \x20   method: 'POST', body, headers: {{ accept: 'application/json', 'content-type': 'application/json' }},\n\
         \x20 }}).then((response) => response.ok ? response.json() : null).then((renewed) => {{\n\
         \x20   if (!renewed) return null;\n\
         \x20   localStorage.setItem('zhibu.access_token', renewed.access_token);\n\
         \x20   localStorage.setItem('zhibu.refresh_token', renewed.refresh_token);\n\
         \x20   localStorage.setItem('zhibu.member', JSON.stringify(renewed.member));\n\
         \x20   return renewed.access_token;\n\
         \x20 }}).catch(() => null);\n\
         }}\n\
         if (asked) {{\n\
         \x20 const token = session();\n\
         \x20 const now = new Date();\n\
         \x20 const two = (n) => String(n).padStart(2, '0');\n\
         \x20 const month = (d) => d.getFullYear() + '-' + two(d.getMonth() + 1);\n\
         \x20 const dates = {{\n\
         \x20   month: month(now),\n\
         \x20   'month+2': month(new Date(now.getFullYear(), now.getMonth() + 2, 1)),\n\
         \x20   january: now.getFullYear() + '-01',\n\
         \x20   today: month(now) + '-' + two(now.getDate()),\n\
         \x20 }};\n\
         \x20 const segments = location.pathname.split('/').filter(Boolean);\n\
         \x20 for (const request of asked[1]) {{\n\
         \x20   const path = '/api/v1' + request.replace(/\\{{([^}}]+)\\}}/g,\n\
         \x20     (_, name) => name in dates ? dates[name] : encodeURIComponent(segments[name - 1]));\n\
         \x20   // As the app's own calls do, it gives up after 20 s; the app then asks itself.\n\
         \x20   const stop = new AbortController();\n\
         \x20   const timer = setTimeout(() => stop.abort(), 20000);\n\
         \x20   const answer = token.then((token) => token && fetch(path, {{\n\
         \x20     headers: {{ accept: 'application/json', authorization: 'Bearer ' + token }}, signal: stop.signal,\n\
         \x20   }})).then((response) => {{ clearTimeout(timer); return response || null; }}, () => null);\n\
         \x20   // Taken once, in a task of its own: an answer already here would\n\
         \x20   // otherwise be drawn in the page's first task and lengthen it.\n\
         \x20   early[path] = () => answer.then((response) => new Promise((resolve) => setTimeout(() => resolve(response))));\n\
         \x20 }}\n\
         }}\n\
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
         \x20     // What the first page did not take would be stale later.\n\
         \x20     setTimeout(() => {{ for (const path in early) delete early[path]; }}, 15000);\n\
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

/// Refuses a request of [`FIRST_REQUESTS`] whose placeholders the boot
/// script cannot fill for pages of `pattern`.
fn check_request(pattern: &str, request: &str) -> Result<()> {
    ensure!(
        request.starts_with('/') && !request.contains("</") && !request.contains('\''),
        "a first request is a path: {request}"
    );
    let segments = pattern.split('/').filter(|s| !s.is_empty()).count();
    let mut rest = request;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            anyhow::bail!("an unclosed placeholder in {request}");
        };
        let name = &rest[start + 1..start + end];
        let known = matches!(name, "month" | "month+2" | "january" | "today")
            || name
                .parse::<usize>()
                .is_ok_and(|n| (1..=segments).contains(&n) && !pattern.contains('*'));
        ensure!(
            known,
            "`{{{name}}}` in {request} is no date and no segment of {pattern}"
        );
        rest = &rest[start + end + 1..];
    }
    Ok(())
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
        assert!(
            boot.contains(r#"["^/review/?$",["/review/pending"]]"#),
            "{boot}"
        );
    }

    #[test]
    fn a_first_request_fills_only_dates_and_the_pages_own_segments() {
        assert!(check_request("/theme-days/:/live", "/theme-days/{2}/checkins").is_ok());
        assert!(check_request("/", "/me/attendance?from={month}&to={month+2}").is_ok());
        assert!(check_request("/", "/x?d={yesterday}").is_err());
        assert!(check_request("/orgs/:", "/orgs/{3}").is_err());
        assert!(check_request("/orgs/*", "/orgs/{1}").is_err());
        assert!(check_request("/", "/me/{month").is_err());
        assert!(check_request("/", "me").is_err());
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
