//! A white panel grouping related content.

use leptos::prelude::*;

#[component]
pub fn Card(
    /// An optional heading for the card.
    #[prop(optional, into)]
    title: Option<TextProp>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card">
            {title.map(|title| view! { <h2 class="card-title">{move || title.get()}</h2> })}
            {children()}
        </section>
    }
}
