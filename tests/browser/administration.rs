//! Administration at phone width: members, roles, units and communities.

use std::time::Instant;

use serde_json::{Value, json};

use crate::harness::*;

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
    // The page redraws its forms with the reloaded member: a role picked
    // before that would be reset.
    shell
        .wait_until(
            "the saved categories shown",
            "document.querySelector('main .facts').innerText.includes('流动')",
        )
        .await;

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
