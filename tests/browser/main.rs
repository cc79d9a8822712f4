//! Browser tests of the PWA shell: Debian's Chromium, headless, at 360 × 640,
//! against the real server serving the built `dist/`.
//!
//! Build the app first: `cargo xtask build-app`. `ZHIBU_TEST_PUBLIC_DIR`
//! points at another build; `ZHIBU_CHROMIUM` at another browser binary.

use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::network::{
    self, EmulateNetworkConditionsByRuleParams, NetworkConditions, OverrideNetworkStateParams,
};
use chromiumoxide::cdp::browser_protocol::page::GetAppManifestParams;
use chromiumoxide::cdp::browser_protocol::target::SetAutoAttachParams;
use chromiumoxide::handler::viewport::Viewport;
use chromiumoxide::page::Page;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use zhibu_server::config::Settings;
use zhibu_tests::{TestApp, spawn_app_with};

const WIDTH: u32 = 360;
const HEIGHT: u32 = 640;
/// Generous for a 2-core CI machine compiling wasm in parallel; polling ends
/// as soon as the condition holds.
const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);

const TABS_ZH: [&str; 4] = ["首页", "打卡", "志愿", "我的"];

/// The demo county's logins (docs/api.md, "Demo mode").
const DEMO_PASSWORD: &str = "demo1234";
const DEMO_ADMIN: &str = "13800000000";
const DEMO_SECRETARY: &str = "13800000001";
const DEMO_MEMBER: &str = "13800000002";

/// One Chromium at a time: the machines have two cores, and parallel
/// browsers only trade speed for flaky timeouts.
static BROWSER_SLOT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("ZHIBU_TEST_PUBLIC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist"));
    assert!(
        dir.join("index.html").is_file(),
        "{} has no index.html: build the PWA first with `cargo xtask build-app` \
         (or point ZHIBU_TEST_PUBLIC_DIR at a build)",
        dir.display()
    );
    dir
}

fn chromium_path() -> PathBuf {
    let path = std::env::var_os("ZHIBU_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "{} not found: install Chromium (`apt-get install -y chromium`) or set ZHIBU_CHROMIUM",
        path.display()
    );
    path
}

/// A server, a headless Chromium with a fresh profile, and one page.
struct Shell {
    app: TestApp,
    browser: Browser,
    page: Page,
    handler: tokio::task::JoinHandle<()>,
    profile_dir: PathBuf,
    _slot: tokio::sync::MutexGuard<'static, ()>,
}

impl Shell {
    async fn launch() -> Shell {
        Shell::launch_with(|_| {}).await
    }

    /// Launches against a server whose settings `configure` adjusted.
    async fn launch_with(configure: impl FnOnce(&mut Settings)) -> Shell {
        let slot = BROWSER_SLOT.lock().await;
        let dist = dist_dir();
        let app = spawn_app_with(|settings| {
            settings.public_dir = dist;
            configure(settings);
        })
        .await;
        let profile_dir =
            std::env::temp_dir().join(format!("zhibu-chromium-{}", uuid::Uuid::new_v4().simple()));
        let config = BrowserConfig::builder()
            .chrome_executable(chromium_path())
            .new_headless_mode()
            .no_sandbox()
            .user_data_dir(&profile_dir)
            .window_size(WIDTH, HEIGHT)
            .viewport(Viewport {
                width: WIDTH,
                height: HEIGHT,
                device_scale_factor: Some(2.0),
                emulating_mobile: true,
                is_landscape: false,
                has_touch: true,
            })
            .args([
                "disable-gpu",
                "disable-quic",
                "no-first-run",
                "disable-background-networking",
                "disable-component-update",
                "disable-sync",
            ])
            .build()
            .expect("a Chromium configuration");
        let (browser, mut events) = Browser::launch(config).await.expect("Chromium starts");
        // The handler drives the DevTools connection; it ends when Chromium closes.
        let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
        let page = browser.new_page("about:blank").await.expect("a new tab");
        // chromiumoxide auto-attaches to new targets paused until a debugger
        // resumes them, and does not always resume service workers, which
        // then time out while starting. Nothing here needs to attach to them.
        page.execute(
            SetAutoAttachParams::builder()
                .auto_attach(false)
                .wait_for_debugger_on_start(false)
                .flatten(true)
                .build()
                .expect("auto-attach parameters"),
        )
        .await
        .expect("Target.setAutoAttach");
        // Records CSP violations from the first byte of every document.
        page.evaluate_on_new_document(
            "window.__cspViolations = [];\n\
             addEventListener('securitypolicyviolation', (e) =>\n\
               window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
        )
        .await
        .expect("an init script");
        Shell {
            app,
            browser,
            page,
            handler,
            profile_dir,
            _slot: slot,
        }
    }

    async fn open(&self, path: &str) {
        self.open_url(&self.app.url(path)).await;
    }

    async fn open_url(&self, url: &str) {
        self.page
            .goto(url)
            .await
            .unwrap_or_else(|error| panic!("opening {url}: {error}"));
        self.wait_for_shell().await;
    }

    /// Waits until the wasm has mounted: four tabs and no boot screen.
    async fn wait_for_shell(&self) {
        self.wait_until(
            "the app shell with four tabs",
            "document.querySelectorAll('.tabbar .tab').length === 4 && !document.getElementById('boot')",
        )
        .await;
    }

    /// Evaluates `expression` in the page.
    async fn eval<T: DeserializeOwned>(&self, expression: &str) -> T {
        self.try_eval(expression)
            .await
            .unwrap_or_else(|error| panic!("evaluating `{expression}`: {error}"))
    }

    async fn try_eval<T: DeserializeOwned>(&self, expression: &str) -> Result<T, String> {
        let result = self
            .page
            .evaluate(expression)
            .await
            .map_err(|error| error.to_string())?;
        // DevTools sends no value for `null` and `undefined`.
        let value = result.value().cloned().unwrap_or(Value::Null);
        serde_json::from_value(value).map_err(|error| error.to_string())
    }

    /// Polls a JavaScript condition until it is true.
    async fn wait_until(&self, what: &str, condition: &str) {
        self.wait_for_value(what, &format!("({condition}) ? true : null"))
            .await;
    }

