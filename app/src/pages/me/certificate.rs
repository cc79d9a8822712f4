//! 服务证明: a numbered certificate of approved service hours, printable,
//! and its public verification page.

use leptos::prelude::*;
use zhibu_shared::theme_day::Month;
use zhibu_shared::volunteer::{CertificateRequest, hours};

use crate::api;
use crate::components::{Button, ButtonVariant, Card, Field, status_view};
use crate::i18n::{kind_name, tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::text_param;
use crate::util;

#[component]
pub fn CertificateRequestPage() -> impl IntoView {
    set_page_title(|t| t.title_certificate);
    let i18n = use_i18n();
    let navigate = leptos_router::hooks::use_navigate();
    let from = RwSignal::new(util::january());
    let to = RwSignal::new(util::this_month());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |_| {
        let t = i18n.t_untracked();
        let (Some(from), Some(to)) = (
            Month::parse(&from.get_untracked()),
            Month::parse(&to.get_untracked()),
        ) else {
            error.set(Some(t.month_invalid.to_owned()));
            return;
        };
        error.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::issue_certificate(&CertificateRequest { from, to }).await;
            busy.set(false);
            match answer {
                Ok(c) => navigate(&format!("/certificates/{}", c.number), Default::default()),
                Err(e) => error.set(Some(e.message(t))),
            }
        });
    };
    view! {
        <Card title=tr(|t| t.certificate_choose)>
            <Field label=|t| t.month_from name="from" kind="month" value=from/>
            <Field label=|t| t.month_to name="to" kind="month" value=to/>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Button variant=ButtonVariant::Primary block=true loading=busy on_click=submit>
                {tr(|t| t.certificate_issue)}
            </Button>
        </Card>
    }
}

/// `/certificates/:number` (printable) and `/verify/:number` (public).
#[component]
pub fn CertificatePage(verify: bool) -> impl IntoView {
    set_page_title(if verify {
        |t| t.title_verify
    } else {
        |t| t.title_certificate
    });
    let i18n = use_i18n();
    let number = text_param("number");
    let certificate = LocalResource::new(move || api::certificate(&number.get_untracked()));
    move || {
        certificate.with(status_view).or_else(|| {
            let c = certificate.get()?.ok()?;
            let t = i18n.t();
            let rows = c
                .by_kind
                .iter()
                .map(|k| view! { <dt>{kind_name(t, k.kind)}</dt><dd>{hours(k.minutes)}" "{t.hours_unit}</dd> })
                .collect_view();
            Some(view! {
                <article class="card certificate">
                    {verify.then(|| view! { <p class="badge badge-success">{t.verify_ok}</p> })}
                    <h2 class="certificate-title">{t.certificate_heading}</h2>
                    <p class="certificate-name">{c.member_name}</p>
                    <dl class="facts">
                        <dt>{t.certificate_period}</dt>
                        <dd>{c.from.to_string()}" – "{c.to.to_string()}</dd>
                        <dt>{t.certificate_total}</dt>
                        <dd>{hours(c.total_minutes)}" "{t.hours_unit}</dd>
                        {rows}
                        <dt>{t.certificate_issuer}</dt>
                        <dd>{c.issuer}</dd>
                        <dt>{t.certificate_issued}</dt>
                        <dd>{util::ymd_hhmm(&c.issued_at)}</dd>
                        <dt>{t.certificate_number}</dt>
                        <dd>{c.number}</dd>
                        <dt>{t.certificate_verify}</dt>
                        <dd class="verify-url">{c.verify_url}</dd>
                    </dl>
                </article>
                {(!verify).then(|| view! {
                    <div class="actions no-print">
                        <Button variant=ButtonVariant::Primary block=true on_click=move |_| util::print()>
                            {t.print}
                        </Button>
                    </div>
                })}
            }.into_any())
        })
    }
}
