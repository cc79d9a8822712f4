//! Reminders: a member turns them on in 通知设置 (push permission asked only
//! then), the job runs as `zhibu jobs run-due` at the hour it is due, the
//! bell counts it, the list shows it and marks it read, and the Web Push
//! message that went to a push endpoint decrypts to the same reminder.
//!
//! Headless Chromium shows no permission prompt: an init script stands in
//! for it, counting the questions and leaving the answer to the test, which
//! sets it through DevTools as the member's tap would. It cannot reach a
//! real push service either, so the encrypted push goes to a local endpoint
//! subscribed through the API with the test's own P-256 keys, as a browser's
//! subscription would be; the decrypted message is then handed to the app's
//! service worker through DevTools, which shows it as a notification.

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chromiumoxide::cdp::browser_protocol::browser::PermissionSetting;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use serde_json::{Value, json};
use zhibu_tests::{TEST_JWT_SECRET, demo, zhibu_binary};

use crate::harness::*;

/// Stands in for the browser's permission prompt: counts the questions and
/// settles each once the test has answered it.
const PROMPT: &str = "(() => {\n\
  if (!('Notification' in self)) return;\n\
  window.__asked = 0;\n\
  window.__answer = null;\n\
  Notification.requestPermission = () => {\n\
    window.__asked += 1;\n\
    return new Promise((resolve) => {\n\
      window.__answer = () => { window.__answer = null; resolve(Notification.permission); return true; };\n\
    });\n\
  };\n\
})();";

/// A message the local push endpoint received: path, body, Authorization.
type Push = (String, Vec<u8>, Option<String>);
type Received = Arc<Mutex<Vec<Push>>>;

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    received: web::Data<Mutex<Vec<Push>>>,
) -> HttpResponse {
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    received
        .lock()
        .unwrap()
        .push((req.path().to_owned(), body.to_vec(), auth));
    HttpResponse::Created().finish()
}

/// A push service on loopback that accepts every message.
async fn local_push_service() -> (String, Received) {
    let received = web::Data::new(Mutex::new(Vec::new()));
    let shared = received.clone().into_inner();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(received.clone())
            .route("/push/{id}", web::post().to(receive))
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .unwrap();
    let base = format!("http://{}", server.addrs()[0]);
    tokio::spawn(server.run());
    (base, shared)
}

/// The keys a browser's push subscription holds.
struct Subscription {
    secret: web_push_native::p256::SecretKey,
    auth: [u8; 16],
    endpoint: String,
}

impl Subscription {
    fn new(endpoint: String) -> Subscription {
        Subscription {
            secret: web_push_native::p256::SecretKey::random(
                &mut web_push_native::p256::elliptic_curve::rand_core::OsRng,
            ),
            auth: *b"fedcba9876543210",
            endpoint,
        }
    }

    /// What `PushSubscription.toJSON()` gives.
    fn json(&self) -> Value {
        use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
        let public = self.secret.public_key().to_encoded_point(false);
        json!({"endpoint": self.endpoint, "expirationTime": null, "keys": {
            "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()),
            "auth": URL_SAFE_NO_PAD.encode(self.auth),
        }})
    }

    /// The plaintext of a message encrypted for this subscription.
    fn plain(&self, body: &[u8]) -> Vec<u8> {
        let auth = web_push_native::Auth::clone_from_slice(&self.auth);
        web_push_native::decrypt(body.to_vec(), &self.secret, &auth)
            .expect("a message encrypted for this subscription")
    }

    fn decrypt(&self, body: &[u8]) -> Value {
        serde_json::from_slice(&self.plain(body)).expect("a JSON payload")
    }
}

