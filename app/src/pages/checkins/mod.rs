//! 打卡: checking in to a theme party day with the scanned QR code or the
//! 6-digit code, offline included; my attendance and make-ups; the
//! secretary's live screen lives in [`live`].

pub mod attendance;
pub mod dues;
pub mod live;

use leptos::lazy;
use leptos::prelude::*;
use zhibu_shared::checkin::{AlreadyCheckedIn, Checkin, CheckinRequest, ThemeDay, ThemeDayStatus};

use crate::api::{self, ApiError, enc};
use crate::components::{
    Badge, BadgeTone, Button, ButtonVariant, Card, Chips, Empty, Field, Item, List, kept, later,
    status_view,
};
use crate::i18n::{Strings, review_status, theme_status, tr, use_i18n};
use crate::layout::set_page_title;
use crate::outbox::{Outbox, Sent, use_outbox};
use crate::pages::{id_param, query, redirect};
use crate::session::use_session;
use crate::util;

/// A theme day's facts, as 首页 and the check-in pages show them.
/// A theme day as lists and choices name it: a member of a branch and a
/// sector committee has two on one date, told apart by their unit.
pub fn day_label(day: &ThemeDay) -> String {
    format!("{} {} · {}", day.date, day.title, day.org.name)
}

/// A theme day's facts; `children` (the member's own standing, say) at the
/// foot of the same card.
#[component]
pub fn ThemeDayCard(day: ThemeDay, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    let i18n = use_i18n();
    let status = day.status;
    let when = format!(
        "{} {}–{}",
        day.date,
        util::hhmm(&day.starts_at),
        util::hhmm(&day.ends_at)
    );
    let activities = day.activities.join("、");
    view! {
        <Card>
            <div class="card-head">
                <h2 class="card-title">{day.title}</h2>
                {move || {
                    let (text, tone) = theme_status(i18n.t(), status);
                    view! { <Badge tone=tone>{text}</Badge> }
                }}
            </div>
            <p class="muted">{day.org.name}</p>
            <dl class="facts">
                <dt>{tr(|t| t.td_when)}</dt>
                <dd>{when}</dd>
                <dt>{tr(|t| t.td_location)}</dt>
                <dd>{day.location}</dd>
                <dt>{tr(|t| t.td_study)}</dt>
                <dd>{day.study_item}</dd>
                <dt>{tr(|t| t.td_activities)}</dt>
                <dd>{activities}</dd>
            </dl>
            {children.map(|c| c())}
        </Card>
    }
}

/// What a check-in came to, as the result card shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub title: String,
    pub detail: String,
    pub tone: BadgeTone,
}

fn checkin_outcome(t: &Strings, checkin: &Checkin, message: Option<String>) -> Outcome {
    let (title, tone) = review_status(t, checkin.status);
    let title = match checkin.status {
        zhibu_shared::checkin::ReviewStatus::Approved => t.checkin_ok,
        _ => title,
    };
    Outcome {
        title: title.to_owned(),
        detail: message
            .or_else(|| checkin.reason.clone())
            .unwrap_or_default(),
        tone,
    }
}

/// The code a check-in proves attendance with.
pub enum Code {
    /// Typed by hand from the screen: valid now.
    Typed(String),
    /// Scanned from the QR code at `at`, which the server checks the token
    /// against: a member who signed in meanwhile still checks in, for the
    /// secretary to confirm when the code has moved on.
    Scanned {
        token: Option<String>,
        at: chrono::DateTime<chrono::FixedOffset>,
    },
}

