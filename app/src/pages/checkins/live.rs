//! 今日主题党日, the secretary's screen for one theme day: the rotating QR
//! code and 6-digit code full screen, the live count, roll-call of
//! absentees, the day's details, dues paid on site and make-up requests.

use std::time::Duration;

use leptos::prelude::*;
use zhibu_shared::auth::IdName;
use zhibu_shared::checkin::{
    Attendance, Checkin, Decision, DuesPaymentRequest, PaymentMethod, ReviewRequest, RollCall,
    ThemeDay, ThemeDayPatch,
};
use zhibu_shared::theme_day::{DuesBasis, dues_standard_fen, yuan};

use crate::api;
use crate::components::{
    Button, ButtonVariant, Card, Chips, Field, Item, List, Loaded, status_view, use_toast,
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

#[component]
fn Live(id: i64) -> impl IntoView {
    let day = LocalResource::new(move || api::theme_day(id));
    let code = LocalResource::new(move || api::checkin_code(id));
    let attendance = LocalResource::new(move || api::theme_day_attendance(id));
    let checkins = LocalResource::new(move || api::theme_day_checkins(id));
    let full = RwSignal::new(false);

    // One timer: renews the code before it expires, polls the count.
    let ticks = StoredValue::new(0u32);
    let asked_at = StoredValue::new(0f64);
    if let Ok(timer) = set_interval_with_handle(
        move || {
            let now = util::now_ms();
            let due = code.with_untracked(|c| match c {
                Some(Ok(c)) => c.expires_at.timestamp_millis() as f64 - 3000.0,
                _ => 0.0,
            });
            if now >= due && now - asked_at.get_value() > 5000.0 {
                asked_at.set_value(now);
                code.refetch();
            }
            ticks.update_value(|n| *n += 1);
            if ticks.get_value().is_multiple_of(POLL_TICKS) {
                attendance.refetch();
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || timer.clear());
    }

    view! {
        <section
            class="card qr-panel"
            class:qr-full=move || full.get()
            on:click=move |_| full.update(|f| *f = !*f)
        >
            {move || code.with(status_view).or_else(|| code.get().and_then(Result::ok).map(|c| view! {
                <div class="qr" inner_html=c.qr_svg></div>
                <p class="short-code" aria-label=tr(|t| t.live_short_code)>{c.short_code}</p>
            }.into_any()))}
            <p class="muted">{tr(|t| t.live_fullscreen)}</p>
        </section>
        <Count attendance=attendance/>
        <RollCallCard id=id attendance=attendance checkins=checkins/>
        {move || day.get().and_then(Result::ok).map(|d| view! { <EditCard day=d target=day/> })}
        <DuesCard id=id attendance=attendance checkins=checkins/>
        <Makeups id=id/>
    }
}

#[component]
fn Count(attendance: Loaded<Attendance>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        attendance.get().and_then(Result::ok).map(|a| {
            let t = i18n.t();
            view! {
                <section class="card count" aria-live="polite">
                    <p class="count-big">
                        <span class="count-present">{a.present}</span>" / "{a.expected}
                    </p>
                    <p class="muted">
                        {t.live_present}" "{a.present}" · "{t.live_expected}" "{a.expected}
                        " · "{t.status_pending}" "{a.pending}
                    </p>
                    {(!a.wrong_codes.is_empty()).then(|| {
                        let who = a
                            .wrong_codes
                            .iter()
                            .map(|w| format!("{} {}{}", w.member.name, w.count, t.times))
                            .collect::<Vec<_>>()
                            .join("、");
                        view! { <p class="form-error wrong-codes">{t.live_wrong_codes}" "{who}</p> }
                    })}
                </section>
            }
        })
    }
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
        let member_ids: Vec<i64> = selected
            .get_untracked()
            .iter()
            .filter_map(|k| k.parse().ok())
            .collect();
        if member_ids.is_empty() {
            toaster.show(t.select_some);
            return;
        }
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
    view! {
        <Card title=tr(|t| t.roll_call_title)>
            <List items=items selected=selected empty=|t| t.roll_call_empty/>
            <div class="actions">
                <Button variant=ButtonVariant::Primary block=true loading=busy on_click=submit>
                    {tr(|t| t.roll_call_submit)}
                </Button>
            </div>
        </Card>
    }
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
        let patch = ThemeDayPatch {
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
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Button variant=ButtonVariant::Primary block=true loading=busy on_click=save>
                {tr(|t| t.save)}
            </Button>
        </Card>
    }
}

/// Yuan as typed (`12.5`) to fen.
fn fen(text: &str) -> Option<i64> {
    let value: f64 = text.trim().parse().ok()?;
    (value >= 0.0).then(|| (value * 100.0).round() as i64)
}

fn basis(code: &str) -> Option<DuesBasis> {
    match code {
        "working" => Some(DuesBasis::Working),
        "retired" => Some(DuesBasis::Retired),
        "student" => Some(DuesBasis::StudentOrUnemployed),
        "floating" => Some(DuesBasis::FloatingWithoutIncome),
        _ => None,
    }
}

#[component]
fn DuesCard(
    id: i64,
    attendance: Loaded<Attendance>,
    checkins: Loaded<Vec<Checkin>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let member = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let method = RwSignal::new("cash".to_owned());
    let basis_code = RwSignal::new(String::new());
    let income = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    // Everyone expected: those present and those absent.
    let members = move || {
        let mut all: Vec<IdName> = checkins.with(|c| match c {
            Some(Ok(c)) => c.iter().map(|c| c.member.clone()).collect(),
            _ => Vec::new(),
        });
        attendance.with(|a| {
            if let Some(Ok(a)) = a {
                all.extend(a.absent.iter().cloned());
            }
        });
        all.dedup_by_key(|m| m.id);
        all
    };
    let standard = move || {
        let basis = basis(&basis_code.get())?;
        let income = fen(&income.get()).unwrap_or_default();
        Some(dues_standard_fen(basis, income))
    };
    let methods = Signal::derive(move || {
        let t = i18n.t();
        vec![
            ("cash".to_owned(), t.dues_cash.to_owned()),
            ("transfer".to_owned(), t.dues_transfer.to_owned()),
        ]
    });
    let bases = Signal::derive(move || {
        let t = i18n.t();
        ["", "working", "retired", "student", "floating"]
            .into_iter()
            .zip(t.dues_bases)
            .map(|(code, name)| (code.to_owned(), name.to_owned()))
            .collect()
    });
    let submit = move |_| {
        let t = i18n.t_untracked();
        let (Ok(member_id), Some(amount_fen)) = (
            member.get_untracked().parse::<i64>(),
            fen(&amount.get_untracked()),
        ) else {
            toaster.show(t.dues_missing);
            return;
        };
        let basis = basis(&basis_code.get_untracked());
        let request = DuesPaymentRequest {
            member_id,
            amount_fen,
            method: if method.get_untracked() == "transfer" {
                PaymentMethod::Transfer
            } else {
                PaymentMethod::Cash
            },
            basis,
            monthly_income_fen: basis.and(fen(&income.get_untracked())),
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::record_dues(id, &request).await;
            busy.set(false);
            match answer {
                Ok(paid) => {
                    toaster.show(format!(
                        "{} {} ¥{}",
                        t.dues_recorded,
                        paid.member.name,
                        yuan(paid.amount_fen)
                    ));
                    amount.set(String::new());
                }
                Err(e) => toaster.show(e.message(t)),
            }
        });
    };
    view! {
        <Card title=tr(|t| t.dues_title)>
            <label class="field">
                <span class="field-label">{tr(|t| t.dues_member)}</span>
                <select
                    class="field-input"
                    name="member"
                    on:change=move |event| member.set(event_target_value(&event))
                >
                    <option value="">{tr(|t| t.dues_choose)}</option>
                    {move || members().into_iter().map(|m| view! {
                        <option value=m.id.to_string()>{m.name}</option>
                    }).collect_view()}
                </select>
            </label>
            <Chips label=|t| t.dues_basis options=bases selected=basis_code/>
            <Field label=|t| t.dues_income name="income" inputmode="decimal" value=income/>
            {move || standard().map(|fen| {
                let hint = format!("{} ¥{}", i18n.t().dues_standard, yuan(fen));
                view! { <p class="muted form-hint">{hint}</p> }
            })}
            <Field label=|t| t.dues_amount name="amount" inputmode="decimal" value=amount/>
            <Chips label=|t| t.dues_method options=methods selected=method/>
            <Button variant=ButtonVariant::Primary block=true loading=busy on_click=submit>
                {tr(|t| t.dues_submit)}
            </Button>
        </Card>
    }
}

