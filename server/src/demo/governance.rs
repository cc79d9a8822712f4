//! The demo county's governance records: a year of 三会一课 with some
//! meetings missed, last month's random inspection with its grades, a
//! sample of 东关社区党支部 whose problems stand in every state, a
//! self-inspection problem, a venue and a 四议两公开 record — so every
//! governance screen has something real to show. All through the same
//! domain functions the app uses.

use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, FromQueryResult, QueryFilter};
use zhibu_shared::governance::{
    DecisionStep, FindingRequest, Grade, InspectionRequest, MeetingKind, MeetingRequest,
    NewProblem, Period, ProblemDecision, ProblemReviewRequest, Quarter, RecordKind,
    RectificationRequest, SelfCheckRequest, StepRecord, VenueItem, VenueItemRequest, VenueRequest,
    VillageDecisionRequest,
};
use zhibu_shared::org::MemberStatus;
use zhibu_shared::theme_day::Month;

use super::{COUNTY_COMMITTEE, DEMO_LOGINS, api, county_caller};
use crate::access::{Caller, Grant};
use crate::entities::{member, role_grant};
use crate::governance::{decisions, inspections, meetings, problems, schedule, venues};
use crate::orgs::tree;
use crate::sql;

/// A stable pseudo-random number from a few integers (no RNG in seeds).
fn mix(parts: &[i64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[derive(FromQueryResult)]
struct Owed {
    org_id: i64,
    kind: MeetingKind,
    period: String,
}

#[derive(FromQueryResult)]
struct Present {
    id: i64,
}

/// The day in a period a demo meeting is held on, or none when that day
/// has not come yet.
fn held_on(period: Period, salt: u64, today: NaiveDate) -> Option<NaiveDate> {
    let span = (period.last_day() - period.first_day()).num_days().max(1) as u64;
    let day = period.first_day() + Duration::days((salt % span) as i64);
    (day <= today).then_some(day)
}

pub(super) async fn seed_governance(txn: &DatabaseTransaction) -> anyhow::Result<()> {
    let tz = chrono_tz::Asia::Shanghai;
    let today = crate::time::today(tz);
    let county_secretary = county_caller(txn).await?;
    // A year of obligations, made as the scheduler would have made them.
    let mut month = Month::of(today);
    for _ in 0..12 {
        schedule::ensure_obligations(txn, Period::Month(month)).await?;
        schedule::ensure_obligations(txn, Period::Quarter(Quarter::of_month(month))).await?;
        month = month.previous();
    }
    let owed = sql::fetch_all::<Owed>(
        txn,
        "SELECT org_id, kind, period FROM obligation ORDER BY org_id, period, kind",
        [],
    )
    .await?;
    let mut recorded = 0;
    for o in &owed {
        let Some(period) = Period::parse(&o.period) else {
            continue;
        };
        let salt = mix(&[
            o.org_id,
            i64::from(o.kind as u8),
            period.first_day().num_days_from_ce().into(),
        ]);
        // About one in eight meetings was missed; those of the periods
        // under way are often still to come.
        let under_way = period.last_day() >= today;
        if salt.is_multiple_of(8) || (under_way && salt.is_multiple_of(2)) {
            continue;
        }
        let Some(day) = held_on(period, salt, today) else {
            continue;
        };
        let attendees = if matches!(o.kind, MeetingKind::BranchAssembly | MeetingKind::Lecture) {
            let present = sql::fetch_all::<Present>(
                txn,
                &format!(
                    "SELECT m.id FROM member m JOIN org_closure c ON c.descendant_id = m.branch_id \
                     WHERE c.ancestor_id = $1 AND m.status = {} ORDER BY m.id",
                    sql::lit(MemberStatus::Active)
                ),
                [o.org_id.into()],
            )
            .await?;
            Some(
                present
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !(salt as usize + i).is_multiple_of(6))
                    .map(|(_, p)| p.id)
                    .collect(),
            )
        } else {
            None
        };
        let topic = match o.kind {
            MeetingKind::BranchAssembly => "学习贯彻党的二十届四中全会精神",
            MeetingKind::Committee => "研究本月主题党日安排和党员发展工作",
            MeetingKind::Group => "交流学习体会，收集群众意见",
            MeetingKind::Lecture => "党课：弘扬伟大建党精神",
        };
        let req = MeetingRequest {
            id: uuid::Uuid::new_v4().to_string(),
            kind: o.kind,
            held_on: Some(day),
            topic: Some(topic.to_owned()),
            host: Some("支部书记".to_owned()),
            recorder: Some("组织委员".to_owned()),
            attendee_ids: attendees,
            minutes: Some("会议按议程进行，参会党员逐一发言。".to_owned()),
            theme_day_id: None,
        };
        meetings::record(txn, &county_secretary, o.org_id, &req, today, tz)
            .await
            .map_err(api)?;
        recorded += 1;
    }

    let county = tree::find_path(txn, &[COUNTY_COMMITTEE])
        .await?
        .ok_or_else(|| anyhow::anyhow!("no county"))?;
    let last_month = Month::of(today).previous();
    // Last month's random inspection of the county, graded.
    let drawn = inspections::draw(
        txn,
        &county_secretary,
        &InspectionRequest {
            scope_org_id: county,
            month: last_month,
            sample_size: 6,
            record_kinds: vec![RecordKind::Meetings, RecordKind::Dues],
            seed: Some(20_261_101),
        },
        today,
        tz,
    )
    .await
    .map_err(api)?;
    for (i, item) in drawn.items.iter().enumerate() {
        let grade = [Grade::Good, Grade::Good, Grade::Fair, Grade::Poor][i % 4];
        let problems = if grade == Grade::Poor {
            vec![NewProblem {
                description: "会议记录缺少参会人员签到".to_owned(),
                deadline: today + Duration::days(20),
            }]
        } else {
            Vec::new()
        };
        let finding = FindingRequest {
            grade,
            note: Some("按调阅要求逐项检查".to_owned()),
            problems,
        };
        inspections::finding(txn, &county_secretary, drawn.id, item.id, &finding, today)
            .await
            .map_err(api)?;
    }

    // 东关社区党支部: a sample whose problems stand in every state.
    let branch = tree::find_path(txn, &[COUNTY_COMMITTEE, "城关街道党工委", "东关社区党支部"])
        .await?
        .ok_or_else(|| anyhow::anyhow!("no 东关社区党支部"))?;
    let secretary = branch_secretary(txn, branch).await?;
    let sample = inspections::draw(
        txn,
        &county_secretary,
        &InspectionRequest {
            scope_org_id: branch,
            month: last_month,
            sample_size: 1,
            record_kinds: vec![RecordKind::Meetings],
            seed: Some(7),
        },
        today,
        tz,
    )
    .await
    .map_err(api)?;
    let descriptions = [
        ("支委会记录未写明议题和表决结果", 30),
        ("党员大会缺少请假党员的补学记录", 14),
        ("党课讲稿未存档", 21),
        ("三会一课记录本未按月装订", 10),
    ];
    let item = sample
        .items
        .first()
        .ok_or_else(|| anyhow::anyhow!("the branch's sample is empty"))?;
    let graded = inspections::finding(
        txn,
        &county_secretary,
        sample.id,
        item.id,
        &FindingRequest {
            grade: Grade::Poor,
            note: Some("记录不够规范".to_owned()),
            problems: descriptions
                .iter()
                .map(|(d, days)| NewProblem {
                    description: (*d).to_owned(),
                    deadline: today + Duration::days(*days),
                })
                .collect(),
        },
        today,
    )
    .await
    .map_err(api)?;
    let ids = graded.problem_ids;
    let rectify = |note: &str| RectificationRequest {
        note: note.to_owned(),
        attachment_ids: Vec::new(),
    };
    // Submitted, waiting for the county.
    problems::rectify(
        txn,
        &secretary,
        ids[1],
        &rectify("已组织补学并登记"),
        today,
        tz,
    )
    .await
    .map_err(api)?;
    // Accepted.
    problems::rectify(txn, &secretary, ids[2], &rectify("讲稿已归档"), today, tz)
        .await
        .map_err(api)?;
    let accept = ProblemReviewRequest {
        decision: ProblemDecision::Accept,
        reason: None,
    };
    problems::review(txn, &county_secretary, ids[2], &accept, today, tz)
        .await
        .map_err(api)?;
    // Sent back with a reason.
    problems::rectify(txn, &secretary, ids[3], &rectify("已装订"), today, tz)
        .await
        .map_err(api)?;
    let reopen = ProblemReviewRequest {
        decision: ProblemDecision::Reopen,
        reason: Some("十月份记录仍缺页，请补齐后再提交".to_owned()),
    };
    problems::review(txn, &county_secretary, ids[3], &reopen, today, tz)
        .await
        .map_err(api)?;
    // The branch's own self-inspection.
    problems::self_check(
        txn,
        &secretary,
        &SelfCheckRequest {
            org_id: branch,
            description: "党员活动室制度未上墙".to_owned(),
            deadline: today + Duration::days(30),
        },
        today,
        tz,
    )
    .await
    .map_err(api)?;

    // Its venue, eight of the ten items met, and a village decision.
    let venue = VenueRequest {
        address: Some("东关社区党群服务中心二楼".to_owned()),
        area_m2: Some(240),
        items: VenueItem::ALL
            .iter()
            .enumerate()
            .map(|(i, item)| VenueItemRequest {
                item: *item,
                met: i < 8,
                photo_ids: Vec::new(),
            })
            .collect(),
    };
    venues::put(txn, &secretary, branch, &venue, tz)
        .await
        .map_err(api)?;
    let start = last_month.first_day() + Duration::days(3);
    let steps = [
        DecisionStep::Proposal,
        DecisionStep::Deliberation,
        DecisionStep::Review,
    ]
    .iter()
    .enumerate()
    .map(|(i, step)| StepRecord {
        step: *step,
        done_on: start + Duration::days(i as i64 * 4),
        note: None,
        attachment_ids: Vec::new(),
    })
    .collect();
    decisions::record(
        txn,
        &secretary,
        branch,
        &VillageDecisionRequest {
            id: uuid::Uuid::new_v4().to_string(),
            subject: "社区停车位改造方案".to_owned(),
            steps,
        },
        today,
        tz,
    )
    .await
    .map_err(api)?;
    tracing::info!(meetings = recorded, "demo governance records seeded");
    Ok(())
}

/// The branch's demo secretary with the roles they hold.
async fn branch_secretary(txn: &DatabaseTransaction, branch: i64) -> anyhow::Result<Caller> {
    let member = member::Entity::find()
        .filter(member::Column::Phone.eq(DEMO_LOGINS[1].0))
        .one(txn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo secretary"))?;
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::MemberId.eq(member.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|g| Grant {
            role: g.role,
            org_id: g.org_id,
        })
        .collect::<Vec<_>>();
    anyhow::ensure!(
        grants.iter().any(|g| g.org_id == branch),
        "the demo secretary holds no role on the branch"
    );
    Ok(Caller {
        member_id: member.id,
        branch_id: member.branch_id,
        grants,
    })
}