/// Checks in once: a new id, the code's time as the client time, the
/// position when the day has a geofence. Without a network the check-in
/// waits in the outbox.
pub async fn check_in(
    outbox: Outbox,
    t: &'static Strings,
    day_id: i64,
    label: String,
    code: Code,
    geofenced: bool,
) -> Outcome {
    let position = if geofenced {
        util::position().await
    } else {
        None
    };
    let (token, short_code, at) = match code {
        Code::Typed(short_code) => (None, Some(short_code), util::now()),
        Code::Scanned { token, at } => (token, None, at),
    };
    let request = CheckinRequest {
        id: util::uuid(),
        token,
        short_code,
        client_time: Some(at),
        lat: position.map(|p| p.0),
        lng: position.map(|p| p.1),
    };
    match outbox
        .send(api::check_in(day_id, &request), label, true)
        .await
    {
        Sent::Done(checkin) => checkin_outcome(t, &checkin, None),
        Sent::Queued => Outcome {
            title: t.status_waiting.to_owned(),
            detail: t.checkin_queued.to_owned(),
            tone: BadgeTone::Warning,
        },
        Sent::Failed(error) => refused(t, &error),
    }
}

/// A refused check-in: a second one shows the first one's status; an
/// `idempotency_conflict` has no first check-in to show.
fn refused(t: &Strings, error: &ApiError) -> Outcome {
    match error
        .detail::<AlreadyCheckedIn>()
        .and_then(|body| body.checkin)
    {
        Some(first) => checkin_outcome(t, &first, Some(error.message(t))),
        None => failed(t, error.message(t)),
    }
}

/// Whether the typed code looks like a 6-digit check-in code; anything else
/// is refused before it costs one of the member's few wrong tries.
fn is_short_code(text: &str) -> bool {
    text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())
}

fn failed(t: &Strings, detail: String) -> Outcome {
    Outcome {
        title: t.checkin_failed.to_owned(),
        detail,
        tone: BadgeTone::Primary,
    }
}

#[component]
fn OutcomeCard(outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    move || {
        outcome.get().map(|o| {
            view! {
                <section class="card result" role="status">
                    <Badge tone=o.tone>{o.title}</Badge>
                    <p class="muted">{o.detail}</p>
                </section>
            }
        })
    }
}

/// The check-ins (or logs) sent while offline: 待同步 until sent, then
/// what became of each — accepted, or refused with the reason and what to
/// do — until the member dismisses it.
#[component]
pub fn WaitingList(checkin: bool) -> impl IntoView {
    let outbox = use_outbox();
    let i18n = use_i18n();
    let items = move || {
        let t = i18n.t();
        outbox
            .waiting(checkin)
            .into_iter()
            .map(|w| {
                let (sub, badge, done) = match &w.fate {
                    None => (
                        t.waiting_hint.to_owned(),
                        (t.status_waiting.to_owned(), BadgeTone::Warning),
                        false,
                    ),
                    Some(f) if f.accepted => (
                        f.message.clone(),
                        (t.synced_ok.to_owned(), BadgeTone::Success),
                        true,
                    ),
                    Some(f) => (
                        format!(
                            "{} {}",
                            f.message,
                            if w.checkin {
                                t.fate_checkin_todo
                            } else {
                                t.fate_log_todo
                            }
                        ),
                        (t.fate_refused.to_owned(), BadgeTone::Muted),
                        true,
                    ),
                };
                Item {
                    key: w.id,
                    title: w.label,
                    sub,
                    badge: Some(badge),
                    action: done,
                    ..Item::default()
                }
            })
            .collect::<Vec<_>>()
    };
    let dismiss = Callback::new(move |id: String| outbox.dismiss(&id));
    move || {
        let rows = items();
        (!rows.is_empty()).then(|| {
            let unsent = rows.iter().any(|r| !r.action);
            view! {
                <h2 class="section-title">
                    {move || if unsent { i18n.t().waiting_title } else { i18n.t().fates_title }}
                </h2>
                <List items=items action=(|t| t.fate_dismiss, dismiss)/>
            }
        })
    }
}

/// 打卡 tab: the waiting check-ins and the 6-digit code for a chosen day.
#[component]
pub fn CheckinsPage() -> impl IntoView {
    set_page_title(|t| t.title_checkin);
    let session = use_session();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    move || {
        if signed_in.get() {
            later(code_checkin()).into_any()
        } else {
            view! {
                <Empty title=tr(|t| t.checkin_empty_title) description=tr(|t| t.checkin_empty_desc)>
                    <a class="btn btn-primary" href="/login?next=/checkin">{tr(|t| t.me_login)}</a>
                </Empty>
            }
            .into_any()
        }
    }
}

