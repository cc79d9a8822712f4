//! The member page for secretaries and admins: who the member is, their
//! categories, 转正 on a date, transferred out or deceased, an activation
//! code, and the roles they hold (granted and revoked here by admins).

mod roles;

use leptos::prelude::*;
use zhibu_shared::auth::ActivationCode;
use zhibu_shared::member::{MemberDetail, MemberPatch, formal_date_problem};
use zhibu_shared::org::{MemberCategory, MemberStatus};

use crate::api;
use crate::components::{
    Badge, BadgeTone, Button, ButtonVariant, Card, Field, Loaded, status_view, use_toast,
};
use crate::i18n::{category_name, member_status_name, tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;
use crate::pages::orgs::activation::ActivationPanel;
use crate::util;

#[component]
pub fn MemberPage() -> impl IntoView {
    set_page_title(|t| t.title_member);
    let id = id_param("id");
    move || {
        let id = id.get();
        view! { <MemberView id=id/> }
    }
}

#[component]
fn MemberView(id: i64) -> impl IntoView {
    let member = LocalResource::new(move || api::member(id));
    move || {
        member.with(status_view).or_else(|| {
            let m = member.get()?.ok()?;
            Some(view! { <Detail member=m this=member/> }.into_any())
        })
    }
}

/// Runs a change, then reloads the page's member and says it was done.
fn change(
    this: Loaded<MemberDetail>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    done: &'static str,
    work: impl Future<Output = Result<(), api::ApiError>> + 'static,
) {
    let toaster = use_toast();
    let t = crate::i18n::use_i18n().t_untracked();
    busy.set(true);
    wasm_bindgen_futures::spawn_local(async move {
        let answer = work.await;
        busy.set(false);
        match answer {
            Ok(()) => {
                error.set(None);
                this.refetch();
                toaster.show(done);
            }
            Err(e) => error.set(Some(e.message(t))),
        }
    });
}

#[component]
fn Detail(member: MemberDetail, this: Loaded<MemberDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let id = member.id;
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let chosen = RwSignal::new(member.categories.clone());
    let formal_on = RwSignal::new(util::today());
    let status = RwSignal::new(member.status.code().to_owned());
    let issued = RwSignal::new(None::<ActivationCode>);
    let t = i18n.t_untracked();
    let categories_text = member
        .categories
        .iter()
        .map(|c| category_name(t, *c))
        .collect::<Vec<_>>()
        .join("、");

    // Every change of the member's record is one PATCH, then a reload.
    let save = move |patch: MemberPatch| {
        change(
            this,
            busy,
            error,
            i18n.t_untracked().member_saved,
            async move { api::update_member(id, &patch).await },
        );
    };
    let save_categories = move |_| {
        let patch = MemberPatch {
            categories: Some(chosen.get_untracked()),
            ..Default::default()
        };
        save(patch);
    };
    let (probationary, joined) = (member.probationary, member.joined_party_on);
    let record_formal = move |_| {
        let t = i18n.t_untracked();
        let Ok(day) = formal_on.get_untracked().parse() else {
            error.set(Some(t.member_formal_hint.to_owned()));
            return;
        };
        let today = util::today().parse().unwrap_or(day);
        if let Some(problem) = formal_date_problem(probationary, joined, day, today) {
            error.set(Some(problem.to_owned()));
            return;
        }
        save(MemberPatch {
            formal_on: Some(day),
            ..Default::default()
        });
    };
    let save_status = move |_| {
        let Some(status) = MemberStatus::from_code(&status.get_untracked()) else {
            return;
        };
        let patch = MemberPatch {
            status: Some(status),
            ..Default::default()
        };
        save(patch);
    };
    let issue = move |_| {
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::issue_activation(id).await;
            busy.set(false);
            match answer {
                Ok(code) => {
                    error.set(None);
                    issued.set(Some(code));
                }
                Err(e) => error.set(Some(e.message(i18n.t_untracked()))),
            }
        });
    };

    let category_toggles = MemberCategory::ALL
        .iter()
        .map(|c| {
            let c = *c;
            view! {
                <button type="button" class="chip"
                    aria-pressed=move || if chosen.with(|s| s.contains(&c)) { "true" } else { "false" }
                    on:click=move |_| chosen.update(|s| {
                        if let Some(at) = s.iter().position(|x| *x == c) { s.remove(at); } else { s.push(c); s.sort(); }
                    })>
                    {move || category_name(i18n.t(), c)}
                </button>
            }
        })
        .collect_view();
    let status_options = MemberStatus::ALL
        .iter()
        .map(|s| view! { <option value=s.code()>{move || member_status_name(i18n.t(), *s)}</option> })
        .collect_view();
    let may_change = member.may_change;
    let (account, account_tone) = if member.disabled {
        (t.member_disabled, BadgeTone::Warning)
    } else if member.activated {
        (t.member_activated, BadgeTone::Success)
    } else {
        (t.member_not_activated, BadgeTone::Muted)
    };
    let joined_text = member
        .joined_party_on
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".into());
    let formal_text = member.formal_on.map(|d| d.to_string());
    let community = member
        .community
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "—".into());
    let status_text = member_status_name(t, member.status);
    let (name, phone) = (member.name.clone(), member.phone.clone());
    let (branch_id, branch_name) = (member.branch.id, member.branch.name.clone());
    let probationary_badge = member.probationary;
    view! {
        <Card>
            <h2 class="card-title">{name}</h2>
            <p class="muted">{phone}</p>
            <dl class="facts">
                <dt>{tr(|t| t.member_branch)}</dt>
                <dd><a href=format!("/orgs/{branch_id}")>{branch_name}</a></dd>
                <dt>{tr(|t| t.member_community)}</dt><dd>{community}</dd>
                <dt>{tr(|t| t.member_joined)}</dt><dd>{joined_text}</dd>
                <dt>{tr(|t| t.member_categories)}</dt><dd>{categories_text}</dd>
                <dt>{tr(|t| t.member_status)}</dt>
                <dd>
                    {status_text}" "
                    {probationary_badge.then(|| view! { <Badge tone=BadgeTone::Muted>{tr(|t| t.probationary)}</Badge> })}
                    {formal_text.map(|d| view! { <span class="muted">{tr(|t| t.member_formal_on)}" "{d}</span> })}
                </dd>
                <dt>{tr(|t| t.member_account)}</dt><dd><Badge tone=account_tone>{account}</Badge></dd>
            </dl>
        </Card>
        <ActivationPanel issued=issued/>
        {(!may_change).then(|| view! { <p class="muted" role="note">{tr(|t| t.member_readonly)}</p> })}
        {may_change.then(|| view! {
            <Card title=tr(|t| t.member_categories)>
                <div class="chips" role="group">{category_toggles}</div>
                <div class="actions">
                    <Button loading=busy on_click=save_categories>{tr(|t| t.member_save_categories)}</Button>
                </div>
            </Card>
            {probationary.then(|| view! {
                <Card title=tr(|t| t.member_record_formal)>
                    <Field label=|t| t.member_formal_on name="formal-on" kind="date" value=formal_on/>
                    <p class="muted">{tr(|t| t.member_formal_hint)}</p>
                    <div class="actions">
                        <Button variant=ButtonVariant::Primary loading=busy on_click=record_formal>{tr(|t| t.member_record_formal)}</Button>
                    </div>
                </Card>
            })}
            <Card title=tr(|t| t.member_status)>
                <label class="field">
                    <span class="field-label">{tr(|t| t.member_status)}</span>
                    <select class="field-input" name="member-status" prop:value=move || status.get()
                        on:change=move |ev| status.set(event_target_value(&ev))>
                        {status_options}
                    </select>
                </label>
                <div class="actions">
                    <Button loading=busy on_click=save_status>{tr(|t| t.member_status_save)}</Button>
                    <Button loading=busy on_click=issue>{tr(|t| t.activation_issue)}</Button>
                </div>
            </Card>
        })}
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        <roles::Roles member=member this=this/>
    }
}
