//! 登录: phone number and password, or (the first time, or after forgetting
//! the password) a one-time activation code from the branch secretary and a
//! password the member chooses; inside WeChat also 微信登录 with the code the
//! mini-program shell passes as `?wx_code=`, and binding a WeChat account
//! that is not linked to a member yet (with a password or a code).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use zhibu_shared::auth::{
    ActivateRequest, LoginRequest, WechatBindRequest, WechatLoginRequest, WechatUnbound,
};

use crate::api::{self, ApiError};
use crate::components::{Button, ButtonVariant, Card, Field, use_toast};
use crate::i18n::{tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::query;
use crate::util;

/// Where to go once signed in: only a path of this app, never an open
/// redirect (`//host` and `/\host` both leave the origin in browsers).
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
        .unwrap_or_else(|| "/me".to_owned())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    set_page_title(|t| t.title_login);
    let i18n = use_i18n();
    let toaster = use_toast();
    let navigate = use_navigate();
    let next = safe_next(query("next"));
    let wx_code = query("wx_code");
    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submitting = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let bind_ticket = RwSignal::new(None::<String>);
    // `?activate` (the link on a printed code sheet) opens the code form.
    let activating = RwSignal::new(query("activate").is_some());
    let code = RwSignal::new(String::new());

    let done = move |result: Result<_, ApiError>| {
        submitting.set(false);
        let t = i18n.t_untracked();
        match result {
            Ok(_) => {
                toaster.show(t.login_success);
                navigate(
                    &next,
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
            Err(failure) => {
                if failure.code() == Some("wechat_unbound")
                    && let Some(unbound) = failure.detail::<WechatUnbound>()
                {
                    bind_ticket.set(Some(unbound.bind_ticket));
                    error.set(Some(t.wechat_unbound.to_owned()));
                } else {
                    error.set(Some(failure.message(t)));
                }
            }
        }
    };

    let wechat = {
        let done = done.clone();
        let wx_code = wx_code.clone();
        move || {
            let Some(code) = wx_code.clone() else {
                error.set(Some(i18n.t_untracked().wechat_outside.to_owned()));
                return;
            };
            submitting.set(true);
            let done = done.clone();
            wasm_bindgen_futures::spawn_local(async move {
                done(api::wechat_login(&WechatLoginRequest { code }).await);
            });
        }
    };
    if wx_code.is_some() {
        wechat();
    }

    let submit = {
        let done = done.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            if submitting.get_untracked() {
                return;
            }
            let t = i18n.t_untracked();
            let phone = phone.get_untracked().trim().to_owned();
            let password = password.get_untracked();
            let activation = activating
                .get_untracked()
                .then(|| code.get_untracked().trim().to_owned());
            if phone.is_empty()
                || password.is_empty()
                || activation.as_ref().is_some_and(String::is_empty)
            {
                error.set(Some(if activation.is_some() {
                    t.activate_missing_fields.to_owned()
                } else {
                    t.login_missing_fields.to_owned()
                }));
                return;
            }
            error.set(None);
            submitting.set(true);
            let ticket = bind_ticket.get_untracked();
            let done = done.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = match (ticket, activation) {
                    (Some(bind_ticket), activation) => {
                        let (password, code, new_password) = match activation {
                            Some(code) => (None, Some(code), Some(password)),
                            None => (Some(password), None, None),
                        };
                        api::wechat_bind(&WechatBindRequest {
                            bind_ticket,
                            phone,
                            password,
                            code,
                            new_password,
                        })
                        .await
                    }
                    (None, Some(code)) => {
                        api::activate(&ActivateRequest {
                            phone,
                            code,
                            password,
                        })
                        .await
                    }
                    (None, None) => api::login(&LoginRequest { phone, password }).await,
                };
                done(result);
            });
        }
    };

    let wechat_button = util::in_wechat().then(|| {
        let wechat = wechat.clone();
        view! {
            <Button block=true on_click=move |_| wechat()>{tr(|t| t.wechat_login)}</Button>
            <p class="or muted">{tr(|t| t.login_or)}</p>
        }
    });

    view! {
        <Card>
            {wechat_button}
            {move || bind_ticket.get().map(|_| view! {
                <h2 class="card-title">{tr(|t| t.wechat_bind_title)}</h2>
            })}
            {move || activating.get().then(|| view! {
                <h2 class="card-title">{tr(|t| t.activate_title)}</h2>
            })}
            <form class="form" on:submit=submit novalidate=true>
                <Field label=|t| t.login_phone name="phone" kind="tel" inputmode="numeric" autocomplete="username" maxlength="11" placeholder=|t| t.login_phone_placeholder value=phone/>
                {move || if activating.get() {
                    view! {
                        <Field label=|t| t.activate_code name="code" autocomplete="one-time-code" maxlength="12" placeholder=|t| t.activate_code_placeholder value=code/>
                        <Field label=|t| t.activate_password name="new-password" kind="password" autocomplete="new-password" placeholder=|t| t.activate_password_placeholder value=password/>
                    }.into_any()
                } else {
                    view! {
                        <Field label=|t| t.login_password name="password" kind="password" autocomplete="current-password" placeholder=|t| t.login_password_placeholder value=password/>
                    }.into_any()
                }}
                {move || error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                <Button variant=ButtonVariant::Primary submit=true block=true loading=submitting>
                    {move || match (bind_ticket.with(Option::is_some), activating.get()) {
                        (true, _) => i18n.t().wechat_bind_submit,
                        (false, true) => i18n.t().activate_submit,
                        (false, false) => i18n.t().login_submit,
                    }}
                </Button>
            </form>
            <button type="button" class="link-button" name="toggle-activate" on:click=move |_| {
                activating.update(|a| *a = !*a);
                password.set(String::new());
                error.set(None);
            }>
                {move || if activating.get() { i18n.t().login_toggle } else { i18n.t().activate_toggle }}
            </button>
            <p class="muted form-hint">
                {move || if activating.get() { i18n.t().activate_hint } else { i18n.t().login_hint }}
            </p>
        </Card>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(text: &str) -> String {
        safe_next(Some(text.to_owned()))
    }

    #[test]
    fn a_path_of_the_app_is_where_the_member_returns() {
        assert_eq!(next("/checkin/7?t=abc"), "/checkin/7?t=abc");
        assert_eq!(next("/service"), "/service");
    }

    #[test]
    fn without_a_path_the_member_lands_on_me() {
        assert_eq!(safe_next(None), "/me");
        assert_eq!(next(""), "/me");
    }

    #[test]
    fn another_site_is_never_where_signing_in_leads() {
        assert_eq!(next("https://evil.example/"), "/me");
        assert_eq!(next("//evil.example/"), "/me");
        assert_eq!(next("/\\evil.example/"), "/me");
        assert_eq!(next("javascript:alert(1)"), "/me");
    }
}
