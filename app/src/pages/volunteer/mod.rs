//! 志愿: log volunteer service hours in three taps (a kind is chosen
//! already, a duration, 提交), offline included; my logs below, with 申请更正
//! on an approved one.

use chrono::NaiveDate;
use leptos::lazy;
use leptos::prelude::*;
use zhibu_shared::volunteer::{
    LogStatus, MAX_LOG_MINUTES, MIN_LOG_MINUTES, ServiceKind, ServiceLogRequest, hours,
};

use crate::api;
use crate::components::{
    Button, ButtonVariant, Card, Chips, Empty, Field, Item, List, kept, later, status_view,
    use_toast,
};
use crate::i18n::{kind_name, log_status, tr, use_i18n};
use crate::layout::set_page_title;
use crate::outbox::{Sent, use_outbox};
use crate::pages::checkins::WaitingList;
use crate::pages::me::community::CommunitySearch;
use crate::session::use_session;
use crate::util;

/// Duration presets in minutes; the last opens the custom field.
const PRESETS: [&str; 5] = ["30", "60", "120", "240", CUSTOM];
const CUSTOM: &str = "custom";
/// The place chips' keys: `c:ID` a community, `o:ID` a sector committee.
const COMMUNITY: &str = "c:";
const SECTOR: &str = "o:";

/// The minutes a log claims: a preset, or the custom field when that is
/// chosen; at most the 12 hours one log may hold.
fn chosen_minutes(preset: &str, custom: &str) -> Option<u32> {
    let minutes = match preset {
        CUSTOM => custom.trim().parse::<u32>().ok(),
        preset => preset.parse().ok(),
    };
    minutes.filter(|m| (MIN_LOG_MINUTES..=MAX_LOG_MINUTES).contains(m))
}

/// The id in a place chip's key, when the key is of that kind.
fn place_id(key: &str, prefix: &str) -> Option<i64> {
    key.strip_prefix(prefix).and_then(|id| id.parse().ok())
}

/// 志愿 tab (`/service`): signed in, the log form and my logs.
#[component]
pub fn VolunteerPage() -> impl IntoView {
    set_page_title(|t| t.title_service);
    let session = use_session();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    move || {
        if signed_in.get() {
            later(volunteer_logs()).into_any()
        } else {
            view! {
                <Empty title=tr(|t| t.service_empty_title) description=tr(|t| t.service_empty_desc)>
                    <a class="btn btn-primary" href="/login?next=/service">{tr(|t| t.me_login)}</a>
                </Empty>
            }
            .into_any()
        }
    }
}

/// The signed-in 志愿 tab, in its own chunk.
#[lazy]
fn volunteer_logs() -> AnyView {
    view! { <VolunteerLogs/> }.into_any()
}

