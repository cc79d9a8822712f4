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

#[tokio::test]
async fn a_rider_in_a_branch_and_a_sector_committee_tells_the_days_to_check_in_to_apart_by_unit() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let admin = shell.api_token(DEMO_ADMIN).await;
    let rider = shell.api_token(DEMO_RIDER).await;
    // Both of the rider's units hold this month's theme day; open both now.
    let days = shell.api_get(&rider, "/me/theme-days").await;
    let days: Vec<&serde_json::Value> = days.as_array().unwrap().iter().collect();
    let first = days[0]["date"].clone();
    let same_day: Vec<&&serde_json::Value> = days.iter().filter(|d| d["date"] == first).collect();
    assert_eq!(
        same_day.len(),
        2,
        "the branch's and the committee's: {days:?}"
    );
    for day in &same_day {
        let id = day["id"].as_i64().unwrap();
        shell
            .open_day_now(&admin, id, chrono::Duration::minutes(10))
            .await;
    }
    shell.sign_in(DEMO_RIDER, "/checkin").await;
    for day in &same_day {
        let unit = day["org"]["name"].as_str().unwrap();
        shell
            .wait_until(
                &format!("a choice naming {unit}"),
                &format!(
                    "[...document.querySelectorAll('main .chip')].some((c) => c.innerText.includes({unit:?}))"
                ),
            )
            .await;
    }
    shell.close().await;
}

/// Every month field of the page: its width and whether it lies inside
/// the screen, as `[[width, inside], ..]`.
const MONTH_FIELDS: &str = "[...document.querySelectorAll('main input[type=month]')].map((e) => { \
     const r = e.getBoundingClientRect(); \
     return [r.width, r.left >= 0 && r.right <= document.documentElement.clientWidth]; })";

#[tokio::test]
async fn month_fields_keep_a_whole_month_in_view_on_a_320_pixel_screen() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    shell.sign_in(DEMO_SECRETARY, "/me").await;
    shell.set_width(320).await;
    let branch = shell
        .api_get(&shell.api_token(DEMO_SECRETARY).await, "/me")
        .await["branch"]["id"]
        .clone();
    for path in [
        format!("/orgs/{branch}/hours"),
        "/me/certificate".to_owned(),
    ] {
        shell.open(&path).await;
        shell
            .wait_until(
                "the month fields",
                "document.querySelectorAll('main input[type=month]').length >= 2",
            )
            .await;
        let fields: Vec<(f64, bool)> = shell.eval(MONTH_FIELDS).await;
        for (width, inside) in fields {
            // "2026年11月" and the picker's icon need about 150 CSS pixels.
            assert!(
                width >= 150.0 && inside,
                "{path}: a month field {width}px wide, inside: {inside}"
            );
        }
    }
    shell.close().await;
}

/// The page's layout shifts so far (not caused by input), as Lighthouse
/// sums them for CLS.
const LAYOUT_SHIFT: &str = "new Promise((resolve) => { \
     new PerformanceObserver((list) => resolve(list.getEntries().filter((e) => !e.hadRecentInput) \
       .reduce((sum, e) => sum + e.value, 0))).observe({ type: 'layout-shift', buffered: true }); \
     setTimeout(() => resolve(0), 500); })";

