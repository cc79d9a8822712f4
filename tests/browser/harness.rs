//! The harness of the browser tests: the real server on a fresh database,
//! a headless Chromium at phone size, and the ways a person taps, types and
//! waits; a relay that can lose the network; the demo county's logins.

use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::browser::{
    PermissionDescriptor, PermissionSetting, SetPermissionParams,
};
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::cdp::browser_protocol::network::{
    self, EmulateNetworkConditionsByRuleParams, NetworkConditions, OverrideNetworkStateParams,
};
use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use chromiumoxide::cdp::browser_protocol::target::SetAutoAttachParams;
use chromiumoxide::handler::viewport::Viewport;
use chromiumoxide::page::Page;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use zhibu_server::config::Settings;
use zhibu_tests::{TestApp, spawn_app_with};

pub const WIDTH: u32 = 360;
pub const HEIGHT: u32 = 640;
/// Generous for a 2-core CI machine compiling wasm in parallel; polling ends
/// as soon as the condition holds.
pub const WAIT: Duration = Duration::from_secs(20);
pub const POLL: Duration = Duration::from_millis(50);

pub const TABS_ZH: [&str; 4] = ["首页", "打卡", "志愿", "我的"];

/// The demo county's logins (docs/api.md, "Demo mode").
pub const DEMO_PASSWORD: &str = "demo1234";
pub const DEMO_ADMIN: &str = "13800000000";
pub const DEMO_SECRETARY: &str = "13800000001";
pub const DEMO_MEMBER: &str = "13800000002";
pub const DEMO_RIDER: &str = "13800000003";

