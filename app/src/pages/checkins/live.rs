//! 主题党日现场, the secretary's screen for one theme day: its date and unit,
//! the rotating QR code and 6-digit code (full screen, and only while the
//! day is open: before and after it they would check nobody in), the live
//! count, roll-call of absentees, the day's details, dues paid on site
//! (`dues`) and make-up requests.

use std::time::Duration;

use leptos::prelude::*;
use zhibu_shared::checkin::{
    Attendance, Checkin, CheckinCode, Geofence, ReviewStatus, RollCall, StudyDone, ThemeDay,
    ThemeDayPatch, ThemeDayStatus,
};

use crate::api;
use crate::components::{
    Button, ButtonVariant, Card, Field, Item, List, Loaded, next_task, status_view, use_toast,
};
use crate::i18n::{review_status, tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;
use crate::util;

/// Attendance is polled this often.
const POLL_TICKS: u32 = 10;

#[component]
pub fn LivePage() -> impl IntoView {
    set_page_title(|t| t.title_live);
    let id = id_param("id");
    move || {
        let id = id.get();
        view! { <Live id=id/> }
    }
}

/// The code of the open day: `None` while the day is not open.
type LiveCode = LocalResource<Option<Result<CheckinCode, crate::api::ApiError>>>;

#[component]
fn Live(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let day = LocalResource::new(move || api::theme_day(id));
    let is_open = move |d: &Option<Result<ThemeDay, crate::api::ApiError>>| matches!(d, Some(Ok(d)) if d.status == ThemeDayStatus::Open);
    // Asked for again when the day is, so it appears once the day opens.
    let code: LiveCode = LocalResource::new(move || {
        let open = day.with(is_open);
        async move {
            if open {
                Some(api::checkin_code(id).await)
            } else {
                None
            }
        }
    });
    let attendance = LocalResource::new(move || api::theme_day_attendance(id));
    let checkins = LocalResource::new(move || api::theme_day_checkins(id));
    let full = RwSignal::new(false);

    // One timer: renews the code before it expires, polls the count, and
    // the day itself until it opens.
    let ticks = StoredValue::new(0u32);
    let asked_at = StoredValue::new(0f64);
    if let Ok(timer) = set_interval_with_handle(
        move || {
            let now = util::now_ms();
            let due = code.with_untracked(|c| match c {
                Some(Some(Ok(c))) => c.expires_at.timestamp_millis() as f64 - 3000.0,
                Some(None) => f64::INFINITY,
                _ => 0.0,
            });
            if now >= due && now - asked_at.get_value() > 5000.0 {
                asked_at.set_value(now);
                code.refetch();
            }
            ticks.update_value(|n| *n += 1);
            if ticks.get_value().is_multiple_of(POLL_TICKS) {
                attendance.refetch();
                if !day.with_untracked(is_open) {
                    day.refetch();
                }
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || timer.clear());
    }

    let heading = move || {
        day.with(|d| match d {
            Some(Ok(d)) => super::day_label(d),
            _ => String::new(),
        })
    };
    let panel = move || {
        let t = i18n.t();
        match day.get() {
            Some(Err(_)) => day.with(status_view),
            Some(Ok(d)) if d.status != ThemeDayStatus::Open => {
                let why = if d.status == ThemeDayStatus::Upcoming {
                    t.live_not_open_yet
                } else {
                    t.live_closed
                };
                Some(view! { <p class="muted code-closed">{why}</p> }.into_any())
            }
            Some(Ok(_)) => Some(code_view(code)),
            None => day.with(status_view),
        }
    };
    // The cards below appear together once the day and its lists are read,
    // so nothing on the screen moves when an answer arrives (an upcoming
    // day has no code box, an open one a square one).
    let ready = move || {
        day.with(Option::is_some)
            && attendance.with(Option::is_some)
            && checkins.with(Option::is_some)
    };
    view! {
        <section
            class="card qr-panel"
            class:qr-full=move || full.get()
            on:click=move |_| full.update(|f| *f = !*f)
        >
            <h2 class="live-day">{heading}</h2>
            {panel}
        </section>
        <div hidden=move || !ready()>
            <Count attendance=attendance/>
            <RollCallCard id=id attendance=attendance checkins=checkins/>
            {next_task(move || view! {
                <StudyCard id=id checkins=checkins/>
                {move || day.get().and_then(Result::ok).map(|d| view! { <EditCard day=d target=day/> })}
                <super::dues::DuesCard id=id attendance=attendance checkins=checkins/>
                <Makeups id=id/>
            })}
        </div>
    }
}

/// The QR code and the short code, in a box of the code's size from the
/// start, so nothing below moves when the code arrives.
fn code_view(code: LiveCode) -> AnyView {
    let i18n = use_i18n();
    let svg = move || {
        code.with(|c| match c {
            Some(Some(Ok(c))) => c.qr_svg.clone(),
            _ => String::new(),
        })
    };
    let short = move || {
        code.with(|c| match c {
            Some(Some(Ok(c))) => c.short_code.clone(),
            _ => "······".to_owned(),
        })
    };
    let error = move || {
        code.with(|c| match c {
            Some(Some(Err(e))) => {
                Some(view! { <p class="form-error" role="alert">{e.message(i18n.t())}</p> })
            }
            _ => None,
        })
    };
    view! {
        <div class="qr" inner_html=svg></div>
        <p class="short-code" aria-label=tr(|t| t.live_short_code)>{short}</p>
        {error}
        <p class="muted">{tr(|t| t.live_fullscreen)}</p>
    }
    .into_any()
}

/// The live count; dashes until it is read, in a card of the same size.
#[component]
fn Count(attendance: Loaded<Attendance>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let t = i18n.t();
        let (present, expected, pending, wrong) = attendance.with(|a| match a {
            Some(Ok(a)) => (
                a.present.to_string(),
                a.expected.to_string(),
                a.pending.to_string(),
                (!a.wrong_codes.is_empty()).then(|| {
                    a.wrong_codes
                        .iter()
                        .map(|w| format!("{} {}{}", w.member.name, w.count, t.times))
                        .collect::<Vec<_>>()
                        .join("、")
                }),
            ),
            _ => ("–".to_owned(), "–".to_owned(), "–".to_owned(), None),
        });
        view! {
            <section class="card count" aria-live="polite">
                <p class="count-big">
                    <span class="count-present">{present.clone()}</span>" / "{expected.clone()}
                </p>
                <p class="muted">
                    {t.live_present}" "{present}" · "{t.live_expected}" "{expected}
                    " · "{t.status_pending}" "{pending}
                </p>
                {wrong.map(|who| view! { <p class="form-error wrong-codes">{t.live_wrong_codes}" "{who}</p> })}
            </section>
        }
    }
}

/// The members ticked in a list, or None (and a word why) when nobody is.
fn ticked(
    selected: RwSignal<Vec<String>>,
    toaster: crate::components::Toaster,
    t: &crate::i18n::Strings,
) -> Option<Vec<i64>> {
    let member_ids: Vec<i64> = selected
        .get_untracked()
        .iter()
        .filter_map(|k| k.parse().ok())
        .collect();
    if member_ids.is_empty() {
        toaster.show(t.select_some);
        return None;
    }
    Some(member_ids)
}

#[component]
fn RollCallCard(
    id: i64,
    attendance: Loaded<Attendance>,
    checkins: Loaded<Vec<Checkin>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let selected = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    let items = move || {
        attendance.with(|a| match a {
            Some(Ok(a)) => a
                .absent
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
    let submit = move |_| {
        let t = i18n.t_untracked();
        let Some(member_ids) = ticked(selected, toaster, t) else {
            return;
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::roll_call(id, &RollCall { member_ids }).await;
            busy.set(false);
            match answer {
                Ok(done) => {
                    toaster.show(format!("{} {}", t.roll_call_done, done.len()));
                    selected.set(Vec::new());
                    attendance.refetch();
                    checkins.refetch();
                }
                Err(e) => toaster.show(e.message(t)),
            }
        });
    };
    // "Everyone expected is here" only once the list has been read.
    let loaded = move || attendance.with(|a| matches!(a, Some(Ok(_))));
    view! {
        <Card title=tr(|t| t.roll_call_title)>
            {move || attendance.with(status_view)}
            <div hidden=move || !loaded()>
                <List items=items selected=selected empty=|t| t.roll_call_empty/>
            </div>
            <div class="actions">
                <Button variant=ButtonVariant::Primary block=true loading=busy on_click=submit>
                    {tr(|t| t.roll_call_submit)}
                </Button>
            </div>
        </Card>
    }
}

/// 学习已完成: the second "1", ticked for those present (by name).
#[component]
fn StudyCard(id: i64, checkins: Loaded<Vec<Checkin>>) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let selected = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    let items = move || {
        checkins.with(|c| match c {
            Some(Ok(c)) => {
                let mut present: Vec<Item> = c
                    .iter()
                    .filter(|c| c.status == ReviewStatus::Approved)
                    .map(|c| Item {
                        key: c.member.id.to_string(),
                        title: c.member.name.clone(),
                        ..Item::default()
                    })
                    .collect();
                present.sort_by(|a, b| a.title.cmp(&b.title).then(a.key.cmp(&b.key)));
                present.dedup_by(|a, b| a.key == b.key);
                present
            }
            _ => Vec::new(),
        })
    };
    let submit = move |_| {
        let t = i18n.t_untracked();
        let Some(member_ids) = ticked(selected, toaster, t) else {
            return;
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::mark_study(id, &StudyDone { member_ids }).await;
            busy.set(false);
            match answer {
                Ok(done) => {
                    toaster.show(format!("{} {}", t.study_done_toast, done.updated));
                    selected.set(Vec::new());
                }
                Err(e) => toaster.show(e.message(t)),
            }
        });
    };
    view! {
        <Card title=tr(|t| t.study_title)>
            <List items=items selected=selected empty=|t| t.study_empty/>
            <div class="actions">
                <Button variant=ButtonVariant::Primary block=true loading=busy on_click=submit>
                    {tr(|t| t.study_submit)}
                </Button>
            </div>
        </Card>
    }
}

/// A geofence as typed: latitude and longitude in degrees, a radius in
/// metres (10 to 5,000); `None` when a field is not a number in range.
pub fn geofence(lat: &str, lng: &str, radius: &str) -> Option<Geofence> {
    let lat: f64 = lat.trim().parse().ok()?;
    let lng: f64 = lng.trim().parse().ok()?;
    let radius_m: u32 = radius.trim().parse().ok()?;
    ((-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lng)
        && (10..=5000).contains(&radius_m))
    .then_some(Geofence { lat, lng, radius_m })
}

/// Activities are typed on one line, split at commas.
fn split_activities(text: &str) -> Vec<String> {
    text.split([',', '，', '、', ';', '；', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

#[component]
fn EditCard(day: ThemeDay, target: Loaded<ThemeDay>) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let id = day.id;
    let title = RwSignal::new(day.title.clone());
    let study = RwSignal::new(day.study_item.clone());
    let location = RwSignal::new(day.location.clone());
    let starts = RwSignal::new(util::local_input(&day.starts_at));
    let ends = RwSignal::new(util::local_input(&day.ends_at));
    let activities = RwSignal::new(day.activities.join("、"));
    let fence = day.geofence;
    let lat = RwSignal::new(fence.map(|f| f.lat.to_string()).unwrap_or_default());
    let lng = RwSignal::new(fence.map(|f| f.lng.to_string()).unwrap_or_default());
    let radius = RwSignal::new(fence.map_or_else(|| "300".to_owned(), |f| f.radius_m.to_string()));
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let like = day.starts_at;
    let save = move |_| {
        let t = i18n.t_untracked();
        let (Some(starts_at), Some(ends_at)) = (
            util::from_local_input(&starts.get_untracked(), &like),
            util::from_local_input(&ends.get_untracked(), &like),
        ) else {
            error.set(Some(t.edit_time_invalid.to_owned()));
            return;
        };
        // All three blank: no geofence; otherwise all three must be right.
        let (la, ln) = (lat.get_untracked(), lng.get_untracked());
        let geofence_patch = if la.trim().is_empty() && ln.trim().is_empty() {
            None
        } else {
            match geofence(&la, &ln, &radius.get_untracked()) {
                Some(fence) => Some(fence),
                None => {
                    error.set(Some(t.geofence_invalid.to_owned()));
                    return;
                }
            }
        };
        let patch = ThemeDayPatch {
            geofence: Some(geofence_patch),
            title: Some(title.get_untracked()),
            study_item: Some(study.get_untracked()),
            location: Some(location.get_untracked()),
            starts_at: Some(starts_at),
            ends_at: Some(ends_at),
            activities: Some(split_activities(&activities.get_untracked())),
            ..ThemeDayPatch::default()
        };
        error.set(None);
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::update_theme_day(id, &patch).await;
            busy.set(false);
            match answer {
                Ok(day) => {
                    toaster.show(t.saved);
                    // The answer is the saved day: shown as is, no refetch.
                    target.set(Some(Ok(day)));
                }
                Err(e) => error.set(Some(e.message(t))),
            }
        });
    };
    view! {
        <Card title=tr(|t| t.edit_title)>
            <Field label=|t| t.edit_name name="title" value=title/>
            <Field label=|t| t.td_study name="study_item" value=study/>
            <Field label=|t| t.td_location name="location" value=location/>
            <Field label=|t| t.edit_starts name="starts_at" kind="datetime-local" value=starts/>
            <Field label=|t| t.edit_ends name="ends_at" kind="datetime-local" value=ends/>
            <Field label=|t| t.edit_activities name="activities" value=activities/>
            <p class="muted form-hint">{tr(|t| t.geofence_hint)}</p>
            <div class="month-range">
                <Field label=|t| t.geofence_lat name="lat" inputmode="decimal" value=lat/>
                <Field label=|t| t.geofence_lng name="lng" inputmode="decimal" value=lng/>
            </div>
            <Field label=|t| t.geofence_radius name="radius_m" inputmode="numeric" value=radius/>
            <Button on_click=move |_| {
                wasm_bindgen_futures::spawn_local(async move {
                    match util::position().await {
                        Some((la, ln)) => {
                            lat.set(format!("{la:.6}"));
                            lng.set(format!("{ln:.6}"));
                        }
                        None => toaster.show(i18n.t_untracked().geofence_no_position),
                    }
                });
            }>{tr(|t| t.geofence_here)}</Button>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Button variant=ButtonVariant::Primary block=true loading=busy on_click=save>
                {tr(|t| t.save)}
            </Button>
        </Card>
    }
}

/// The day's make-up requests: the pending ones to approve or reject (with
/// a reason), the decided ones below with how they were decided.
#[component]
fn Makeups(id: i64) -> impl IntoView {
    use crate::pages::review::{Queue, Section};
    let i18n = use_i18n();
    let makeups = LocalResource::new(move || api::theme_day_makeups(id));
    let rows = move |pending: bool| {
        let t = i18n.t();
        makeups.with(|m| match m {
            Some(Ok(m)) => m
                .iter()
                .filter(|m| (m.status == ReviewStatus::Pending) == pending)
                .map(|m| {
                    let (text, tone) = review_status(t, m.status);
                    let reason = m
                        .reason
                        .as_ref()
                        .map(|r| format!(" · {r}"))
                        .unwrap_or_default();
                    Item {
                        key: m.id.to_string(),
                        title: m.member.name.clone(),
                        sub: format!("{} · {}{reason}", m.studied_on, m.studied),
                        badge: (!pending).then(|| (text.to_owned(), tone)),
                        ..Item::default()
                    }
                })
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };
    let done = Callback::new(move |()| makeups.refetch());
    let none = move || makeups.with(|m| matches!(m, Some(Ok(m)) if m.is_empty()));
    view! {
        <Section
            title=|t| t.makeups_title
            queue=Queue::Makeups
            items=Signal::derive(move || rows(true))
            done=done
        />
        {move || none().then(|| view! {
            <Card title=tr(|t| t.makeups_title)>
                <p class="muted list-empty">{tr(|t| t.makeups_empty)}</p>
            </Card>
        })}
        {move || {
            let decided = rows(false);
            (!decided.is_empty()).then(|| view! {
                <Card title=tr(|t| t.makeups_decided)>
                    <List items=decided/>
                </Card>
            })
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_geofence_is_three_numbers_in_range() {
        assert_eq!(
            geofence(" 35.29 ", "115.09", "300"),
            Some(Geofence {
                lat: 35.29,
                lng: 115.09,
                radius_m: 300
            })
        );
        assert_eq!(geofence("95", "115", "300"), None);
        assert_eq!(geofence("35", "115", "5"), None);
        assert_eq!(geofence("东明", "115", "300"), None);
    }

    #[test]
    fn activities_typed_on_one_line_are_split_at_any_comma() {
        assert_eq!(
            split_activities("志愿服务，结对共建、 网格报到;移风易俗\n, "),
            ["志愿服务", "结对共建", "网格报到", "移风易俗"]
        );
        assert!(split_activities(" ， ").is_empty());
    }
}
