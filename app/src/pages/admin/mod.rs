//! 名册 for the organisation department: upload a roster (XLSX or CSV),
//! check it first — every bad row and field listed, nothing written — then
//! import it; download the county's roster in the same columns.

pub mod audit;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use zhibu_shared::org::{ImportReport, Role};

use crate::api;
use crate::components::{Button, ButtonVariant, Card};
use crate::i18n::{tr, use_i18n};
use crate::layout::set_page_title;
use crate::session::use_session;
use crate::util;

#[component]
pub fn RosterPage() -> impl IntoView {
    set_page_title(|t| t.title_roster);
    let i18n = use_i18n();
    let session = use_session();
    let file = RwSignal::new(None::<send_wrapper::SendWrapper<web_sys::File>>);
    let report = RwSignal::new(None::<(ImportReport, bool)>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let chosen = move |ev: leptos::ev::Event| {
        let picked = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        report.set(None);
        error.set(None);
        file.set(picked.map(send_wrapper::SendWrapper::new));
    };
    let send = move |dry_run: bool| {
        let Some(picked) = file.get_untracked() else {
            error.set(Some(i18n.t_untracked().roster_pick.to_owned()));
            return;
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::upload_roster(&picked, dry_run).await;
            busy.set(false);
            match answer {
                Ok(done) => {
                    error.set(None);
                    report.set(Some((done, dry_run)));
                }
                Err(failure) => match failure.detail::<ImportReport>() {
                    Some(refused) if !refused.errors.is_empty() => {
                        error.set(None);
                        report.set(Some((refused, true)));
                    }
                    _ => error.set(Some(failure.message(i18n.t_untracked()))),
                },
            }
        });
    };
    // The county (or the unit) the admin's role is held on.
    let admin_unit = move || {
        session.member().and_then(|me| {
            me.roles
                .iter()
                .find(|r| r.role == Role::Admin)
                .map(|r| r.org_id)
        })
    };
    let export = move |_| {
        let Some(unit) = admin_unit() else { return };
        wasm_bindgen_futures::spawn_local(async move {
            match api::export_roster(unit).await {
                Ok(blob) => util::save_blob(&blob, "名册.xlsx"),
                Err(e) => error.set(Some(e.message(i18n.t_untracked()))),
            }
        });
    };
    view! {
        <Card title=tr(|t| t.roster_upload)>
            <p class="muted">{tr(|t| t.roster_columns)}</p>
            <label class="field">
                <span class="field-label">{tr(|t| t.roster_file)}</span>
                <input class="field-input" type="file" name="roster"
                    accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
                    on:change=chosen/>
            </label>
            <div class="actions">
                <Button loading=busy on_click=move |_| send(true)>{tr(|t| t.roster_check)}</Button>
                <Button variant=ButtonVariant::Primary loading=busy on_click=move |_| send(false)>{tr(|t| t.roster_import)}</Button>
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || report.get().map(|(r, dry_run)| view! { <Report report=r dry_run=dry_run/> })}
        </Card>
        <Card title=tr(|t| t.roster_export)>
            <Button block=true on_click=export>{tr(|t| t.roster_download)}</Button>
        </Card>
    }
}

#[component]
fn Report(report: ImportReport, dry_run: bool) -> impl IntoView {
    let i18n = use_i18n();
    let t = i18n.t_untracked();
    let summary = if !report.errors.is_empty() {
        format!("{} {}", report.errors.len(), t.roster_bad_rows)
    } else {
        format!(
            "{}{} {} · {} {} · {} {}",
            if dry_run {
                t.roster_would
            } else {
                t.roster_done
            },
            t.roster_created,
            report.created,
            t.roster_updated,
            report.updated,
            t.roster_unchanged,
            report.unchanged
        )
    };
    let bad = !report.errors.is_empty();
    let new_communities = (!bad && !report.new_communities.is_empty()).then(|| {
        format!(
            "{}{}",
            t.roster_new_communities,
            report.new_communities.join("、")
        )
    });
    view! {
        <section class="roster-report" aria-live="polite">
            <p class=if bad { "form-error" } else { "roster-ok" }>{summary}</p>
            {new_communities.map(|text| view! { <p class="muted roster-communities">{text}</p> })}
            <ul class="roster-errors">
                {report.errors.into_iter().map(|e| {
                    let row = if e.row == 0 { t.roster_file.to_owned() } else { format!("{} {}", t.roster_row, e.row) };
                    view! { <li class="roster-error"><strong>{row}</strong>" · "{e.field}" · "{e.message}</li> }
                }).collect_view()}
            </ul>
        </section>
    }
}
