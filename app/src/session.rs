//! The signed-in member, as a context every page can read.
//!
//! The member is kept in storage next to the tokens so the shell can greet
//! them offline; the API module reports logins, refreshes and expiry here.

use leptos::prelude::*;
use zhibu_shared::auth::Me;

use crate::api::{self, SessionChange};
use crate::components::toast::use_toast;
use crate::i18n::use_i18n;
use crate::storage;

const MEMBER_KEY: &str = "zhibu.member";

#[derive(Debug, Clone, Copy)]
pub struct SessionContext {
    member: RwSignal<Option<Me>>,
    /// Counts sessions that expired while a member was signed in.
    expired: RwSignal<u32>,
}

impl SessionContext {
    /// The signed-in member, if any (tracked).
    pub fn member(&self) -> Option<Me> {
        self.member.get()
    }

    pub fn is_signed_in(&self) -> bool {
        self.member.with(Option::is_some)
    }

    /// Asks the server who is signed in, so a renamed branch or a revoked
    /// session shows up; failures keep what is stored.
    pub fn reload(&self) {
        if !api::has_session() {
            return;
        }
        let member = self.member;
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(me) = api::me().await {
                remember(Some(&me));
                set_member(member, me);
            }
        });
    }
}

/// Restores the stored member and provides the context; needs the toaster
/// and the locale context.
pub fn provide_session() -> SessionContext {
    let stored = if api::has_session() {
        storage::get(MEMBER_KEY).and_then(|json| serde_json::from_str::<Me>(&json).ok())
    } else {
        None
    };
    let member = RwSignal::new(stored);
    let expired = RwSignal::new(0);
    let context = SessionContext { member, expired };
    let toaster = use_toast();
    let i18n = use_i18n();
    api::on_session_change(move |change| match change {
        SessionChange::SignedIn(me) => {
            remember(Some(me));
            set_member(member, me.clone());
        }
        SessionChange::Expired => {
            remember(None);
            if member.with_untracked(Option::is_some) {
                toaster.show(i18n.t_untracked().session_expired);
                expired.update(|n| *n += 1);
            }
            member.set(None);
        }
        SessionChange::SignedOut => {
            remember(None);
            member.set(None);
        }
    });
    provide_context(context);
    context
}

/// Stores who is signed in. The same member again (a reload, a refresh)
/// changes nothing, so pages reading the member do not draw and ask anew.
fn set_member(member: RwSignal<Option<Me>>, me: Me) {
    member.maybe_update(|current| {
        let changed = current.as_ref() != Some(&me);
        if changed {
            *current = Some(me);
        }
        changed
    });
}

/// Inside the router: an expired session goes to sign-in, which comes back
/// to the page the member was on.
#[component]
pub fn SignInAgain() -> impl IntoView {
    let session = use_session();
    let location = leptos_router::hooks::use_location();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if session.expired.get() == 0 {
            return;
        }
        let search = location.search.get_untracked();
        let here = if search.is_empty() {
            location.pathname.get_untracked()
        } else {
            format!("{}?{search}", location.pathname.get_untracked())
        };
        if !here.starts_with("/login") {
            navigate(
                &format!("/login?next={}", api::enc(&here)),
                Default::default(),
            );
        }
    });
}

pub fn use_session() -> SessionContext {
    expect_context::<SessionContext>()
}

fn remember(me: Option<&Me>) {
    match me.and_then(|me| serde_json::to_string(me).ok()) {
        Some(json) => storage::set(MEMBER_KEY, &json),
        None => storage::remove(MEMBER_KEY),
    }
}
