//! Volunteer hours: logged in the 志愿 tab, approved in 审核, seen on the
//! county's dashboard.

use crate::harness::*;

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
