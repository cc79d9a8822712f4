//! 流动党员: where each floating member is, their one-to-one contact
//! person, when they were last reached (overdue ones marked), recording a
//! contact, and marking a member back home (归雁).

use chrono::NaiveDate;
use leptos::prelude::*;
use zhibu_shared::api::Page;
use zhibu_shared::classes::{ContactRequest, ContactWay, FloatingMember, ReturnRequest};
use zhibu_shared::org::{MemberCategory, MemberSummary};

use super::{act, error_line, has, member_options};
use crate::api;
use crate::components::{
    BadgeTone, Button, Card, Chips, Field, Item, List, Loaded, Select, status_view,
};
use crate::i18n::{Strings, contact_way_name, tr, use_i18n};
use crate::util;

fn summary(t: &Strings, f: &FloatingMember) -> String {
    let mut parts = Vec::new();
    if let Some(city) = &f.city {
        parts.push(match &f.employer {
            Some(employer) => format!("{city} · {employer}"),
            None => city.clone(),
        });
    } else {
        parts.push(t.cls_whereabouts_unknown.to_owned());
    }
    parts.push(match &f.contact {
        Some(c) => format!("{}{}", t.cls_contact_person_is, c.name),
        None => t.cls_contact_person_none.to_owned(),
    });
    parts.push(match f.last_contact {
        Some(day) => format!("{}{day}", t.cls_last_contact_is),
        None => t.cls_never_contacted.to_owned(),
    });
    parts.join(" · ")
}

#[component]
pub fn Floating(org_id: i64, members: Loaded<Page<MemberSummary>>) -> impl IntoView {
    let i18n = use_i18n();
    let list = LocalResource::new(move || api::org_floating(org_id));
    let open = RwSignal::new(None::<i64>);
    let items = move || {
        let t = i18n.t();
        list.with(|l| match l {
            Some(Ok(l)) => l
                .iter()
                .map(|f| Item {
                    key: f.member.id.to_string(),
                    title: f.member.name.clone(),
                    sub: summary(t, f),
                    badge: if f.returned_on.is_some() {
                        Some((t.cls_returned.to_owned(), BadgeTone::Muted))
                    } else if f.overdue {
                        Some((t.cls_overdue.to_owned(), BadgeTone::Warning))
                    } else {
                        None
                    },
                    action: true,
                    ..Item::default()
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    let pick = Callback::new(move |key: String| open.set(key.parse().ok()));
    let chosen = move || {
        let id = open.get()?;
        let member = list.with(|l| {
            l.as_ref()
                .and_then(|l| l.as_ref().ok())
                .and_then(|l| l.iter().find(|f| f.member.id == id).cloned())
        })?;
        Some(view! { <FloatingCard member=member members=members list=list/> })
    };
    view! {
        <p class="muted form-hint">{tr(|t| t.cls_floating_desc)}</p>
        {move || list.with(status_view)}
        <List items=items action=(|t| t.cls_handle, pick) empty=|t| t.cls_floating_none/>
        {chosen}
    }
}

#[component]
fn FloatingCard(
    member: FloatingMember,
    members: Loaded<Page<MemberSummary>>,
    list: Loaded<Vec<FloatingMember>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = member.member.id;
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let day = RwSignal::new(util::today());
    let way = RwSignal::new(ContactWay::Phone.code().to_owned());
    let note = RwSignal::new(String::new());
    let person = RwSignal::new(
        member
            .contact
            .as_ref()
            .map(|c| c.id.to_string())
            .unwrap_or_default(),
    );
    let back_on = RwSignal::new(util::today());
    let ways = Signal::derive(move || {
        let t = i18n.t();
        ContactWay::ALL
            .iter()
            .map(|w| (w.code().to_owned(), contact_way_name(t, *w).to_owned()))
            .collect::<Vec<_>>()
    });
    let people = Signal::derive(move || {
        member_options(members, move |m| {
            m.id != id && !has(m, MemberCategory::Floating)
        })
    });
    let record = move |_| {
        let t = i18n.t_untracked();
        let Ok(contacted_on) = day.get_untracked().parse::<NaiveDate>() else {
            error.set(Some(t.cls_date_missing.to_owned()));
            return;
        };
        let Some(way) = ContactWay::from_code(&way.get_untracked()) else {
            error.set(Some(t.cls_way_missing.to_owned()));
            return;
        };
        let text = note.get_untracked().trim().to_owned();
        let request = ContactRequest {
            contacted_on,
            way,
            note: (!text.is_empty()).then_some(text),
        };
        act(
            busy,
            error,
            |t| t.cls_contact_recorded,
            async move { api::record_contact(id, &request).await },
            move |_| {
                note.set(String::new());
                list.refetch();
            },
        );
    };
    let name_person = move |_| {
        let Ok(contact) = person.get_untracked().parse::<i64>() else {
            error.set(Some(i18n.t_untracked().cls_pick_member.to_owned()));
            return;
        };
        act(
            busy,
            error,
            |t| t.cls_contact_person_set,
            api::set_contact_person(id, contact),
            move |_| list.refetch(),
        );
    };
    let returned = move |_| {
        let Ok(returned_on) = back_on.get_untracked().parse::<NaiveDate>() else {
            error.set(Some(i18n.t_untracked().cls_date_missing.to_owned()));
            return;
        };
        let request = ReturnRequest {
            returned_on,
            post_id: None,
        };
        act(
            busy,
            error,
            |t| t.cls_marked_returned,
            async move { api::mark_returned(id, &request).await },
            move |_| list.refetch(),
        );
    };
    let history = member
        .contacts
        .iter()
        .map(|c| {
            let way = c.way;
            let line = format!(
                "{} · {} · {}",
                c.contacted_on,
                c.by.name,
                c.note.clone().unwrap_or_default()
            );
            view! { <li>{move || contact_way_name(i18n.t(), way)}" · "{line}</li> }
        })
        .collect_view();
    view! {
        <Card title=member.member.name.clone()>
            <ul class="issues">{history}</ul>
            <h3 class="card-subtitle">{tr(|t| t.cls_record_contact)}</h3>
            <Field label=|t| t.cls_contacted_on name="contact-date" kind="date" value=day/>
            <Chips label=|t| t.cls_contact_way options=ways selected=way/>
            <Field label=|t| t.cls_contact_note name="contact-note" value=note maxlength="200"/>
            <div class="actions">
                <Button loading=busy on_click=record>{tr(|t| t.cls_save_contact)}</Button>
            </div>
            <h3 class="card-subtitle">{tr(|t| t.cls_contact_person)}</h3>
            <Select label=|t| t.cls_contact_person name="contact-person" options=people value=person/>
            <div class="actions">
                <Button loading=busy on_click=name_person>{tr(|t| t.cls_set_contact_person)}</Button>
            </div>
            {member.returned_on.is_none().then(|| view! {
                <h3 class="card-subtitle">{tr(|t| t.cls_return_home)}</h3>
                <Field label=|t| t.cls_returned_on name="returned-on" kind="date" value=back_on/>
                <div class="actions">
                    <Button loading=busy on_click=returned>{tr(|t| t.cls_mark_returned)}</Button>
                </div>
            })}
            {error_line(error)}
        </Card>
    }
}
