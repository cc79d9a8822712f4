//! The demo county (docs/api.md, "Demo mode"), modelled on Dongming County:
//! 14 townships and streets, the seven sector committees, a development-zone
//! park committee, cross-village joint committees, communities, and a few
//! hundred members of every category, including the five demo logins.
//!
//! Seeding is a list of named steps. Each step runs once, in its own
//! transaction, and is recorded in `seed_step`; a second start skips the
//! steps already applied and runs only steps added since, so an existing demo
//! database grows with the code instead of being rebuilt. Members enter
//! through the same roster import that county staff use.

mod classes;
mod governance;

use futures_util::future::BoxFuture;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};
use zhibu_shared::org::{MemberCategory, Role, Sector};

use crate::auth::password;
use crate::db::Db;
use crate::entities::{community, member, role_grant, sector_membership, seed_step};
use crate::orgs::tree;
use crate::time::now;

pub struct SeedStep {
    pub name: &'static str,
    /// Activity (attendance, hours) rather than structure; skipped when
    /// `demo_activity` is off, as in most tests.
    pub activity: bool,
    pub run: for<'a> fn(&'a DatabaseTransaction) -> BoxFuture<'a, anyhow::Result<()>>,
}

/// What `seed` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub applied: Vec<&'static str>,
    pub skipped: Vec<&'static str>,
}

pub const DEMO_COUNTY: &str = "东明县";
pub const COUNTY_COMMITTEE: &str = "东明县委";
pub const DEMO_PASSWORD: &str = "demo1234";

/// The five demo logins of docs/api.md.
pub const DEMO_LOGINS: [(&str, &str); 5] = [
    ("13800000000", "县委组织部管理员（全县）"),
    ("13800000001", "东关社区党支部书记"),
    ("13800000002", "东关社区党支部在职党员"),
    ("13800000003", "外卖行业党委的外卖骑手"),
    ("13800000004", "东关社区书记（社区管理员）"),
];

/// The steps, in order. Later capabilities append theirs.
pub fn steps() -> Vec<SeedStep> {
    vec![
        SeedStep {
            name: "county",
            activity: false,
            run: |txn| Box::pin(seed_county(txn)),
        },
        SeedStep {
            name: "org_tree",
            activity: false,
            run: |txn| Box::pin(seed_org_tree(txn)),
        },
        SeedStep {
            name: "members",
            activity: false,
            run: |txn| Box::pin(seed_members(txn)),
        },
        SeedStep {
            name: "attendance",
            activity: true,
            run: |txn| Box::pin(seed_attendance(txn)),
        },
        SeedStep {
            name: "service",
            activity: true,
            run: |txn| Box::pin(seed_service(txn)),
        },
        SeedStep {
            name: "governance",
            activity: true,
            run: |txn| Box::pin(governance::seed_governance(txn)),
        },
        SeedStep {
            name: "member_classes",
            activity: true,
            run: |txn| Box::pin(classes::seed_classes(txn)),
        },
    ]
}

