//! Checking in: a check-in made offline waits, then lands exactly once.

use serde_json::Value;

use crate::harness::*;

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
    let (day_id, day) = shell
        .open_branch_day_now(&member, &secretary, chrono::Duration::minutes(10))
        .await;
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
    // The row says what became of it.
    shell
        .wait_until(
            "the synced row",
            &format!(
                "[...document.querySelectorAll('.list .row')].some((r) => r.innerText.includes('已同步 ✓') && r.innerText.includes({title:?}))"
            ),
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
    shell.open_url(&format!("{origin}/checkin")).await;
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
async fn a_queued_check_in_the_server_refuses_stays_listed_with_the_reason_until_dismissed() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let relay = Relay::start(shell.app.port);
    let origin = format!("http://127.0.0.1:{}", relay.port);
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let member = shell.api_token(DEMO_MEMBER).await;
    let (day_id, _) = shell
        .open_branch_day_now(&member, &secretary, chrono::Duration::minutes(10))
        .await;

    shell
        .open_url(&format!("{origin}/login?next=/checkin"))
        .await;
    shell.type_into("input[name=phone]", DEMO_MEMBER).await;
    shell.type_into("input[name=password]", DEMO_PASSWORD).await;
    shell.tap("form button[type=submit]").await;
    shell
        .wait_until(
            "the short-code field",
            "!!document.querySelector('input[name=short_code]')",
        )
        .await;
    // A code misread off the screen, typed without a network.
    let code = shell
        .api_get(&secretary, &format!("/theme-days/{day_id}/code"))
        .await;
    let wrong = if code["short_code"] == "000000" {
        "111111"
    } else {
        "000000"
    };
    shell.go_offline(&relay).await;
    shell.type_into("input[name=short_code]", wrong).await;
    shell.tap("main .card .btn-primary").await;
    shell.wait_for_text("待同步").await;

    // Back online, the server refuses it: the row stays, saying why and
    // what to do, also after the app is opened again.
    shell.go_online(&relay).await;
    let refused = "[...document.querySelectorAll('.list .row')].some((r) => r.innerText.includes('未通过') && r.innerText.includes('签到码') && r.innerText.includes('点名补记'))";
    shell.wait_until("the refused row", refused).await;
    shell.open_url(&format!("{origin}/checkin")).await;
    shell
        .wait_until("the refused row after a reload", refused)
        .await;
    assert!(shell.local_storage("zhibu.outbox").await.is_some());

    // Dismissed, it is gone for good.
    shell
        .wait_for_value("知道了", &click_button("main .list", "知道了"))
        .await;
    shell
        .wait_until(
            "the queue emptied",
            "localStorage.getItem('zhibu.outbox') === null",
        )
        .await;
    assert!(
        !shell
            .eval::<bool>("document.querySelector('main').innerText.includes('未通过')")
            .await
    );
    drop(relay);
    shell.close().await;
}