/// The signed-in 打卡 tab, in its own chunk.
#[lazy]
fn code_checkin() -> AnyView {
    view! { <CodeCheckin/> }.into_any()
}

#[component]
fn CodeCheckin() -> impl IntoView {
    let days = kept(api::my_theme_days);
    let outbox = use_outbox();
    outbox.flush();
    let chosen = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let i18n = use_i18n();
    // Once a queued check-in is delivered, its toast tells the outcome and
    // the "waiting" card would be stale.
    Effect::new(move |first: Option<()>| {
        outbox.synced.track();
        if first.is_some() {
            outcome.set(None);
        }
    });
    let open_days = move || {
        days.with(|state| match state {
            Some(Ok(days)) => days
                .iter()
                .filter(|d| d.status != ThemeDayStatus::Closed)
                .cloned()
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };
    // One day to choose from is chosen already.
    Effect::new(move |_| {
        let open = open_days();
        if chosen.get_untracked().is_empty()
            && let Some(day) = open
                .iter()
                .find(|d| d.status == ThemeDayStatus::Open)
                .or(open.first())
        {
            chosen.set(day.id.to_string());
        }
    });
    let submit = move |_| {
        let t = i18n.t_untracked();
        let short_code = code.get_untracked().trim().to_owned();
        let day = open_days()
            .into_iter()
            .find(|d| d.id.to_string() == chosen.get_untracked());
        let Some(day) = day else {
            outcome.set(Some(failed(t, t.checkin_choose_day.to_owned())));
            return;
        };
        if !is_short_code(&short_code) {
            outcome.set(Some(failed(t, t.checkin_code_invalid.to_owned())));
            return;
        }
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let label = day_label(&day);
            let geofenced = day.geofence.is_some();
            let result =
                check_in(outbox, t, day.id, label, Code::Typed(short_code), geofenced).await;
            busy.set(false);
            code.set(String::new());
            outcome.set(Some(result));
        });
    };
    view! {
        <WaitingList checkin=true/>
        <OutcomeCard outcome=outcome/>
        {move || {
            days.with(status_view).or_else(|| {
                let open = open_days();
                if open.is_empty() {
                    return Some(view! {
                        <Empty title=tr(|t| t.checkin_empty_title) description=tr(|t| t.checkin_empty_desc)/>
                    }.into_any());
                }
                let options = open
                    .into_iter()
                    .map(|d| (d.id.to_string(), day_label(&d)))
                    .collect::<Vec<_>>();
                Some(view! {
                    <Card title=tr(|t| t.checkin_code_title)>
                        <Chips label=|t| t.checkin_day options=Signal::stored(options) selected=chosen/>
                        <Field label=|t| t.checkin_code name="short_code" value=code inputmode="numeric" maxlength="6" autocomplete="off"/>
                        <Button variant=ButtonVariant::Primary block=true loading=busy on_click=submit>
                            {tr(|t| t.checkin_submit)}
                        </Button>
                        <p class="muted form-hint">{tr(|t| t.checkin_scan_hint)}</p>
                    </Card>
                }.into_any())
            })
        }}
    }
}

