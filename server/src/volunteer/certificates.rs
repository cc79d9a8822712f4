//! Certificates of volunteer hours: numbered, their figures kept, so the
//! public verification page shows exactly what was issued.

use chrono_tz::Tz;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, FromQueryResult};
use zhibu_shared::theme_day::Month;
use zhibu_shared::volunteer::{Certificate, KindMinutes, LogStatus, ServiceKind};

use super::reports::check_range;

use crate::access::Caller;
use crate::entities::{certificate, member, org_unit};
use crate::error::{ApiError, ApiResult};
use crate::sql;
use crate::time::now;

#[derive(FromQueryResult)]
struct KindSum {
    kind: ServiceKind,
    minutes: i64,
    entries: i64,
}

fn certificate_number() -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    Ok(format!(
        "ZB{}",
        bytes
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect::<String>()
    ))
}

/// `POST /me/certificates`: issues a numbered certificate whose figures
/// are kept, so the verification page shows exactly what was issued.
pub async fn issue_certificate(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    from: Month,
    to: Month,
    origin: &str,
    tz: Tz,
) -> ApiResult<Certificate> {
    check_range(from, to)?;
    let m = member::Entity::find_by_id(caller.member_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let branch = org_unit::Entity::find_by_id(m.branch_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let sums = sql::fetch_all::<KindSum>(
        conn,
        &format!(
            "SELECT kind, CAST(SUM(minutes) AS BIGINT) AS minutes, COUNT(*) AS entries FROM service_log \
             WHERE member_id = $1 AND status = {} AND month >= $2 AND month <= $3 GROUP BY kind",
            sql::lit(LogStatus::Approved)
        ),
        [m.id.into(), from.to_string().into(), to.to_string().into()],
    )
    .await?;
    let by_kind: Vec<KindMinutes> = ServiceKind::ALL
        .iter()
        .filter_map(|k| {
            let s = sums.iter().find(|s| s.kind == *k)?;
            Some(KindMinutes {
                kind: *k,
                minutes: s.minutes,
                entries: s.entries,
            })
        })
        .collect();
    // A certificate attests service; with none approved there is nothing to attest.
    if by_kind.is_empty() {
        return Err(ApiError::invalid(
            "from",
            "所选期间没有已通过审核的服务时长，无法开具证明",
        ));
    }
    let number = certificate_number()?;
    let issued = now();
    let body = Certificate {
        number: number.clone(),
        member_name: m.name,
        from,
        to,
        total_minutes: by_kind.iter().map(|k| k.minutes).sum(),
        by_kind,
        issuer: branch.name,
        issued_at: issued.with_timezone(&tz).fixed_offset(),
        verify_url: format!("{origin}/verify/{number}"),
        mini_program: zhibu_shared::links::certificate(&number),
    };
    certificate::Entity::insert(certificate::ActiveModel {
        number: Set(number),
        member_id: Set(m.id),
        body: Set(serde_json::to_string(&body).map_err(|e| ApiError::Internal(e.into()))?),
        issued_at: Set(issued),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(body)
}

/// `GET /certificates/{number}`: public, for whoever holds the certificate.
pub async fn certificate(conn: &impl ConnectionTrait, number: &str) -> ApiResult<Certificate> {
    let row = certificate::Entity::find_by_id(number.trim().to_uppercase())
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut body: Certificate =
        serde_json::from_str(&row.body).map_err(|e| ApiError::Internal(e.into()))?;
    // Derived from the number, so certificates of any age carry it.
    body.mini_program = zhibu_shared::links::certificate(&body.number);
    Ok(body)
}