/// Delivers `data` to the page's service worker as a push message
/// (DevTools' `ServiceWorker.deliverPushMessage`).
async fn deliver_to_service_worker(shell: &Shell, data: &str) {
    use chromiumoxide::cdp::browser_protocol::service_worker::{
        DeliverPushMessageParams, EnableParams, EventWorkerRegistrationUpdated,
    };
    use futures_util::StreamExt;
    shell.wait_for_service_worker().await;
    let origin = shell.app.url("");
    let origin = origin.trim_end_matches('/');
    let mut updates = shell
        .page
        .event_listener::<EventWorkerRegistrationUpdated>()
        .await
        .expect("listening to service worker registrations");
    shell
        .page
        .execute(EnableParams::default())
        .await
        .expect("ServiceWorker.enable");
    let registration = tokio::time::timeout(WAIT, async {
        while let Some(update) = updates.next().await {
            if let Some(r) = update
                .registrations
                .iter()
                .find(|r| !r.is_deleted && r.scope_url.starts_with(origin))
            {
                return r.registration_id.clone();
            }
        }
        panic!("no registration of the app's service worker");
    })
    .await
    .expect("the app's service worker registration");
    shell
        .page
        .execute(DeliverPushMessageParams::new(origin, registration, data))
        .await
        .expect("ServiceWorker.deliverPushMessage");
}

/// The member's branch's theme day this month and the county's zone.
async fn theme_day(shell: &Shell) -> (NaiveDate, chrono_tz::Tz) {
    let tz = shell.app.settings.timezone().unwrap();
    let branch = shell
        .app
        .org_id(&[demo::COUNTY, demo::STREET, demo::BRANCH_A])
        .await;
    let admin = shell.api_token(DEMO_ADMIN).await;
    let month = zhibu_shared::theme_day::Month::of(zhibu_server::time::today(tz));
    let days = shell
        .api_get(&admin, &format!("/orgs/{branch}/theme-days?month={month}"))
        .await;
    let date = days[0]["date"].as_str().unwrap().parse().unwrap();
    (date, tz)
}

fn local(tz: chrono_tz::Tz, date: NaiveDate, h: u32, m: u32) -> DateTime<FixedOffset> {
    tz.from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()))
        .unwrap()
        .fixed_offset()
}

