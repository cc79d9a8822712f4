//! A row of toggle chips choosing one value: kinds, durations, platforms.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::layout::TitleFn;

#[component]
pub fn Chips(
    label: TitleFn,
    /// `(value, label)` pairs; re-read when the locale changes.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    selected: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <span class="field-label">{move || label(i18n.t())}</span>
            <div class="chips" role="group" aria-label=move || label(i18n.t())>
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(value, text)| {
                            let pressed = value.clone();
                            view! {
                                <button
                                    type="button"
                                    class="chip"
                                    aria-pressed=move || if selected.with(|s| *s == pressed) { "true" } else { "false" }
                                    on:click=move |_| selected.set(value.clone())
                                >
                                    {text}
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </div>
    }
}
