//! Members by class at phone width: the secretary's 党员分类管理 (posts
//! and floating members' contacts) and a floating member keeping their
//! whereabouts.

use serde_json::{Value, json};

use crate::harness::*;

async fn patch(shell: &Shell, token: &str, path: &str, body: Value) {
    let response = shell
        .app
        .client
        .patch(shell.app.api(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "PATCH {path}: {}",
        response.status()
    );
}

#[tokio::test]
async fn a_secretary_sets_posts_and_contacts_and_a_floating_member_keeps_their_whereabouts() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let app = &shell.app;
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let branch = app
        .org_id(&["东明县委", "城关街道党工委", "东关社区党支部"])
        .await;
    let members = shell
        .api_get(&secretary, &format!("/orgs/{branch}/members?limit=200"))
        .await;
    let jobless = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["categories"]
                .as_array()
                .unwrap()
                .contains(&json!("jobless_with_post"))
        })
        .expect("a member without a job in the branch")
        .clone();
    // The demo member goes to work in another city.
    let member = app.member_id(DEMO_MEMBER).await;
    patch(
        &shell,
        &secretary,
        &format!("/members/{member}"),
        json!({"categories": ["floating"]}),
    )
    .await;

    // 组织 → 党员分类管理 → a new post with a holder.
    shell.sign_in(DEMO_SECRETARY, "/").await;
    shell.open(&format!("/orgs/{branch}")).await;
    shell
        .wait_for_value(
            "the 党员分类管理 link",
            &click_link(&format!("/orgs/{branch}/classes")),
        )
        .await;
    shell.wait_for_text("还没有设立岗位").await;
    shell
        .wait_for_value(
            "政策宣传岗",
            &set_value("input[name=post-name]", "政策宣传岗"),
        )
        .await;
    shell
        .wait_for_value(
            "向群众宣讲惠民政策",
            &set_value("input[name=post-duties]", "向群众宣讲惠民政策"),
        )
        .await;
    shell
        .wait_for_value("设立岗位", &click_button("main .card", "设立岗位"))
        .await;
    shell.wait_for_text("暂无党员在岗").await;
    shell
        .wait_for_value(
            "the holder picker",
            &set_value("select[name=post-holder]", &jobless["id"].to_string()),
        )
        .await;
    shell
        .wait_for_value("安排上岗", &click_button("main .card", "安排上岗"))
        .await;
    let name = jobless["name"].as_str().unwrap().to_owned();
    shell.wait_for_text(&name).await;
    until(
        &shell,
        &secretary,
        &format!("/orgs/{branch}/posts"),
        "the post's holder",
        |posts| posts[0]["name"] == "政策宣传岗" && posts[0]["holders"][0]["name"] == json!(name),
    )
    .await;

    // 流动党员: never reached, so overdue; a contact person and a call.
    shell
        .wait_for_value(
            "the 流动党员 tab",
            &click_button("main .segmented", "流动党员"),
        )
        .await;
    let row = "[...document.querySelectorAll('main .list li')].find((li) => li.innerText.includes('王在职'))";
    shell
        .wait_until(
            "王在职 overdue",
            &format!(
                "(() => {{ const r = {row}; return !!r && r.innerText.includes('超期未联系'); }})()"
            ),
        )
        .await;
    shell.mark("main .list li", "王在职", "wang").await;
    shell
        .wait_for_value("联系", &click_button("#wang", "联系"))
        .await;
    let secretary_id = app.member_id(DEMO_SECRETARY).await;
    shell
        .wait_for_value(
            "the contact person picker",
            &set_value("select[name=contact-person]", &secretary_id.to_string()),
        )
        .await;
    shell
        .wait_for_value("指定联系人", &click_button("main .card", "指定联系人"))
        .await;
    shell.wait_for_text("联系人 李书记").await;
    shell
        .wait_for_value(
            "电话了解近况",
            &set_value("input[name=contact-note]", "电话了解近况"),
        )
        .await;
    shell
        .wait_for_value("保存联系记录", &click_button("main .card", "保存联系记录"))
        .await;
    until(
        &shell,
        &secretary,
        &format!("/orgs/{branch}/floating"),
        "the contact",
        |list| {
            list.as_array().unwrap().iter().any(|f| {
                f["member"]["id"] == json!(member)
                    && f["overdue"] == false
                    && f["contact"]["id"] == json!(secretary_id)
                    && f["contacts"][0]["note"] == "电话了解近况"
            })
        },
    )
    .await;
    shell
        .wait_until(
            "王在职's overdue mark gone",
            &format!("(() => {{ const r = {row}; return !!r && !r.innerText.includes('超期未联系'); }})()"),
        )
        .await;

    // The member: 我的 → 岗位与去向, where they are now.
    shell.sign_out_locally().await;
    shell.sign_in(DEMO_MEMBER, "/me").await;
    shell
        .wait_for_value("the 岗位与去向 link", &click_link("/me/classes"))
        .await;
    shell.wait_for_text("一对一联系人").await;
    shell
        .wait_for_value("上海", &set_value("input[name=city]", "上海"))
        .await;
    shell
        .wait_for_value("美团外卖", &set_value("input[name=employer]", "美团外卖"))
        .await;
    shell
        .wait_for_value(
            "the date away",
            &set_value("input[name=away-since]", "2026-09-01"),
        )
        .await;
    shell
        .wait_for_value("保存去向", &click_button("main .card", "保存去向"))
        .await;
    let token = shell.api_token(DEMO_MEMBER).await;
    until(&shell, &token, "/me/classes", "the whereabouts", |mine| {
        mine["floating"]["city"] == "上海"
    })
    .await;
    let mine = shell.api_get(&token, "/me/classes").await;
    assert_eq!(mine["floating"]["city"], "上海");
    assert_eq!(mine["floating"]["employer"], "美团外卖");
    assert_eq!(mine["floating"]["since"], "2026-09-01");
    assert_eq!(mine["floating"]["contact"]["id"], json!(secretary_id));
    shell.assert_no_csp_violations().await;
    shell.close().await;
}
