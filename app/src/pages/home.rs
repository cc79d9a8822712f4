//! 首页: one card of what matters to me now (the theme day with whether I
//! have checked in, or the way to), my approved hours this year, the way to
//! my attendance, and for secretaries the live screen of that day.

use leptos::lazy;
use leptos::prelude::*;
use zhibu_shared::checkin::{MyAttendance, ReviewStatus, ThemeDayStatus};
use zhibu_shared::volunteer::{LogStatus, ServiceLog, hours};

use crate::api;
use crate::components::{Badge, BadgeTone, Card, Cell, CellGroup, Empty, kept, later, status_view};
use crate::i18n::{tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::checkins::ThemeDayCard;
use crate::pages::is_officer;
use crate::session::use_session;
use crate::util;

#[component]
pub fn HomePage() -> impl IntoView {
    set_page_title(|t| t.title_home);
    let session = use_session();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    move || {
        if signed_in.get() {
            later(signed_in_home()).into_any()
        } else {
            view! { <Welcome/> }.into_any()
        }
    }
}

/// What Zhibu is, for someone who has not signed in, and the way in.
#[component]
fn Welcome() -> impl IntoView {
    view! {
        <Card>
            <h2 class="card-title">{tr(|t| t.home_welcome_title)}</h2>
            <p class="muted">{tr(|t| t.home_welcome_desc)}</p>
            <a href="/login?next=/" class="btn btn-primary btn-block">{tr(|t| t.me_login)}</a>
            <p class="form-hint"><a href="/login?activate=1&next=/">{tr(|t| t.home_welcome_activate)}</a></p>
        </Card>
    }
}

/// What a signed-in member sees, in its own chunk.
#[lazy]
fn signed_in_home() -> AnyView {
    view! { <SignedInHome/> }.into_any()
}

#[component]
fn SignedInHome() -> impl IntoView {
    let session = use_session();
    move || {
        session.member().map(|member| {
            let officer = is_officer(&member);
            view! {
                <Card>
                    <p class="greeting">{tr(|t| t.home_greeting)}{member.name.clone()}</p>
                    <p class="muted">{member.branch.name.clone()}</p>
                    <HoursThisYear/>
                </Card>
                <NextThemeDay officer=officer/>
                <CellGroup>
                    <Cell title=tr(|t| t.home_attendance) href="/attendance"/>
                </CellGroup>
            }
        })
    }
}

/// Approved minutes of the logs: what counts as service done.
pub fn approved_minutes(logs: &[ServiceLog]) -> i64 {
    logs.iter()
        .filter(|l| l.status == LogStatus::Approved)
        .map(|l| i64::from(l.minutes))
        .sum()
}

/// My approved service this year, in hours.
#[component]
fn HoursThisYear() -> impl IntoView {
    let i18n = use_i18n();
    let logs =
        kept(|| api::my_service_logs_between(&format!("{}-01", util::january()), &util::today()));
    move || {
        logs.with(|l| match l {
            Some(Ok(logs)) => {
                let t = i18n.t();
                let text = format!(
                    "{} {} {}",
                    t.home_hours_year,
                    hours(approved_minutes(logs)),
                    t.hours_unit
                );
                Some(view! { <p class="home-hours">{text}</p> })
            }
            _ => None,
        })
    }
}

/// Which theme day the home card shows: the first not yet over, else the
/// last of this month.
pub fn featured(rows: &[MyAttendance], month: &str) -> Option<usize> {
    rows.iter()
        .position(|r| r.theme_day.status != ThemeDayStatus::Closed)
        .or_else(|| {
            rows.iter()
                .rposition(|r| r.theme_day.date.format("%Y-%m").to_string() == month)
        })
}

/// Where I stand at the day: checked in (and how it was decided), or the
/// way to check in while it is open.
fn my_standing(row: &MyAttendance) -> AnyView {
    let t = use_i18n().t_untracked();
    match (&row.checkin, row.theme_day.status) {
        (Some(c), _) => {
            let (text, tone) = match c.status {
                ReviewStatus::Approved => (t.home_checked_in, BadgeTone::Success),
                ReviewStatus::Pending => (t.home_checkin_pending, BadgeTone::Warning),
                ReviewStatus::Rejected => (t.home_checkin_rejected, BadgeTone::Muted),
            };
            view! { <p class="my-standing"><Badge tone=tone>{text}</Badge></p> }.into_any()
        }
        (None, ThemeDayStatus::Open) => view! {
            <a class="btn btn-primary btn-block my-standing" href="/checkin">{t.home_go_checkin}</a>
        }
        .into_any(),
        (None, ThemeDayStatus::Closed) => view! {
            <p class="my-standing"><Badge tone=BadgeTone::Muted>{t.home_not_checked_in}</Badge></p>
        }
        .into_any(),
        (None, ThemeDayStatus::Upcoming) => ().into_any(),
    }
}

#[component]
fn NextThemeDay(officer: bool) -> impl IntoView {
    // This month and the next two, with what I did at each.
    let rows = kept(|| {
        let month = util::current_month();
        api::my_attendance(month, month.next().next())
    });
    move || {
        rows.with(|state| {
            if let Some(view) = status_view(state) {
                return view;
            }
            let rows = state
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(Vec::as_slice)
                .unwrap_or_default();
            match featured(rows, &util::this_month()).map(|i| &rows[i]) {
                None => view! {
                    <Empty title=tr(|t| t.home_empty_title) description=tr(|t| t.home_empty_desc)/>
                }
                .into_any(),
                Some(row) => {
                    let day = row.theme_day.clone();
                    let live = officer.then(|| {
                        let href = format!("/theme-days/{}/live", day.id);
                        view! {
                            <a class="btn btn-primary btn-block" href=href>{tr(|t| t.live_open)}</a>
                        }
                    });
                    let standing = my_standing(row);
                    view! { <ThemeDayCard day=day>{standing}</ThemeDayCard>{live} }.into_any()
                }
            }
        })
    }
}