#[component]
fn Makeups(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let makeups = LocalResource::new(move || api::theme_day_makeups(id));
    let items = move || {
        let t = i18n.t();
        makeups.with(|m| match m {
            Some(Ok(m)) => m
                .iter()
                .map(|m| {
                    let (text, tone) = review_status(t, m.status);
                    Item {
                        key: m.id.to_string(),
                        title: m.member.name.clone(),
                        sub: format!("{} · {}", m.studied_on, m.studied),
                        badge: Some((text.to_owned(), tone)),
                        action: m.status == zhibu_shared::checkin::ReviewStatus::Pending,
                        ..Item::default()
                    }
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    let approve = Callback::new(move |key: String| {
        let t = i18n.t_untracked();
        let Ok(makeup) = key.parse::<i64>() else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            let request = ReviewRequest {
                ids: vec![makeup],
                decision: Decision::Approve,
                reason: None,
            };
            match api::review_makeups(&request).await {
                Ok(_) => {
                    toaster.show(t.approved_toast);
                    makeups.refetch();
                }
                Err(e) => toaster.show(e.message(t)),
            }
        });
    });
    view! {
        <Card title=tr(|t| t.makeups_title)>
            <List items=items action=(|t| t.approve, approve) empty=|t| t.makeups_empty/>
        </Card>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities_typed_on_one_line_are_split_at_any_comma() {
        assert_eq!(
            split_activities("志愿服务，结对共建、 网格报到;移风易俗\n, "),
            ["志愿服务", "结对共建", "网格报到", "移风易俗"]
        );
        assert!(split_activities(" ， ").is_empty());
    }

    #[test]
    fn yuan_typed_by_the_secretary_become_fen() {
        assert_eq!(fen("12.5"), Some(1250));
        assert_eq!(fen(" 3 "), Some(300));
        assert_eq!(fen("0.1"), Some(10));
        assert_eq!(fen("0"), Some(0));
        assert_eq!(fen("-1"), None);
        assert_eq!(fen("十元"), None);
        assert_eq!(fen(""), None);
    }

    #[test]
    fn dues_bases_are_chosen_by_their_chip_codes() {
        assert_eq!(basis("working"), Some(DuesBasis::Working));
        assert_eq!(basis("retired"), Some(DuesBasis::Retired));
        assert_eq!(basis("student"), Some(DuesBasis::StudentOrUnemployed));
        assert_eq!(basis("floating"), Some(DuesBasis::FloatingWithoutIncome));
        assert_eq!(basis(""), None);
    }
}
