//! 修改密码: the old password and a new one, typed twice. Every other
//! session of the member ends; this phone stays signed in.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use zhibu_shared::auth::{ChangePasswordRequest, password_problem};

use crate::api;
use crate::components::{Button, ButtonVariant, Card, Field, use_toast};
use crate::i18n::use_i18n;
use crate::layout::set_page_title;

#[component]
pub fn PasswordPage() -> impl IntoView {
    set_page_title(|t| t.title_password);
    let i18n = use_i18n();
    let toaster = use_toast();
    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let t = i18n.t_untracked();
        let (old_password, new_password) = (old.get_untracked(), new.get_untracked());
        if old_password.is_empty() || new_password.is_empty() {
            error.set(Some(t.password_missing.to_owned()));
            return;
        }
        if new_password != again.get_untracked() {
            error.set(Some(t.password_mismatch.to_owned()));
            return;
        }
        if let Some(problem) = password_problem(&new_password) {
            error.set(Some(problem.to_owned()));
            return;
        }
        error.set(None);
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::change_password(&ChangePasswordRequest {
                old_password,
                new_password,
            })
            .await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    old.set(String::new());
                    new.set(String::new());
                    again.set(String::new());
                    toaster.show(t.password_changed);
                }
                Err(e) => error.set(Some(e.message(t))),
            }
        });
    };
    view! {
        <Card>
            <form class="form" on:submit=submit novalidate=true>
                <Field label=|t| t.password_old name="old-password" kind="password" autocomplete="current-password" value=old/>
                <Field label=|t| t.password_new name="new-password" kind="password" autocomplete="new-password" placeholder=|t| t.activate_password_placeholder value=new/>
                <Field label=|t| t.password_again name="again-password" kind="password" autocomplete="new-password" value=again/>
                {move || error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                <Button variant=ButtonVariant::Primary submit=true block=true loading=busy>
                    {move || i18n.t().password_submit}
                </Button>
            </form>
        </Card>
    }
}
