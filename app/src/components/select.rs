//! A labelled drop-down bound to a string signal: a member, a kind.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::layout::TitleFn;

#[component]
pub fn Select(
    label: TitleFn,
    /// The select's `name`, which tests use.
    name: &'static str,
    /// `(value, label)` pairs; an empty value is the "choose" prompt.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    value: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="field">
            <span class="field-label">{move || label(i18n.t())}</span>
            <select
                class="field-input"
                name=name
                prop:value=move || value.get()
                on:change=move |event| value.set(event_target_value(&event))
            >
                <option value="">{move || i18n.t().pick_one}</option>
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(v, text)| {
                            let selected = v.clone();
                            view! {
                                <option value=v selected=move || value.with(|s| *s == selected)>{text}</option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}
