//! A synthetic county for load tests, built through the server's own roster
//! import: 14 townships, branches of about 30 members, every member with the
//! same password.

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
