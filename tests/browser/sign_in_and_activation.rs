//! Signing in and activating: the login form, a session renewed once and
//! ended, and a real county from `zhibu init` to members activating with
//! printed codes.

use serde_json::{Value, json};

use crate::harness::*;

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

    // A session that cannot be renewed (both tokens refused) goes to
    // sign-in, which comes back to the page the member was on.
    shell
        .eval::<bool>(
            "(localStorage.setItem('zhibu.access_token', 'expired'), \
              localStorage.setItem('zhibu.refresh_token', 'revoked'), true)",
        )
        .await;
    shell.open("/me").await;
    shell
        .wait_until(
            "sign-in with the way back",
            "location.pathname === '/login' && new URLSearchParams(location.search).get('next') === '/me'",
        )
        .await;
    shell.type_into("input[name=phone]", DEMO_MEMBER).await;
    shell.type_into("input[name=password]", DEMO_PASSWORD).await;
    shell.tap("form button[type=submit]").await;
    shell
        .wait_until(
            "back on 我的",
            "location.pathname === '/me' && !!document.querySelector('.profile-name')",
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
    let days = shell
        .api_get(
            &admin,
            &format!("/orgs/{branch}/theme-days?month={}", this_month()),
        )
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
