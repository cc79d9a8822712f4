//! Opening the app: the shell in Chinese at phone width, the tab bar, the
//! service worker and manifest, a reload offline, the language switch.

use chromiumoxide::cdp::browser_protocol::network::{
    self, EmulateNetworkConditionsByRuleParams, NetworkConditions, OverrideNetworkStateParams,
};
use chromiumoxide::cdp::browser_protocol::page::GetAppManifestParams;
use serde_json::{Value, json};

use crate::harness::*;

#[tokio::test]
async fn the_loading_line_stays_until_the_tab_bar_is_drawn() {
    let shell = Shell::launch().await;
    // The app mounts in a task after its module starts; the boot screen
    // must not leave before that, or the phone shows an empty frame.
    shell
        .page
        .evaluate_on_new_document(
            "let bootSeen = false;\n\
             new MutationObserver(() => {\n\
               if (document.getElementById('boot')) { bootSeen = true; return; }\n\
               if (bootSeen && window.__tabsWhenBootLeft === undefined)\n\
                 window.__tabsWhenBootLeft = document.querySelectorAll('.tabbar .tab').length;\n\
             }).observe(document, { childList: true, subtree: true });",
        )
        .await
        .expect("an init script");
    shell.open("/").await;
    let tabs: Option<u32> = shell.eval("window.__tabsWhenBootLeft ?? null").await;
    assert_eq!(tabs, Some(4), "tabs on screen when the loading line left");
    shell.close().await;
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
    // Signed out, home says what Zhibu is and offers the way in.
    assert!(
        text.contains("党员身边的组织生活"),
        "home page text: {text}"
    );
    assert!(
        shell
            .eval::<bool>("!!document.querySelector('main a.btn-primary[href^=\"/login\"]')")
            .await,
        "no sign-in button on the signed-out home"
    );

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

    // The stylesheet comes inside index.html, allowed by its hash.
    let inline: bool = shell
        .eval(
            "document.styleSheets.length === 1 && document.styleSheets[0].ownerNode.tagName === 'STYLE' \
             && !document.querySelector('link[rel=stylesheet]')",
        )
        .await;
    assert!(inline, "the stylesheet is not inline");

    // No violations means something only while the server sends the policy.
    let csp: String = shell
        .eval("fetch('/').then((r) => r.headers.get('content-security-policy') || '')")
        .await;
    assert!(
        csp.contains("script-src 'self'") && csp.contains("style-src 'self' 'sha256-"),
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
        ("/", "支部", "党员身边的组织生活"),
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

    // An unknown path renders the not-found page inside the shell.
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
        "/icons/icon.svg",
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
        "/assets/split-",
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
        text.contains("党员身边的组织生活"),
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

    // The choice survives a reload (the English catalogue is fetched, so
    // the first frame may still be Chinese).
    shell.page.reload().await.expect("reload");
    shell.wait_for_shell().await;
    shell
        .wait_until(
            "English tabs after the reload",
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
async fn a_repeat_visit_shows_the_members_last_data_at_once_even_offline_and_signing_out_forgets_it()
 {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let relay = Relay::start(shell.app.port);
    let origin = format!("http://127.0.0.1:{}", relay.port);

    // The member signs in and sees home with this year's hours and the
    // theme day card, then the 志愿 tab with their logs.
    shell.open_url(&format!("{origin}/login?next=/")).await;
    shell.type_into("input[name=phone]", DEMO_MEMBER).await;
    shell.type_into("input[name=password]", DEMO_PASSWORD).await;
    shell.tap("form button[type=submit]").await;
    shell.wait_until("home", "location.pathname === '/'").await;
    shell.wait_for(".home-hours").await;
    shell.wait_for("main .card .facts, main .empty").await;
    let hours: String = shell
        .eval("document.querySelector('.home-hours').innerText")
        .await;
    let card: String = shell
        .eval("document.querySelector('main .card .facts, main .empty').closest('.card, .empty').innerText")
        .await;
    shell.wait_for_service_worker().await;
    let kept: Vec<String> = shell
        .eval("Object.keys(localStorage).filter((k) => k.startsWith('zhibu.kept:'))")
        .await;
    assert!(
        kept.iter()
            .any(|k| k.starts_with("zhibu.kept:/me/attendance")),
        "kept answers: {kept:?}"
    );

    // The next visit, with no network at all: the service worker serves the
    // app and the app shows what it kept, without a loading line.
    shell.go_offline(&relay).await;
    shell.page.reload().await.expect("reload");
    shell.wait_for_shell().await;
    shell.wait_for(".home-hours").await;
    assert_eq!(
        shell
            .eval::<String>("document.querySelector('.home-hours').innerText")
            .await,
        hours
    );
    shell
        .wait_until(
            "the kept theme day card",
            &format!(
                "document.querySelector('main .card .facts, main .empty')?.closest('.card, .empty').innerText === {card:?}"
            ),
        )
        .await;
    assert!(
        !shell
            .eval::<bool>("!!document.querySelector('main [aria-busy=true]')")
            .await,
        "a loading line is shown over kept data"
    );

    // Signing out forgets every kept answer.
    shell.go_online(&relay).await;
    shell.open_url(&format!("{origin}/me")).await;
    shell.tap("main .btn-danger").await;
    shell
        .wait_until(
            "the guest card",
            "document.querySelector('main').innerText.includes('尚未登录')",
        )
        .await;
    let kept: Vec<String> = shell
        .eval("Object.keys(localStorage).filter((k) => k.startsWith('zhibu.kept:'))")
        .await;
    assert!(kept.is_empty(), "kept after signing out: {kept:?}");
    shell.close().await;
}

#[tokio::test]
async fn a_first_visit_paints_the_shell_before_downloading_and_fetches_the_pages_module_as_one_pack()
 {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let branch = shell.api_get(&secretary, "/me").await["branch"]["id"]
        .as_i64()
        .expect("the secretary's branch");
    shell.sign_in(DEMO_SECRETARY, "/me").await;
    // Signed in, but no service worker and nothing cached: how a phone
    // meets the app the first time.
    shell
        .eval::<bool>(
            "navigator.serviceWorker.getRegistrations() \
               .then((all) => Promise.all(all.map((r) => r.unregister()))) \
               .then(() => caches.keys()).then((keys) => Promise.all(keys.map((k) => caches.delete(k)))) \
               .then(() => true)",
        )
        .await;
    shell
        .page
        .execute(network::ClearBrowserCacheParams::default())
        .await
        .expect("clearing the HTTP cache");

    shell.open(&format!("/orgs/{branch}/hours")).await;
    shell.wait_for(".stats dd").await;
    let fetched: Vec<Value> = shell
        .eval(
            "performance.getEntriesByType('resource').map((e) => ({ \
               path: new URL(e.name).pathname, by: e.initiatorType, start: e.startTime }))",
        )
        .await;
    let first_paint: f64 = shell
        .eval("performance.getEntriesByName('first-contentful-paint')[0].startTime")
        .await;
    let path = |entry: &Value| entry["path"].as_str().unwrap_or_default().to_owned();
    let main = fetched
        .iter()
        .find(|entry| path(entry).starts_with("/assets/zhibu_app_bg-"))
        .unwrap_or_else(|| panic!("no main module among {fetched:?}"));
    assert_eq!(
        main["by"], "link",
        "the main module is not preloaded: {main}"
    );
    // Not while the page is parsed (where a preload in the head would
    // start it), and not before the first frame: paint timing stamps the
    // frame when it reached the screen, which may trail the animation frame
    // the boot script starts in by a frame or two.
    let parsed: f64 = shell
        .eval("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        .await;
    let start = main["start"].as_f64().unwrap();
    assert!(
        start >= parsed && start >= first_paint - 50.0,
        "the main module's download started before the first paint ({first_paint} ms, \
         parsed at {parsed} ms): {main}"
    );
    // The hours page's group arrives as one pack, started with the main
    // module, and none of its chunks comes on its own.
    let packs: Vec<&Value> = fetched
        .iter()
        .filter(|entry| path(entry).starts_with("/assets/pack_"))
        .collect();
    assert_eq!(packs.len(), 1, "packs fetched: {packs:?}");
    assert!(
        path(packs[0]).starts_with("/assets/pack_report_pages-"),
        "{packs:?}"
    );
    assert_eq!(
        packs[0]["by"], "link",
        "the pack is not preloaded: {packs:?}"
    );
    let chunks: Vec<String> = fetched
        .iter()
        .map(path)
        .filter(|p| p.ends_with(".wasm") && !p.starts_with("/assets/zhibu_app_bg-"))
        .collect();
    assert!(chunks.is_empty(), "chunks fetched one by one: {chunks:?}");
    shell.assert_no_csp_violations().await;
    shell.close().await;
}

#[tokio::test]
async fn a_first_visit_asks_for_the_pages_data_beside_the_downloads_and_only_once() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let branch = shell.api_get(&secretary, "/me").await["branch"]["id"]
        .as_i64()
        .expect("the secretary's branch");
    let (day, _) = shell.this_months_branch_day(&secretary).await;
    shell.sign_in(DEMO_SECRETARY, "/me").await;
    // Each page, when it shows its data, and how many requests it asks first.
    let pages = [
        ("/".to_owned(), "document.querySelector('.home-hours')", 2),
        (
            "/checkin".to_owned(),
            "/\\d{4}-\\d{2}-\\d{2}/.test(document.querySelector('main').innerText)",
            1,
        ),
        (
            "/service".to_owned(),
            "performance.getEntriesByType('resource') \
               .some((e) => new URL(e.name).pathname === '/api/v1/me/service-logs')",
            1,
        ),
        (
            "/me".to_owned(),
            "['/api/v1/me', '/api/v1/review/pending'].every((path) => performance \
               .getEntriesByType('resource').some((e) => new URL(e.name).pathname === path))",
            2,
        ),
        (
            "/review".to_owned(),
            "performance.getEntriesByType('resource') \
               .some((e) => new URL(e.name).pathname === '/api/v1/review/pending')",
            1,
        ),
        (
            format!("/theme-days/{day}/live"),
            "/\\d/.test(document.querySelector('.count-big')?.innerText ?? '')",
            5,
        ),
        (
            format!("/orgs/{branch}/hours"),
            "document.querySelector('.stats dd')",
            1,
        ),
    ];
    for (page, shown, first_requests) in pages {
        shell.open(&page).await;
        shell
            .wait_until(&format!("{page} with its data"), shown)
            .await;
        // Time for a second ask of the same data, drawn anew, to end.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let fetched = fetched(&shell).await;
        let main = main_module_start(&fetched);
        let asked: Vec<(String, f64)> = fetched
            .iter()
            .filter(|entry| path_of(entry).starts_with("/api/v1/"))
            .map(|entry| (path_of(entry), entry["start"].as_f64().unwrap()))
            .collect();
        let mut paths: Vec<&str> = asked.iter().map(|(path, _)| path.as_str()).collect();
        paths.sort_unstable();
        let before = paths.len();
        paths.dedup();
        assert_eq!(
            before,
            paths.len(),
            "{page}: a request asked twice: {asked:?}"
        );
        // Asked by the boot script, before the main module's download.
        let early = asked.iter().filter(|(_, start)| *start <= main).count();
        assert_eq!(
            early, first_requests,
            "{page}: requests started before the main module ({main} ms): {asked:?}"
        );
    }
    shell.assert_no_csp_violations().await;
    shell.close().await;
}

#[tokio::test]
async fn a_start_with_an_expired_access_token_renews_it_once_beside_the_downloads() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    shell.sign_in(DEMO_SECRETARY, "/me").await;
    // What a phone holds the next morning: the access token long expired
    // (only its claims matter here), the refresh token still good.
    let expired = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwiZXhwIjoxfQ.x";
    shell
        .eval::<Value>(&format!(
            "localStorage.setItem('zhibu.access_token', '{expired}')"
        ))
        .await;
    shell.open("/").await;
    shell
        .wait_until(
            "the home with its data",
            "document.querySelector('.home-hours')",
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let fetched = fetched(&shell).await;
    let main = main_module_start(&fetched);
    let refreshes: Vec<&Value> = fetched
        .iter()
        .filter(|entry| path_of(entry) == "/api/v1/auth/refresh")
        .collect();
    assert_eq!(refreshes.len(), 1, "{fetched:?}");
    assert!(
        refreshes[0]["start"].as_f64().unwrap() <= main,
        "the refresh waited for the main module ({main} ms): {fetched:?}"
    );
    let refused: Vec<&Value> = fetched
        .iter()
        .filter(|entry| entry["status"] == 401)
        .collect();
    assert!(
        refused.is_empty(),
        "asked with the expired token: {refused:?}"
    );
    let mut asked: Vec<String> = fetched
        .iter()
        .map(path_of)
        .filter(|p| p.starts_with("/api/v1/me/"))
        .collect();
    let all = asked.len();
    asked.sort_unstable();
    asked.dedup();
    assert_eq!(all, asked.len(), "a request asked twice: {fetched:?}");
    let stored = shell.local_storage("zhibu.access_token").await;
    assert!(
        stored.is_some_and(|token| token != expired),
        "the renewed token is not stored"
    );
    shell.close().await;
}

/// What the page has fetched: path with query, start and status.
async fn fetched(shell: &Shell) -> Vec<Value> {
    shell
        .eval(
            "performance.getEntriesByType('resource').map((e) => ({ \
               path: new URL(e.name).pathname + new URL(e.name).search, \
               start: e.startTime, status: e.responseStatus }))",
        )
        .await
}

fn path_of(entry: &Value) -> String {
    entry["path"].as_str().unwrap_or_default().to_owned()
}

/// When the main module's download started, in ms from navigation.
fn main_module_start(fetched: &[Value]) -> f64 {
    fetched
        .iter()
        .find(|entry| path_of(entry).starts_with("/assets/zhibu_app_bg-"))
        .and_then(|entry| entry["start"].as_f64())
        .unwrap_or_else(|| panic!("no main module among {fetched:?}"))
}
