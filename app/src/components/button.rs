//! Buttons: primary (party red), default (outlined) and danger.

use leptos::ev::MouseEvent;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ButtonVariant {
    Primary,
    #[default]
    Default,
    Danger,
}

impl ButtonVariant {
    fn class(self) -> &'static str {
        match self {
            ButtonVariant::Primary => "btn btn-primary",
            ButtonVariant::Default => "btn btn-default",
            ButtonVariant::Danger => "btn btn-danger",
        }
    }
}

#[component]
pub fn Button(
    #[prop(optional)] variant: ButtonVariant,
    /// While true the button shows a spinner and ignores taps, so a slow
    /// network does not turn one tap into two requests.
    #[prop(optional, into)]
    loading: Signal<bool>,
    #[prop(optional, into)] disabled: Signal<bool>,
    /// Submits the enclosing form instead of being a plain button.
    #[prop(optional)]
    submit: bool,
    /// Spans the full width, as main actions do on a phone.
    #[prop(optional)]
    block: bool,
    #[prop(optional, into)] on_click: Option<Callback<MouseEvent>>,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            type=if submit { "submit" } else { "button" }
            class=variant.class()
            class:btn-block=block
            class:is-loading=move || loading.get()
            disabled=move || loading.get() || disabled.get()
            aria-busy=move || if loading.get() { "true" } else { "false" }
            on:click=move |event| {
                if let Some(on_click) = on_click {
                    on_click.run(event);
                }
            }
        >
            <span class="btn-spinner" aria-hidden="true"></span>
            <span class="btn-label">{children()}</span>
        </button>
    }
}
