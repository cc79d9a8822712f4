//! 我的 → 岗位与去向: the posts I hold and their duties; for a floating
//! member, where I am (updated in a few taps), my contact person and when
//! we last spoke; the households I serve as a 党员中心户.

use chrono::NaiveDate;
use leptos::prelude::*;
use zhibu_shared::classes::{FloatingMember, WhereaboutsRequest};

use super::{act, error_line};
use crate::api;
use crate::components::{Button, Card, Cell, CellGroup, Field, status_view};
use crate::i18n::{tr, use_i18n};
use crate::layout::set_page_title;

#[component]
pub fn MyClassesPage() -> impl IntoView {
    set_page_title(|t| t.title_my_classes);
    let mine = LocalResource::new(api::my_classes);
    let body = move || {
        let m = mine.get()?.ok()?;
        let nothing = m.posts.is_empty() && m.floating.is_none() && m.center_household.is_none();
        let posts = m
            .posts
            .into_iter()
            .map(|p| {
                view! {
                    <Card title=p.name>
                        <p class="muted">{p.duties}</p>
                        <p class="muted">{p.org.name}</p>
                    </Card>
                }
            })
            .collect_view();
        let floating = m.floating.map(
            |f| view! { <Whereabouts floating=f reload=Callback::new(move |()| mine.refetch())/> },
        );
        let household = m.center_household.map(|h| {
            view! {
                <Card title=tr(|t| t.cls_my_households)>
                    <p class="muted">{h.org.name}</p>
                    <p>{h.households.join("、")}</p>
                </Card>
            }
        });
        Some(view! {
            {nothing.then(|| view! { <p class="muted list-empty">{tr(|t| t.cls_mine_none)}</p> })}
            {posts}
            {floating}
            {household}
        })
    };
    view! {
        {move || mine.with(status_view)}
        {body}
    }
}

#[component]
fn Whereabouts(floating: FloatingMember, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let city = RwSignal::new(floating.city.clone().unwrap_or_default());
    let employer = RwSignal::new(floating.employer.clone().unwrap_or_default());
    let since = RwSignal::new(floating.since.map(|d| d.to_string()).unwrap_or_default());
    let save = move |_| {
        let t = i18n.t_untracked();
        let Ok(since_day) = since.get_untracked().parse::<NaiveDate>() else {
            error.set(Some(t.cls_date_missing.to_owned()));
            return;
        };
        let employer = employer.get_untracked().trim().to_owned();
        let request = WhereaboutsRequest {
            city: city.get_untracked().trim().to_owned(),
            employer: (!employer.is_empty()).then_some(employer),
            since: since_day,
        };
        act(
            busy,
            error,
            |t| t.cls_whereabouts_saved,
            async move { api::update_whereabouts(&request).await },
            move |_| reload.run(()),
        );
    };
    let none = move || i18n.t().me_none.to_owned();
    let contact = floating.contact.map(|c| c.name);
    let last = floating.last_contact.map(|d| d.to_string());
    view! {
        <CellGroup title=tr(|t| t.cls_my_floating)>
            <Cell title=tr(|t| t.cls_contact_person) value=move || contact.clone().unwrap_or_else(none)/>
            <Cell title=tr(|t| t.cls_last_contact) value=move || last.clone().unwrap_or_else(none)/>
        </CellGroup>
        <Card title=tr(|t| t.cls_update_whereabouts)>
            <Field label=|t| t.cls_city name="city" value=city maxlength="50"/>
            <Field label=|t| t.cls_employer name="employer" value=employer maxlength="100"/>
            <Field label=|t| t.cls_away_since name="away-since" kind="date" value=since/>
            {error_line(error)}
            <div class="actions">
                <Button block=true loading=busy on_click=save>{tr(|t| t.cls_save_whereabouts)}</Button>
            </div>
        </Card>
    }
}