    /// Polls `expression` (a value or a promise) until it gives something
    /// other than `null`.
    async fn wait_for_value(&self, what: &str, expression: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        // A promise that never settles must not hold a poll for DevTools'
        // 30 s request timeout.
        let bounded = format!(
            "Promise.race([Promise.resolve().then(() => ({expression})), \
               new Promise((resolve) => setTimeout(() => resolve(null), 1000))]) \
             .then((value) => value === undefined || value === null ? 'not yet' : {{ value }})"
        );
        let mut last;
        loop {
            // Navigations destroy the context mid-poll; that is "not yet".
            match self.try_eval::<Value>(&bounded).await {
                Ok(Value::Object(mut found)) => return found.remove("value").unwrap_or_default(),
                Ok(other) => last = other.to_string(),
                Err(error) => last = error,
            }
            if Instant::now() > deadline {
                let body: String = self
                    .try_eval("document.body ? document.body.innerText : ''")
                    .await
                    .unwrap_or_default();
                let worker: String = self
                    .try_eval(
                        "navigator.serviceWorker ? navigator.serviceWorker.getRegistration().then((r) => \
                           JSON.stringify(r && { installing: r.installing && r.installing.state, \
                             waiting: r.waiting && r.waiting.state, active: r.active && r.active.state, \
                             controlled: !!navigator.serviceWorker.controller })) : 'unavailable'",
                    )
                    .await
                    .unwrap_or_else(|_| "unknown".into());
                panic!(
                    "timed out waiting for {what} (last: {last}); service worker: {worker}; page text:\n{body}"
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn path(&self) -> String {
        self.eval("location.pathname").await
    }

    async fn tab_labels(&self) -> Vec<String> {
        self.eval(
            "[...document.querySelectorAll('.tabbar .tab')].map((tab) => tab.innerText.trim())",
        )
        .await
    }

    async fn title(&self) -> String {
        self.eval("document.querySelector('.topbar-title').innerText")
            .await
    }

    /// Waits until `selector` matches: pages in lazily loaded chunks render
    /// a moment after the shell.
    async fn wait_for(&self, selector: &str) {
        self.wait_until(
            &format!("an element matching {selector}"),
            &format!("!!document.querySelector({selector:?})"),
        )
        .await;
    }

    /// Taps an element the way a finger would: DevTools input at its centre.
    async fn tap(&self, selector: &str) {
        self.wait_for(selector).await;
        let element = self
            .page
            .find_element(selector)
            .await
            .unwrap_or_else(|error| panic!("finding {selector}: {error}"));
        element
            .click()
            .await
            .unwrap_or_else(|error| panic!("tapping {selector}: {error}"));
    }

    /// Taps a field and types into it with key events.
    async fn type_into(&self, selector: &str, text: &str) {
        self.wait_for(selector).await;
        let element = self
            .page
            .find_element(selector)
            .await
            .unwrap_or_else(|error| panic!("finding {selector}: {error}"));
        element
            .click()
            .await
            .unwrap_or_else(|error| panic!("tapping {selector}: {error}"));
        element
            .type_str(text)
            .await
            .unwrap_or_else(|error| panic!("typing into {selector}: {error}"));
    }

    /// Signs in through the login page as a demo member and waits until the
    /// app has moved on to `next`.
    async fn sign_in(&self, phone: &str, next: &str) {
        self.open(&format!("/login?next={next}")).await;
        self.type_into("input[name=phone]", phone).await;
        self.type_into("input[name=password]", DEMO_PASSWORD).await;
        self.tap("form button[type=submit]").await;
        self.wait_until(
            &format!("{phone} signed in at {next}"),
            &format!(
                "location.pathname === '{next}' && !!localStorage.getItem('zhibu.access_token')"
            ),
        )
        .await;
    }

    /// Forgets the signed-in member in the browser.
    async fn sign_out_locally(&self) {
        self.eval::<bool>("(localStorage.clear(), true)").await;
    }

    /// Waits until `main` shows `text`.
    async fn wait_for_text(&self, text: &str) {
        self.wait_until(
            &format!("the text {text:?}"),
            &format!("document.querySelector('main').innerText.includes({text:?})"),
        )
        .await;
    }

    /// Gives the element matched by `selector` whose text contains `text`
    /// the id `id`, so it can be tapped.
    async fn mark(&self, selector: &str, text: &str, id: &str) {
        self.wait_until(
            &format!("{selector} containing {text:?}"),
            &format!(
                "(() => {{ const e = [...document.querySelectorAll({selector:?})].find((e) => e.innerText.includes({text:?}));                    if (e) e.id = {id:?}; return !!e; }})()"
            ),
        )
        .await;
    }

    /// Cuts the phone's network: the relay hangs up and the page is told it
    /// is offline (`navigator.onLine` too), as Android does.
    async fn go_offline(&self, relay: &Relay) {
        relay.go_offline();
        self.page
            .execute(network::EnableParams::default())
            .await
            .expect("Network.enable");
        self.emulate_network(true).await;
    }

    /// Gives the network back; the browser fires `online`.
    async fn go_online(&self, relay: &Relay) {
        relay.go_online();
        self.emulate_network(false).await;
    }

    async fn emulate_network(&self, offline: bool) {
        self.page
            .execute(EmulateNetworkConditionsByRuleParams::new(
                offline,
                vec![NetworkConditions::new("", 0, -1, -1)],
            ))
            .await
            .expect("Network.emulateNetworkConditionsByRule");
        self.page
            .execute(OverrideNetworkStateParams::new(offline, 0, -1, -1))
            .await
            .expect("Network.overrideNetworkState");
    }

    /// Signs in through the API, for the test's own requests.
    async fn api_token(&self, phone: &str) -> String {
        let session: Value = self
            .app
            .client
            .post(self.app.api("/auth/login"))
            .json(&json!({ "phone": phone, "password": DEMO_PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        session["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no session for {phone}: {session}"))
            .to_owned()
    }

    async fn api_get(&self, token: &str, path: &str) -> Value {
        let response = self
            .app
            .client
            .get(self.app.api(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    async fn local_storage(&self, key: &str) -> Option<String> {
        self.eval(&format!("localStorage.getItem('{key}')")).await
    }

    async fn assert_no_csp_violations(&self) {
        let violations: Vec<String> = self.eval("window.__cspViolations || []").await;
        assert!(violations.is_empty(), "CSP violations: {violations:?}");
    }

    /// Waits until a service worker controls the page, which means the
    /// precache is complete (install waits for it).
    async fn wait_for_service_worker(&self) {
        self.wait_until(
            "a service worker controlling the page",
            "navigator.serviceWorker && navigator.serviceWorker.controller !== null",
        )
        .await;
    }

    /// Closes Chromium and waits for it; a failed test skips this and
    /// relies on the child being killed on drop.
    async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
        let _ = (&mut self.handler).await;
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

#[tokio::test]
async fn the_shell_renders_in_chinese_at_phone_width() {
    let shell = Shell::launch().await;
    shell.open("/").await;

    assert_eq!(shell.tab_labels().await, TABS_ZH);
    assert_eq!(
        shell.eval::<String>("document.documentElement.lang").await,
        "zh-CN"
    );
    assert_eq!(shell.title().await, "支部");
    assert_eq!(shell.eval::<String>("document.title").await, "支部");
    let text: String = shell.eval("document.querySelector('main').innerText").await;
    assert!(text.contains("暂无主题党日安排"), "home page text: {text}");

    assert_eq!(shell.eval::<u32>("innerWidth").await, WIDTH);
    let overflow: bool = shell
        .eval("document.documentElement.scrollWidth > innerWidth")
        .await;
    assert!(!overflow, "the page scrolls sideways at {WIDTH} px");

    // Every tab is a comfortable touch target, and the bar sits at the bottom.
    let tabs: Vec<Value> = shell
        .eval(
            "[...document.querySelectorAll('.tabbar .tab')].map((tab) => { \
               const r = tab.getBoundingClientRect(); \
               return { width: r.width, height: r.height, current: tab.getAttribute('aria-current') }; })",
        )
        .await;
    for tab in &tabs {
        assert!(
            tab["width"].as_f64().unwrap() >= 44.0,
            "a tab narrower than 44 px: {tab}"
        );
        assert!(
            tab["height"].as_f64().unwrap() >= 44.0,
            "a tab lower than 44 px: {tab}"
        );
    }
    let current: Vec<&Value> = tabs.iter().map(|tab| &tab["current"]).collect();
    assert_eq!(
        current,
        [&json!("page"), &Value::Null, &Value::Null, &Value::Null]
    );
    let bar_bottom: f64 = shell
        .eval("document.querySelector('.tabbar').getBoundingClientRect().bottom")
        .await;
    assert_eq!(
        bar_bottom,
        f64::from(HEIGHT),
        "the tab bar is not at the bottom of the screen"
    );

    // The primary colour is the party red from the stylesheet.
    let bar_colour: String = shell
        .eval("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
        .await;
    assert_eq!(bar_colour, "rgb(200, 16, 46)");

    // No violations means something only while the server sends the policy.
    let csp: String = shell
        .eval("fetch('/').then((r) => r.headers.get('content-security-policy') || '')")
        .await;
    assert!(
        csp.contains("script-src 'self'") && csp.contains("style-src 'self'"),
        "CSP: {csp}"
    );
    shell.assert_no_csp_violations().await;
    shell.close().await;
}

#[tokio::test]
async fn the_tab_bar_navigates_between_tabs() {
    let shell = Shell::launch().await;
    shell.open("/").await;
    // Survives only client-side navigation: a full reload would drop it.
    shell.eval::<bool>("(window.__sameDocument = true)").await;

    let steps = [
        ("/checkin", "活动打卡", "暂无可签到的活动"),
        ("/service", "志愿服务", "暂无志愿服务记录"),
        ("/me", "我的", "尚未登录"),
        ("/", "支部", "暂无主题党日安排"),
    ];
    for (path, title, text) in steps {
        shell.tap(&format!(".tabbar a[href='{path}']")).await;
        shell
            .wait_until(
                &format!("the page {path}"),
                &format!("location.pathname === '{path}'"),
            )
            .await;
        shell
            .wait_until(
                &format!("the title {title}"),
                &format!("document.querySelector('.topbar-title').innerText === '{title}'"),
            )
            .await;
        let main: String = shell.eval("document.querySelector('main').innerText").await;
        assert!(main.contains(text), "{path} shows: {main}");
        let current: Vec<Option<String>> = shell
            .eval("[...document.querySelectorAll('.tabbar .tab')].map((tab) => tab.getAttribute('aria-current'))")
            .await;
        let active: Vec<usize> = current
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_some())
            .map(|(i, _)| i)
            .collect();
        let expected = ["/", "/checkin", "/service", "/me"]
            .iter()
            .position(|p| *p == path)
            .unwrap();
        assert_eq!(active, [expected], "active tab on {path}: {current:?}");
        assert_eq!(
            shell.eval::<String>("document.title").await,
            if path == "/" {
                "支部".to_owned()
            } else {
                format!("{title} · 支部")
            }
        );
    }
    assert!(
        shell.eval::<bool>("window.__sameDocument === true").await,
        "a tab reloaded the page"
    );

    // 我的 → 登录 leads to the login form.
    shell.tap(".tabbar a[href='/me']").await;
    shell
        .wait_until(
            "the login button",
            "!!document.querySelector(\"main a[href='/login']\")",
        )
        .await;
    shell.tap("main a[href='/login']").await;
    shell
        .wait_until(
            "the login form",
            "!!document.querySelector('input[name=phone]')",
        )
        .await;
    assert_eq!(shell.path().await, "/login");
    assert_eq!(shell.title().await, "登录");

    // An unknown path renders the not-found page inside the shell (routed
    // in the lazily loaded chunk of the less used pages).
    shell.open("/no-such-page").await;
    shell
        .wait_until(
            "the not-found page",
            "document.querySelector('.topbar-title').innerText === '页面不存在'",
        )
        .await;
    assert_eq!(shell.tab_labels().await, TABS_ZH);

    shell.assert_no_csp_violations().await;
    shell.close().await;
}

#[tokio::test]
async fn the_service_worker_registers_and_the_manifest_parses() {
    let shell = Shell::launch().await;
    shell.open("/").await;

    let registration = shell
        .wait_for_value(
            "an active service worker",
            "navigator.serviceWorker.ready.then((r) => r.active \
               ? { state: r.active.state, script: r.active.scriptURL, scope: r.scope } : null)",
        )
        .await;
    assert_eq!(registration["script"], json!(shell.app.url("/sw.js")));
    assert_eq!(registration["scope"], json!(shell.app.url("/")));
    shell.wait_for_service_worker().await;

    // The cache is named after this build and holds the shell.
    let report: Value =
        serde_json::from_slice(&std::fs::read(dist_dir().join("build-report.json")).unwrap())
            .unwrap();
    let build_hash = report["build_hash"]
        .as_str()
        .expect("the report names the build");
    let caches: Vec<String> = shell.eval("caches.keys()").await;
    assert_eq!(caches, [format!("zhibu-{build_hash}")]);
    let cached: Vec<String> = shell
        .eval(&format!(
            "caches.open('zhibu-{build_hash}').then((c) => c.keys()).then((requests) => \
               requests.map((r) => new URL(r.url).pathname))"
        ))
        .await;
    for path in [
        "/index.html",
        "/offline.html",
        "/manifest.webmanifest",
        "/icons/icon-192.png",
        "/icons/icon-512.png",
    ] {
        assert!(
            cached.iter().any(|cached| cached == path),
            "{path} is not precached: {cached:?}"
        );
    }
    for prefix in [
        "/assets/zhibu_app-",
        "/assets/zhibu_app_bg-",
        "/assets/app-",
        "/assets/boot-",
    ] {
        assert!(
            cached.iter().any(|cached| cached.starts_with(prefix)),
            "no {prefix}* precached: {cached:?}"
        );
    }
    assert!(
        !cached.iter().any(|cached| cached.starts_with("/api/")),
        "API answers cached: {cached:?}"
    );

    // Chromium's own manifest parser accepts it.
    let manifest = shell
        .page
        .execute(GetAppManifestParams::default())
        .await
        .expect("Page.getAppManifest");
    assert_eq!(manifest.url, shell.app.url("/manifest.webmanifest"));
    assert!(
        manifest.errors.is_empty(),
        "manifest errors: {:?}",
        manifest.errors
    );
    let data: Value =
        serde_json::from_str(manifest.data.as_deref().expect("manifest data")).unwrap();
    assert_eq!(data["name"], "支部");
    assert_eq!(data["short_name"], "支部");
    assert_eq!(data["lang"], "zh-CN");
    assert_eq!(data["start_url"], "/");
    assert_eq!(data["scope"], "/");
    assert_eq!(data["display"], "standalone");
    let icons = data["icons"].as_array().expect("icons");
    for (sizes, purpose) in [
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    ] {
        assert!(
            icons
                .iter()
                .any(|icon| icon["sizes"] == sizes && icon["purpose"] == purpose),
            "no {purpose} {sizes} icon in {icons:?}"
        );
    }

    // Each icon decodes to the size it claims.
    for icon in icons {
        let src = icon["src"].as_str().unwrap();
        let size: String = shell
            .eval(&format!(
                "fetch('{src}').then((r) => r.blob()).then(createImageBitmap).then((b) => b.width + 'x' + b.height)"
            ))
            .await;
        assert_eq!(size, icon["sizes"].as_str().unwrap(), "{src}");
    }

    shell.assert_no_csp_violations().await;
    shell.close().await;
}

#[tokio::test]
async fn after_going_offline_a_reload_still_shows_the_shell() {
    let shell = Shell::launch().await;
    // The relay plays the phone's network: cutting it makes the server truly
    // unreachable, for the service worker's fetches too.
    let relay = Relay::start(shell.app.port);
    let origin = format!("http://127.0.0.1:{}", relay.port);
    shell.open_url(&format!("{origin}/")).await;
    shell.wait_for_service_worker().await;

    relay.go_offline();
    // Also take the page itself offline, `navigator.onLine` included, as
    // Android does when the signal goes.
    shell
        .page
        .execute(network::EnableParams::default())
        .await
        .expect("Network.enable");
    shell
        .page
        .execute(EmulateNetworkConditionsByRuleParams::new(
            true,
            vec![NetworkConditions::new("", 0, -1, -1)],
        ))
        .await
        .expect("Network.emulateNetworkConditionsByRule");
    shell
        .page
        .execute(OverrideNetworkStateParams::new(true, 0, -1, -1))
        .await
        .expect("Network.overrideNetworkState");
    let api_reachable: bool = shell
        .eval("fetch('/api/v1/healthz').then(() => true, () => false)")
        .await;
    assert!(
        !api_reachable,
        "the API still answers: the test is not offline"
    );

    shell.page.reload().await.expect("reload");
    shell.wait_for_shell().await;
    assert_eq!(shell.tab_labels().await, TABS_ZH);
    assert!(!shell.eval::<bool>("navigator.onLine").await);
    let text: String = shell.eval("document.querySelector('main').innerText").await;
    assert!(
        text.contains("暂无主题党日安排"),
        "offline home page text: {text}"
    );

    // Deep links open offline too, and the tabs still work.
    shell.open_url(&format!("{origin}/service")).await;
    assert_eq!(shell.title().await, "志愿服务");
    shell.tap(".tabbar a[href='/me']").await;
    shell
        .wait_until("the 我的 page", "location.pathname === '/me'")
        .await;
    shell
        .wait_until(
            "the guest card",
            "document.querySelector('main').innerText.includes('尚未登录')",
        )
        .await;

    shell.assert_no_csp_violations().await;
    drop(relay);
    shell.close().await;
}

#[tokio::test]
async fn the_language_switch_turns_the_ui_english_and_remembers_it() {
    let shell = Shell::launch().await;
    shell.open("/me").await;
    shell
        .wait_until(
            "the language switch",
            "!!document.querySelector('.segmented-option[lang=en]')",
        )
        .await;
    assert_eq!(
        shell.eval::<String>("document.querySelector('.segmented-option[lang=zh-CN]').getAttribute('aria-pressed')").await,
        "true"
    );

    shell.tap(".segmented-option[lang=en]").await;
    shell
        .wait_until(
            "English tabs",
            "document.querySelector('.tabbar .tab').innerText.trim() === 'Home'",
        )
        .await;
    assert_eq!(
        shell.tab_labels().await,
        ["Home", "Check in", "Service", "Me"]
    );
    assert_eq!(
        shell.eval::<String>("document.documentElement.lang").await,
        "en"
    );
    assert_eq!(shell.title().await, "Me");
    assert_eq!(shell.eval::<String>("document.title").await, "Me · Zhibu");

    // The choice survives a reload.
    shell.page.reload().await.expect("reload");
    shell.wait_for_shell().await;
    assert_eq!(
        shell.tab_labels().await,
        ["Home", "Check in", "Service", "Me"]
    );
    assert_eq!(
        shell.eval::<String>("document.documentElement.lang").await,
        "en"
    );

    shell.tap(".segmented-option[lang=zh-CN]").await;
    shell
        .wait_until(
            "Chinese tabs",
            "document.querySelector('.tabbar .tab').innerText.trim() === '首页'",
        )
        .await;
    assert_eq!(
        shell.eval::<String>("document.documentElement.lang").await,
        "zh-CN"
    );

    shell.assert_no_csp_violations().await;
    shell.close().await;
}

#[tokio::test]
async fn the_login_form_checks_its_fields_and_shows_the_servers_refusal() {
    let shell = Shell::launch().await;
    shell.open("/login").await;

    // Empty fields never reach the server.
    shell.tap("form button[type=submit]").await;
    shell
        .wait_until(
            "the missing-fields message",
            "!!document.querySelector('.form-error')",
        )
        .await;
    assert_eq!(
        shell
            .eval::<String>("document.querySelector('.form-error').innerText")
            .await,
        "请输入手机号和密码"
    );

    // A wrong password shows the server's own (Chinese) reason and stores nothing.
    shell.type_into("input[name=phone]", "13900000000").await;
    shell
        .type_into("input[name=password]", "wrong-password")
        .await;
    shell.tap("form button[type=submit]").await;
    let message = shell
        .wait_for_value(
            "the server's refusal",
            "(() => { const e = document.querySelector('.form-error'); \
               return e && e.innerText !== '请输入手机号和密码' ? e.innerText : null; })()",
        )
        .await;
    let message = message.as_str().unwrap();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "the refusal is not in Chinese: {message}"
    );
    assert_eq!(shell.path().await, "/login");
    assert!(
        shell
            .eval::<bool>("localStorage.getItem('zhibu.access_token') === null")
            .await
    );
    assert_eq!(
        shell
            .eval::<String>("document.querySelector('.form-error').getAttribute('role')")
            .await,
        "alert"
    );

    shell.assert_no_csp_violations().await;
    shell.close().await;
}

/// A TCP relay in front of the test server that can lose the network.
struct Relay {
    port: u16,
    online: Arc<AtomicBool>,
    stopping: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
    accept: Option<thread::JoinHandle<()>>,
}

impl Relay {
    fn start(upstream: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a relay port");
        let port = listener.local_addr().unwrap().port();
        let online = Arc::new(AtomicBool::new(true));
        let stopping = Arc::new(AtomicBool::new(false));
        let streams = Arc::new(Mutex::new(Vec::new()));
        let accept = thread::spawn({
            let (online, stopping, streams) = (online.clone(), stopping.clone(), streams.clone());
            move || {
                for inbound in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(inbound) = inbound else { continue };
                    // Offline: accept and hang up, so every request fails at once.
                    if !online.load(Ordering::SeqCst) {
                        let _ = inbound.shutdown(Shutdown::Both);
                        continue;
                    }
                    let Ok(outbound) = TcpStream::connect(("127.0.0.1", upstream)) else {
                        continue;
                    };
                    let (Ok(inbound_copy), Ok(outbound_copy)) =
                        (inbound.try_clone(), outbound.try_clone())
                    else {
                        continue;
                    };
                    streams
                        .lock()
                        .unwrap()
                        .extend([inbound_copy, outbound_copy]);
                    pipe(&inbound, &outbound);
                    pipe(&outbound, &inbound);
                }
            }
        });
        Relay {
            port,
            online,
            stopping,
            streams,
            accept: Some(accept),
        }
    }

    /// Relays new connections again.
    fn go_online(&self) {
        self.online.store(true, Ordering::SeqCst);
    }

    /// Drops every open connection and hangs up on new ones.
    fn go_offline(&self) {
        self.online.store(false, Ordering::SeqCst);
        for stream in self.streams.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.go_offline();
        self.stopping.store(true, Ordering::SeqCst);
        // One last connection wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Copies one direction of a connection on its own thread.
fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    thread::spawn(move || {
        let _ = io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Write);
    });
}

#[tokio::test]
async fn signing_in_shows_the_member_renews_an_expired_token_once_and_signs_out() {
    // Demo mode seeds the county with its documented logins.
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    shell.open("/login").await;
    shell.type_into("input[name=phone]", "13800000002").await;
    shell.type_into("input[name=password]", "demo1234").await;
    shell.tap("form button[type=submit]").await;
    shell
        .wait_until("the 我的 page", "location.pathname === '/me'")
        .await;
    shell
        .wait_until("the profile", "!!document.querySelector('.profile-name')")
        .await;

    // The page shows the member the server knows for this session.
    let access = shell
        .local_storage("zhibu.access_token")
        .await
        .expect("an access token");
    let refresh = shell
        .local_storage("zhibu.refresh_token")
        .await
        .expect("a refresh token");
    let me: Value = shell
        .app
        .client
        .get(shell.app.api("/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let name: String = shell
        .eval("document.querySelector('.profile-name').innerText")
        .await;
    assert_eq!(name, me["name"].as_str().unwrap());
    let main: String = shell.eval("document.querySelector('main').innerText").await;
    assert!(
        main.contains(me["branch"]["name"].as_str().unwrap()),
        "{main}"
    );
    assert!(
        main.contains(me["phone_masked"].as_str().unwrap()),
        "{main}"
    );

    // An access token the server refuses is renewed with one refresh, and
    // the request is retried: the member stays signed in.
    shell
        .eval::<bool>("(localStorage.setItem('zhibu.access_token', 'expired'), true)")
        .await;
    shell.tap(".tabbar a[href='/']").await;
    shell
        .wait_until("the home page", "location.pathname === '/'")
        .await;
    shell.tap(".tabbar a[href='/me']").await;
    shell
        .wait_until(
            "a renewed access token",
            "(localStorage.getItem('zhibu.access_token') || 'expired') !== 'expired'",
        )
        .await;
    let renewed_refresh = shell.local_storage("zhibu.refresh_token").await;
    assert!(
        renewed_refresh.is_some_and(|token| token != refresh),
        "the refresh token did not rotate"
    );
    let refreshes: u32 = shell
        .eval("performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/v1/auth/refresh')).length")
        .await;
    assert_eq!(refreshes, 1);
    shell
        .wait_until(
            "the profile after renewal",
            "!!document.querySelector('.profile-name')",
        )
        .await;

    // Signing out ends the session on the server too.
    let access = shell.local_storage("zhibu.access_token").await.unwrap();
    shell.tap("main .btn-danger").await;
    shell
        .wait_until(
            "the guest card",
            "document.querySelector('main').innerText.includes('尚未登录')",
        )
        .await;
    shell
        .wait_until(
            "the sign-out toast",
            "document.querySelector('.toast-host').innerText.includes('已退出登录')",
        )
        .await;
    assert_eq!(shell.local_storage("zhibu.access_token").await, None);
    assert_eq!(shell.local_storage("zhibu.refresh_token").await, None);
    let status = shell
        .app
        .client
        .get(shell.app.api("/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401, "the signed-out token still works");

    shell.assert_no_csp_violations().await;
    shell.close().await;
}

#[tokio::test]
async fn a_check_in_made_offline_is_shown_as_waiting_and_lands_exactly_once_when_the_network_returns()
 {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let relay = Relay::start(shell.app.port);
    let origin = format!("http://127.0.0.1:{}", relay.port);

    // The secretary opens the member's next theme day for check-in now,
    // without a geofence.
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let member = shell.api_token(DEMO_MEMBER).await;
    let me = shell.api_get(&member, "/me").await;
    let days = shell.api_get(&member, "/me/theme-days").await;
    let day = days
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["org"]["id"] == me["branch"]["id"])
        .unwrap_or_else(|| panic!("no theme day of the member's branch: {days}"));
    let day_id = day["id"].as_i64().unwrap();
    let now = chrono::Utc::now();
    let patch = json!({
        "starts_at": (now - chrono::Duration::minutes(10)).to_rfc3339(),
        "ends_at": (now + chrono::Duration::hours(2)).to_rfc3339(),
        "geofence": null,
    });
    let patched = shell
        .app
        .client
        .patch(shell.app.api(&format!("/theme-days/{day_id}")))
        .bearer_auth(&secretary)
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200, "{}", patched.text().await.unwrap());
    let checkins_of_member = || async {
        let all = shell
            .api_get(&secretary, &format!("/theme-days/{day_id}/checkins"))
            .await;
        all.as_array()
            .unwrap()
            .iter()
            .filter(|c| c["member"]["id"] == me["id"])
            .cloned()
            .collect::<Vec<Value>>()
    };
    assert!(checkins_of_member().await.is_empty());

    // The member signs in on the phone and opens 打卡.
    shell
        .open_url(&format!("{origin}/login?next=/checkin"))
        .await;
    shell.type_into("input[name=phone]", DEMO_MEMBER).await;
    shell.type_into("input[name=password]", DEMO_PASSWORD).await;
    shell.tap("form button[type=submit]").await;
    shell
        .wait_until("the 打卡 tab", "location.pathname === '/checkin'")
        .await;
    shell
        .wait_until(
            "the short-code field",
            "!!document.querySelector('input[name=short_code]')",
        )
        .await;
    let title = day["title"].as_str().unwrap();
    shell
        .wait_until(
            "the theme day chosen",
            &format!(
                "[...document.querySelectorAll('.chip[aria-pressed=true]')].some((c) => c.innerText.includes({title:?}))"
            ),
        )
        .await;

    // The code on the secretary's screen; then the network goes.
    let code = shell
        .api_get(&secretary, &format!("/theme-days/{day_id}/code"))
        .await;
    let short_code = code["short_code"].as_str().unwrap().to_owned();
    shell.go_offline(&relay).await;
    assert!(!shell.eval::<bool>("navigator.onLine").await);

    shell.type_into("input[name=short_code]", &short_code).await;
    shell.tap("main .card .btn-primary").await;
    shell.wait_for_text("待同步").await;
    shell
        .wait_until(
            "the waiting check-in listed",
            &format!(
                "[...document.querySelectorAll('.list .row')].some((r) => r.innerText.includes('待同步') && r.innerText.includes({title:?}))"
            ),
        )
        .await;
    let queued: Vec<Value> = serde_json::from_str(
        &shell
            .local_storage("zhibu.outbox")
            .await
            .expect("the check-in is queued"),
    )
    .unwrap();
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0]["path"], format!("/theme-days/{day_id}/checkins"));
    let body: Value = serde_json::from_str(queued[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["short_code"], short_code.as_str());
    assert!(body["client_time"].is_string(), "{body}");
    // Nothing reached the server.
    assert!(checkins_of_member().await.is_empty());

    // The network returns: the queued check-in is sent by itself.
    shell.go_online(&relay).await;
    shell
        .wait_until(
            "the queue emptied",
            "localStorage.getItem('zhibu.outbox') === null",
        )
        .await;
    shell
        .wait_until(
            "the sync toast",
            &format!("document.querySelector('.toast-host').innerText.includes({title:?})"),
        )
        .await;
    let landed = checkins_of_member().await;
    assert_eq!(landed.len(), 1, "{landed:?}");
    let method = landed[0]["method"].as_str().unwrap();
    assert!(method == "code" || method == "offline", "method {method}");
    assert_eq!(landed[0]["id"], body["id"]);

    // A replay of the same body, as a flaky network might cause, is the same
    // row, whether sent again by hand or by the queue of a reopened app.
    let replay = shell
        .app
        .client
        .post(shell.app.api(&format!("/theme-days/{day_id}/checkins")))
        .bearer_auth(&member)
        .header("content-type", "application/json")
        .body(queued[0]["body"].as_str().unwrap().to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 200);
    let again = serde_json::to_string(&queued).unwrap();
    // The app reopened with the same check-in still stored sends it again.
    shell
        .eval::<bool>(&format!(
            "(localStorage.setItem('zhibu.outbox', {again:?}), true)"
        ))
        .await;
    shell.open("/checkin").await;
    // The queue empties only once the resend was answered.
    shell
        .wait_until(
            "the resent queue emptied",
            "localStorage.getItem('zhibu.outbox') === null",
        )
        .await;
    assert_eq!(checkins_of_member().await.len(), 1);
    assert!(
        !shell
            .eval::<bool>("document.querySelector('main').innerText.includes('待同步')")
            .await
    );

    shell.assert_no_csp_violations().await;
    drop(relay);
    shell.close().await;
}

#[tokio::test]
async fn hours_logged_in_the_service_tab_are_approved_in_review_and_reach_the_county_dashboard() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let admin = shell.api_token(DEMO_ADMIN).await;
    let admin_me = shell.api_get(&admin, "/me").await;
    let county = admin_me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "admin")
        .expect("the admin's role")["org_id"]
        .as_i64()
        .unwrap();
    let before = shell
        .api_get(&admin, &format!("/orgs/{county}/hours"))
        .await;

    // The member logs two hours: 志愿服务 is chosen already.
    shell.sign_in(DEMO_MEMBER, "/service").await;
    shell
        .wait_until(
            "the kind chips",
            "!!document.querySelector('.chip[aria-pressed=true]')",
        )
        .await;
    assert_eq!(
        shell
            .eval::<String>("document.querySelector('.chip[aria-pressed=true]').innerText")
            .await,
        "志愿服务"
    );
    shell.mark(".chip", "2小时", "two-hours").await;
    shell.tap("#two-hours").await;
    shell
        .type_into("input[name=note]", "e2e stairwell sweep")
        .await;
    shell.tap("main .card .btn-primary").await;
    shell
        .wait_until(
            "the pending log",
            "[...document.querySelectorAll('.list .row')].some((r) => r.innerText.includes('2.0') && r.innerText.includes('待审核'))",
        )
        .await;
    let member = shell.api_token(DEMO_MEMBER).await;
    let logs = shell.api_get(&member, "/me/service-logs").await;
    let log = logs
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["note"] == "e2e stairwell sweep")
        .unwrap_or_else(|| panic!("the log is not on the server: {logs}"))
        .clone();
    assert_eq!(log["minutes"], 120);
    assert_eq!(log["kind"], "volunteer");
    assert_eq!(log["status"], "pending");

    // The branch secretary approves it in 审核.
    shell.sign_out_locally().await;
    shell.sign_in(DEMO_SECRETARY, "/review").await;
    shell.mark(".list .row", "e2e stairwell", "the-log").await;
    shell.tap("#the-log .row-check input").await;
    shell
        .wait_until(
            "the log selected",
            "document.querySelector('#the-log input').checked",
        )
        .await;
    shell
        .mark("main .card", "e2e stairwell", "logs-section")
        .await;
    shell.tap("#logs-section .btn-primary").await;
    shell
        .wait_until(
            "the decision toast",
            "document.querySelector('.toast-host').innerText.includes('已处理 1')",
        )
        .await;
    shell
        .wait_until(
            "the log gone from the inbox",
            "!document.querySelector('main').innerText.includes('e2e stairwell')",
        )
        .await;
    let logs = shell.api_get(&member, "/me/service-logs").await;
    let approved = logs
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == log["id"])
        .unwrap();
    assert_eq!(approved["status"], "approved");

    // The county admin's dashboard counts the two hours.
    let after = shell
        .api_get(&admin, &format!("/orgs/{county}/hours"))
        .await;
    assert_eq!(
        after["total_minutes"].as_i64().unwrap(),
        before["total_minutes"].as_i64().unwrap() + 120
    );
    shell.sign_out_locally().await;
    shell.sign_in(DEMO_ADMIN, "/me").await;
    shell.open(&format!("/orgs/{county}/hours")).await;
    let total = format!(
        "{:.1}",
        after["total_minutes"].as_i64().unwrap() as f64 / 60.0
    );
    shell
        .wait_until(
            "the dashboard total",
            &format!("(document.querySelector('.stats dd') || {{}}).innerText === {total:?}"),
        )
        .await;
    // One bar per child unit, in the server's (tree) order, not by value.
    let names: Vec<String> = shell
        .eval("[...document.querySelectorAll('.chart .bar-name')].map((t) => t.textContent)")
        .await;
    let expected: Vec<String> = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, expected);
    assert!(!names.is_empty());
    let overflow: bool = shell
        .eval("document.documentElement.scrollWidth > innerWidth")
        .await;
    assert!(!overflow, "the dashboard scrolls sideways at {WIDTH} px");

    shell.assert_no_csp_violations().await;
    shell.close().await;
}

/// Activates through the login page's code form and waits for `next`.
async fn activate_in_browser(shell: &Shell, phone: &str, code: &str, password: &str, next: &str) {
    shell.open(&format!("/login?activate=1&next={next}")).await;
    shell.type_into("input[name=phone]", phone).await;
    shell.type_into("input[name=code]", code).await;
    shell.type_into("input[name=new-password]", password).await;
    shell.tap("form button[type=submit]").await;
    shell
        .wait_until(
            &format!("{phone} activated and at {next}"),
            &format!(
                "location.pathname === '{next}' && !!localStorage.getItem('zhibu.access_token')"
            ),
        )
        .await;
}

#[tokio::test]
async fn a_real_county_starts_from_init_and_members_activate_with_printed_codes_on_a_phone() {
    let shell = Shell::launch().await;
    // `zhibu init` on the empty database.
    let txn = sea_orm::TransactionTrait::begin(shell.app.db.writer())
        .await
        .unwrap();
    let done = zhibu_server::setup::init_county(
        &txn,
        "东明县委",
        "王组织",
        "13912345678",
        zhibu_server::time::now(),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    // The admin activates at phone width and chooses a password.
    activate_in_browser(
        &shell,
        "13912345678",
        &done.activation_code,
        "admin-password-1",
        "/me",
    )
    .await;
    shell.wait_for_text("王组织").await;
    // The admin builds the tree in the PWA: a street under the county and a
    // community under the street.
    let click = |text: &str| {
        format!(
            "(() => {{ const b = [...document.querySelectorAll('main button')].find((b) => b.innerText.trim() === {text:?}); \
               if (!b) return null; b.click(); return true; }})()"
        )
    };
    shell.open(&format!("/orgs/{}", done.county_id)).await;
    let fill = |selector: &str, text: &str| {
        format!(
            "(() => {{ const e = document.querySelector({selector:?}); if (!e) return null; \
               e.value = {text:?}; e.dispatchEvent(new Event('input', {{bubbles: true}})); return true; }})()"
        )
    };
    shell
        .wait_for_value(
            "the new unit's name",
            &fill("input[name=child-name]", "城关街道党工委"),
        )
        .await;
    shell
        .eval::<bool>(
            "(() => { const s = document.querySelector('select[name=child-kind]'); \
               s.value = 'working_committee'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()",
        )
        .await;
    shell
        .wait_for_value("the create button", &click("新建"))
        .await;
    shell.wait_for_text("城关街道党工委").await;
    let street = shell.app.org_id(&["东明县委", "城关街道党工委"]).await;
    shell.open(&format!("/orgs/{street}")).await;
    shell
        .wait_for_value(
            "the community's name",
            &fill("input[name=community-name]", "东关社区"),
        )
        .await;
    shell
        .wait_for_value("the community button", &click("新建社区"))
        .await;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        use sea_orm::EntityTrait;
        let communities = zhibu_server::entities::community::Entity::find()
            .all(shell.app.db.reader())
            .await
            .unwrap();
        if communities
            .iter()
            .any(|c| c.name == "东关社区" && c.parent_org_id == street)
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the community was not created"
        );
        tokio::time::sleep(POLL).await;
    }

    // The admin uploads the roster at phone width: a bad row is named and
    // nothing is written; the fixed file imports, creating the branch.
    let header = "姓名,手机号,所在党组织,党员类别,入党日期,报到社区";
    let good = "陈新,13700000001,东明县委/城关街道党工委/东关社区党支部,在职,2010-07-01,东关社区\\n\
                林红,13700000002,东明县委/城关街道党工委/东关社区党支部,离退休,1980-03-05,";
    let bad = "陈新,13700000001,东明县委/城关街道党工委/东关社区党支部,在职,2010-07-01,\\n\
               林红,1370000,东明县委/城关街道党工委/东关社区党支部,离退休,1980-03-05,";
    shell.open("/admin/roster").await;
    let choose = |rows: &str| {
        format!(
            "(() => {{ const dt = new DataTransfer(); \
               dt.items.add(new File(['{header}\\n{rows}\\n'], 'roster.csv', {{type: 'text/csv'}})); \
               const input = document.querySelector('input[name=roster]'); \
               input.files = dt.files; input.dispatchEvent(new Event('change', {{bubbles: true}})); \
               return true; }})()"
        )
    };
    shell.wait_for("input[name=roster]").await;
    shell.eval::<bool>(&choose(bad)).await;
    shell.tap("main .card .actions button:nth-of-type(1)").await;
    let problem = shell
        .wait_for_value(
            "the bad row named",
            "(() => { const e = document.querySelector('.roster-error'); return e ? e.innerText : null; })()",
        )
        .await;
    let problem = problem.as_str().unwrap();
    assert!(
        problem.contains("第 3") && problem.contains("手机号"),
        "{problem}"
    );
    use sea_orm::{EntityTrait, PaginatorTrait};
    let members = || async {
        zhibu_server::entities::member::Entity::find()
            .count(shell.app.db.reader())
            .await
            .unwrap()
    };
    assert_eq!(members().await, 1, "a refused roster writes nothing");
    shell.eval::<bool>(&choose(good)).await;
    shell.tap("main .card .actions button:nth-of-type(2)").await;
    shell
        .wait_until(
            "the roster imported",
            "(() => { const e = document.querySelector('.roster-ok'); return !!e && e.innerText.includes('已导入'); })()",
        )
        .await;
    assert_eq!(members().await, 3);
    let branch = shell
        .app
        .org_id(&["东明县委", "城关街道党工委", "东关社区党支部"])
        .await;
    // On the branch's page the admin prints a sheet of codes.
    shell.open(&format!("/orgs/{branch}")).await;
    shell.wait_for_text("陈新").await;
    shell
        .tap(".activation-sheet-button, main .actions.no-print button")
        .await;
    let slip = shell
        .wait_for_value(
            "a code sheet",
            "(() => { const s = [...document.querySelectorAll('.activation-slip')]; \
               if (s.length < 2) return null; \
               const first = s.find(e => e.innerText.includes('陈新')); \
               return first ? first.querySelector('.short-code').innerText : null; })()",
        )
        .await;
    let code = slip.as_str().unwrap().to_owned();
    assert_eq!(code.len(), 8, "{code}");
    // The member signs in on (a family member's) phone with the slip.
    shell.sign_out_locally().await;
    activate_in_browser(&shell, "13700000001", &code, "member-password-1", "/me").await;
    shell.wait_for_text("陈新").await;
    shell.wait_for_text("东关社区党支部").await;

    // The branch's theme day opens now; the member checks in with the code
    // the admin's screen shows.
    let admin = shell
        .app
        .login_as("13912345678", "admin-password-1")
        .await
        .access_token;
    let month = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m")
        .to_string();
    let days = shell
        .api_get(&admin, &format!("/orgs/{branch}/theme-days?month={month}"))
        .await;
    let day_id = days[0]["id"].as_i64().unwrap();
    let now = chrono::Utc::now();
    let patched = shell
        .app
        .client
        .patch(shell.app.api(&format!("/theme-days/{day_id}")))
        .bearer_auth(&admin)
        .json(&json!({"starts_at": (now - chrono::Duration::minutes(10)).to_rfc3339(), "ends_at": (now + chrono::Duration::hours(2)).to_rfc3339()}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    shell.open("/checkin").await;
    shell.wait_for("input[name=short_code]").await;
    let code = shell
        .api_get(&admin, &format!("/theme-days/{day_id}/code"))
        .await;
    shell
        .type_into(
            "input[name=short_code]",
            code["short_code"].as_str().unwrap(),
        )
        .await;
    shell.tap("main .card .btn-primary").await;
    let member_id = shell.app.member_id("13700000001").await;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let checkins = shell
            .api_get(&admin, &format!("/theme-days/{day_id}/checkins"))
            .await;
        let mine: Vec<&Value> = checkins
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["member"]["id"] == member_id)
            .collect();
        if let [checkin] = mine.as_slice() {
            assert_eq!(checkin["status"], "approved", "{checkin}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no check-in landed: {checkins}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Clicks the `main` button (below `scope`) whose text is `text`.
fn click_button(scope: &str, text: &str) -> String {
    format!(
        "(() => {{ const b = [...document.querySelectorAll({scope:?} + ' button')].find((b) => b.innerText.trim() === {text:?}); \
           if (!b || b.disabled) return null; b.click(); return true; }})()"
    )
}

/// Sets an input's or select's value as a person would (the events Leptos
/// listens to), once it exists.
fn set_value(selector: &str, value: &str) -> String {
    format!(
        "(() => {{ const e = document.querySelector({selector:?}); if (!e) return null; \
           if (e.tagName === 'SELECT' && ![...e.options].some((o) => o.value === {value:?})) return null; \
           e.value = {value:?}; e.dispatchEvent(new Event('input', {{bubbles: true}})); \
           e.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"
    )
}

#[tokio::test]
async fn an_admin_manages_members_units_and_communities_from_the_pwa_at_phone_width() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let app = &shell.app;
    let admin = shell.api_token(DEMO_ADMIN).await;
    let street = app.org_id(&["东明县委", "城关街道党工委"]).await;
    let branch = app
        .org_id(&["东明县委", "城关街道党工委", "东关社区党支部"])
        .await;
    // A probationary member arrives with the roster.
    let csv = "姓名,手机号,所在党组织,党员类别,入党日期,报到社区\n\
               王预备,13700000099,东明县委/城关街道党工委/东关社区党支部,\"在职,预备党员\",2025-07-01,\n";
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("r.csv"),
    );
    let imported = app
        .client
        .post(app.api("/admin/roster"))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);
    let member = app.member_id("13700000099").await;
    let member_path = format!("/members/{member}");

    // From the branch's member list to the member page.
    shell.sign_in(DEMO_ADMIN, "/").await;
    shell.open(&format!("/orgs/{branch}")).await;
    shell
        .wait_for_value(
            "the member's row",
            &format!(
                "(() => {{ const a = document.querySelector('a[href=\"/members/{member}\"]'); \
                   if (!a) return null; a.click(); return true; }})()"
            ),
        )
        .await;
    shell.wait_for_text("13700000099").await;

    // 转正 on a date, and the categories as a set.
    shell
        .wait_for_value(
            "the 转正 date",
            &set_value("input[name=formal-on]", "2026-07-01"),
        )
        .await;
    shell
        .wait_for_value("记录转正", &click_button("main .card", "记录转正"))
        .await;
    shell.wait_for_text("转正日期 2026-07-01").await;
    assert_eq!(
        shell.api_get(&admin, &member_path).await["probationary"],
        false
    );
    shell
        .wait_for_value("the 流动 chip", &click_button("main .chips", "流动"))
        .await;
    shell
        .wait_for_value("保存类别", &click_button("main .card", "保存类别"))
        .await;
    let deadline = Instant::now() + WAIT;
    while shell.api_get(&admin, &member_path).await["categories"]
        != json!(["floating", "in_office"])
    {
        assert!(Instant::now() < deadline, "categories were not saved");
        tokio::time::sleep(POLL).await;
    }

    // An admin grants a role on the member's branch and revokes it.
    shell
        .wait_for_value(
            "the role",
            &set_value("select[name=grant-role]", "org_officer"),
        )
        .await;
    shell
        .wait_for_value(
            "the unit",
            &set_value("select[name=grant-unit]", &branch.to_string()),
        )
        .await;
    shell
        .wait_for_value("授予职务", &click_button("main .card", "授予职务"))
        .await;
    let deadline = Instant::now() + WAIT;
    loop {
        let roles = shell.api_get(&admin, &member_path).await["roles"].clone();
        if roles[0]["role"] == "org_officer" {
            assert_eq!(roles[0]["org"]["id"], branch);
            break;
        }
        assert!(Instant::now() < deadline, "no role granted: {roles}");
        tokio::time::sleep(POLL).await;
    }
    shell
        .wait_for_value("撤销", &click_button("main .list", "撤销"))
        .await;
    shell.wait_for_text("未担任职务").await;
    assert_eq!(
        shell.api_get(&admin, &member_path).await["roles"],
        json!([])
    );

    // On the street's page: a community's address, its own organisation
    // and its community admin.
    let community: i64 = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        zhibu_server::entities::community::Entity::find()
            .filter(zhibu_server::entities::community::Column::ParentOrgId.eq(street))
            .filter(zhibu_server::entities::community::Column::Name.eq("东关社区"))
            .one(app.db.reader())
            .await
            .unwrap()
            .expect("the demo's 东关社区")
            .id
    };
    let row = format!("section[data-community=\"{community}\"]");
    shell.open(&format!("/orgs/{street}")).await;
    shell
        .wait_for_value(
            "the address",
            &set_value(
                &format!("{row} input[name=community-address-edit]"),
                "东关街 8 号",
            ),
        )
        .await;
    shell
        .wait_for_value(
            "the community's organisation",
            &set_value(
                &format!("{row} select[name=community-org]"),
                &branch.to_string(),
            ),
        )
        .await;
    shell
        .wait_for_value("保存", &click_button(&row, "保存"))
        .await;
    shell
        .wait_for_value(
            "the community admin",
            &set_value(
                &format!("{row} select[name=community-admin]"),
                &member.to_string(),
            ),
        )
        .await;
    shell
        .wait_until(
            "the community admin chosen",
            &format!(
                "document.querySelector('{row} select[name=community-admin]').value === '{member}'"
            ),
        )
        .await;
    shell
        .wait_for_value("设为社区书记", &click_button(&row, "设为社区书记"))
        .await;
    // The answer is shown: the toast, or the refusal under the row.
    let shown = shell
        .wait_for_value(
            "the assignment's answer",
            &format!(
                "(() => {{ const e = document.querySelector('{row} .form-error'); if (e) return e.innerText; \
                   return document.querySelector('.toast-host').innerText.includes('已设为社区书记') ? 'ok' : null; }})()"
            ),
        )
        .await;
    assert_eq!(shown, "ok", "assigning the community admin was refused");
    let deadline = Instant::now() + WAIT;
    loop {
        let roles = shell.api_get(&admin, &member_path).await["roles"].clone();
        if roles
            == json!([{"id": roles[0]["id"], "role": "community_admin", "org": {"id": branch, "name": "东关社区党支部"}}])
        {
            break;
        }
        assert!(Instant::now() < deadline, "no community admin: {roles}");
        tokio::time::sleep(POLL).await;
    }
    let saved = shell
        .api_get(&admin, &format!("/communities/{community}"))
        .await;
    assert_eq!(saved["address"], "东关街 8 号");
    assert_eq!(saved["org"]["id"], branch);

    // An empty unit is dissolved from its page, after a second tap.
    let group: Value = app
        .post(
            &format!("/orgs/{branch}/children"),
            &admin,
            &json!({"name": "第九党小组", "kind": "party_group"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let group = group["id"].as_i64().unwrap();
    shell.open(&format!("/orgs/{group}")).await;
    shell
        .wait_for_value("撤销组织", &click_button("main .card", "撤销组织"))
        .await;
    shell
        .wait_for_value("确定撤销", &click_button("main .card", "确定撤销"))
        .await;
    shell
        .wait_until(
            "back on the branch",
            &format!("location.pathname === '/orgs/{branch}'"),
        )
        .await;
    let dissolved = shell.api_get(&admin, &format!("/orgs/{group}")).await;
    assert!(dissolved["dissolved_at"].is_string(), "{dissolved}");
    shell.assert_no_csp_violations().await;
}