#[tokio::test]
async fn the_live_screen_names_its_day_and_shows_a_code_only_while_the_day_is_open() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let me = shell.api_get(&secretary, "/me").await;
    let days = shell.api_get(&secretary, "/me/theme-days").await;
    let day = days
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["org"]["id"] == me["branch"]["id"] && d["status"] == "upcoming")
        .cloned()
        .unwrap_or_else(|| panic!("an upcoming theme day of the branch: {days}"));
    let id = day["id"].as_i64().unwrap();
    let date = day["date"].as_str().unwrap();
    let unit = day["org"]["name"].as_str().unwrap();

    // Before the day: its date and unit, and no code that would check nobody in.
    shell.sign_in(DEMO_SECRETARY, "/me").await;
    shell.open(&format!("/theme-days/{id}/live")).await;
    shell
        .wait_until(
            "the day named with its date and unit",
            &format!(
                "(document.querySelector('.live-day')?.innerText ?? '').includes({date:?}) \
                 && document.querySelector('.live-day').innerText.includes({unit:?})"
            ),
        )
        .await;
    shell.wait_for_text("主题党日开始后").await;
    let codes: usize = shell
        .eval("document.querySelectorAll('.qr, .short-code').length")
        .await;
    assert_eq!(codes, 0, "no code before the day opens");

    // This month's day opens (a later month's cannot be moved to now): the
    // code appears, and nothing jumps while it loads.
    let (id, _) = shell
        .open_branch_day_now(&secretary, &secretary, chrono::Duration::minutes(10))
        .await;
    shell.open(&format!("/theme-days/{id}/live")).await;
    shell
        .wait_until("the QR code", "!!document.querySelector('.qr svg')")
        .await;
    let short: String = shell
        .eval("document.querySelector('.short-code').innerText")
        .await;
    assert!(
        short.len() == 6 && short.chars().all(|c| c.is_ascii_digit()),
        "{short}"
    );
    shell
        .wait_until(
            "the count",
            "/\\d/.test(document.querySelector('.count-present').innerText)",
        )
        .await;
    let shift: f64 = shell.eval(LAYOUT_SHIFT).await;
    assert!(
        shift <= 0.05,
        "the live screen shifted by {shift} while loading"
    );
    shell.close().await;
}

#[tokio::test]
async fn a_member_who_scanned_the_code_and_then_signed_in_still_checks_in_for_review() {
    use zhibu_server::checkins::codes::CodeSigner;
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let member = shell.api_token(DEMO_MEMBER).await;
    let me = shell.api_get(&member, "/me").await;
    let (id, day) = shell
        .open_branch_day_now(&member, &secretary, chrono::Duration::minutes(30))
        .await;
    let now = chrono::Utc::now();

    // The phone scanned the screen's code three minutes ago, signed out: it
    // is sent to sign in, which takes longer than the code lives.
    let ago = 180_000;
    let signer = CodeSigner::new(&secrecy::SecretString::from(zhibu_tests::TEST_JWT_SECRET));
    let token = signer.token(id, CodeSigner::step_at(now.timestamp() - ago / 1000));
    shell.clock_behind_once(ago).await;
    shell.open(&format!("/checkin/{id}?t={token}")).await;
    shell
        .wait_until("sent to sign in", "location.pathname === '/login'")
        .await;
    let login: String = shell.eval("location.pathname + location.search").await;
    // Signing in on a page load with the real clock, then back to the code.
    shell.open(&login).await;
    shell.type_into("input[name=phone]", DEMO_MEMBER).await;
    shell.type_into("input[name=password]", DEMO_PASSWORD).await;
    shell.tap("form button[type=submit]").await;
    shell
        .wait_until(
            "back at the check-in link",
            &format!("location.pathname === '/checkin/{id}'"),
        )
        .await;
    shell
        .wait_for_value("一键签到", &click_button("main .actions", "一键签到"))
        .await;
    shell.wait_for_text("待审核").await;

    // It landed for the secretary to confirm, claimed at the scan.
    let checkins = until(
        &shell,
        &secretary,
        &format!("/theme-days/{id}/checkins"),
        "the member's check-in",
        |all| {
            all.as_array()
                .unwrap()
                .iter()
                .any(|c| c["member"]["id"] == me["id"])
        },
    )
    .await;
    let mine = checkins
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["member"]["id"] == me["id"])
        .unwrap();
    assert_eq!(mine["status"], "pending", "{mine}");
    let claimed =
        chrono::DateTime::parse_from_rfc3339(mine["claimed_at"].as_str().unwrap()).unwrap();
    let behind = (now - claimed.with_timezone(&chrono::Utc)).num_seconds();
    assert!(
        (150..=240).contains(&behind),
        "claimed {behind} s before the sign-in"
    );

    // The secretary's inbox says which theme day and when it was scanned.
    shell.sign_out_locally().await;
    shell.sign_in(DEMO_SECRETARY, "/review").await;
    let title = day["title"].as_str().unwrap();
    let name = me["name"].as_str().unwrap();
    shell
        .wait_for_row("the late check-in in the inbox", &[name, title, "扫码于"])
        .await;
    shell.close().await;
}

