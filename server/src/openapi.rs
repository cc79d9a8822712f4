//! The OpenAPI document's frame; paths are collected from the handlers'
//! `#[utoipa::path]` attributes as routes are registered.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use zhibu_shared::error::ErrorBody;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Zhibu (支部) API",
        version = "1",
        description = "The JSON API of Zhibu for the PWA and WeChat mini-program clients. \
                       Errors answer with ErrorBody: {code, message (Chinese), fields?}."
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Probes"),
        (name = "auth", description = "Logins, sessions and the signed-in member"),
        (name = "orgs", description = "The org tree, communities, sector committees and roles"),
        (name = "members", description = "What managers do to members"),
        (name = "admin", description = "Roster import and export"),
        (name = "theme-days", description = "Theme Party Days, check-in, dues, study and make-ups"),
        (name = "service", description = "Community reporting, sector committees, volunteer hours, reports and certificates"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
