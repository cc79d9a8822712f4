//! The OpenAPI document's frame; paths are collected from the handlers'
//! `#[utoipa::path]` attributes as routes are registered.

use utoipa::OpenApi;
use zhibu_shared::error::ErrorBody;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Zhibu (支部) API",
        version = "1",
        description = "The JSON API of Zhibu for the PWA and WeChat mini-program clients. \
                       Errors answer with ErrorBody."
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "health", description = "Probes"),
    )
)]
pub struct ApiDoc;
