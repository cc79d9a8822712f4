//! The honest "nothing here yet" state of a page or list.

use leptos::prelude::*;

#[component]
pub fn Empty(
    #[prop(into)] title: TextProp,
    #[prop(optional, into)] description: Option<TextProp>,
    /// An optional action, such as a button.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty">
            <svg class="empty-icon" viewBox="0 0 64 64" aria-hidden="true">
                <rect x="10" y="14" width="44" height="38" rx="4" fill="none" stroke="currentColor" stroke-width="3"></rect>
                <path d="M10 26h44M22 8v12M42 8v12" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round"></path>
            </svg>
            <p class="empty-title">{move || title.get()}</p>
            {description.map(|description| view! { <p class="empty-desc">{move || description.get()}</p> })}
            {children.map(|children| view! { <div class="empty-action">{children()}</div> })}
        </div>
    }
}
