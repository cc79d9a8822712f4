//! 通知设置: a switch per kind of reminder and the quiet hours. Everything is
//! off until the member turns it on, and each change is saved at once. Push
//! permission is asked only when the member turns a reminder on; refused or
//! unavailable, the reminders still come to the bell.

use leptos::prelude::*;
use zhibu_shared::notify::{NotificationKind, NotificationSettings};

use super::push::{self, Outcome};
use crate::api;
use crate::components::{Card, CellGroup, status_view, use_toast};
use crate::i18n::{Strings, tr, use_i18n};
use crate::layout::set_page_title;

#[component]
pub fn NotificationSettingsPage() -> impl IntoView {
    set_page_title(|t| t.title_notification_settings);
    let settings = LocalResource::new(api::notification_settings);
    view! {
        {move || settings.with(status_view)}
        {move || settings.with(|s| match s {
            Some(Ok(s)) => Some(view! { <SettingsForm initial=s.clone()/> }),
            _ => None,
        })}
    }
}

#[component]
fn SettingsForm(initial: NotificationSettings) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let note: RwSignal<Option<NoteFn>> = RwSignal::new(
        (any_on(&initial) && push::refused_before()).then_some(refused_note as NoteFn),
    );
    // What the server holds, and what the page shows (ahead of it while a
    // change is on its way).
    let saved = RwSignal::new(initial.clone());
    let current = RwSignal::new(initial);
    let error = RwSignal::new(None::<String>);
    // One save at a time, in order: a change made while one is on its way
    // waits, and only the latest waiting one is sent.
    let in_flight = StoredValue::new(false);
    let waiting = StoredValue::new(None::<NotificationSettings>);
    let send = move |next: NotificationSettings| {
        in_flight.set_value(true);
        wasm_bindgen_futures::spawn_local(async move {
            let t = i18n.t_untracked();
            let mut next = next;
            loop {
                let answer = api::save_notification_settings(next).await;
                if let Some(later) = waiting.try_update_value(Option::take).flatten() {
                    next = later;
                    continue;
                }
                in_flight.set_value(false);
                match answer {
                    Ok(stored) => {
                        current.set(stored.clone());
                        saved.set(stored);
                        error.set(None);
                        toaster.show(t.notify_saved);
                    }
                    Err(e) => {
                        current.set(saved.get_untracked());
                        error.set(Some(e.message(t)));
                    }
                }
                break;
            }
        });
    };
    let save = move |next: NotificationSettings| {
        let before = current.get_untracked();
        // Asked here, inside the member's tap.
        let asking = newly_on(&before, &next).then(push::enable);
        let all_off = any_on(&before) && !any_on(&next);
        current.set(next.clone());
        if in_flight.get_value() {
            waiting.set_value(Some(next));
        } else {
            send(next);
        }
        if asking.is_none() && !all_off {
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            let t = i18n.t_untracked();
            if let Some(asking) = asking {
                match asking.await {
                    Outcome::Subscribed => {
                        note.set(None);
                        toaster.show(t.notify_push_on);
                    }
                    Outcome::Refused => note.set(Some(refused_note)),
                    Outcome::Unavailable => note.set(Some(unavailable_note)),
                }
            } else {
                push::disable().await;
                note.set(None);
            }
        });
    };
    let switches = NotificationKind::ALL
        .iter()
        .enumerate()
        .map(|(index, kind)| {
            let kind = *kind;
            view! {
                <label class="cell switch-cell">
                    <span class="cell-title">
                        {move || i18n.t().notify_kinds[index]}
                        <span class="cell-hint">{move || i18n.t().notify_kind_hints[index]}</span>
                    </span>
                    <input
                        type="checkbox"
                        role="switch"
                        class="switch"
                        name=kind.code()
                        prop:checked=move || current.with(|s| s.wants(kind))
                        on:change=move |event| {
                            let mut next = current.get_untracked();
                            set_wanted(&mut next, kind, event_target_checked(&event));
                            save(next);
                        }
                    />
                </label>
            }
        })
        .collect_view();
    let time = move |name: &'static str, label: fn(&Strings) -> &'static str, from: bool| {
        view! {
            <label class="cell">
                <span class="cell-title">{move || label(i18n.t())}</span>
                <input
                    type="time"
                    class="time-input"
                    name=name
                    prop:value=move || current.with(|s| if from { s.quiet_from.clone() } else { s.quiet_to.clone() })
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        if value.is_empty() {
                            return;
                        }
                        let mut next = current.get_untracked();
                        if from { next.quiet_from = value } else { next.quiet_to = value }
                        save(next);
                    }
                />
            </label>
        }
    };
    view! {
        <p class="muted page-hint">{tr(|t| t.notify_intro)}</p>
        <CellGroup title=tr(|t| t.notify_kinds_title)>{switches}</CellGroup>
        {move || note.get().map(|note| view! {
            <Card><p class="notify-note" role="status">{move || note(i18n.t())}</p></Card>
        })}
        <CellGroup title=tr(|t| t.notify_quiet)>
            {time("quiet_from", |t| t.notify_quiet_from, true)}
            {time("quiet_to", |t| t.notify_quiet_to, false)}
        </CellGroup>
        <p class="muted page-hint">{tr(|t| t.notify_quiet_hint)}</p>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
    }
}

/// What the page says about push on this browser.
type NoteFn = fn(&Strings) -> &'static str;

fn refused_note(t: &Strings) -> &'static str {
    t.notify_push_refused
}

fn unavailable_note(t: &Strings) -> &'static str {
    t.notify_push_unavailable
}

/// Whether any kind is turned on.
pub fn any_on(settings: &NotificationSettings) -> bool {
    NotificationKind::ALL.iter().any(|k| settings.wants(*k))
}

/// Whether `next` turns on a kind that `before` had off: the moment to ask
/// for push permission.
pub fn newly_on(before: &NotificationSettings, next: &NotificationSettings) -> bool {
    NotificationKind::ALL
        .iter()
        .any(|k| next.wants(*k) && !before.wants(*k))
}

pub fn set_wanted(settings: &mut NotificationSettings, kind: NotificationKind, on: bool) {
    match kind {
        NotificationKind::ThemeDay => settings.theme_day = on,
        NotificationKind::Approvals => settings.approvals = on,
        NotificationKind::Deadlines => settings.deadlines = on,
        NotificationKind::Results => settings.results = on,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_is_asked_only_when_a_kind_is_turned_on() {
        let off = NotificationSettings::default();
        let mut theme_day = off.clone();
        set_wanted(&mut theme_day, NotificationKind::ThemeDay, true);
        assert!(theme_day.wants(NotificationKind::ThemeDay) && any_on(&theme_day));
        assert!(newly_on(&off, &theme_day));
        // Turning one off, or changing quiet hours, asks nothing.
        assert!(!newly_on(&theme_day, &off));
        let mut quiet = theme_day.clone();
        quiet.quiet_from = "23:00".into();
        assert!(!newly_on(&theme_day, &quiet));
        let mut both = theme_day.clone();
        set_wanted(&mut both, NotificationKind::Results, true);
        assert!(newly_on(&theme_day, &both));
        assert!(!any_on(&off));
    }

    #[test]
    fn every_kind_has_its_own_switch() {
        for kind in NotificationKind::ALL {
            let mut s = NotificationSettings::default();
            set_wanted(&mut s, *kind, true);
            let on: Vec<_> = NotificationKind::ALL
                .iter()
                .filter(|k| s.wants(**k))
                .collect();
            assert_eq!(on, vec![kind]);
        }
    }
}
