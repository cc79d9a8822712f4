//! Reading one uploaded file from a multipart body, bounded before it is
//! held in memory.

use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::error::{ApiError, ApiResult};

/// The first non-empty file of the body with its file name, or none;
/// 413 as soon as it grows past `max_bytes`.
pub async fn one_file(
    mut payload: Multipart,
    max_bytes: usize,
) -> ApiResult<Option<(Option<String>, Vec<u8>)>> {
    let bad = || ApiError::BadRequest {
        code: "bad_multipart",
        message: "上传内容格式有误".into(),
    };
    let mut file = None;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| bad())?;
        let name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| bad())?;
            if bytes.len() + chunk.len() > max_bytes {
                return Err(ApiError::PayloadTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        if file.is_none() && !bytes.is_empty() {
            file = Some((name, bytes));
        }
    }
    Ok(file)
}
