//! The first "1" of 1+1+N: dues paid on site, recorded against the
//! standard of the shared tier rules.

use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};
use zhibu_shared::auth::IdName;
use zhibu_shared::checkin::{DuesPayment, DuesPaymentRequest};
use zhibu_shared::theme_day::{Month, dues_standard_fen};

use super::{managed, member_names, participants};
use crate::access::Caller;
use crate::entities::dues_payment;
use crate::error::{ApiError, ApiResult};
use crate::time::now;

pub(super) async fn dues_views(
    conn: &impl ConnectionTrait,
    rows: Vec<dues_payment::Model>,
    tz: Tz,
) -> Result<Vec<DuesPayment>, DbErr> {
    let names = member_names(conn, rows.iter().map(|r| r.member_id)).await?;
    rows.into_iter()
        .map(|r| {
            // A stored month that does not parse is a fault, not 1970-01.
            let month = Month::parse(&r.month).ok_or_else(|| {
                DbErr::Custom(format!("dues payment {} has month {:?}", r.id, r.month))
            })?;
            Ok(DuesPayment {
                id: r.id,
                member: IdName {
                    id: r.member_id,
                    name: names.get(&r.member_id).cloned().unwrap_or_default(),
                },
                month,
                amount_fen: r.amount_fen,
                method: r.method,
                standard_fen: r.standard_fen,
                at: r.at.with_timezone(&tz).fixed_offset(),
            })
        })
        .collect()
}

/// `POST /theme-days/{id}/dues`: the first "1", paid on site. Recorded
/// (not processed) against the standard computed by the shared tier rules.
/// The payment and its audit together, or neither.
pub async fn record_dues(
    db: &sea_orm::DatabaseConnection,
    caller: &Caller,
    theme_day_id: i64,
    req: &DuesPaymentRequest,
    tz: Tz,
) -> ApiResult<DuesPayment> {
    let txn = db.begin().await?;
    let done = record_payment(&txn, caller, theme_day_id, req, tz).await?;
    txn.commit().await?;
    Ok(done)
}

/// The same, inside the caller's transaction.
async fn record_payment(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    req: &DuesPaymentRequest,
    tz: Tz,
) -> ApiResult<DuesPayment> {
    let (model, _) = managed(conn, caller, theme_day_id).await?;
    if !participants(conn, model.org_id)
        .await?
        .iter()
        .any(|p| p.id == req.member_id)
    {
        return Err(ApiError::invalid("member_id", "该党员不参加本次主题党日"));
    }
    if !(1..=10_000_000).contains(&req.amount_fen) {
        return Err(ApiError::invalid(
            "amount_fen",
            "金额须在 0.01 元到 10 万元之间",
        ));
    }
    if req
        .monthly_income_fen
        .is_some_and(|i| !(0..=1_000_000_000).contains(&i))
    {
        return Err(ApiError::invalid("monthly_income_fen", "月收入数额无效"));
    }
    let standard = match (req.basis, req.monthly_income_fen) {
        (Some(basis), income) => Some(dues_standard_fen(basis, income.unwrap_or(0))),
        (None, _) => None,
    };
    let inserted = dues_payment::Entity::insert(dues_payment::ActiveModel {
        member_id: Set(req.member_id),
        month: Set(model.month.clone()),
        amount_fen: Set(req.amount_fen),
        method: Set(req.method),
        standard_fen: Set(standard),
        theme_day_id: Set(Some(theme_day_id)),
        recorded_by: Set(caller.member_id),
        at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict { .. } => {
            ApiError::conflict("dues_already_recorded", "该党员本月党费已登记")
        }
        other => other,
    })?;
    crate::audit::record(
        conn,
        Some(caller.member_id),
        "dues.record",
        "dues_payment",
        &inserted.last_insert_id.to_string(),
        None,
    )
    .await?;
    let row = dues_payment::Entity::find_by_id(inserted.last_insert_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(dues_views(conn, vec![row], tz).await?.remove(0))
}

pub async fn list_dues(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    theme_day_id: i64,
    tz: Tz,
) -> ApiResult<Vec<DuesPayment>> {
    let (model, _) = managed(conn, caller, theme_day_id).await?;
    Ok(unit_dues(conn, model.org_id, &model.month, tz).await?)
}

/// The dues a holding unit's members paid for a month (its ledger, which
/// inspections draw). The caller has checked who may read it.
pub async fn unit_dues(
    conn: &impl ConnectionTrait,
    org_id: i64,
    month: &str,
    tz: Tz,
) -> Result<Vec<DuesPayment>, DbErr> {
    let ids: Vec<i64> = participants(conn, org_id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            dues_payment::Entity::find()
                .filter(dues_payment::Column::Month.eq(month.to_owned()))
                .filter(dues_payment::Column::MemberId.is_in(chunk.to_vec()))
                .all(conn)
                .await?,
        );
    }
    rows.sort_by_key(|r| r.id);
    dues_views(conn, rows, tz).await
}
