//! Checking in: a check-in made offline waits, then lands exactly once.

use serde_json::{Value, json};

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