/// `/checkin/:id?t=TOKEN`, what the QR code opens: signs in first when
/// needed, then checks in with one tap.
#[component]
pub fn CheckinLinkPage() -> impl IntoView {
    set_page_title(|t| t.title_checkin);
    let session = use_session();
    let i18n = use_i18n();
    let outbox = use_outbox();
    let id = id_param("id");
    let token = query("t");
    // When the code was scanned: kept through signing in (`at`, ms).
    let scanned_at = query("at")
        .and_then(|ms| ms.parse::<i64>().ok())
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(util::now, |at| at.fixed_offset());
    if !session.is_signed_in() {
        let here = format!(
            "/checkin/{}?t={}&at={}",
            id.get_untracked(),
            enc(token.as_deref().unwrap_or("")),
            scanned_at.timestamp_millis()
        );
        redirect(format!("/login?next={}", enc(&here)));
        return ().into_any();
    }
    let day = LocalResource::new(move || api::theme_day(id.get_untracked()));
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let tap = move |_| {
        let token = token.clone();
        let (label, geofenced) = day.with_untracked(|d| match d {
            Some(Ok(d)) => (day_label(d), d.geofence.is_some()),
            _ => (i18n.t_untracked().title_checkin.to_owned(), false),
        });
        let t = i18n.t_untracked();
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let code = Code::Scanned {
                token,
                at: scanned_at,
            };
            let result = check_in(outbox, t, id.get_untracked(), label, code, geofenced).await;
            busy.set(false);
            outcome.set(Some(result));
        });
    };
    view! {
        {move || day.get().and_then(Result::ok).map(|day| view! { <ThemeDayCard day=day/> })}
        <OutcomeCard outcome=outcome/>
        <div class="actions">
            <Button
                variant=ButtonVariant::Primary
                block=true
                loading=busy
                disabled=Signal::derive(move || outcome.with(Option::is_some))
                on_click=tap
            >
                {tr(|t| t.checkin_one_tap)}
            </Button>
        </div>
        <a class="btn btn-default btn-block" href="/checkin">{tr(|t| t.checkin_back)}</a>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use zhibu_shared::checkin::ReviewStatus;

    use super::*;
    use crate::i18n::ZH;

    fn checkin(status: &str, reason: Option<&str>) -> Checkin {
        let mut json = serde_json::json!({
            "id": "a", "theme_day_id": 7, "member": {"id": 3, "name": "张三"},
            "method": "code", "status": status, "at": "2026-12-03T09:01:00+08:00",
        });
        if let Some(reason) = reason {
            json["reason"] = reason.into();
        }
        serde_json::from_value(json).unwrap()
    }

    fn conflict(body: serde_json::Value) -> ApiError {
        ApiError::Http {
            status: 409,
            body: serde_json::from_value(body.clone()).unwrap(),
            text: body.to_string(),
        }
    }

    #[test]
    fn a_code_is_six_ascii_digits_and_nothing_else() {
        assert!(is_short_code("042917"));
        assert!(!is_short_code("04291"));
        assert!(!is_short_code("0429170"));
        assert!(!is_short_code("04291a"));
        assert!(!is_short_code("０４２９１７"));
        assert!(!is_short_code(""));
    }

    #[test]
    fn an_approved_checkin_reads_as_checked_in() {
        let outcome = checkin_outcome(&ZH, &checkin("approved", None), None);
        assert_eq!(outcome.title, ZH.checkin_ok);
        assert_eq!(outcome.tone, BadgeTone::Success);
        assert_eq!(outcome.detail, "");
    }

    #[test]
    fn a_pending_checkin_says_why_it_waits() {
        let outcome = checkin_outcome(&ZH, &checkin("pending", Some("离线签到")), None);
        assert_eq!(outcome.title, review_status(&ZH, ReviewStatus::Pending).0);
        assert_eq!(outcome.tone, BadgeTone::Warning);
        assert_eq!(outcome.detail, "离线签到");
    }

    #[test]
    fn a_second_checkin_shows_the_first_ones_status_with_the_servers_message() {
        let first = serde_json::to_value(checkin("rejected", Some("不在范围内"))).unwrap();
        let error = conflict(serde_json::json!({
            "code": "already_checked_in", "message": "今天已签到", "checkin": first,
        }));
        let outcome = refused(&ZH, &error);
        assert_eq!(outcome.title, review_status(&ZH, ReviewStatus::Rejected).0);
        assert_eq!(outcome.detail, "今天已签到");
    }

    #[test]
    fn a_reused_id_without_a_first_checkin_is_a_plain_failure() {
        let error = conflict(serde_json::json!({
            "code": "idempotency_conflict", "message": "编号已被使用",
        }));
        assert_eq!(
            refused(&ZH, &error),
            Outcome {
                title: ZH.checkin_failed.to_owned(),
                detail: "编号已被使用".to_owned(),
                tone: BadgeTone::Primary,
            }
        );
    }
}