/// `zhibu jobs run-due --now T`, the real binary on the test's database.
async fn run_due(shell: &Shell, now: DateTime<FixedOffset>) -> String {
    let output = tokio::process::Command::new(zhibu_binary())
        .args(["jobs", "run-due", "--now", &now.to_rfc3339()])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("ZHIBU_DATABASE_URL", &shell.app.settings.database_url)
        .env("ZHIBU_JWT_SECRET", TEST_JWT_SECRET)
        .env("ZHIBU_PUSH_HOSTS", "127.0.0.1")
        .output()
        .await
        .expect("running zhibu jobs run-due");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn launch() -> Shell {
    let shell = Shell::launch_with(|settings| {
        settings.demo = true;
        settings.push_hosts = "127.0.0.1".into();
    })
    .await;
    shell
        .page
        .evaluate_on_new_document(PROMPT)
        .await
        .expect("the prompt stand-in");
    shell
}

/// Opens 通知设置 from 我的, as a member finds it.
async fn open_settings(shell: &Shell) {
    shell.open("/me").await;
    shell.mark(".cell", "通知设置", "notify-settings").await;
    shell.tap("#notify-settings").await;
    shell
        .wait_until(
            "the notification settings",
            "location.pathname === '/me/notifications' && !!document.querySelector('input[name=theme_day]')",
        )
        .await;
}

async fn switch_on(shell: &Shell, name: &str) -> bool {
    shell
        .eval(&format!(
            "document.querySelector('input[name={name}]').checked"
        ))
        .await
}

#[tokio::test]
async fn a_theme_day_reminder_turned_on_in_settings_reaches_the_bell_the_list_and_a_push() {
    let (push_base, received) = local_push_service().await;
    let shell = launch().await;
    let member = shell.api_token(DEMO_MEMBER).await;
    shell.sign_in(DEMO_MEMBER, "/me").await;
    shell.wait_for(".topbar-bell").await;
    assert!(
        shell
            .eval::<bool>("!document.querySelector('.bell-count')")
            .await,
        "no badge with nothing unread"
    );

    // Everything is off, and nothing has asked about notifications.
    open_settings(&shell).await;
    for kind in ["theme_day", "approvals", "deadlines", "results"] {
        assert!(!switch_on(&shell, kind).await, "{kind} is off by default");
    }
    assert_eq!(shell.eval::<u32>("window.__asked").await, 0);

    // Turning the theme day on asks, once; the member allows.
    shell.tap("input[name=theme_day]").await;
    shell
        .wait_until("the permission question", "window.__asked === 1")
        .await;
    shell
        .set_permission("notifications", PermissionSetting::Granted)
        .await;
    assert!(shell.eval::<bool>("window.__answer()").await);
    // Allowed, but headless Chromium's push service never answers the
    // subscription (it cannot reach one): after waiting for it the page says
    // the bell still brings the reminders.
    shell.wait_for_text("此设备暂时无法接收推送").await;
    shell.wait_for_text("通知铃铛").await;
    assert_eq!(
        shell.eval::<String>("Notification.permission").await,
        "granted"
    );
    let stored = shell.api_get(&member, "/me/notification-settings").await;
    assert_eq!(stored["theme_day"], true, "{stored}");
    assert_eq!(stored["results"], false, "{stored}");
    assert_eq!(shell.eval::<u32>("window.__asked").await, 1);

    // A subscription of the member's at a local push endpoint, with keys
    // only this test holds.
    let subscription = Subscription::new(format!("{push_base}/push/member-phone"));
    let r = shell
        .app
        .client
        .post(shell.app.api("/me/push-subscriptions"))
        .bearer_auth(&member)
        .json(&subscription.json())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());

    // The evening before the theme day: nothing at 17:59, the reminder at 18:00.
    let (date, tz) = theme_day(&shell).await;
    let eve = date - Duration::days(1);
    run_due(&shell, local(tz, eve, 17, 59)).await;
    let page = shell.api_get(&member, "/me/notifications").await;
    assert_eq!(page["unread"], 0, "{page}");
    let printed = run_due(&shell, local(tz, eve, 18, 0)).await;
    assert!(printed.contains("done"), "{printed}");
    let page = shell.api_get(&member, "/me/notifications").await;
    assert_eq!(page["unread"], 1, "{page}");
    let note = page["items"][0].clone();
    assert_eq!(note["title"], "明天是主题党日");

    // The push: to the subscription's endpoint, signed with VAPID, and
    // decrypted by its keys to the same reminder.
    let pushes = received.lock().unwrap().clone();
    assert_eq!(pushes.len(), 1, "one push for one reminder");
    let (path, body, auth) = &pushes[0];
    assert_eq!(path, "/push/member-phone");
    assert!(
        auth.as_deref().is_some_and(|a| a.starts_with("vapid t=")),
        "{auth:?}"
    );
    let message = subscription.decrypt(body);
    assert_eq!(message["title"], "明天是主题党日");
    assert_eq!(message["body"], note["body"]);
    assert!(
        message["body"].as_str().unwrap().contains(&format!(
            "{}月{}日",
            date.format("%-m"),
            date.format("%-d")
        )),
        "{message}"
    );
    assert_eq!(message["url"], "/checkin");
    assert_eq!(message["id"], note["id"]);

    // The same message handed to the app's service worker, as the push
    // service would: it shows the notification with its page.
    deliver_to_service_worker(
        &shell,
        &String::from_utf8(subscription.plain(body)).unwrap(),
    )
    .await;
    let shown = shell
        .wait_for_value(
            "the notification shown by the service worker",
            "navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) => \
               ns.length ? ns.map((n) => ({title: n.title, body: n.body, url: n.data && n.data.url, tag: n.tag})) : null)",
        )
        .await;
    assert_eq!(
        shown,
        json!([{"title": "明天是主题党日", "body": note["body"], "url": "/checkin", "tag": format!("zhibu-{}", note["id"])}])
    );

    // Moving to another page asks again: the bell shows one.
    shell.tap(".tabbar .tab[href='/']").await;
    shell
        .wait_until(
            "one unread on the bell",
            "document.querySelector('.bell-count') && document.querySelector('.bell-count').innerText === '1'",
        )
        .await;
    assert_eq!(
        shell
            .eval::<String>("document.querySelector('.topbar-bell').getAttribute('aria-label')")
            .await,
        "通知，未读 1"
    );

    // The list shows it, unread, and opening it marks it read.
    shell.tap(".topbar-bell").await;
    shell
        .wait_until(
            "the reminder in the list",
            "location.pathname === '/notifications' && [...document.querySelectorAll('.list .row')].some((r) => r.innerText.includes('明天是主题党日') && r.innerText.includes('未读'))",
        )
        .await;
    assert_eq!(shell.title().await, "通知");
    shell
        .wait_until("the badge gone", "!document.querySelector('.bell-count')")
        .await;
    let page = shell.api_get(&member, "/me/notifications").await;
    assert_eq!(page["unread"], 0, "{page}");
    assert_eq!(page["items"][0]["read"], true);

    // Tapping it opens its page.
    shell.mark(".list .row", "明天是主题党日", "reminder").await;
    shell.tap("#reminder a").await;
    shell
        .wait_until("the check-in page", "location.pathname === '/checkin'")
        .await;
    // Back on the list, it is read now.
    shell.open("/notifications").await;
    shell
        .wait_until(
            "the read reminder",
            "[...document.querySelectorAll('.list .row')].some((r) => r.innerText.includes('明天是主题党日') && !r.innerText.includes('未读'))",
        )
        .await;
    assert!(
        shell
            .eval::<bool>("!document.querySelector('.bell-count')")
            .await
    );
    shell.assert_no_csp_violations().await;
    shell.close().await;
}

