//! A labelled input bound to a string signal; every form of the app uses it.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::layout::TitleFn;

#[component]
pub fn Field(
    label: TitleFn,
    value: RwSignal<String>,
    /// The input's `name`, which tests and autofill use.
    name: &'static str,
    /// `text` unless given: `tel`, `password`, `date`, `month`, …
    #[prop(optional)]
    kind: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] maxlength: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] placeholder: Option<TitleFn>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="field">
            <span class="field-label">{move || label(i18n.t())}</span>
            <input
                class="field-input"
                type=kind.unwrap_or("text")
                name=name
                inputmode=inputmode
                maxlength=maxlength
                autocomplete=autocomplete
                placeholder=move || placeholder.map(|p| p(i18n.t()))
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
            />
        </label>
    }
}
