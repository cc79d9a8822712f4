//! A synthetic county for load tests, built through the server's own roster
//! import: 14 townships, branches of about 30 members, every member with the
//! same password.

use std::fmt::Write as _;

use sea_orm::{EntityTrait, TransactionTrait};
use zhibu_server::db::Db;

pub const PASSWORD: &str = "load-test-pass";
/// The synthetic county's committee.
pub const COUNTY: &str = "合成县委";
const MEMBERS_PER_BRANCH: usize = 30;

/// The phone of synthetic member `i` (0-based).
pub fn phone(i: usize) -> String {
    format!("1{}{:09}", 3 + (i / 1_000_000_000) % 7, i % 1_000_000_000)
}

/// Seeds `members` members and returns how many were created.
pub async fn seed_county(db: &Db, members: usize) -> anyhow::Result<usize> {
    let mut csv = String::from("姓名,手机号,所在党组织,党员类别,入党日期,报到社区\n");
    for i in 0..members {
        let branch = i / MEMBERS_PER_BRANCH;
        let township = branch % 14;
        let category = ["在职", "无职设岗", "流动", "困难", "离退休"][i % 5];
        csv.push_str(&format!(
            "党员{i},{},{COUNTY}/第{township}镇党委/第{branch}党支部,{category},2000-07-01,\n",
            phone(i)
        ));
    }
    let sheet =
        zhibu_server::roster::parse::read(zhibu_server::roster::parse::Format::Csv, csv.as_bytes())
            .map_err(|e| anyhow::anyhow!(e))?;
    let txn = db.writer().begin().await?;
    let today = chrono::Utc::now().date_naive();
    let report = zhibu_server::roster::import(&txn, None, &sheet, false, today)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        report.errors.is_empty(),
        "synthetic roster rejected: {:?}",
        &report.errors[..report.errors.len().min(3)]
    );
    let hash = zhibu_server::auth::password::hash(PASSWORD)?;
    zhibu_server::entities::member::Entity::update_many()
        .col_expr(
            zhibu_server::entities::member::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(Some(hash)),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(report.created)
}

/// The synthetic province's committee.
pub const PROVINCE: &str = "合成省委";

/// A synthetic member and their branch.
#[derive(sea_orm::FromQueryResult)]
pub struct MemberBranch {
    pub id: i64,
    pub branch_id: i64,
}

/// Makes bulk loads fast: a big page cache on SQLite, triggers off on
/// PostgreSQL (the loader then rebuilds what they keep). Runs on the
/// loading transaction.
async fn bulk_mode(txn: &impl sea_orm::ConnectionTrait) -> anyhow::Result<()> {
    let pragma = match txn.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "SET LOCAL session_replication_role = replica",
        _ => "PRAGMA cache_size = -2000000",
    };
    txn.execute_unprepared(pragma).await?;
    Ok(())
}

/// Inserts approved logs `first..last` of every `every`-th member (the
/// j-th log of a member falls on another day and kind, over the last
/// year) and credits them to the member's branch and its ancestors.
async fn insert_approved_logs(
    txn: &impl sea_orm::ConnectionTrait,
    members: &[MemberBranch],
    (first, last): (usize, usize),
    every: usize,
) -> anyhow::Result<usize> {
    // Rows are written as literals (numbers, dates, codes and UUIDs, all
    // made here): binding thousands of parameters a statement costs ten
    // times what the database spends inserting them.
    const ROWS: usize = 2000;
    let today = zhibu_server::time::today(chrono_tz::Asia::Shanghai);
    let kinds = zhibu_shared::volunteer::ServiceKind::ALL;
    let now = zhibu_server::time::now();
    let t = std::time::Instant::now();
    let head = "INSERT INTO service_log (id, member_id, kind, date, month, minutes, branch_id, created_at, status, request_hash) VALUES ";
    let mut query = String::from(head);
    let (mut rows, mut total) = (0usize, 0usize);
    for (i, m) in members.iter().enumerate().step_by(every.max(1)) {
        for j in first..last {
            let date = today - chrono::Duration::days(((i + j * 29) % 360) as i64);
            if rows > 0 {
                query.push_str(", ");
            }
            // Time-ordered ids keep the primary key's inserts at its end.
            write!(
                query,
                "('{}', {}, '{}', '{date}', '{}', {}, {}, $1, 'approved', '')",
                uuid::Uuid::now_v7(),
                m.id,
                kinds[(i + j) % kinds.len()].code(),
                zhibu_shared::theme_day::Month::of(date),
                30 + ((i * 7 + j * 13) % 8) * 15,
                m.branch_id,
            )?;
            rows += 1;
            total += 1;
            if rows == ROWS {
                zhibu_server::sql::execute(txn, &query, [now.into()]).await?;
                query.truncate(head.len());
                rows = 0;
            }
        }
    }
    if rows > 0 {
        zhibu_server::sql::execute(txn, &query, [now.into()]).await?;
    }
    eprintln!(
        "  {total} logs inserted in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    // Without fresh statistics PostgreSQL takes the new logs for a handful
    // (every older one has another `created_at`) and joins them to the
    // closure by nested loops: hours instead of a minute.
    txn.execute_unprepared("ANALYZE service_log").await?;
    zhibu_server::sql::execute(
        txn,
        "INSERT INTO service_credit (log_id, scope_kind, scope_id) \
         SELECT l.id, 'o', c.ancestor_id FROM service_log l JOIN org_closure c ON c.descendant_id = l.branch_id \
         WHERE l.created_at = $1",
        [now.into()],
    )
    .await?;
    eprintln!("  credited in {:.1}s", t.elapsed().as_secs_f64());
    Ok(total)
}

/// Rebuilds every roll-up and kept count with the server's own code.
async fn rebuild(txn: &impl sea_orm::ConnectionTrait) -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    zhibu_server::volunteer::rollup::rebuild(txn).await?;
    eprintln!("  roll-ups rebuilt in {:.1}s", t.elapsed().as_secs_f64());
    Ok(())
}

