//! One module per capability; each page names itself in the top bar.

pub mod admin;
pub mod checkins;
pub mod classes;
pub mod governance;
pub mod home;
pub mod login;
pub mod me;
pub mod members;
pub mod not_found;
pub mod notifications;
pub mod orgs;
pub mod review;
pub mod volunteer;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use zhibu_shared::auth::Me;
use zhibu_shared::org::Role;

/// The route's `:name` parameter as a number (0 when missing).
pub fn id_param(name: &'static str) -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .with(|p| p.get(name))
            .and_then(|id| id.parse().ok())
            .unwrap_or_default()
    })
}

/// The route's `:name` parameter as text.
pub fn text_param(name: &'static str) -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get(name)).unwrap_or_default())
}

/// A query parameter, read once.
pub fn query(name: &'static str) -> Option<String> {
    use_query_map().with_untracked(|q| q.get(name))
}

/// Secretaries, organisation officers and admins browse units and run
/// theme days.
pub fn is_officer(me: &Me) -> bool {
    me.roles
        .iter()
        .any(|r| matches!(r.role, Role::Secretary | Role::OrgOfficer | Role::Admin))
}

/// Replaces the current history entry (redirects), once the current
/// render is over.
pub fn redirect(path: String) {
    let navigate = leptos_router::hooks::use_navigate();
    set_timeout(
        move || {
            navigate(
                &path,
                leptos_router::NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            )
        },
        std::time::Duration::ZERO,
    );
}
