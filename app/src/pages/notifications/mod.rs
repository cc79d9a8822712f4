//! Reminders in the app: the bell in the top bar with the unread count, the
//! list of notifications (`list`) and what the member has opted in to
//! (`settings`, which asks for push permission through `push`).
//!
//! The bell lives in the first chunk; the two pages in the chunk of the
//! pages under 我的.
//!
//! The count is asked for when the app starts, when the page changes, when
//! the app comes back to the front, and every few minutes while it is in
//! front: pushes carry the news, the bell only has to be right when looked at.

pub mod list;
mod push;
pub mod settings;

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api;
use crate::i18n::{Strings, use_i18n};
use crate::session::use_session;

/// How often an app left open in front asks again.
const REFRESH_EVERY: Duration = Duration::from_secs(5 * 60);

/// The unread count the bell shows.
#[derive(Debug, Clone, Copy)]
pub struct Bell {
    unread: RwSignal<u64>,
    asking: StoredValue<bool>,
    /// Bumped when the member reads some: a count asked for before then is
    /// out of date when it arrives.
    reads: StoredValue<u32>,
}

impl Bell {
    /// The unread count (tracked).
    pub fn unread(&self) -> u64 {
        self.unread.get()
    }

    /// Asks the server for the count; one question at a time, and a failed
    /// one keeps the count shown.
    pub fn refresh(&self) {
        if !api::has_session() {
            self.unread.set(0);
            return;
        }
        if self.asking.get_value() {
            return;
        }
        self.asking.set_value(true);
        let bell = *self;
        let reads = bell.reads.get_value();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::unread_notifications().await;
            bell.asking.set_value(false);
            if let Ok(unread) = answer
                && bell.reads.get_value() == reads
            {
                bell.unread.set(unread);
            }
        });
    }

    /// The member has just read `count` of them.
    pub fn read(&self, count: u64) {
        self.reads.update_value(|n| *n = n.wrapping_add(1));
        self.unread
            .update(|unread| *unread = unread.saturating_sub(count));
    }
}

/// Provides the bell and keeps its count fresh while the app is in front;
/// page changes are followed by [`BellLink`], inside the router.
pub fn provide_bell() -> Bell {
    let bell = Bell {
        unread: RwSignal::new(0),
        asking: StoredValue::new(false),
        reads: StoredValue::new(0),
    };
    provide_context(bell);
    let in_front = || !document().hidden();
    // Both listeners live as long as the app.
    std::mem::forget(window_event_listener(leptos::ev::focus, move |_| {
        bell.refresh()
    }));
    std::mem::forget(window_event_listener(
        leptos::ev::visibilitychange,
        move |_| {
            if in_front() {
                bell.refresh();
            }
        },
    ));
    // Runs as long as the app: the handle, which could stop it, is not kept.
    let _ = set_interval_with_handle(
        move || {
            if in_front() {
                bell.refresh();
            }
        },
        REFRESH_EVERY,
    );
    bell
}

pub fn use_bell() -> Bell {
    expect_context::<Bell>()
}

/// What the badge says: nothing at 0, `99+` beyond 99.
pub fn badge_text(unread: u64) -> Option<String> {
    match unread {
        0 => None,
        1..=99 => Some(unread.to_string()),
        _ => Some("99+".to_owned()),
    }
}

/// The bell's accessible name, with the count when there is one.
pub fn bell_label(t: &Strings, unread: u64) -> String {
    if unread == 0 {
        t.bell.to_owned()
    } else {
        format!("{}{}", t.bell_unread, unread)
    }
}

/// The bell in the top bar, for a signed-in member; it asks for the count
/// whenever the page changes.
#[component]
pub fn BellLink() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let bell = use_bell();
    let location = use_location();
    // At start, on every page change, and on signing in or out.
    Effect::new(move |_| {
        // Read, not only tracked: the router's memo follows the URL only
        // once something has computed it.
        location.pathname.with(|_| ());
        if session.is_signed_in() {
            bell.refresh();
        } else {
            bell.unread.set(0);
        }
    });
    move || {
        session.is_signed_in().then(|| {
            view! {
                <A
                    href="/notifications"
                    attr:class="topbar-bell"
                    attr:aria-label=move || bell_label(i18n.t(), bell.unread())
                >
                    <svg class="bell-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M12 3a6 6 0 0 0-6 6v4l-2 3h16l-2-3V9a6 6 0 0 0-6-6zM10 19a2 2 0 0 0 4 0z"></path>
                    </svg>
                    {move || badge_text(bell.unread()).map(|text| view! {
                        <span class="bell-count" aria-hidden="true">{text}</span>
                    })}
                </A>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH};

    #[test]
    fn no_badge_without_unread_and_a_cap_beyond_99() {
        assert_eq!(badge_text(0), None);
        assert_eq!(badge_text(1).as_deref(), Some("1"));
        assert_eq!(badge_text(99).as_deref(), Some("99"));
        assert_eq!(badge_text(100).as_deref(), Some("99+"));
    }

    #[test]
    fn the_bell_says_how_many_are_unread() {
        assert_eq!(bell_label(&ZH, 0), "通知");
        assert_eq!(bell_label(&ZH, 3), "通知，未读 3");
        assert_eq!(bell_label(&EN, 2), "Notifications, unread: 2");
    }
}
