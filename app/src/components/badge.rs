//! A short status label, such as 待审核 or 已通过.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadgeTone {
    #[default]
    Primary,
    Success,
    Warning,
    Muted,
}

impl BadgeTone {
    fn class(self) -> &'static str {
        match self {
            BadgeTone::Primary => "badge badge-primary",
            BadgeTone::Success => "badge badge-success",
            BadgeTone::Warning => "badge badge-warning",
            BadgeTone::Muted => "badge badge-muted",
        }
    }
}

#[component]
pub fn Badge(#[prop(optional)] tone: BadgeTone, children: Children) -> impl IntoView {
    view! { <span class=tone.class()>{children()}</span> }
}
