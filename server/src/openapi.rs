//! The OpenAPI document's frame; paths are collected from the handlers'
//! `#[utoipa::path]` attributes as routes are registered.

use std::sync::OnceLock;

use actix_web::dev::ResourceDef;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
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
    // InboxKind appears only as a query parameter, which utoipa does not collect.
    components(schemas(ErrorBody, zhibu_shared::volunteer::InboxKind)),
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

/// The methods each documented path answers, for 405 on the others. Every
/// server in the process documents the same routes.
static ROUTES: OnceLock<Vec<(ResourceDef, Vec<String>)>> = OnceLock::new();

/// Completes the collected document: the errors any operation of its kind
/// can answer, written once here rather than on every handler. Also
/// remembers the routes for `allowed_methods`.
pub fn finish(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let error = || {
        ResponseBuilder::new()
            .description("ErrorBody")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    let mut routes = Vec::new();
    for (path, item) in api.paths.paths.iter_mut() {
        let mut methods = Vec::new();
        for (method, operation) in [
            ("GET", item.get.as_mut()),
            ("POST", item.post.as_mut()),
            ("PUT", item.put.as_mut()),
            ("PATCH", item.patch.as_mut()),
            ("DELETE", item.delete.as_mut()),
        ] {
            let Some(operation) = operation else { continue };
            methods.push(method.to_owned());
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, why: &str| {
                responses.entry(status.to_owned()).or_insert_with(|| {
                    let mut response = error();
                    response.description = why.to_owned();
                    RefOr::T(response)
                });
            };
            if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                add("401", "Missing, invalid or expired access token");
                add(
                    "403",
                    "Signed in, but this action is not the caller's to take",
                );
                add("404", "Missing, or outside the caller's reach");
            }
            let has_query = operation.parameters.as_ref().is_some_and(|p| {
                p.iter()
                    .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)))
            });
            if operation.request_body.is_some() {
                add("400", "The body cannot be read: not JSON, or a broken form");
                add("413", "The body is larger than allowed");
                add("415", "The body is not of the documented content type");
                add("422", "A field is missing or invalid; `fields` names it");
            }
            if path.contains('{') {
                add("404", "No such object");
            }
            if has_query {
                add(
                    "422",
                    "A query parameter is malformed or invalid; `fields` names it",
                );
            }
        }
        routes.push((ResourceDef::new(path.as_str()), methods));
    }
    let _ = ROUTES.set(routes);
    api
}

/// The methods a documented API path answers, when it is one.
pub fn allowed_methods(path: &str) -> Option<&'static [String]> {
    ROUTES
        .get()?
        .iter()
        .find(|(route, _)| route.is_match(path))
        .map(|(_, methods)| methods.as_slice())
}
