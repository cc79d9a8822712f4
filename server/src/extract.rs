//! The extractors of JSON bodies and query strings. Unlike actix's own they
//! name the field at fault, so a client is told
//! `{"code": "invalid_body", "fields": {"minutes": "应为整数"}}` and can
//! put the reason beside the right input. Responses still use `web::Json`.

use std::collections::BTreeMap;
use std::future::{Ready, ready};
use std::ops::{Deref, DerefMut};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body: `application/json` (or `…+json`), at most
/// `max_body_bytes` (the `PayloadConfig`).
#[derive(Debug)]
pub struct Json<T>(pub T);

/// The query string, read into `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

macro_rules! wrapper {
    ($name:ident) => {
        impl<T> $name<T> {
            pub fn into_inner(self) -> T {
                self.0
            }
        }

        impl<T> Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }

        impl<T> DerefMut for $name<T> {
            fn deref_mut(&mut self) -> &mut T {
                &mut self.0
            }
        }
    };
}

wrapper!(Json);
wrapper!(Query);

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code().as_u16() == 413 {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest {
                        code: "bad_request",
                        message: "无法读取请求内容".to_owned(),
                    }
                }
            })?;
            parse_body(&bytes).map(Json)
        })
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(Query))
    }
}

/// Reads a JSON body: 400 when it is not JSON at all, 422 naming the field
/// when it is JSON of the wrong shape.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| body_error(&e.path().to_string(), e.into_inner()))?;
    // Characters after the value make a malformed body too.
    de.end().map_err(|e| body_error(".", e))?;
    Ok(value)
}

fn body_error(path: &str, error: serde_json::Error) -> ApiError {
    if !error.is_data() {
        return ApiError::BadRequest {
            code: "malformed_json",
            message: "请求内容不是有效的 JSON".to_owned(),
        };
    }
    let text = error.to_string();
    // serde_json appends where it stopped; the field says it better.
    let text = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(t, _)| t);
    let (field, reason) = explain(path, text);
    ApiError::Validation {
        code: "invalid_body",
        message: format!("请求内容有误：{field} {reason}"),
        fields: BTreeMap::from([(field, reason)]),
    }
}

/// Reads a query string: 422 naming the parameter when a value is malformed.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|error| {
        let path = error.path().to_string();
        let (field, reason) = explain(&path, &error.into_inner().to_string());
        ApiError::Validation {
            code: "invalid_query",
            message: format!("查询参数有误：{field} {reason}"),
            fields: BTreeMap::from([(field, reason)]),
        }
    })
}

