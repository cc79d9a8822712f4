//! The demo county's member classes: every branch with members without
//! jobs has the four usual posts with holders and some service naming them;
//! floating members keep their whereabouts and have a contact person, some
//! contacted lately and some overdue; members in difficulty have a file and
//! some help logged. All through the same domain functions the app uses.

use chrono::{Duration, NaiveDate};
use sea_orm::{DatabaseTransaction, FromQueryResult};
use zhibu_shared::checkin::Decision;
use zhibu_shared::classes::{
    ContactPersonRequest, ContactRequest, ContactWay, DifficultyKind, DifficultyRequest,
    PostRequest, WhereaboutsRequest,
};
use zhibu_shared::org::{MemberCategory, MemberStatus};
use zhibu_shared::volunteer::{ServiceKind, ServiceLogRequest};

use super::{api, county_caller};
use crate::access::Caller;
use crate::classes::{difficulty, floating, posts};
use crate::sql;

/// The posts the county suggests to every branch (无职党员设岗定责).
const POSTS: [(&str, &str); 4] = [
    ("政策宣传岗", "向群众宣讲惠民政策，收集意见建议"),
    ("环境卫生监督岗", "督促村（社区）环境卫生整治，劝导乱堆乱放"),
    ("矛盾调解岗", "排查邻里矛盾纠纷，协助调解"),
    ("文明实践岗", "参与新时代文明实践站活动，组织志愿服务"),
];

const CITIES: [(&str, &str); 5] = [
    ("北京", "京东物流"),
    ("上海", "美团外卖"),
    ("苏州", "电子厂"),
    ("郑州", "建筑工地"),
    ("菏泽", "顺丰速运"),
];

const NEEDS: [&str; 4] = [
    "慢性病长期用药，需定期代购药品",
    "行动不便，需帮助打扫和采购",
    "独居，需定期探望",
    "收入低，需帮助申请临时救助",
];

#[derive(FromQueryResult)]
struct Classed {
    id: i64,
    branch_id: i64,
    category: MemberCategory,
}

#[derive(FromQueryResult)]
struct Unit {
    id: i64,
    parent_id: Option<i64>,
}

#[derive(FromQueryResult)]
struct Peer {
    id: i64,
    branch_id: i64,
}

fn member_caller(id: i64, branch_id: i64) -> Caller {
    Caller {
        member_id: id,
        branch_id,
        grants: Vec::new(),
    }
}

