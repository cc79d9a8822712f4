//! 登录: phone number and password; inside WeChat also 微信登录 with the
//! code the mini-program shell passes as `?wx_code=`, and binding a WeChat
//! account that is not linked to a member yet.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use serde::Deserialize;
use zhibu_shared::auth::{LoginRequest, WechatBindRequest, WechatLoginRequest};

use crate::api::{self, ApiError};
use crate::components::{Button, ButtonVariant, Card, Field, use_toast};
use crate::i18n::{tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::query;
use crate::util;

/// The 404 body of an unbound WeChat account.
#[derive(Deserialize)]
struct Unbound {
    bind_ticket: String,
}

#[component]
pub fn LoginPage() -> impl IntoView {
    set_page_title(|t| t.title_login);
    let i18n = use_i18n();
    let toaster = use_toast();
    let navigate = use_navigate();
    // Only paths of this app: never an open redirect.
    let next = query("next")
        .filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_else(|| "/me".to_owned());
    let wx_code = query("wx_code");
    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submitting = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let bind_ticket = RwSignal::new(None::<String>);

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
                    && let Some(unbound) = failure.detail::<Unbound>()
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
            if phone.is_empty() || password.is_empty() {
                error.set(Some(t.login_missing_fields.to_owned()));
                return;
            }
            error.set(None);
            submitting.set(true);
            let ticket = bind_ticket.get_untracked();
            let done = done.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = match ticket {
                    Some(bind_ticket) => {
                        api::wechat_bind(&WechatBindRequest {
                            bind_ticket,
                            phone,
                            password: Some(password),
                            code: None,
                            new_password: None,
                        })
                        .await
                    }
                    None => api::login(&LoginRequest { phone, password }).await,
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
            <form class="form" on:submit=submit novalidate=true>
                <Field label=|t| t.login_phone name="phone" kind="tel" inputmode="numeric" autocomplete="username" maxlength="11" placeholder=|t| t.login_phone_placeholder value=phone/>
                <Field label=|t| t.login_password name="password" kind="password" autocomplete="current-password" placeholder=|t| t.login_password_placeholder value=password/>
                {move || error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                <Button variant=ButtonVariant::Primary submit=true block=true loading=submitting>
                    {move || if bind_ticket.with(Option::is_some) { i18n.t().wechat_bind_submit } else { i18n.t().login_submit }}
                </Button>
            </form>
            <p class="muted form-hint">{tr(|t| t.login_hint)}</p>
        </Card>
    }
}
