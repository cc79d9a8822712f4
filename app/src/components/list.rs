//! The one list of the app: rows of a title, a line of detail, a badge, and
//! optionally a link, a checkbox for bulk decisions or an action button.
//! Pages map their data to [`Item`]s, so every list shares one renderer.

use leptos::prelude::*;

use super::BadgeTone;
use crate::layout::TitleFn;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    /// What selections and actions report: an id.
    pub key: String,
    pub title: String,
    pub sub: String,
    pub badge: Option<(String, BadgeTone)>,
    pub href: Option<String>,
    /// Whether the list's action applies to this row.
    pub action: bool,
}

#[component]
pub fn List(
    #[prop(into)] items: Signal<Vec<Item>>,
    /// Adds a checkbox to each row; holds the checked keys.
    #[prop(optional)]
    selected: Option<RwSignal<Vec<String>>>,
    /// A button on rows whose `action` is set, reporting their key.
    #[prop(optional)]
    action: Option<(TitleFn, Callback<String>)>,
    /// Shown instead of an empty list.
    #[prop(optional)]
    empty: Option<TitleFn>,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    move || {
        let items = items.get();
        if items.is_empty() {
            return empty
                .map(|empty| view! { <p class="muted list-empty">{empty(i18n.t())}</p> })
                .into_any();
        }
        let rows = items
            .into_iter()
            .map(|item| {
                let Item {
                    key,
                    title,
                    sub,
                    badge,
                    href,
                    action: acts,
                } = item;
                // With checkboxes and no link, the whole row is the checkbox's
                // label: tapping a name ticks it.
                let check = selected.map(|selected| {
                    let key = key.clone();
                    let toggle_key = key.clone();
                    view! {
                        <span class="row-check">
                            <input
                                type="checkbox"
                                aria-label=title.clone()
                                prop:checked=move || selected.with(|keys| keys.contains(&key))
                                on:change=move |event| {
                                    let on = event_target_checked(&event);
                                    selected.update(|keys| {
                                        keys.retain(|k| k != &toggle_key);
                                        if on {
                                            keys.push(toggle_key.clone());
                                        }
                                    });
                                }
                            />
                        </span>
                    }
                });
                let badge = badge.map(|(text, tone)| view! { <super::Badge tone=tone>{text}</super::Badge> });
                let text = view! {
                    <span class="row-text">
                        <span class="row-title">{title}</span>
                        {(!sub.is_empty()).then(|| view! { <span class="row-sub">{sub}</span> })}
                    </span>
                    {badge}
                };
                let main = match (href, check) {
                    (Some(href), check) => view! {
                        <label class="row-select">{check}</label>
                        <a class="row-main row-link" href=href>{text}</a>
                    }
                    .into_any(),
                    (None, Some(check)) => view! {
                        <label class="row-main row-select">{check}{text}</label>
                    }
                    .into_any(),
                    (None, None) => view! { <div class="row-main">{text}</div> }.into_any(),
                };
                let button = action.filter(|_| acts).map(|(label, run)| {
                    view! {
                        <button type="button" class="btn btn-default row-action" on:click=move |_| run.run(key.clone())>
                            {label(i18n.t())}
                        </button>
                    }
                });
                view! { <li class="row">{main}{button}</li> }
            })
            .collect_view();
        view! { <ul class="list">{rows}</ul> }.into_any()
    }
}
