//! Activation codes for members who have never signed in (or forgot their
//! password): one shown large beside the member's name, or a printed sheet
//! for a whole branch, since many members first sign in on a family
//! member's phone.

use leptos::prelude::*;
use zhibu_shared::auth::ActivationCode;

use crate::api;
use crate::components::{Button, ButtonVariant, Card};
use crate::i18n::{tr, use_i18n};
use crate::util;

/// The code just issued, large, with whom it is for and until when.
#[component]
pub fn ActivationPanel(issued: RwSignal<Option<ActivationCode>>) -> impl IntoView {
    move || {
        issued.get().map(|code| {
            view! {
                <Card title=tr(|t| t.activation_title)>
                    <p class="activation-name">{code.member.name.clone()}</p>
                    <p class="short-code activation-code" aria-live="polite">{code.code.clone()}</p>
                    <p class="muted">{tr(|t| t.activation_until)}" "{util::ymd_hhmm(&code.expires_at)}</p>
                    <p class="muted">{tr(|t| t.activation_how)}</p>
                    <div class="actions no-print">
                        <Button on_click=move |_| issued.set(None)>{tr(|t| t.close)}</Button>
                    </div>
                </Card>
            }
        })
    }
}

/// Issues codes for everyone below the unit who has never signed in and
/// shows them as a sheet to print and cut.
#[component]
pub fn ActivationSheet(org_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let sheet = RwSignal::new(None::<Vec<ActivationCode>>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let issue = move |_| {
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::activation_sheet(org_id).await;
            busy.set(false);
            match answer {
                Ok(codes) => {
                    error.set(None);
                    sheet.set(Some(codes));
                }
                Err(e) => error.set(Some(e.message(i18n.t_untracked()))),
            }
        });
    };
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <div class="actions no-print">
            <Button block=true loading=busy on_click=issue>{tr(|t| t.activation_sheet)}</Button>
        </div>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {move || sheet.get().map(|codes| {
            let empty = codes.is_empty();
            view! {
                <section class="activation-sheet">
                    <h2 class="section-title">{tr(|t| t.activation_sheet_title)}</h2>
                    <p class="muted">{tr(|t| t.activation_how)}</p>
                    {empty.then(|| view! { <p class="muted">{tr(|t| t.activation_sheet_empty)}</p> })}
                    <ul class="activation-slips">
                        {codes.into_iter().map(|code| view! {
                            <li class="activation-slip">
                                <span class="activation-name">{code.member.name}</span>
                                <span class="short-code">{code.code}</span>
                                <span class="muted">{tr(|t| t.activation_until)}" "{util::ymd_hhmm(&code.expires_at)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    {(!empty).then(|| view! {
                        <div class="actions no-print">
                            <Button variant=ButtonVariant::Primary block=true on_click=print>{tr(|t| t.print)}</Button>
                        </div>
                    })}
                </section>
            }
        })}
    }
}