/// The field at fault and why, in Chinese, from serde's path and message.
/// Messages our own types raise are Chinese already and kept as they are.
pub fn explain(path: &str, message: &str) -> (String, String) {
    let at = |name: &str| match path {
        "." | "" => name.to_owned(),
        _ => format!("{path}.{name}"),
    };
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let field = if path == "." || path.is_empty() {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    if let Some(name) = message.strip_prefix("missing field `") {
        let name = name.split('`').next().unwrap_or_default();
        return (at(name), "缺少此项".to_owned());
    }
    if message.starts_with("unknown field `") {
        let name = quoted.first().copied().unwrap_or_default();
        return (at(name), "不支持此项".to_owned());
    }
    if message
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    {
        return (field, message.to_owned());
    }
    if message.starts_with("unknown variant `") {
        let allowed = quoted.get(1..).unwrap_or_default().join("、");
        return (field, format!("取值须为 {allowed} 之一"));
    }
    let reason = match message.rsplit_once("expected ") {
        Some((_, expected)) => match expected.trim() {
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "应为整数".to_owned(),
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "应为非负整数".to_owned(),
            "f32" | "f64" => "应为数字".to_owned(),
            "a boolean" => "应为 true 或 false".to_owned(),
            "a string"
            | "a borrowed string"
            | "a character"
            | "a formatted date and time string or a unix timestamp" => "应为字符串".to_owned(),
            e if e.starts_with("a sequence") || e.starts_with("a tuple") => "应为数组".to_owned(),
            e if e.starts_with("struct ") || e.starts_with("a map") => "应为对象".to_owned(),
            e if e.starts_with('`') => {
                format!("取值须为 {} 之一", e.replace('`', "").replace(" or ", "、"))
            }
            _ => "格式不正确".to_owned(),
        },
        None => match message {
            "invalid digit found in string"
            | "cannot parse integer from empty string"
            | "number too large to fit in target type"
            | "number too small to fit in target type" => "应为范围内的整数".to_owned(),
            "invalid float literal" => "应为数字".to_owned(),
            m if m.contains("`true` or `false`") => "应为 true 或 false".to_owned(),
            "input contains invalid characters"
            | "premature end of input"
            | "trailing input"
            | "input is out of range"
            | "input is not enough for unique date and time"
            | "no possible date and time matching input" => {
                "日期或时间格式不正确（日期 YYYY-MM-DD，时间 HH:MM）".to_owned()
            }
            m if m.starts_with("UUID parsing failed")
                || m.starts_with("invalid character")
                || m.starts_with("invalid length")
                || m.starts_with("invalid group") =>
            {
                "应为 UUID".to_owned()
            }
            _ => "格式不正确".to_owned(),
        },
    };
    (field, reason)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Step {
        done_on: chrono::NaiveDate,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        minutes: u32,
        kind: zhibu_shared::volunteer::ServiceKind,
        month: Option<zhibu_shared::theme_day::Month>,
        #[serde(default)]
        steps: Vec<Step>,
    }

    fn fields(error: ApiError) -> BTreeMap<String, String> {
        match error {
            ApiError::Validation { fields, .. } => fields,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn a_wrongly_typed_body_field_is_named_with_what_was_expected() {
        let error =
            parse_body::<Body>(br#"{"minutes": "sixty", "kind": "volunteer"}"#).unwrap_err();
        assert_eq!(
            fields(error),
            BTreeMap::from([("minutes".to_owned(), "应为非负整数".to_owned())])
        );
    }

    #[test]
    fn missing_nested_and_unknown_values_name_their_paths() {
        let missing = fields(parse_body::<Body>(br#"{"kind": "volunteer"}"#).unwrap_err());
        assert_eq!(missing["minutes"], "缺少此项");
        let variant =
            fields(parse_body::<Body>(br#"{"minutes": 5, "kind": "karaoke"}"#).unwrap_err());
        assert!(
            variant["kind"].starts_with("取值须为 volunteer、"),
            "{variant:?}"
        );
        let nested = fields(
            parse_body::<Body>(
                br#"{"minutes": 5, "kind": "other", "steps": [{"done_on": "2026-13-01"}]}"#,
            )
            .unwrap_err(),
        );
        assert!(nested.contains_key("steps[0].done_on"), "{nested:?}");
        let month = fields(
            parse_body::<Body>(br#"{"minutes": 5, "kind": "other", "month": "2026-1"}"#)
                .unwrap_err(),
        );
        assert_eq!(month["month"], "月份须写成 YYYY-MM");
    }

    #[test]
    fn a_body_that_is_not_json_is_a_400() {
        let bodies: [&[u8]; 3] = [
            b"{\"minutes\": ",
            b"",
            br#"{"minutes": 5, "kind": "other"} x"#,
        ];
        for body in bodies {
            match parse_body::<Body>(body).unwrap_err() {
                ApiError::BadRequest { code, .. } => assert_eq!(code, "malformed_json"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Params {
        limit: Option<u32>,
        from: Option<zhibu_shared::theme_day::Month>,
        flag: Option<bool>,
    }

    #[test]
    fn a_malformed_query_parameter_is_named() {
        let huge = fields(parse_query::<Params>("limit=9223372036854775808").unwrap_err());
        assert_eq!(huge["limit"], "应为范围内的整数");
        let month = fields(parse_query::<Params>("from=2026-11-05").unwrap_err());
        assert_eq!(month["from"], "月份须写成 YYYY-MM");
        let flag = fields(parse_query::<Params>("flag=yes").unwrap_err());
        assert_eq!(flag["flag"], "应为 true 或 false");
        let fine: Params = parse_query("limit=5&from=2026-11").unwrap();
        assert_eq!(fine.limit, Some(5));
    }
}
