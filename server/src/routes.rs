//! The `/api/v1` routes, one block per capability.

use utoipa_actix_web::service_config::ServiceConfig;

use crate::{audit, auth, checkins, members, orgs, roster, volunteer};

pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(auth::handlers::login)
        .service(auth::handlers::wechat_login)
        .service(auth::handlers::wechat_bind)
        .service(auth::handlers::refresh)
        .service(auth::handlers::activate)
        .service(auth::handlers::logout)
        .service(auth::handlers::me)
        .service(auth::handlers::change_password);
    cfg.service(orgs::handlers::get_org)
        .service(orgs::handlers::children)
        .service(orgs::handlers::members)
        .service(orgs::handlers::move_org)
        .service(orgs::handlers::create_child)
        .service(orgs::handlers::rename_org)
        .service(orgs::handlers::sectors)
        .service(orgs::handlers::communities)
        .service(orgs::handlers::create_community)
        .service(orgs::handlers::get_community)
        .service(orgs::handlers::update_community)
        .service(orgs::handlers::search_orgs)
        .service(orgs::handlers::dissolve_org)
        .service(orgs::handlers::grant_role)
        .service(orgs::handlers::revoke_role);
    cfg.service(members::handlers::disable)
        .service(members::handlers::enable)
        .service(members::handlers::issue_activation)
        .service(members::handlers::activation_sheet)
        .service(members::handlers::detail)
        .service(members::handlers::update);
    cfg.service(audit::handlers::audit);
    cfg.service(roster::handlers::import_roster)
        .service(roster::handlers::export_roster);
    cfg.service(checkins::handlers::my_theme_days)
        .service(checkins::handlers::my_attendance)
        .service(checkins::handlers::org_theme_days)
        .service(checkins::handlers::org_attendance)
        .service(checkins::handlers::get_theme_day)
        .service(checkins::handlers::patch_theme_day)
        .service(checkins::handlers::code)
        .service(checkins::handlers::check_in)
        .service(checkins::handlers::roll_call)
        .service(checkins::handlers::list_checkins)
        .service(checkins::handlers::attendance)
        .service(checkins::handlers::review_checkins)
        .service(checkins::handlers::record_dues)
        .service(checkins::handlers::list_dues)
        .service(checkins::handlers::mark_study)
        .service(checkins::handlers::request_makeup)
        .service(checkins::handlers::list_makeups)
        .service(checkins::handlers::review_makeups);
    cfg.service(volunteer::handlers::report_to_community)
        .service(volunteer::handlers::my_community_reports)
        .service(volunteer::handlers::review_community_reports)
        .service(volunteer::handlers::community_service)
        .service(volunteer::handlers::join_sector)
        .service(volunteer::handlers::my_sector_memberships)
        .service(volunteer::handlers::review_sector_memberships)
        .service(volunteer::handlers::log_service)
        .service(volunteer::handlers::correct_log)
        .service(volunteer::handlers::my_service_logs)
        .service(volunteer::handlers::review_service_logs)
        .service(volunteer::handlers::pending)
        .service(volunteer::handlers::org_hours)
        .service(volunteer::handlers::community_hours)
        .service(volunteer::handlers::follow_up)
        .service(volunteer::handlers::issue_certificate)
        .service(volunteer::handlers::verify_certificate);
}
