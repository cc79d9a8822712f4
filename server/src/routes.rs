//! The `/api/v1` routes, one block per capability.

use utoipa_actix_web::service_config::ServiceConfig;

use crate::{auth, members, orgs, roster};

pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(auth::handlers::login)
        .service(auth::handlers::wechat_login)
        .service(auth::handlers::wechat_bind)
        .service(auth::handlers::refresh)
        .service(auth::handlers::logout)
        .service(auth::handlers::me)
        .service(auth::handlers::change_password);
    cfg.service(orgs::handlers::get_org)
        .service(orgs::handlers::children)
        .service(orgs::handlers::members)
        .service(orgs::handlers::move_org)
        .service(orgs::handlers::sectors)
        .service(orgs::handlers::communities)
        .service(orgs::handlers::grant_role)
        .service(orgs::handlers::revoke_role);
    cfg.service(members::handlers::disable)
        .service(members::handlers::enable)
        .service(members::handlers::reset_password)
        .service(members::handlers::update);
    cfg.service(roster::handlers::import_roster)
        .service(roster::handlers::export_roster);
}