#[component]
fn VolunteerLogs() -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let outbox = use_outbox();
    let session = use_session();
    outbox.flush();
    let mine = kept(api::my_service_logs);
    // Synced queue items show up in the list.
    Effect::new(move |first: Option<()>| {
        outbox.synced.track();
        if first.is_some() {
            mine.refetch();
        }
    });

    let kind = RwSignal::new(ServiceKind::Volunteer.code().to_owned());
    let preset = RwSignal::new(String::new());
    let custom = RwSignal::new(String::new());
    let date = RwSignal::new(util::today());
    // `c:ID` a community, `o:ID` a sector committee, empty: no place.
    let place = RwSignal::new(String::new());
    let place_options = RwSignal::new(Vec::<(String, String)>::new());
    let searching = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let correcting = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    // No place, my sector committees, and communities found by search.
    Effect::new(move |_| {
        let t = i18n.t();
        let mut options = vec![(String::new(), t.place_none.to_owned())];
        if let Some(me) = session.member() {
            options.extend(
                me.sectors
                    .into_iter()
                    .map(|s| (format!("{SECTOR}{}", s.id), s.name)),
            );
        }
        place_options.update(|current| {
            let found: Vec<_> = current
                .drain(..)
                .filter(|(k, _)| k.starts_with(COMMUNITY))
                .collect();
            options.extend(found);
            *current = options;
        });
    });
    let pick_community = Callback::new(move |(id, name): (i64, String)| {
        let key = format!("{COMMUNITY}{id}");
        place_options.update(|o| {
            if !o.iter().any(|(k, _)| *k == key) {
                o.push((key.clone(), name));
            }
        });
        place.set(key);
        searching.set(false);
    });

    let kinds = Signal::derive(move || {
        let t = i18n.t();
        ServiceKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), kind_name(t, *k).to_owned()))
            .collect()
    });
    let durations = Signal::derive(move || {
        let t = i18n.t();
        PRESETS
            .into_iter()
            .zip(t.durations)
            .map(|(m, label)| (m.to_owned(), label.to_owned()))
            .collect()
    });

    let submit = move |_| {
        let t = i18n.t_untracked();
        let Some(minutes) = chosen_minutes(&preset.get_untracked(), &custom.get_untracked()) else {
            error.set(Some(t.service_minutes_invalid.to_owned()));
            return;
        };
        let Ok(date) = date.get_untracked().parse::<NaiveDate>() else {
            error.set(Some(t.service_date_invalid.to_owned()));
            return;
        };
        let kind = ServiceKind::from_code(&kind.get_untracked()).unwrap_or(ServiceKind::Volunteer);
        let place = place.get_untracked();
        let note = note.get_untracked().trim().to_owned();
        let request = ServiceLogRequest {
            id: util::uuid(),
            kind,
            date,
            minutes,
            community_id: place_id(&place, COMMUNITY),
            org_id: place_id(&place, SECTOR),
            start_time: None,
            note: (!note.is_empty()).then_some(note),
            post_id: None,
            helped_member_id: None,
        };
        let sending = match correcting.get_untracked() {
            Some(id) => api::correct_log(&id, &request),
            None => api::log_service(&request),
        };
        let label = format!(
            "{} {} {} {}",
            request.date,
            kind_name(t, kind),
            hours(i64::from(minutes)),
            t.hours_unit
        );
        error.set(None);
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let sent = outbox.send(sending, label, false).await;
            busy.set(false);
            match sent {
                Sent::Done(_) => {
                    toaster.show(t.service_sent);
                    correcting.set(None);
                    mine.refetch();
                }
                Sent::Queued => {
                    toaster.show(t.service_queued);
                    correcting.set(None);
                }
                Sent::Failed(e) => error.set(Some(e.message(t))),
            }
        });
    };

    let correct = Callback::new(move |key: String| {
        let log = mine.with_untracked(|m| match m {
            Some(Ok(m)) => m.iter().find(|l| l.id == key).cloned(),
            _ => None,
        });
        if let Some(log) = log {
            kind.set(log.kind.code().to_owned());
            let minutes = log.minutes.to_string();
            if PRESETS.contains(&minutes.as_str()) {
                preset.set(minutes);
            } else {
                preset.set(CUSTOM.to_owned());
                custom.set(minutes);
            }
            date.set(log.date.to_string());
            note.set(log.note.unwrap_or_default());
            correcting.set(Some(log.id));
            if let Some(window) = web_sys::window() {
                window.scroll_to_with_x_and_y(0.0, 0.0);
            }
        }
    });

    let items = move || {
        let t = i18n.t();
        mine.with(|m| match m {
            Some(Ok(m)) => m
                .iter()
                .map(|l| {
                    let (text, tone) = log_status(t, l.status);
                    let place = l
                        .community
                        .as_ref()
                        .or(l.org.as_ref())
                        .map(|p| format!(" · {}", p.name))
                        .unwrap_or_default();
                    Item {
                        key: l.id.clone(),
                        title: format!(
                            "{} · {} {}",
                            kind_name(t, l.kind),
                            hours(i64::from(l.minutes)),
                            t.hours_unit
                        ),
                        sub: match &l.reason {
                            Some(reason) => format!("{}{place} · {reason}", l.date),
                            None => format!("{}{place}", l.date),
                        },
                        badge: Some((text.to_owned(), tone)),
                        action: l.status == LogStatus::Approved,
                        ..Item::default()
                    }
                })
                .collect(),
            _ => Vec::new(),
        })
    };

    view! {
        <Card title=move || if correcting.with(Option::is_some) { i18n.t().service_correct_title } else { i18n.t().service_log_title }>
            <Chips label=|t| t.service_kind options=kinds selected=kind/>
            <Chips label=|t| t.service_duration options=durations selected=preset/>
            {move || (preset.get() == CUSTOM).then(|| view! {
                <Field label=|t| t.service_minutes name="minutes" inputmode="numeric" maxlength="3" value=custom/>
            })}
            <Field label=|t| t.service_date name="date" kind="date" value=date/>
            <Chips label=|t| t.service_place options=place_options selected=place/>
            {move || if searching.get() {
                view! { <CommunitySearch pick=pick_community action=|t| t.choose/> }.into_any()
            } else {
                view! {
                    <button type="button" class="link-button" on:click=move |_| searching.set(true)>
                        {tr(|t| t.place_search)}
                    </button>
                }.into_any()
            }}
            <Field label=|t| t.note name="note" value=note/>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Button variant=ButtonVariant::Primary block=true loading=busy on_click=submit>
                {tr(|t| t.submit)}
            </Button>
            {move || correcting.with(Option::is_some).then(|| view! {
                <div class="actions">
                    <Button block=true on_click=move |_| correcting.set(None)>{tr(|t| t.cancel)}</Button>
                </div>
            })}
        </Card>
        <WaitingList checkin=false/>
        <h2 class="section-title">{tr(|t| t.service_mine)}</h2>
        {move || mine.with(status_view)}
        <List items=items action=(|t| t.service_correct, correct) empty=|t| t.service_empty_title/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preset_duration_is_taken_as_is() {
        assert_eq!(chosen_minutes("60", "15"), Some(60));
        assert_eq!(chosen_minutes("240", ""), Some(240));
    }

    #[test]
    fn a_custom_duration_is_read_from_its_field_within_twelve_hours() {
        assert_eq!(chosen_minutes(CUSTOM, " 90 "), Some(90));
        assert_eq!(chosen_minutes(CUSTOM, "720"), Some(720));
        assert_eq!(chosen_minutes(CUSTOM, "721"), None);
        assert_eq!(chosen_minutes(CUSTOM, "0"), None);
        assert_eq!(chosen_minutes(CUSTOM, "一小时"), None);
    }

    #[test]
    fn no_duration_chosen_is_no_log() {
        assert_eq!(chosen_minutes("", "90"), None);
    }

    #[test]
    fn a_place_key_names_a_community_or_a_sector_committee() {
        assert_eq!(place_id("c:12", COMMUNITY), Some(12));
        assert_eq!(place_id("c:12", SECTOR), None);
        assert_eq!(place_id("o:3", SECTOR), Some(3));
        assert_eq!(place_id("", COMMUNITY), None);
    }
}
