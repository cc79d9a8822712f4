//! 组织生活: what is due and overdue this year, and a meeting recorded in a
//! few taps — kind, day, topic, who came (the roll-call list), minutes and
//! a photo of the sign-in sheet from the camera.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use zhibu_shared::governance::{MeetingKind, MeetingRequest, PeriodStatus};

use crate::api;
use crate::components::{
    BadgeTone, Button, ButtonVariant, Card, Chips, Field, Item, List, act, error_line, status_view,
};
use crate::i18n::{meeting_kind_name, period_status, tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;
use crate::session::use_session;
use crate::util;

#[component]
pub fn MeetingsPage() -> impl IntoView {
    set_page_title(|t| t.title_meetings);
    let id = id_param("id");
    move || {
        let id = id.get();
        view! { <Meetings org_id=id/> }
    }
}

#[component]
fn Meetings(org_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let ledger = LocalResource::new(move || api::meeting_ledger(org_id));
    let members = LocalResource::new(move || api::org_members(org_id, 200, None));
    let kind = RwSignal::new(MeetingKind::Committee.code().to_owned());
    let held_on = RwSignal::new(util::today());
    let topic = RwSignal::new(String::new());
    let host = RwSignal::new(
        untrack(|| session.member())
            .map(|m| m.name)
            .unwrap_or_default(),
    );
    let minutes = RwSignal::new(String::new());
    let attendees = RwSignal::new(Vec::<String>::new());
    let photo = RwSignal::new(None::<send_wrapper::SendWrapper<web_sys::File>>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    // Open obligations first (overdue, then due), then what was done.
    let due_items = move || {
        let t = i18n.t();
        ledger.with(|l| match l {
            Some(Ok(l)) => {
                let mut due: Vec<_> = l
                    .due
                    .iter()
                    .filter(|o| o.status != PeriodStatus::Done)
                    .collect();
                due.sort_by_key(|o| (o.status != PeriodStatus::Overdue, o.period));
                due.into_iter()
                    .map(|o| {
                        let (text, tone) = period_status(t, o.status);
                        Item {
                            key: format!("{}-{}", o.kind.code(), o.period),
                            title: format!("{} · {}", meeting_kind_name(t, o.kind), o.period),
                            badge: Some((text.to_owned(), tone)),
                            ..Item::default()
                        }
                    })
                    .collect()
            }
            _ => Vec::new(),
        })
    };
    let held_items = move || {
        let t = i18n.t();
        ledger.with(|l| match l {
            Some(Ok(l)) => l
                .meetings
                .iter()
                .map(|m| Item {
                    key: m.id.clone(),
                    title: format!("{} {}", m.held_on, meeting_kind_name(t, m.kind)),
                    sub: format!(
                        "{} · {} {} · {} {}",
                        m.topic,
                        m.attendees.len(),
                        t.people,
                        m.attachments.len(),
                        t.gov_photos
                    ),
                    badge: Some((t.gov_held.to_owned(), BadgeTone::Success)),
                    ..Item::default()
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    let kinds = Signal::derive(move || {
        let t = i18n.t();
        MeetingKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), meeting_kind_name(t, *k).to_owned()))
            .collect::<Vec<_>>()
    });
    let roll = move || {
        members.with(|m| match m {
            Some(Ok(page)) => page
                .items
                .iter()
                .map(|m| Item {
                    key: m.id.to_string(),
                    title: m.name.clone(),
                    ..Item::default()
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    let chosen = move |ev: leptos::ev::Event| {
        let picked = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        photo.set(picked.map(send_wrapper::SendWrapper::new));
    };
    let save = move |_| {
        let t = i18n.t_untracked();
        let Some(kind_value) = MeetingKind::from_code(&kind.get_untracked()) else {
            error.set(Some(t.gov_kind_missing.to_owned()));
            return;
        };
        let Ok(day) = held_on.get_untracked().parse() else {
            error.set(Some(t.cls_date_missing.to_owned()));
            return;
        };
        let text = |s: RwSignal<String>| {
            let v = s.get_untracked().trim().to_owned();
            (!v.is_empty()).then_some(v)
        };
        let request = MeetingRequest {
            id: util::uuid(),
            kind: kind_value,
            held_on: Some(day),
            topic: text(topic),
            host: text(host),
            recorder: None,
            attendee_ids: Some(
                attendees
                    .get_untracked()
                    .iter()
                    .filter_map(|k| k.parse().ok())
                    .collect(),
            ),
            minutes: text(minutes),
            theme_day_id: None,
        };
        let file = photo.get_untracked();
        act(
            busy,
            error,
            |t| t.gov_meeting_saved,
            async move {
                let meeting = api::record_meeting(org_id, &request).await?;
                if let Some(file) = file {
                    api::attach_to_meeting(&meeting.id, &file).await?;
                }
                Ok(meeting)
            },
            move |_| {
                topic.set(String::new());
                minutes.set(String::new());
                attendees.set(Vec::new());
                photo.set(None);
                ledger.refetch();
            },
        );
    };
    view! {
        <h2 class="section-title">{tr(|t| t.gov_due)}</h2>
        {move || ledger.with(status_view)}
        <List items=due_items empty=|t| t.gov_nothing_due/>
        <Card title=tr(|t| t.gov_record_meeting)>
            <Chips label=|t| t.gov_meeting_kind options=kinds selected=kind/>
            <Field label=|t| t.gov_held_on name="held-on" kind="date" value=held_on/>
            <Field label=|t| t.gov_topic name="topic" value=topic maxlength="100"/>
            <Field label=|t| t.gov_host name="host" value=host maxlength="50"/>
            <span class="field-label">{tr(|t| t.gov_attendees)}</span>
            <List items=roll selected=attendees/>
            <Field label=|t| t.gov_minutes name="minutes" value=minutes maxlength="2000"/>
            <label class="field">
                <span class="field-label">{tr(|t| t.gov_photo)}</span>
                <input class="field-input" type="file" name="meeting-photo"
                    accept="image/jpeg,image/png,application/pdf" capture="environment"
                    on:change=chosen/>
            </label>
            {error_line(error)}
            <div class="actions">
                <Button variant=ButtonVariant::Primary block=true loading=busy on_click=save>
                    {tr(|t| t.gov_save_meeting)}
                </Button>
            </div>
        </Card>
        <h2 class="section-title">{tr(|t| t.gov_held_meetings)}</h2>
        <List items=held_items empty=|t| t.gov_no_meetings/>
    }
}
