//! Settings-style lists: a `CellGroup` of `Cell` rows, each with a title, an
//! optional value and, when it leads somewhere, an arrow.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn CellGroup(
    #[prop(optional, into)] title: Option<TextProp>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="cell-group">
            {title.map(|title| view! { <h2 class="cell-group-title">{move || title.get()}</h2> })}
            <div class="cell-group-body">{children()}</div>
        </section>
    }
}

#[component]
pub fn Cell(
    #[prop(into)] title: TextProp,
    #[prop(optional, into)] value: Option<TextProp>,
    /// Makes the whole row a link with an arrow.
    #[prop(optional, into)]
    href: Option<String>,
    /// Extra content on the value side, such as a switch or a badge.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let body = view! {
        <span class="cell-title">{move || title.get()}</span>
        <span class="cell-value">
            {value.map(|value| move || value.get())}
            {children.map(|children| children())}
        </span>
    };
    match href {
        Some(href) => Either::Left(view! {
            <A href=href attr:class="cell cell-link">
                {body}
                <svg class="cell-arrow" viewBox="0 0 16 16" aria-hidden="true">
                    <path d="M6 3l5 5-5 5" fill="none" stroke="currentColor" stroke-width="2"></path>
                </svg>
            </A>
        }),
        None => Either::Right(view! { <div class="cell">{body}</div> }),
    }
}