#[tokio::test]
async fn home_shows_whether_i_have_checked_in_and_my_hours_this_year() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let member = shell.api_token(DEMO_MEMBER).await;
    let me = shell.api_get(&member, "/me").await;
    let year = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let logs = shell
        .api_get(
            &member,
            &format!(
                "/me/service-logs?from={}-01-01&to={year}",
                year.format("%Y")
            ),
        )
        .await;
    let minutes: i64 = logs
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["status"] == "approved")
        .map(|l| l["minutes"].as_i64().unwrap())
        .sum();
    let hours = zhibu_shared::volunteer::hours(minutes);

    // The branch's next theme day opens now.
    let (id, _) = shell
        .open_branch_day_now(&member, &secretary, chrono::Duration::minutes(10))
        .await;

    shell.sign_in(DEMO_MEMBER, "/").await;
    shell
        .wait_for_text(&format!("今年志愿服务 {hours} 小时"))
        .await;
    shell
        .wait_until(
            "the way to check in",
            "[...document.querySelectorAll('main a.my-standing')].some((a) => a.innerText.trim() === '去签到' && a.getAttribute('href') === '/checkin')",
        )
        .await;

    // Checked in by roll-call, the card says so.
    shell.roll_call(&secretary, id, &me["id"]).await;
    shell.open("/").await;
    shell.wait_for_text("已签到 ✓").await;
    let ways: usize = shell
        .eval("document.querySelectorAll('main a.my-standing').length")
        .await;
    assert_eq!(ways, 0, "no way to check in again");
    shell.close().await;
}

#[tokio::test]
async fn dues_are_prefilled_at_the_standard_warned_below_it_and_listed_paid_or_unpaid() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let member = shell.api_token(DEMO_MEMBER).await;
    let me = shell.api_get(&member, "/me").await;
    let (id, _) = shell.this_months_branch_day(&member).await;
    let name = me["name"].as_str().unwrap();

    shell.sign_in(DEMO_SECRETARY, "/me").await;
    shell.open(&format!("/theme-days/{id}/live")).await;
    // Everyone expected is listed, nobody has paid yet.
    shell
        .wait_for_row("the member listed unpaid", &[name, "未交"])
        .await;
    shell
        .wait_for_value(
            "the member chosen",
            &set_value("select[name=member]", &me["id"].to_string()),
        )
        .await;
    shell
        .wait_for_value("在职", &click_button("main", "在职"))
        .await;
    shell
        .wait_for_value("income", &set_value("input[name=income]", "3000"))
        .await;
    // 0.5% of 3,000 yuan: the amount is filled in.
    shell
        .wait_until(
            "the standard filled in",
            "document.querySelector('input[name=amount]').value === '15.00'",
        )
        .await;
    shell
        .wait_for_value("amount", &set_value("input[name=amount]", "10"))
        .await;
    shell.wait_for_text("低于规定标准，每月应交 ¥15.00").await;
    shell
        .wait_for_value("record anyway", &click_button("main", "仍按此金额记录"))
        .await;
    shell
        .wait_for_row("the member listed paid", &[name, "已交", "¥10.00"])
        .await;
    let recorded = shell
        .api_get(&secretary, &format!("/theme-days/{id}/dues"))
        .await;
    assert_eq!(recorded[0]["amount_fen"], 1000, "{recorded}");
    assert_eq!(recorded[0]["standard_fen"], 1500, "{recorded}");
    let export: bool = shell
        .eval("[...document.querySelectorAll('main button')].some((b) => b.innerText.trim() === '导出 CSV')")
        .await;
    assert!(export, "the list can be exported");
    shell.close().await;
}