#[tokio::test]
async fn a_member_who_refuses_notifications_is_told_the_bell_still_works_and_sets_quiet_hours() {
    let shell = launch().await;
    let member = shell.api_token(DEMO_MEMBER).await;
    shell.sign_in(DEMO_MEMBER, "/me").await;
    open_settings(&shell).await;

    // Quiet hours are not a reminder: nothing is asked.
    shell
        .wait_for_value(
            "quiet hours from 23:00",
            &set_value("input[name=quiet_from]", "23:00"),
        )
        .await;
    shell
        .wait_for_value(
            "quiet hours to 06:30",
            &set_value("input[name=quiet_to]", "06:30"),
        )
        .await;
    shell
        .wait_until(
            "the quiet hours saved",
            "document.querySelector('.toast-host').innerText.includes('已保存')",
        )
        .await;
    stored_settings(&shell, &member, |stored| {
        stored["quiet_from"] == "23:00" && stored["quiet_to"] == "06:30"
    })
    .await;
    assert_eq!(shell.eval::<u32>("window.__asked").await, 0);

    // Turning results on asks; the member refuses.
    shell.tap("input[name=results]").await;
    shell
        .wait_until("the permission question", "window.__asked === 1")
        .await;
    shell
        .set_permission("notifications", PermissionSetting::Denied)
        .await;
    assert!(shell.eval::<bool>("window.__answer()").await);
    shell.wait_for_text("您没有允许通知").await;
    shell.wait_for_text("通知铃铛").await;
    // The reminder itself is on all the same, for the bell.
    assert!(switch_on(&shell, "results").await);
    // The switch shows at once; its save may still be on its way.
    let stored = stored_settings(&shell, &member, |stored| stored["results"] == true).await;
    assert_eq!(stored["quiet_from"], "23:00");

    // Coming back later, the page says so again without asking.
    shell.open("/me/notifications").await;
    shell.wait_for_text("您没有允许通知").await;
    assert_eq!(
        shell.eval::<u32>("window.__asked").await,
        0,
        "a fresh page asks nothing"
    );
    assert!(switch_on(&shell, "results").await);
    assert!(!switch_on(&shell, "theme_day").await);
    shell.close().await;
}

/// The member's stored notification settings once `saved` holds for them,
/// polled until [`WAIT`] runs out.
async fn stored_settings(shell: &Shell, member: &str, saved: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let stored = shell.api_get(member, "/me/notification-settings").await;
        if saved(&stored) {
            return stored;
        }
        assert!(std::time::Instant::now() < deadline, "{stored}");
        tokio::time::sleep(POLL).await;
    }
}
