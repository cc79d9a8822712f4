//! The one error type of the HTTP API, mapped to a status and the JSON body
//! of docs/api.md. Internal errors are logged with their cause and answered
//! with a generic message, so nothing internal leaks to clients.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use sea_orm::{DbErr, SqlErr};
use zhibu_shared::error::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body could not be read as the expected JSON.
    #[error("bad request: {message}")]
    BadRequest { code: &'static str, message: String },
    /// 401: no usable credentials.
    #[error("unauthorized: {code}")]
    Unauthorized { code: &'static str, message: String },
    /// 403: authenticated, but this action is not allowed.
    #[error("forbidden: {code}")]
    Forbidden { code: &'static str, message: String },
    /// 404: missing, or outside what the caller may see.
    #[error("not found")]
    NotFound,
    /// 405 on a known API path.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: conflicts with the current state.
    #[error("conflict: {code}")]
    Conflict {
        code: &'static str,
        message: String,
        /// Extra machine-readable facts, merged into the JSON body.
        details: Option<serde_json::Value>,
    },
    /// 413: the request body is larger than the configured limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 422: well-formed but invalid input, with a reason per field.
    #[error("validation failed: {message}")]
    Validation {
        code: &'static str,
        message: String,
        fields: BTreeMap<String, String>,
    },
    /// 429: throttled; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests {
        retry_after_secs: u64,
        message: String,
    },
    /// 503: a dependency (the database) is unavailable.
    #[error("service unavailable")]
    Unavailable,
    /// 500: a bug or an outage. Logged, never shown.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A 422 for one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::Validation {
            code: "validation_failed",
            message: message.clone(),
            fields: BTreeMap::from([(field.to_owned(), message)]),
        }
    }

    /// A 422 for several fields; the first reason becomes the message.
    pub fn invalid_fields(fields: BTreeMap<String, String>) -> ApiError {
        let message = fields
            .values()
            .next()
            .cloned()
            .unwrap_or_else(|| "输入有误".to_owned());
        ApiError::Validation {
            code: "validation_failed",
            message,
            fields,
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::Forbidden {
            code: "forbidden",
            message: message.into(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. }
            | ApiError::Unauthorized { code, .. }
            | ApiError::Forbidden { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::Validation { code, .. } => code,
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Unavailable => "service_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn message(&self) -> String {
        match self {
            ApiError::BadRequest { message, .. }
            | ApiError::Unauthorized { message, .. }
            | ApiError::Forbidden { message, .. }
            | ApiError::Conflict { message, .. }
            | ApiError::Validation { message, .. }
            | ApiError::TooManyRequests { message, .. } => message.clone(),
            ApiError::NotFound => "未找到，或您无权查看".to_owned(),
            ApiError::MethodNotAllowed => "不支持该请求方法".to_owned(),
            ApiError::PayloadTooLarge => "请求内容过大".to_owned(),
            ApiError::UnsupportedMediaType => {
                "请求内容须为 JSON（Content-Type: application/json）".to_owned()
            }
            ApiError::Unavailable => "服务暂不可用，请稍后再试".to_owned(),
            ApiError::Internal(_) => "服务器内部错误，请稍后再试".to_owned(),
        }
    }

    /// The JSON body clients receive.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().to_owned(),
            message: self.message(),
            fields: match self {
                ApiError::Validation { fields, .. } => Some(fields.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        let mut body = serde_json::to_value(self.body()).unwrap_or_default();
        if let (
            ApiError::Conflict {
                details: Some(details),
                ..
            },
            Some(map),
        ) = (self, body.as_object_mut())
            && let Some(extra) = details.as_object()
        {
            for (k, v) in extra {
                map.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::Unauthorized { .. } = self {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let ApiError::TooManyRequests {
            retry_after_secs, ..
        } = self
        {
            response.insert_header((
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(&1).to_owned()),
            ));
        }
        response.json(body)
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> ApiError {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                ApiError::conflict("already_exists", "记录已存在，与现有数据冲突")
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                ApiError::invalid("reference", "引用的记录不存在")
            }
            _ => ApiError::Internal(anyhow::Error::new(err)),
        }
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(err: sea_orm::TransactionError<ApiError>) -> ApiError {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(api) => api,
        }
    }
}

/// Maps path-segment errors (a non-number id, say) to a 404, as for any
/// object that does not exist.
pub fn path_error(_err: actix_web::error::PathError) -> ApiError {
    ApiError::NotFound
}

impl ApiError {
    /// The API error that stands for a bare status actix produced itself.
    pub fn from_status(status: actix_web::http::StatusCode) -> ApiError {
        match status.as_u16() {
            401 => ApiError::Unauthorized {
                code: "unauthorized",
                message: "请先登录".to_owned(),
            },
            403 => ApiError::forbidden("无权执行此操作"),
            404 => ApiError::NotFound,
            405 => ApiError::MethodNotAllowed,
            413 => ApiError::PayloadTooLarge,
            415 => ApiError::UnsupportedMediaType,
            429 => ApiError::TooManyRequests {
                retry_after_secs: 1,
                message: "请求过于频繁，请稍后再试".to_owned(),
            },
            503 => ApiError::Unavailable,
            400..=499 => ApiError::BadRequest {
                code: "bad_request",
                message: "请求有误".to_owned(),
            },
            _ => ApiError::Internal(anyhow::anyhow!("unhandled status {status}")),
        }
    }
}