#[tokio::test]
async fn the_review_cell_shows_how_many_requests_wait() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let member = shell.api_token(DEMO_MEMBER).await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let logged = shell
        .app
        .client
        .post(shell.app.api("/service-logs"))
        .bearer_auth(&member)
        .json(&serde_json::json!({
            "id": uuid::Uuid::new_v4().to_string(), "kind": "volunteer",
            "date": today, "minutes": 45, "start_time": "06:00",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), 201, "{}", logged.text().await.unwrap());
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let inbox = shell.api_get(&secretary, "/review/pending").await;
    let waiting: usize = [
        "checkins",
        "service_logs",
        "community_reports",
        "sector_memberships",
    ]
    .iter()
    .map(|k| inbox[k].as_array().unwrap().len())
    .sum();
    let more = [
        "checkins",
        "service_logs",
        "community_reports",
        "sector_memberships",
    ]
    .iter()
    .any(|k| inbox["next_cursor"][k].is_string());
    let expected = if more {
        format!("{waiting}+")
    } else {
        waiting.to_string()
    };

    shell.sign_in(DEMO_SECRETARY, "/me").await;
    shell
        .wait_until(
            "the count on 审核",
            &format!(
                "[...document.querySelectorAll('main a.cell')].some((c) => c.getAttribute('href') === '/review' && c.querySelector('.cell-value').innerText.trim() === {expected:?})"
            ),
        )
        .await;
    shell.close().await;
}

