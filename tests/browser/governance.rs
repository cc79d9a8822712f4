//! Governance at phone width: a secretary records a meeting with a photo of
//! the sign-in sheet; an inspector draws a sample, grades the branch's
//! record and raises a problem; the secretary rectifies it; the inspector
//! accepts it.

use crate::harness::*;

/// A 1 × 1 PNG, as a phone camera would give a (much larger) JPEG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

#[tokio::test]
async fn a_meeting_is_recorded_with_a_photo_and_a_problem_found_in_it_is_rectified_and_accepted() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let app = &shell.app;
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let admin = shell.api_token(DEMO_ADMIN).await;
    let county = app.org_id(&["东明县委"]).await;
    let branch = app
        .org_id(&["东明县委", "城关街道党工委", "东关社区党支部"])
        .await;

    // 组织 → 组织生活: a 支委会 with two members and a photo.
    shell.sign_in(DEMO_SECRETARY, "/").await;
    shell.open(&format!("/orgs/{branch}")).await;
    shell
        .wait_for_value(
            "the 组织生活 link",
            &click_link(&format!("/orgs/{branch}/meetings")),
        )
        .await;
    shell.wait_for_text("记录一次会议").await;
    shell
        .wait_for_value("the 支委会 chip", &click_button("main .chips", "支委会"))
        .await;
    shell
        .wait_for_value(
            "the topic",
            &set_value("input[name=topic]", "研究冬季慰问困难党员"),
        )
        .await;
    // Tapping a name ticks it: the whole row is the target, as in roll-call.
    shell
        .wait_for_value(
            "two names in the attendee list",
            "(() => { const names = [...document.querySelectorAll('main .row-select .row-title')]; \
               if (names.length < 2) return null; names[0].id = 'first'; names[1].id = 'second'; return true; })()",
        )
        .await;
    shell.tap("#first").await;
    shell.tap("#second").await;
    let ticked: usize = shell
        .eval("[...document.querySelectorAll('main .row-check input')].filter((b) => b.checked).length")
        .await;
    assert_eq!(ticked, 2, "tapping two names ticks two boxes");
    shell
        .wait_for_value(
            "the photo",
            &format!(
                "(() => {{ const input = document.querySelector('input[name=meeting-photo]'); if (!input) return null; \
                   const bytes = Uint8Array.from(atob('{PNG}'), (c) => c.charCodeAt(0)); \
                   const files = new DataTransfer(); files.items.add(new File([bytes], 'sign-in.png', {{type: 'image/png'}})); \
                   input.files = files.files; input.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"
            ),
        )
        .await;
    shell
        .wait_for_value("保存会议记录", &click_button("main .card", "保存会议记录"))
        .await;
    let ledger = until(
        &shell,
        &secretary,
        &format!("/orgs/{branch}/meetings"),
        "the meeting with its photo",
        |l| {
            l["meetings"].as_array().unwrap().iter().any(|m| {
                m["topic"] == "研究冬季慰问困难党员"
                    && m["kind"] == "committee"
                    && m["attendees"].as_array().unwrap().len() == 2
                    && m["attachments"].as_array().unwrap().len() == 1
            })
        },
    )
    .await;
    shell.wait_for_text("研究冬季慰问困难党员").await;
    let month = ledger["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["topic"] == "研究冬季慰问困难党员")
        .unwrap()["held_on"]
        .as_str()
        .unwrap()[..7]
        .to_owned();

    // The county draws this month's meetings across every branch and grades 东关's.
    shell.sign_out_locally().await;
    shell.sign_in(DEMO_ADMIN, "/me").await;
    shell
        .wait_for_value("the 抽查工作台 link", &click_link("/inspections"))
        .await;
    shell
        .wait_for_value(
            "the scope",
            &set_value("select[name=scope]", &county.to_string()),
        )
        .await;
    shell
        .wait_for_value("the month", &set_value("input[name=inspect-month]", &month))
        .await;
    shell
        .wait_for_value("the size", &set_value("input[name=sample-size]", "200"))
        .await;
    shell
        .wait_for_value("开始抽取", &click_button("main .card", "开始抽取"))
        .await;
    shell
        .wait_until(
            "the inspection page",
            "location.pathname.startsWith('/inspections/')",
        )
        .await;
    shell.wait_for_text("随机种子").await;
    shell
        .mark("main .list li", "东关社区党支部", "dongguan")
        .await;
    shell
        .wait_for_value("评定", &click_button("#dongguan", "评定"))
        .await;
    shell.wait_for_text("研究冬季慰问困难党员").await;
    shell
        .wait_for_value("the 一般 chip", &click_button("main .chips", "一般"))
        .await;
    shell
        .wait_for_value(
            "the problem",
            &set_value("input[name=problem]", "会议记录未写明议题表决情况"),
        )
        .await;
    shell
        .wait_for_value("保存评定", &click_button("main .card", "保存评定"))
        .await;
    let problems =
        until(
            &shell,
            &secretary,
            &format!("/problems?org_id={branch}"),
            "the problem raised",
            |p| {
                p["items"].as_array().unwrap().iter().any(|p| {
                    p["description"] == "会议记录未写明议题表决情况" && p["status"] == "open"
                })
            },
        )
        .await;
    let problem = problems["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["description"] == "会议记录未写明议题表决情况")
        .unwrap()["id"]
        .clone();

    // The secretary rectifies it from 整改清单.
    shell.sign_out_locally().await;
    shell.sign_in(DEMO_SECRETARY, "/").await;
    shell.open(&format!("/orgs/{branch}/problems")).await;
    shell.wait_for_text("会议记录未写明议题表决情况").await;
    shell
        .wait_for_value(
            "the note",
            &set_value("input[name=rectify-note]", "已补记表决情况并存档"),
        )
        .await;
    shell
        .wait_for_value("提交整改", &click_button("main .card", "提交整改"))
        .await;
    until(
        &shell,
        &secretary,
        &format!("/problems/{problem}"),
        "submitted",
        |p| p["status"] == "submitted",
    )
    .await;

    // The county accepts it from 待我验收.
    shell.sign_out_locally().await;
    shell.sign_in(DEMO_ADMIN, "/").await;
    shell.open(&format!("/orgs/{county}/problems")).await;
    shell
        .wait_for_value("待我验收", &click_button("main .segmented", "待我验收"))
        .await;
    shell.wait_for_text("已补记表决情况并存档").await;
    shell
        .wait_for_value("验收通过", &click_button("main .card", "验收通过"))
        .await;
    until(
        &shell,
        &admin,
        &format!("/problems/{problem}"),
        "accepted",
        |p| p["status"] == "accepted",
    )
    .await;
    shell.assert_no_csp_violations().await;
    shell.close().await;
}