/// Applies every step not yet applied (activity steps only `with_activity`).
pub async fn seed(db: &Db, with_activity: bool) -> anyhow::Result<SeedReport> {
    let mut report = SeedReport::default();
    for step in steps().into_iter().filter(|s| with_activity || !s.activity) {
        let txn = db.writer().begin().await?;
        if seed_step::Entity::find_by_id(step.name.to_owned())
            .one(&txn)
            .await?
            .is_some()
        {
            report.skipped.push(step.name);
            continue;
        }
        (step.run)(&txn).await?;
        seed_step::Entity::insert(seed_step::ActiveModel {
            name: Set(step.name.to_owned()),
            applied_at: Set(now()),
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        tracing::info!(step = step.name, "demo seed step applied");
        report.applied.push(step.name);
    }
    Ok(report)
}

async fn seed_county(txn: &DatabaseTransaction) -> anyhow::Result<()> {
    crate::meta::get_or_insert(txn, "county_name", DEMO_COUNTY).await?;
    Ok(())
}

/// Townships (镇/乡 with a 党委) and streets (街道 with a 党工委), with
/// communities or villages under each.
const TOWNSHIPS: [(&str, &[&str]); 14] = [
    (
        "城关街道党工委",
        &["东关社区", "西关社区", "南关社区", "北关社区"],
    ),
    ("渔沃街道党工委", &["渔沃社区", "黄河社区", "五四社区"]),
    ("东明集镇党委", &["东明集村", "前进村"]),
    ("刘楼镇党委", &["刘楼村", "王店村"]),
    ("陆圈镇党委", &["陆圈村", "新庄村"]),
    ("马头镇党委", &["马头村", "孟庄村"]),
    ("三春集镇党委", &["三春集村", "赵庄村"]),
    ("大屯镇党委", &["大屯村", "李寨村"]),
    ("武胜桥镇党委", &["武胜桥村", "张庄村"]),
    ("沙窝镇党委", &["沙窝村", "北沙窝村"]),
    ("小井镇党委", &["小井村", "高村"]),
    ("长兴集乡党委", &["长兴集村", "竹林村"]),
    ("菜园集镇党委", &["菜园集村", "后马厂村", "前马厂村"]),
    ("焦园乡党委", &["焦园村", "兰庄村"]),
];

const SECTOR_BRANCHES: [(&str, &str); 7] = [
    ("快递行业党委", "县快递物流园党支部"),
    ("直播电商行业党委", "县电商直播基地党支部"),
    ("道路交通行业党委", "县公交公司党支部"),
    ("个私企业行业党委", "个体工商户联合党支部"),
    ("物业行业党委", "县物业服务中心党支部"),
    ("网约车行业党委", "网约车司机党支部"),
    ("外卖行业党委", "外卖骑手党支部"),
];

/// The branch a community or village has: 社区党支部 or 村党支部.
fn community_branch(community: &str) -> String {
    format!("{community}党支部")
}

async fn ensure(txn: &DatabaseTransaction, path: &[&str]) -> anyhow::Result<i64> {
    let (id, _) = tree::ensure_path(txn, path)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(id)
}

async fn seed_org_tree(txn: &DatabaseTransaction) -> anyhow::Result<()> {
    ensure(txn, &[COUNTY_COMMITTEE]).await?;
    for (township, communities) in TOWNSHIPS {
        let township_id = ensure(txn, &[COUNTY_COMMITTEE, township]).await?;
        for name in communities {
            let branch = community_branch(name);
            let org_id = ensure(txn, &[COUNTY_COMMITTEE, township, &branch]).await?;
            community::Entity::insert(community::ActiveModel {
                name: Set((*name).to_owned()),
                parent_org_id: Set(township_id),
                org_id: Set(Some(org_id)),
                created_at: Set(now()),
                ..Default::default()
            })
            .exec_without_returning(txn)
            .await?;
        }
    }
    // Cross-village joint committees (跨村共建) under two townships.
    ensure(
        txn,
        &[
            COUNTY_COMMITTEE,
            "菜园集镇党委",
            "菜园集片区联合党委",
            "马厂联村党支部",
        ],
    )
    .await?;
    ensure(
        txn,
        &[
            COUNTY_COMMITTEE,
            "沙窝镇党委",
            "沙窝片区联合党委",
            "沙窝联村党支部",
        ],
    )
    .await?;
    // County organs, where in-office members belong.
    for organ in ["县财政局党支部", "县教育局党支部", "县人民医院党总支"] {
        ensure(txn, &[COUNTY_COMMITTEE, "县直机关工委", organ]).await?;
    }
    ensure(
        txn,
        &[COUNTY_COMMITTEE, "开发区园区党委", "东明石化集团党支部"],
    )
    .await?;
    ensure(
        txn,
        &[COUNTY_COMMITTEE, "开发区园区党委", "玉皇新材料公司党支部"],
    )
    .await?;
    for (committee, branch) in SECTOR_BRANCHES {
        ensure(txn, &[COUNTY_COMMITTEE, committee, branch]).await?;
        debug_assert!(Sector::infer_from_name(committee).is_some());
    }
    Ok(())
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "志强", "桂兰", "海燕", "伟", "芳", "明", "丽", "军", "红梅", "学军", "玉兰",
    "永刚", "春华", "国庆", "淑珍", "俊杰", "晓东", "雪梅",
];

/// Where the demo's in-office members work.
const EMPLOYERS: [&str; 4] = [
    "东明县财政局",
    "东明县教育和体育局",
    "东明县人民医院",
    "东明县自然资源局",
];

/// The demo roster as CSV text, in the import's columns.
pub fn demo_roster_csv() -> String {
    let mut csv = String::from("姓名,手机号,所在党组织,党员类别,入党日期,报到社区,工作单位\n");
    let dongguan = format!(
        "{COUNTY_COMMITTEE}/城关街道党工委/{}",
        community_branch("东关社区")
    );
    let delivery = format!("{COUNTY_COMMITTEE}/外卖行业党委/外卖骑手党支部");
    let finance = format!("{COUNTY_COMMITTEE}/县直机关工委/县财政局党支部");
    let demo_rows = [
        (
            "赵组织",
            "13800000000",
            finance.as_str(),
            "在职",
            "1998-07-01",
            "西关社区",
        ),
        (
            "李书记",
            "13800000001",
            dongguan.as_str(),
            "在职",
            "2005-06-18",
            "东关社区",
        ),
        (
            "王在职",
            "13800000002",
            dongguan.as_str(),
            "在职",
            "2012-07-01",
            "东关社区",
        ),
        (
            "刘骑手",
            "13800000003",
            delivery.as_str(),
            "流动",
            "2019-05-04",
            "",
        ),
        (
            "孙社区",
            "13800000004",
            dongguan.as_str(),
            "无职设岗",
            "2008-10-01",
            "东关社区",
        ),
    ];
    for (name, phone, path, categories, joined, community) in demo_rows {
        // In-office demo members work for county organs.
        let employer = if categories == "在职" {
            "东明县财政局"
        } else {
            ""
        };
        csv.push_str(&format!(
            "{name},{phone},{path},{categories},{joined},{community},{employer}\n"
        ));
    }
    // A few hundred more, spread over every branch and category.
    let mut branches: Vec<(String, Option<&str>)> = Vec::new();
    for (township, communities) in TOWNSHIPS {
        for name in communities {
            branches.push((
                format!("{COUNTY_COMMITTEE}/{township}/{}", community_branch(name)),
                Some(*name),
            ));
        }
    }
    for (committee, branch) in SECTOR_BRANCHES {
        branches.push((format!("{COUNTY_COMMITTEE}/{committee}/{branch}"), None));
    }
    for organ in ["县财政局党支部", "县教育局党支部", "县人民医院党总支"] {
        branches.push((format!("{COUNTY_COMMITTEE}/县直机关工委/{organ}"), None));
    }
    let category_cycle: [&[MemberCategory]; 7] = [
        &[MemberCategory::InOffice],
        &[MemberCategory::JoblessWithPost],
        &[MemberCategory::Floating],
        &[MemberCategory::InDifficulty, MemberCategory::Retired],
        &[MemberCategory::Retired],
        &[MemberCategory::InOffice],
        &[
            MemberCategory::JoblessWithPost,
            MemberCategory::InDifficulty,
        ],
    ];
    for i in 0..320usize {
        let (path, home) = &branches[i % branches.len()];
        let name = format!(
            "{}{}",
            SURNAMES[i % SURNAMES.len()],
            GIVEN[(i * 7 + i / 20) % GIVEN.len()]
        );
        let phone = format!("139{:08}", 10_000 + i);
        let categories: Vec<&str> = category_cycle[i % category_cycle.len()]
            .iter()
            .map(|c| c.zh())
            .collect();
        let joined = format!(
            "{}-{:02}-{:02}",
            1965 + (i * 13) % 58,
            1 + i % 12,
            1 + i % 28
        );
        // In-office members report to the community where they live.
        let community = if categories.contains(&"在职") {
            home.unwrap_or("东关社区")
        } else {
            home.unwrap_or("")
        };
        let employer = if categories.contains(&"在职") {
            EMPLOYERS[i % EMPLOYERS.len()]
        } else {
            ""
        };
        csv.push_str(&format!(
            "{name},{phone},{path},\"{}\",{joined},{community},{employer}\n",
            categories.join(",")
        ));
    }
    csv
}

async fn seed_members(txn: &DatabaseTransaction) -> anyhow::Result<()> {
    let csv = demo_roster_csv();
    let sheet = crate::roster::parse::read(crate::roster::parse::Format::Csv, csv.as_bytes())
        .map_err(|e| anyhow::anyhow!(e))?;
    let today = chrono::Utc::now().date_naive();
    let report = crate::roster::import(txn, None, &sheet, false, today)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        report.errors.is_empty(),
        "the demo roster has bad rows: {:?}",
        report.errors
    );

    // One hash for everyone: the demo password is public anyway.
    let hash = password::hash_blocking(DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    member::Entity::update_many()
        .col_expr(
            member::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(Some(hash)),
        )
        .exec(txn)
        .await?;

    let member_id = |phone: &'static str| async move {
        member::Entity::find()
            .filter(member::Column::Phone.eq(phone))
            .one(txn)
            .await?
            .map(|m| m.id)
            .ok_or_else(|| anyhow::anyhow!("demo member {phone} missing"))
    };
    let county = tree::find_path(txn, &[COUNTY_COMMITTEE])
        .await?
        .ok_or_else(|| anyhow::anyhow!("no county"))?;
    let dongguan_branch = tree::find_path(
        txn,
        &[
            COUNTY_COMMITTEE,
            "城关街道党工委",
            &community_branch("东关社区"),
        ],
    )
    .await?
    .ok_or_else(|| anyhow::anyhow!("no 东关社区党支部"))?;
    let delivery = tree::find_path(txn, &[COUNTY_COMMITTEE, "外卖行业党委"])
        .await?
        .ok_or_else(|| anyhow::anyhow!("no 外卖行业党委"))?;
    let grants = [
        ("13800000000", Role::Admin, county),
        ("13800000001", Role::Secretary, dongguan_branch),
        ("13800000004", Role::CommunityAdmin, dongguan_branch),
    ];
    for (phone, role, org_id) in grants {
        role_grant::Entity::insert(role_grant::ActiveModel {
            member_id: Set(member_id(phone).await?),
            role: Set(role),
            org_id: Set(org_id),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await?;
    }
    // The rider belongs to the food-delivery sector committee.
    sector_membership::Entity::insert(sector_membership::ActiveModel {
        member_id: Set(member_id("13800000003").await?),
        committee_id: Set(delivery),
        platform: Set("美团".into()),
        note: Set(Some("城区配送站".into())),
        status: Set(zhibu_shared::volunteer::LogStatus::Approved),
        reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(Some(now())),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The county acting as a whole: the seed decides what reviewers would.
/// A domain error as a seed step's error.
fn api(e: crate::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

async fn county_caller(txn: &DatabaseTransaction) -> anyhow::Result<crate::access::Caller> {
    use crate::access::{Caller, Grant};
    let county = tree::find_path(txn, &[COUNTY_COMMITTEE])
        .await?
        .ok_or_else(|| anyhow::anyhow!("no county"))?;
    let admin = member::Entity::find()
        .filter(member::Column::Phone.eq(DEMO_LOGINS[0].0))
        .one(txn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo admin"))?;
    Ok(Caller {
        member_id: admin.id,
        branch_id: admin.branch_id,
        grants: [Role::Secretary, Role::CommunityAdmin]
            .iter()
            .map(|role| Grant {
                role: *role,
                org_id: county,
            })
            .collect(),
    })
}

/// Last month's theme days, with most members recorded present.
async fn seed_attendance(txn: &DatabaseTransaction) -> anyhow::Result<()> {
    use zhibu_shared::theme_day::Month;
    let tz = chrono_tz::Asia::Shanghai;
    let caller = county_caller(txn).await?;
    let county = caller.grants[0].org_id;
    let last_month = Month::of(crate::time::today(tz)).previous();
    let holders = crate::checkins::holders_in_subtree(txn, county).await?;
    crate::checkins::ensure_theme_days(txn, &holders, last_month, tz).await?;
    let days = crate::checkins::theme_days_of(txn, &holders, last_month).await?;
    for (n, day) in days.iter().enumerate() {
        let attendance = crate::checkins::attendance(txn, &caller, day.id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // Roughly four in five present, varying by branch.
        let present: Vec<i64> = attendance
            .absent
            .iter()
            .enumerate()
            .filter(|(i, _)| (i + n) % 5 != 0)
            .map(|(_, m)| m.id)
            .collect();
        if !present.is_empty() {
            crate::checkins::roll_call::record_roll_call(txn, &caller, day.id, &present, tz)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(())
}

/// Two months of volunteer hours: most approved, a few waiting in the
/// demo reviewers' inboxes.
async fn seed_service(txn: &DatabaseTransaction) -> anyhow::Result<()> {
    use zhibu_shared::checkin::Decision;
    use zhibu_shared::volunteer::{ServiceKind, ServiceLogRequest};
    let tz = chrono_tz::Asia::Shanghai;
    let today = crate::time::today(tz);
    let caller = county_caller(txn).await?;
    let members = member::Entity::find().all(txn).await?;
    let communities = crate::entities::community::Entity::find().all(txn).await?;
    let mut approved = Vec::new();
    let mut pending = Vec::new();
    for (i, m) in members.iter().enumerate() {
        if m.id == caller.member_id || i % 3 == 2 {
            continue;
        }
        let member = crate::access::Caller {
            member_id: m.id,
            branch_id: m.branch_id,
            grants: Vec::new(),
        };
        for j in 0..(1 + i % 3) {
            let kind = ServiceKind::ALL[(i + j) % ServiceKind::ALL.len()];
            let community = m.community_id.or_else(|| {
                (kind == ServiceKind::Volunteer).then(|| communities[i % communities.len()].id)
            });
            let req = ServiceLogRequest {
                id: uuid::Uuid::new_v4().to_string(),
                kind,
                date: today - chrono::Duration::days(((i * 7 + j * 11) % 55) as i64),
                minutes: [30, 60, 90, 120, 180, 240][(i + j) % 6],
                community_id: community,
                org_id: None,
                start_time: None,
                note: None,
                post_id: None,
                helped_member_id: None,
            };
            let Ok(outcome) =
                crate::volunteer::logs::create(txn, &member, &req, None, today, tz).await
            else {
                continue;
            };
            // The demo member's latest logs stay pending for the reviewers.
            if DEMO_LOGINS[1..].iter().any(|(phone, _)| *phone == m.phone) && j == 0 {
                pending.push(outcome.log.id);
            } else {
                approved.push(outcome.log.id);
            }
        }
    }
    for chunk in approved.chunks(500) {
        crate::volunteer::logs::review(txn, &caller, chunk, Decision::Approve, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    tracing::info!(
        approved = approved.len(),
        pending = pending.len(),
        "demo service logs seeded"
    );
    Ok(())
}