#[tokio::test]
async fn a_secretary_rejects_a_make_up_with_a_reason_on_the_live_screen() {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let member = shell.api_token(DEMO_MEMBER).await;
    let me = shell.api_get(&member, "/me").await;
    // This month's theme day of the branch, held earlier today and missed
    // by the member, who asks for a make-up.
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let local = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai);
    let branch = me["branch"]["id"].clone();
    let days = shell
        .api_get(
            &secretary,
            &format!("/orgs/{branch}/theme-days?month={}", this_month()),
        )
        .await;
    let id = days
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["org"]["id"] == branch)
        .unwrap_or_else(|| panic!("this month's theme day of the branch: {days}"))["id"]
        .as_i64()
        .unwrap();
    let now = chrono::Utc::now();
    let patched = shell
        .app
        .client
        .patch(shell.app.api(&format!("/theme-days/{id}")))
        .bearer_auth(&secretary)
        .json(&serde_json::json!({
            "date": local.date_naive(),
            "starts_at": (now - chrono::Duration::minutes(3)).to_rfc3339(),
            "ends_at": (now - chrono::Duration::minutes(1)).to_rfc3339(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200, "{}", patched.text().await.unwrap());
    let asked = shell
        .app
        .client
        .post(shell.app.api(&format!("/theme-days/{id}/makeups")))
        .bearer_auth(&member)
        .json(&serde_json::json!({
            "studied": "自学了本月学习材料",
            "studied_on": local.date_naive(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 201, "{}", asked.text().await.unwrap());

    shell.sign_in(DEMO_SECRETARY, "/me").await;
    shell.open(&format!("/theme-days/{id}/live")).await;
    let name = me["name"].as_str().unwrap();
    // The make-ups' card is the one with 全选.
    shell
        .wait_until(
            "the make-up to decide",
            &format!(
                "(() => {{ const card = [...document.querySelectorAll('main .card')].find((c) => c.querySelector('.select-all')); \
                   const row = card && [...card.querySelectorAll('.list .row')].find((r) => r.innerText.includes({name:?})); \
                   if (row) row.id = 'makeup-row'; return !!row; }})()"
            ),
        )
        .await;
    shell.tap("#makeup-row input[type=checkbox]").await;
    shell
        .wait_for_value(
            "the reason",
            &set_value("main input[name=reason]", "学习记录不完整，请补交笔记"),
        )
        .await;
    shell
        .wait_for_value("驳回", &click_button("main .card", "驳回"))
        .await;
    shell
        .wait_until(
            "the make-up decided",
            &format!(
                "[...document.querySelectorAll('main .card')].some((c) => c.innerText.includes('已处理的补课申请') && c.innerText.includes({name:?}) && c.innerText.includes('已驳回') && c.innerText.includes('学习记录不完整'))"
            ),
        )
        .await;
    let mine = shell.api_get(&member, "/me/attendance").await;
    let row = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["theme_day"]["id"] == id)
        .unwrap();
    assert_eq!(row["makeup"]["status"], "rejected", "{row}");
    shell.close().await;
}

#[tokio::test]
async fn the_county_reads_attendance_and_community_service_and_a_secretary_marks_study_and_sets_a_geofence()
 {
    let shell = Shell::launch_with(|settings| settings.demo = true).await;
    let admin = shell.api_token(DEMO_ADMIN).await;
    let secretary = shell.api_token(DEMO_SECRETARY).await;
    let member = shell.api_token(DEMO_MEMBER).await;
    let me = shell.api_get(&member, "/me").await;
    let branch = me["branch"]["id"].as_i64().unwrap();
    let branch_name = me["branch"]["name"].as_str().unwrap().to_owned();
    let name = me["name"].as_str().unwrap().to_owned();
    let street = shell.api_get(&admin, &format!("/orgs/{branch}")).await["parent_id"].clone();

    // The street's attendance, a line per child unit.
    let report = shell
        .api_get(&admin, &format!("/orgs/{street}/attendance"))
        .await;
    let row = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["org"]["id"] == branch)
        .cloned()
        .unwrap_or_else(|| panic!("the branch's row: {report}"));
    let line = format!("已到 {} / {}", row["present"], row["expected"]);
    shell.sign_in(DEMO_ADMIN, "/me").await;
    shell.open(&format!("/orgs/{street}")).await;
    shell
        .wait_for_value(
            "主题党日出勤",
            &click_link(&format!("/orgs/{street}/attendance")),
        )
        .await;
    shell
        .wait_for_row("the branch's attendance", &[&branch_name, &line])
        .await;

    // The branch's in-office members, where they report.
    shell.open(&format!("/orgs/{branch}")).await;
    shell
        .wait_for_value(
            "社区报到与服务",
            &click_link(&format!("/orgs/{branch}/community-service")),
        )
        .await;
    let community = me["community"]["name"].as_str().unwrap();
    shell
        .wait_for_row("the member's community", &[&name, community])
        .await;

    // The secretary's live screen: the study item, and a geofence.
    let (id, _) = shell
        .open_branch_day_now(&member, &secretary, chrono::Duration::minutes(10))
        .await;
    shell.roll_call(&secretary, id, &me["id"]).await;
    shell.sign_out_locally().await;
    shell.sign_in(DEMO_SECRETARY, "/me").await;
    shell.open(&format!("/theme-days/{id}/live")).await;
    shell
        .wait_until(
            "the study card lists the member",
            &format!(
                "(() => {{ const card = [...document.querySelectorAll('main .card')].find((c) => c.innerText.includes('学习已完成')); \
                   const row = card && [...card.querySelectorAll('.list .row')].find((r) => r.innerText.includes({name:?})); \
                   if (row) row.id = 'study-row'; return !!row; }})()"
            ),
        )
        .await;
    shell.tap("#study-row input[type=checkbox]").await;
    shell
        .wait_for_value("标记为已学习", &click_button("main .card", "标记为已学习"))
        .await;
    until(
        &shell,
        &member,
        "/me/attendance",
        "the study item done",
        |rows| {
            rows.as_array()
                .unwrap()
                .iter()
                .any(|r| r["theme_day"]["id"] == id && r["study_done"] == true)
        },
    )
    .await;

    for (field, value) in [("lat", "35.289"), ("lng", "115.089"), ("radius_m", "500")] {
        shell
            .wait_for_value(
                field,
                &set_value(&format!("main input[name={field}]"), value),
            )
            .await;
    }
    shell
        .wait_for_value("保存", &click_button("main .card", "保存"))
        .await;
    until(
        &shell,
        &secretary,
        &format!("/theme-days/{id}"),
        "the geofence saved",
        |d| d["geofence"]["radius_m"] == 500 && d["geofence"]["lat"].as_f64() == Some(35.289),
    )
    .await;
    shell.close().await;
}
