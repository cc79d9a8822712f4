//! The frame around every page: the top bar with the page title and, for a
//! signed-in member, the notification bell; the bottom tab bar.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Strings, tr, use_i18n};
use crate::pages::notifications::BellLink;

/// Picks a page's title out of the current catalogue, so the title follows
/// locale changes.
pub type TitleFn = fn(&Strings) -> &'static str;

/// The current page's title, set by each page when it renders.
#[derive(Debug, Clone, Copy)]
pub struct PageTitle(RwSignal<TitleFn>);

pub fn provide_page_title() -> PageTitle {
    let title = PageTitle(RwSignal::new(|t: &Strings| t.title_home));
    provide_context(title);
    title
}

/// Called by a page to name itself in the top bar and the document title.
pub fn set_page_title(title: TitleFn) {
    if let Some(PageTitle(current)) = use_context::<PageTitle>() {
        current.set(title);
    }
}

#[component]
pub fn TopBar() -> impl IntoView {
    let i18n = use_i18n();
    let PageTitle(title) = expect_context::<PageTitle>();
    let text = move || (title.get())(i18n.t());
    Effect::new(move |_| {
        let t = i18n.t();
        let page = text();
        let document_title = if page == t.app_name {
            page.to_owned()
        } else {
            format!("{page} · {}", t.app_name)
        };
        document().set_title(&document_title);
    });
    view! {
        <header class="topbar">
            <h1 class="topbar-title">{text}</h1>
            <BellLink/>
        </header>
    }
}

#[component]
pub fn TabBar() -> impl IntoView {
    view! {
        <nav class="tabbar" aria-label=tr(|t| t.nav_label)>
            <A href="/" exact=true attr:class="tab">
                <svg class="tab-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z"></path>
                </svg>
                <span class="tab-label">{tr(|t| t.nav_home)}</span>
            </A>
            <A href="/checkin" attr:class="tab">
                <svg class="tab-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h2v2h-2zM18 18h2v2h-2zM14 18h2v2h-2zM18 14h2v2h-2z"></path>
                </svg>
                <span class="tab-label">{tr(|t| t.nav_checkin)}</span>
            </A>
            <A href="/service" attr:class="tab">
                <svg class="tab-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 21s-8-5.2-8-11a4.5 4.5 0 0 1 8-2.8A4.5 4.5 0 0 1 20 10c0 5.8-8 11-8 11z"></path>
                </svg>
                <span class="tab-label">{tr(|t| t.nav_service)}</span>
            </A>
            <A href="/me" attr:class="tab">
                <svg class="tab-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zM3 21c0-4.4 4-7 9-7s9 2.6 9 7z"></path>
                </svg>
                <span class="tab-label">{tr(|t| t.nav_me)}</span>
            </A>
        </nav>
    }
}