/// Adds approved logs `first..last` per member (see `insert_approved_logs`)
/// and rebuilds the roll-ups. Returns how many logs were added.
pub async fn seed_approved_logs(
    db: &Db,
    members: &[MemberBranch],
    first: usize,
    last: usize,
) -> anyhow::Result<usize> {
    let txn = db.writer().begin().await?;
    bulk_mode(&txn).await?;
    let added = insert_approved_logs(&txn, members, (first, last), 1).await?;
    rebuild(&txn).await?;
    txn.commit().await?;
    Ok(added)
}

/// Every member with their branch, in id order.
pub async fn members(db: &Db) -> anyhow::Result<Vec<MemberBranch>> {
    Ok(zhibu_server::sql::fetch_all::<MemberBranch>(
        db.reader(),
        "SELECT id, branch_id FROM member ORDER BY id",
        [],
    )
    .await?)
}

/// A province-sized tree, loaded straight into the database with the
/// server's own tree and roll-up code: the province, 16 cities of 10
/// counties, townships of 50 branches, `branches` branches, `members`
/// members spread evenly over them, and one approved log for every
/// `log_every`-th member. Returns the province's id and the number of logs.
pub async fn seed_province(
    db: &Db,
    members: usize,
    branches: usize,
    log_every: usize,
) -> anyhow::Result<(i64, usize)> {
    use zhibu_server::orgs::tree::create_org;
    use zhibu_shared::org::OrgKind;
    const CITIES: usize = 16;
    const COUNTIES_PER_CITY: usize = 10;
    const BRANCHES_PER_TOWNSHIP: usize = 50;
    const ROWS: usize = 1000;
    let t = std::time::Instant::now();
    let txn = db.writer().begin().await?;
    bulk_mode(&txn).await?;
    let province = create_org(&txn, PROVINCE, OrgKind::PartyCommittee, None, None).await?;
    let mut counties = Vec::new();
    for c in 0..CITIES {
        let city = create_org(
            &txn,
            &format!("第{c}市委"),
            OrgKind::PartyCommittee,
            None,
            Some(province.id),
        )
        .await?;
        for k in 0..COUNTIES_PER_CITY {
            let name = format!("第{c}市第{k}县委");
            let county = create_org(&txn, &name, OrgKind::CountyCommittee, None, Some(city.id));
            counties.push(county.await?.id);
        }
    }
    let townships = branches.div_ceil(BRANCHES_PER_TOWNSHIP);
    let mut branch_ids = Vec::with_capacity(branches);
    for w in 0..townships {
        let parent = Some(counties[w % counties.len()]);
        let township = create_org(
            &txn,
            &format!("第{w}镇党委"),
            OrgKind::PartyCommittee,
            None,
            parent,
        )
        .await?;
        for b in 0..BRANCHES_PER_TOWNSHIP.min(branches - branch_ids.len()) {
            let name = format!("第{w}镇第{b}党支部");
            let branch = create_org(&txn, &name, OrgKind::Branch, None, Some(township.id));
            branch_ids.push(branch.await?.id);
        }
    }
    eprintln!(
        "  {} units created in {:.1}s",
        branch_ids.len() + townships + counties.len() + CITIES + 1,
        t.elapsed().as_secs_f64()
    );
    let now = zhibu_server::time::now();
    let head = "INSERT INTO member (name, phone, branch_id, created_at, updated_at, probationary, status) VALUES ";
    let mut seeded = Vec::with_capacity(members.div_ceil(log_every.max(1)));
    let mut start = 0;
    while start < members {
        let n = ROWS.min(members - start);
        let mut query = String::from(head);
        for i in start..start + n {
            if i > start {
                query.push_str(", ");
            }
            let branch = branch_ids[i % branch_ids.len()];
            write!(
                query,
                "('党员{i}', '{}', {branch}, $1, $1, false, 'active')",
                phone(i)
            )?;
        }
        query.push_str(" RETURNING id, branch_id");
        let rows = zhibu_server::sql::fetch_all::<MemberBranch>(&txn, &query, [now.into()]).await?;
        seeded.extend(rows.into_iter().step_by(log_every.max(1)));
        start += n;
    }
    eprintln!(
        "  {members} members inserted in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    let logs = insert_approved_logs(&txn, &seeded, (0, 1), 1).await?;
    // Member counts are kept by triggers, which bulk mode turns off on
    // PostgreSQL; the rebuild counts them.
    rebuild(&txn).await?;
    txn.commit().await?;
    Ok((province.id, logs))
}
