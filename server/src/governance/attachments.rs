//! Attachments: photos of sign-in sheets, minutes and venues, kept in the
//! file store (`crate::files`). The type is told by the content, never by
//! the name or the header a client sends; files are served only to those
//! who may read the unit's records.

use std::collections::HashMap;

use bytes::Bytes;
use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use sha2::{Digest, Sha256};
use zhibu_shared::governance::{Attachment, MAX_ATTACHMENT_BYTES, sniff_content_type};

use crate::access::Caller;
use crate::entities::attachment;
use crate::error::{ApiError, ApiResult};
use crate::files::Files;
use crate::sql;
use crate::time::now;

/// What an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner(&'static str);

impl Owner {
    pub const MEETING: Owner = Owner("meeting");
    pub const PROBLEM: Owner = Owner("problem");
    pub const DECISION_STEP: Owner = Owner("decision_step");
    pub const VENUE: Owner = Owner("venue");

    pub fn code(self) -> &'static str {
        self.0
    }
}

/// Longest file name kept.
const MAX_NAME_CHARS: usize = 100;

pub fn view(model: &attachment::Model) -> Attachment {
    Attachment {
        id: model.id,
        name: model.name.clone(),
        content_type: model.content_type.clone(),
        bytes: model.bytes.max(0) as u64,
        url: format!("/api/v1/attachments/{}", model.id),
    }
}

/// Stores a file for `org_id`, owned by `owner` when given. The caller
/// has checked that they keep the unit's records.
pub async fn store(
    conn: &impl ConnectionTrait,
    files: &Files,
    caller: &Caller,
    org_id: i64,
    owner: Option<(Owner, &str)>,
    name: Option<&str>,
    bytes: Vec<u8>,
) -> ApiResult<Attachment> {
    if bytes.is_empty() {
        return Err(ApiError::invalid("file", "请选择要上传的文件"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    let Some(content_type) = sniff_content_type(&bytes) else {
        return Err(ApiError::invalid(
            "file",
            "只能上传 JPEG、PNG 图片或 PDF 文件",
        ));
    };
    let extension = match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "pdf",
    };
    let name: String = name
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("附件.{extension}"))
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let key = format!("{org_id}/{}.{extension}", uuid::Uuid::new_v4().simple());
    let size = bytes.len() as i64;
    files.put(&key, Bytes::from(bytes)).await?;
    let inserted = attachment::Entity::insert(attachment::ActiveModel {
        org_id: Set(org_id),
        owner_type: Set(owner.map(|(o, _)| o.code().to_owned())),
        owner_id: Set(owner.map(|(_, id)| id.to_owned())),
        name: Set(name),
        content_type: Set(content_type.to_owned()),
        bytes: Set(size),
        sha256: Set(sha256),
        storage_key: Set(key.clone()),
        uploaded_by: Set(caller.member_id),
        created_at: Set(now()),
        ..Default::default()
    })
    .exec(conn)
    .await;
    let inserted = match inserted {
        Ok(inserted) => inserted,
        Err(error) => {
            // The row is what makes a file reachable; without it, remove it.
            let _ = files.delete(&key).await;
            return Err(error.into());
        }
    };
    let model = attachment::Entity::find_by_id(inserted.last_insert_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(view(&model))
}

/// Gives uploaded, not yet owned attachments of `org_id` to `owner`; ids
/// already owned by it are fine, others are refused.
pub async fn claim(
    conn: &impl ConnectionTrait,
    org_id: i64,
    ids: &[i64],
    owner: Owner,
    owner_id: &str,
) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    if ids.len() > 20 {
        return Err(ApiError::invalid("attachment_ids", "附件最多 20 个"));
    }
    let found = attachment::Entity::find()
        .filter(attachment::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    let usable = found.len() == {
        let mut unique = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        unique.len()
    } && found.iter().all(|a| {
        a.org_id == org_id
            && match (&a.owner_type, &a.owner_id) {
                (None, _) => true,
                (Some(t), Some(id)) => t == owner.code() && id == owner_id,
                _ => false,
            }
    });
    if !usable {
        return Err(ApiError::invalid(
            "attachment_ids",
            "附件不存在，或已用于其他记录",
        ));
    }
    let query = format!(
        "UPDATE attachment SET owner_type = $1, owner_id = $2 WHERE id IN ({})",
        sql::placeholders(3, ids.len())
    );
    let values = [owner.code().into(), owner_id.into()]
        .into_iter()
        .chain(ids.iter().map(|i| (*i).into()));
    sql::execute(conn, &query, values).await?;
    Ok(())
}

/// The attachments of some owners, by owner id, oldest first.
pub async fn of_owners(
    conn: &impl ConnectionTrait,
    owner: Owner,
    owner_ids: &[String],
) -> ApiResult<HashMap<String, Vec<Attachment>>> {
    let mut out: HashMap<String, Vec<Attachment>> = HashMap::new();
    for chunk in owner_ids.chunks(300) {
        for a in attachment::Entity::find()
            .filter(attachment::Column::OwnerType.eq(owner.code()))
            .filter(attachment::Column::OwnerId.is_in(chunk.to_vec()))
            .order_by_asc(attachment::Column::Id)
            .all(conn)
            .await?
        {
            if let Some(id) = &a.owner_id {
                out.entry(id.clone()).or_default().push(view(&a));
            }
        }
    }
    Ok(out)
}

/// `GET /attachments/{id}`: the file, for those who may read the unit's
/// records.
pub async fn download(
    conn: &impl ConnectionTrait,
    files: &Files,
    caller: &Caller,
    id: i64,
    today: NaiveDate,
) -> ApiResult<(attachment::Model, Bytes)> {
    let model = attachment::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let visible = super::may_read_records(conn, caller, model.org_id, today).await?
        || (model.owner_type.as_deref() == Some(Owner::PROBLEM.code())
            && super::problems::may_review_owner(conn, caller, model.owner_id.as_deref()).await?);
    if !visible {
        return Err(ApiError::NotFound);
    }
    let bytes = files.get(&model.storage_key).await?;
    Ok((model, bytes))
}
