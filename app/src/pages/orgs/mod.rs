//! The org browser for role holders: a unit with its size and compliance
//! issues, its children in tree order, its theme days by month and its
//! members page by page.

pub mod activation;
pub mod attendance;
mod communities;
pub mod community_service;
pub mod hours;
mod manage;

use leptos::prelude::*;
use zhibu_shared::org::{MemberSummary, Org, OrgKind};

use crate::api;
use crate::components::{
    Badge, BadgeTone, Button, Card, Cell, CellGroup, Field, Item, List, status_view,
};
use crate::i18n::{category_name, org_kind_name, theme_status, tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;
use crate::util;

const PAGE_SIZE: u32 = 30;

#[component]
pub fn OrgPage() -> impl IntoView {
    set_page_title(|t| t.title_org);
    let id = id_param("id");
    move || {
        let id = id.get();
        view! { <OrgView id=id/> }
    }
}

fn org_item(t: &crate::i18n::Strings, org: &Org) -> Item {
    Item {
        key: org.id.to_string(),
        title: org.name.clone(),
        sub: format!(
            "{} · {} {}",
            org_kind_name(t, org.kind),
            org.member_count,
            t.people
        ),
        badge: (!org.compliance.is_empty())
            .then(|| (t.compliance_issue.to_owned(), BadgeTone::Warning)),
        href: Some(format!("/orgs/{}", org.id)),
        action: false,
    }
}

#[component]
fn OrgView(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let org = LocalResource::new(move || api::org(id));
    let children = LocalResource::new(move || api::org_children(id));
    let month = RwSignal::new(util::this_month());
    // Asks again whenever another month is chosen.
    let days = LocalResource::new(move || api::org_theme_days(id, &month.get()));

    let head = move || {
        org.with(status_view).or_else(|| {
            let o = org.get()?.ok()?;
            let t = i18n.t();
            let issues = o
                .compliance
                .into_iter()
                .map(|issue| view! { <li><Badge tone=BadgeTone::Warning>{issue.message}</Badge></li> })
                .collect_view();
            Some(
                view! {
                    <Card>
                        <h2 class="card-title">{o.name}</h2>
                        <p class="muted">{org_kind_name(t, o.kind)}" · "{o.member_count}" "{t.people}</p>
                        {o.dissolved_at.map(|_| view! { <Badge tone=BadgeTone::Muted>{t.org_dissolved}</Badge> })}
                        <ul class="issues">{issues}</ul>
                    </Card>
                }
                .into_any(),
            )
        })
    };
    let child_items = move || {
        let t = i18n.t();
        children.with(|c| match c {
            Some(Ok(c)) => c.iter().map(|o| org_item(t, o)).collect(),
            _ => Vec::new(),
        })
    };
    let day_items = move || {
        let t = i18n.t();
        days.with(|d| match d {
            Some(Ok(d)) => d
                .iter()
                .map(|d| {
                    let (text, tone) = theme_status(t, d.status);
                    Item {
                        key: d.id.to_string(),
                        title: format!("{} {}", d.date, d.title),
                        sub: d.org.name.clone(),
                        badge: Some((text.to_owned(), tone)),
                        href: Some(format!("/theme-days/{}/live", d.id)),
                        action: false,
                    }
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    // Only role holders browse units; the server decides what they may change.
    let communities_changed = RwSignal::new(0u32);
    let manage = move || {
        org.get()
            .and_then(Result::ok)
            .filter(|o| o.dissolved_at.is_none())
            .map(|o| {
                let street = matches!(o.kind, OrgKind::WorkingCommittee | OrgKind::PartyCommittee);
                view! {
                    <manage::Manage org=o this=org children=children communities_changed=communities_changed/>
                    {street.then(|| view! {
                        <communities::StreetCommunities street_id=id children=children changed=communities_changed/>
                    })}
                }
            })
    };
    view! {
        {head}
        <CellGroup>
            <Cell title=tr(|t| t.title_hours) href=format!("/orgs/{id}/hours")/>
            <Cell title=tr(|t| t.title_org_attendance) href=format!("/orgs/{id}/attendance")/>
            <Cell title=tr(|t| t.title_community_service) href=format!("/orgs/{id}/community-service")/>
            <Cell title=tr(|t| t.org_classes) href=format!("/orgs/{id}/classes")/>
            <Cell title=tr(|t| t.org_meetings) href=format!("/orgs/{id}/meetings")/>
            <Cell title=tr(|t| t.org_problems) href=format!("/orgs/{id}/problems")/>
            <Cell title=tr(|t| t.org_governance) href=format!("/orgs/{id}/governance")/>
        </CellGroup>
        <h2 class="section-title">{tr(|t| t.org_children)}</h2>
        {move || children.with(status_view)}
        <List items=child_items empty=|t| t.org_no_children/>
        <h2 class="section-title">{tr(|t| t.org_theme_days)}</h2>
        <Field label=|t| t.month name="month" kind="month" value=month/>
        {move || days.with(status_view)}
        <List items=day_items empty=|t| t.org_no_theme_days/>
        <h2 class="section-title">{tr(|t| t.org_members)}</h2>
        <Members id=id/>
        <activation::ActivationSheet org_id=id/>
        {manage}
    }
}

#[component]
fn Members(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let members = RwSignal::new(Vec::<MemberSummary>::new());
    let cursor = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let more = move || {
        busy.set(true);
        let after = cursor.get_untracked();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::org_members(id, PAGE_SIZE, after.as_deref()).await;
            busy.set(false);
            match answer {
                Ok(page) => {
                    members.update(|m| m.extend(page.items));
                    cursor.set(page.next_cursor);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message(i18n.t_untracked()))),
            }
        });
    };
    more();
    let items = move || {
        let t = i18n.t();
        members.with(|m| {
            m.iter()
                .map(|m| {
                    let categories = m
                        .categories
                        .iter()
                        .map(|c| category_name(t, *c))
                        .collect::<Vec<_>>()
                        .join("、");
                    Item {
                        key: m.id.to_string(),
                        title: m.name.clone(),
                        sub: format!("{} · {} · {categories}", m.phone, m.branch.name),
                        badge: m
                            .probationary
                            .then(|| (t.probationary.to_owned(), BadgeTone::Muted)),
                        href: Some(format!("/members/{}", m.id)),
                        action: true,
                    }
                })
                .collect()
        })
    };
    let issued = RwSignal::new(None);
    let issue = Callback::new(move |key: String| {
        let Ok(member) = key.parse::<i64>() else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            match api::issue_activation(member).await {
                Ok(code) => {
                    error.set(None);
                    issued.set(Some(code));
                }
                Err(e) => error.set(Some(e.message(i18n.t_untracked()))),
            }
        });
    });
    view! {
        <activation::ActivationPanel issued=issued/>
        <List items=items action=(|t| t.activation_issue, issue)/>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {move || cursor.with(Option::is_some).then(|| view! {
            <div class="actions">
                <Button block=true loading=busy on_click=move |_| more()>{tr(|t| t.load_more)}</Button>
            </div>
        })}
    }
}