pub(super) async fn seed_classes(txn: &DatabaseTransaction) -> anyhow::Result<()> {
    let tz = chrono_tz::Asia::Shanghai;
    let today = crate::time::today(tz);
    let county = county_caller(txn).await?;
    work_away_from_the_demo_branch(txn).await?;
    let classed = sql::fetch_all::<Classed>(
        txn,
        &format!(
            "SELECT m.id, m.branch_id, c.category FROM member m \
             JOIN member_category c ON c.member_id = m.id \
             WHERE m.status = {} ORDER BY m.branch_id, m.id",
            sql::lit(MemberStatus::Active)
        ),
        [],
    )
    .await?;
    // Contact persons and helpers are members of the same branch who are
    // at home: anyone not floating.
    let away: Vec<i64> = classed
        .iter()
        .filter(|c| c.category == MemberCategory::Floating)
        .map(|c| c.id)
        .collect();
    let at_home: Vec<Peer> = sql::fetch_all::<Peer>(
        txn,
        &format!(
            "SELECT id, branch_id FROM member WHERE status = {} ORDER BY id",
            sql::lit(MemberStatus::Active)
        ),
        [],
    )
    .await?
    .into_iter()
    .filter(|p| !away.contains(&p.id))
    .collect();
    let parents: std::collections::HashMap<i64, Option<i64>> =
        sql::fetch_all::<Unit>(txn, "SELECT id, parent_id FROM org_unit", [])
            .await?
            .into_iter()
            .map(|u| (u.id, u.parent_id))
            .collect();
    // Someone at home in the member's branch, else in a sibling branch (some
    // demo branches hold one class only).
    let neighbour = |m: &Classed| -> Option<&Peer> {
        at_home
            .iter()
            .find(|p| p.branch_id == m.branch_id && p.id != m.id)
            .or_else(|| {
                let parent = parents.get(&m.branch_id).copied().flatten();
                at_home.iter().find(|p| {
                    p.id != m.id
                        && parent.is_some()
                        && parents.get(&p.branch_id).copied().flatten() == parent
                })
            })
    };

    let mut branch_posts: Vec<(i64, Vec<i64>)> = Vec::new();
    let mut posts_held = 0;
    let mut floating_seen = 0usize;
    let mut files = 0;
    for (i, m) in classed.iter().enumerate() {
        match m.category {
            MemberCategory::JoblessWithPost => {
                let ids = match branch_posts.iter().find(|(b, _)| *b == m.branch_id) {
                    Some((_, ids)) => ids.clone(),
                    None => {
                        let mut ids = Vec::new();
                        for (name, duties) in POSTS {
                            let req = PostRequest {
                                name: name.into(),
                                duties: duties.into(),
                            };
                            let post = posts::create(txn, &county, m.branch_id, &req, today)
                                .await
                                .map_err(api)?;
                            ids.push(post.id);
                        }
                        branch_posts.push((m.branch_id, ids.clone()));
                        ids
                    }
                };
                let post_id = ids[i % ids.len()];
                posts::assign(txn, &county, post_id, m.id, today)
                    .await
                    .map_err(api)?;
                posts_held += 1;
                // Some service done on the post this quarter.
                if i % 2 == 0 {
                    log_and_approve(
                        txn,
                        &county,
                        m,
                        today - Duration::days((i % 20) as i64),
                        Some(post_id),
                        None,
                    )
                    .await?;
                }
            }
            MemberCategory::Floating => {
                floating_seen += 1;
                let (city, employer) = CITIES[floating_seen % CITIES.len()];
                let me = member_caller(m.id, m.branch_id);
                let since = today - Duration::days(90 + (i % 300) as i64);
                let req = WhereaboutsRequest {
                    city: city.into(),
                    employer: Some(employer.into()),
                    since,
                };
                floating::whereabouts(txn, &me, &req, today, tz)
                    .await
                    .map_err(api)?;
                let Some(contact) = neighbour(m) else {
                    continue;
                };
                let req = ContactPersonRequest {
                    contact_member_id: contact.id,
                };
                floating::set_contact(txn, &county, m.id, &req, today, tz)
                    .await
                    .map_err(api)?;
                // A third contacted lately, a third long ago, a third never.
                let ago = match floating_seen % 3 {
                    0 => Some(12 + (i % 30) as i64),
                    1 => Some(75 + (i % 40) as i64),
                    _ => None,
                };
                if let Some(ago) = ago {
                    let by = member_caller(contact.id, contact.branch_id);
                    let req = ContactRequest {
                        contacted_on: today - Duration::days(ago),
                        way: [ContactWay::Phone, ContactWay::Wechat, ContactWay::Visit][i % 3],
                        note: Some("了解近况，提醒按时参加线上学习".into()),
                    };
                    floating::record_contact(txn, &by, m.id, &req, today, tz)
                        .await
                        .map_err(api)?;
                }
            }
            MemberCategory::InDifficulty => {
                let req = DifficultyRequest {
                    kind: [
                        DifficultyKind::Illness,
                        DifficultyKind::ElderlyAlone,
                        DifficultyKind::Disability,
                        DifficultyKind::LowIncome,
                    ][i % 4],
                    needs: NEEDS[i % NEEDS.len()].into(),
                    since: NaiveDate::from_ymd_opt(2020 + (i % 6) as i32, 1 + (i % 12) as u32, 1)
                        .unwrap_or(today)
                        .min(today),
                };
                difficulty::put(txn, &county, m.id, &req, today, tz)
                    .await
                    .map_err(api)?;
                files += 1;
                // A visit by an in-office member of the branch, logged as help.
                if i % 2 == 1
                    && let Some(helper) = neighbour(m)
                {
                    let helper = Classed {
                        id: helper.id,
                        branch_id: helper.branch_id,
                        category: MemberCategory::InOffice,
                    };
                    log_and_approve(
                        txn,
                        &county,
                        &helper,
                        today - Duration::days((i % 25) as i64),
                        None,
                        Some(m.id),
                    )
                    .await?;
                }
            }
            _ => {}
        }
    }
    tracing::info!(
        branches = branch_posts.len(),
        posts_held,
        floating = floating_seen,
        files,
        "demo member classes seeded"
    );
    Ok(())
}

/// The demo secretary's branch has floating members to contact: two of its
/// ordinary members work in other cities.
async fn work_away_from_the_demo_branch(txn: &DatabaseTransaction) -> anyhow::Result<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let secretary = crate::entities::member::Entity::find()
        .filter(crate::entities::member::Column::Phone.eq(super::DEMO_LOGINS[1].0))
        .one(txn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo secretary"))?;
    let logins: Vec<&str> = super::DEMO_LOGINS.iter().map(|(phone, _)| *phone).collect();
    let ordinary = crate::entities::member::Entity::find()
        .filter(crate::entities::member::Column::BranchId.eq(secretary.branch_id))
        .filter(crate::entities::member::Column::Phone.is_not_in(logins))
        .order_by_asc(crate::entities::member::Column::Id)
        .all(txn)
        .await?;
    for m in ordinary.iter().take(2) {
        crate::classes::set_category(txn, m.id, MemberCategory::InOffice, false)
            .await
            .map_err(api)?;
        crate::classes::set_category(txn, m.id, MemberCategory::Floating, true)
            .await
            .map_err(api)?;
    }
    Ok(())
}

/// A service log by `member`, approved by the county.
async fn log_and_approve(
    txn: &DatabaseTransaction,
    county: &Caller,
    member: &Classed,
    date: NaiveDate,
    post_id: Option<i64>,
    helped_member_id: Option<i64>,
) -> anyhow::Result<()> {
    let tz = chrono_tz::Asia::Shanghai;
    let today = crate::time::today(tz);
    let req = ServiceLogRequest {
        id: uuid::Uuid::new_v4().to_string(),
        kind: if helped_member_id.is_some() {
            ServiceKind::Volunteer
        } else {
            ServiceKind::ALL[(member.id as usize) % ServiceKind::ALL.len()]
        },
        date,
        minutes: 60,
        community_id: None,
        org_id: None,
        start_time: None,
        note: None,
        post_id,
        helped_member_id,
    };
    let me = member_caller(member.id, member.branch_id);
    // A day over its cap or a kind needing a community is skipped, as a
    // member would see it refused.
    let Ok(outcome) = crate::volunteer::logs::create(txn, &me, &req, None, today, tz).await else {
        return Ok(());
    };
    crate::volunteer::logs::review(txn, county, &[outcome.log.id], Decision::Approve, None)
        .await
        .map_err(api)?;
    Ok(())
}