/// One Chromium at a time: the machines have two cores, and parallel
/// browsers only trade speed for flaky timeouts.
static BROWSER_SLOT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn dist_dir() -> PathBuf {
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
pub struct Shell {
    pub app: TestApp,
    browser: Browser,
    pub page: Page,
    handler: tokio::task::JoinHandle<()>,
    profile_dir: PathBuf,
    _slot: tokio::sync::MutexGuard<'static, ()>,
}

impl Shell {
    pub async fn launch() -> Shell {
        Shell::launch_with(|_| {}).await
    }

    /// Launches against a server whose settings `configure` adjusted.
    pub async fn launch_with(configure: impl FnOnce(&mut Settings)) -> Shell {
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

    pub async fn open(&self, path: &str) {
        self.open_url(&self.app.url(path)).await;
    }

    pub async fn open_url(&self, url: &str) {
        self.page
            .goto(url)
            .await
            .unwrap_or_else(|error| panic!("opening {url}: {error}"));
        self.wait_for_shell().await;
    }

    /// Waits until the wasm has mounted: four tabs and no boot screen.
    pub async fn wait_for_shell(&self) {
        self.wait_until(
            "the app shell with four tabs",
            "document.querySelectorAll('.tabbar .tab').length === 4 && !document.getElementById('boot')",
        )
        .await;
    }

    /// Evaluates `expression` in the page.
    pub async fn eval<T: DeserializeOwned>(&self, expression: &str) -> T {
        self.try_eval(expression)
            .await
            .unwrap_or_else(|error| panic!("evaluating `{expression}`: {error}"))
    }

    pub async fn try_eval<T: DeserializeOwned>(&self, expression: &str) -> Result<T, String> {
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
    pub async fn wait_until(&self, what: &str, condition: &str) {
        self.wait_for_value(what, &format!("({condition}) ? true : null"))
            .await;
    }

    /// Polls `expression` (a value or a promise) until it gives something
    /// other than `null`.
    pub async fn wait_for_value(&self, what: &str, expression: &str) -> Value {
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

    pub async fn path(&self) -> String {
        self.eval("location.pathname").await
    }

    pub async fn tab_labels(&self) -> Vec<String> {
        self.eval(
            "[...document.querySelectorAll('.tabbar .tab')].map((tab) => tab.innerText.trim())",
        )
        .await
    }

    pub async fn title(&self) -> String {
        self.eval("document.querySelector('.topbar-title').innerText")
            .await
    }

    /// Waits until `selector` matches: pages in lazily loaded chunks render
    /// a moment after the shell.
    pub async fn wait_for(&self, selector: &str) {
        self.wait_until(
            &format!("an element matching {selector}"),
            &format!("!!document.querySelector({selector:?})"),
        )
        .await;
    }

    /// Taps an element the way a finger would: DevTools input at its centre,
    /// once it has stopped moving.
    pub async fn tap(&self, selector: &str) {
        self.wait_for(selector).await;
        self.wait_until_still(selector).await;
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

    /// Waits until the element matched by `selector` keeps its place for one
    /// poll: parts of a page that arrive above it push it down, and a tap
    /// aimed at its old place misses.
    async fn wait_until_still(&self, selector: &str) {
        let place = format!(
            "(() => {{ const e = document.querySelector({selector:?}); if (!e) return null; \
               const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(' '); }})()"
        );
        let deadline = Instant::now() + WAIT;
        let mut last = self.try_eval::<Option<String>>(&place).await.ok().flatten();
        loop {
            tokio::time::sleep(POLL).await;
            let now = self.try_eval::<Option<String>>(&place).await.ok().flatten();
            if now.is_some() && now == last {
                return;
            }
            assert!(Instant::now() < deadline, "{selector} never stopped moving");
            last = now;
        }
    }

    /// Taps a field and types into it with key events.
    pub async fn type_into(&self, selector: &str, text: &str) {
        self.wait_for(selector).await;
        self.wait_until_still(selector).await;
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
    pub async fn sign_in(&self, phone: &str, next: &str) {
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
    pub async fn sign_out_locally(&self) {
        self.eval::<bool>("(localStorage.clear(), true)").await;
    }

    /// Waits until `main` shows `text`.
    pub async fn wait_for_text(&self, text: &str) {
        self.wait_until(
            &format!("the text {text:?}"),
            &format!("document.querySelector('main').innerText.includes({text:?})"),
        )
        .await;
    }

    /// Gives the element matched by `selector` whose text contains `text`
    /// the id `id`, so it can be tapped.
    pub async fn mark(&self, selector: &str, text: &str, id: &str) {
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
    pub async fn go_offline(&self, relay: &Relay) {
        relay.go_offline();
        self.page
            .execute(network::EnableParams::default())
            .await
            .expect("Network.enable");
        self.emulate_network(true).await;
    }

    /// Gives the network back; the browser fires `online`.
    pub async fn go_online(&self, relay: &Relay) {
        relay.go_online();
        self.emulate_network(false).await;
    }

    /// Sets the clock of the next page load `millis` behind (`Date.now`),
    /// once: loads after it have the real time again. A phone that did
    /// something that long ago.
    pub async fn clock_behind_once(&self, millis: i64) {
        let script = format!(
            "if (!sessionStorage.getItem('zhibu.test.clock')) {{ \
               sessionStorage.setItem('zhibu.test.clock', '1'); \
               const now = Date.now.bind(Date); Date.now = () => now() - {millis}; }}"
        );
        self.page
            .execute(AddScriptToEvaluateOnNewDocumentParams::new(script))
            .await
            .expect("Page.addScriptToEvaluateOnNewDocument");
    }

    /// Narrows the screen to `width` CSS pixels, as a smaller phone has it.
    pub async fn set_width(&self, width: i64) {
        self.page
            .execute(SetDeviceMetricsOverrideParams::new(
                width,
                i64::from(HEIGHT),
                2.0,
                true,
            ))
            .await
            .expect("Emulation.setDeviceMetricsOverride");
    }

    pub async fn emulate_network(&self, offline: bool) {
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
    pub async fn api_token(&self, phone: &str) -> String {
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

    pub async fn api_get(&self, token: &str, path: &str) -> Value {
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

    /// Waits for a row of the page's list that shows every one of `texts`.
    pub async fn wait_for_row(&self, what: &str, texts: &[&str]) {
        let conditions: Vec<String> = texts
            .iter()
            .map(|text| format!("r.innerText.includes({text:?})"))
            .collect();
        self.wait_until(
            what,
            &format!(
                "[...document.querySelectorAll('main .list .row')].some((r) => {})",
                conditions.join(" && ")
            ),
        )
        .await;
    }

    /// The member's branch's theme day of this month (the county's), and
    /// its id. Only this month's day can be moved to now, whether it has
    /// already closed or is still ahead.
    pub async fn this_months_branch_day(&self, member: &str) -> (i64, Value) {
        let me = self.api_get(member, "/me").await;
        let days = self.api_get(member, "/me/theme-days").await;
        let month = this_month();
        let day = days
            .as_array()
            .unwrap()
            .iter()
            .find(|d| {
                d["org"]["id"] == me["branch"]["id"]
                    && d["date"]
                        .as_str()
                        .is_some_and(|date| date.starts_with(&month))
            })
            .cloned()
            .unwrap_or_else(|| panic!("no {month} theme day of the member's branch: {days}"));
        (day["id"].as_i64().unwrap(), day)
    }

    /// Records `member_id` present at a theme day by roll-call, as its
    /// secretary.
    pub async fn roll_call(&self, secretary: &str, day_id: i64, member_id: &Value) {
        let rolled = self
            .app
            .client
            .post(self.app.api(&format!("/theme-days/{day_id}/roll-call")))
            .bearer_auth(secretary)
            .json(&serde_json::json!({"member_ids": [member_id]}))
            .send()
            .await
            .unwrap();
        assert_eq!(rolled.status(), 200, "{}", rolled.text().await.unwrap());
    }

    /// Opens theme day `id` for check-in from `opened_ago` ago until two
    /// hours ahead, with no geofence, as one who manages it would.
    pub async fn open_day_now(&self, manager: &str, id: i64, opened_ago: chrono::Duration) {
        let now = chrono::Utc::now();
        let patched = self
            .app
            .client
            .patch(self.app.api(&format!("/theme-days/{id}")))
            .bearer_auth(manager)
            .json(&serde_json::json!({
                "starts_at": (now - opened_ago).to_rfc3339(),
                "ends_at": (now + chrono::Duration::hours(2)).to_rfc3339(),
                "geofence": null,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(patched.status(), 200, "{}", patched.text().await.unwrap());
    }

    /// Opens the member's branch's theme day of this month for check-in
    /// now: from `opened_ago` ago until two hours ahead, with no
    /// geofence, as its secretary would. Returns the day as the member's
    /// list showed it, and its id.
    pub async fn open_branch_day_now(
        &self,
        member: &str,
        secretary: &str,
        opened_ago: chrono::Duration,
    ) -> (i64, Value) {
        let (id, day) = self.this_months_branch_day(member).await;
        self.open_day_now(secretary, id, opened_ago).await;
        (id, day)
    }

    /// Sets the browser's answer for a permission (`notifications`) on the
    /// app's origin, as the member's choice in a prompt or in the browser's
    /// settings would.
    pub async fn set_permission(&self, name: &str, setting: PermissionSetting) {
        let origin = self.app.url("");
        let origin = origin.trim_end_matches('/').to_owned();
        self.browser
            .execute(
                SetPermissionParams::builder()
                    .permission(PermissionDescriptor::new(name))
                    .setting(setting)
                    .origin(origin)
                    .build()
                    .expect("permission parameters"),
            )
            .await
            .expect("Browser.setPermission");
    }

    pub async fn local_storage(&self, key: &str) -> Option<String> {
        self.eval(&format!("localStorage.getItem('{key}')")).await
    }

    pub async fn assert_no_csp_violations(&self) {
        let violations: Vec<String> = self.eval("window.__cspViolations || []").await;
        assert!(violations.is_empty(), "CSP violations: {violations:?}");
    }

    /// Waits until a service worker controls the page, which means the
    /// precache is complete (install waits for it).
    pub async fn wait_for_service_worker(&self) {
        self.wait_until(
            "a service worker controlling the page",
            "navigator.serviceWorker && navigator.serviceWorker.controller !== null",
        )
        .await;
    }

    /// Closes Chromium and waits for it; a failed test skips this and
    /// relies on the child being killed on drop.
    pub async fn close(mut self) {
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

/// A TCP relay in front of the test server that can lose the network.
pub struct Relay {
    pub port: u16,
    online: Arc<AtomicBool>,
    stopping: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
    accept: Option<thread::JoinHandle<()>>,
}

impl Relay {
    pub fn start(upstream: u16) -> Relay {
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
    pub fn go_online(&self) {
        self.online.store(true, Ordering::SeqCst);
    }

    /// Drops every open connection and hangs up on new ones.
    pub fn go_offline(&self) {
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

/// Activates through the login page's code form and waits for `next`.
pub async fn activate_in_browser(
    shell: &Shell,
    phone: &str,
    code: &str,
    password: &str,
    next: &str,
) {
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

/// Polls the API at `path` with `token` until `check` holds; the answer.
pub async fn until(
    shell: &Shell,
    token: &str,
    path: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let answer = shell.api_get(token, path).await;
        if check(&answer) {
            return answer;
        }
        assert!(Instant::now() < deadline, "{what}: {answer}");
        tokio::time::sleep(POLL).await;
    }
}

/// Clicks the link to `href`, once it exists.
pub fn click_link(href: &str) -> String {
    format!(
        "(() => {{ const a = document.querySelector('a[href=\"{href}\"]'); \
           if (!a) return null; a.click(); return true; }})()"
    )
}

/// Clicks the `main` button (below `scope`) whose text is `text`.
pub fn click_button(scope: &str, text: &str) -> String {
    format!(
        "(() => {{ const b = [...document.querySelectorAll({scope:?} + ' button')].find((b) => b.innerText.trim() === {text:?}); \
           if (!b || b.disabled) return null; b.click(); return true; }})()"
    )
}

/// Sets an input's or select's value as a person would (the events Leptos
/// listens to), once it exists.
pub fn set_value(selector: &str, value: &str) -> String {
    format!(
        "(() => {{ const e = document.querySelector({selector:?}); if (!e) return null; \
           if (e.tagName === 'SELECT' && ![...e.options].some((o) => o.value === {value:?})) return null; \
           e.value = {value:?}; e.dispatchEvent(new Event('input', {{bubbles: true}})); \
           e.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"
    )
}

/// This month in the demo county's time zone, as `YYYY-MM`.
pub fn this_month() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m")
        .to_string()
}
