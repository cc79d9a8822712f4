//! What members trip over on a phone, one journey per finding.

use crate::harness::*;

#[tokio::test]
async fn a_member_without_approved_service_is_told_why_no_certificate_is_issued() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    shell.sign_in(DEMO_MEMBER, "/me/certificate").await;
    shell
        .wait_for_value("开具证明", &click_button("main .card", "开具证明"))
        .await;
    shell
        .wait_for_text("所选期间没有已通过审核的服务时长")
        .await;
    assert_eq!(shell.path().await, "/me/certificate");
    shell.close().await;
}

#[tokio::test]
async fn community_reporting_shows_where_i_report_and_an_empty_search_lists_communities() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    shell.sign_in(DEMO_MEMBER, "/me/community").await;
    shell.wait_for_text("当前报到社区：东关社区").await;
    shell
        .wait_for_value("搜索", &click_button("main .search", "搜索"))
        .await;
    shell.wait_for_text("西关社区").await;
    let rows: usize = shell
        .eval("document.querySelectorAll('main .list li').length")
        .await;
    assert!(rows > 10, "an empty search lists the communities: {rows}");
    shell.close().await;
}
