//! 首页: the next theme party day, the way to my attendance, and for
//! secretaries the live screen of that day.

use leptos::lazy;
use leptos::prelude::*;
use zhibu_shared::checkin::ThemeDayStatus;

use crate::api;
use crate::components::{Card, Cell, CellGroup, Empty, later, status_view};
use crate::i18n::tr;
use crate::layout::set_page_title;
use crate::pages::checkins::ThemeDayCard;
use crate::pages::is_officer;
use crate::session::use_session;

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
                </Card>
                <NextThemeDay officer=officer/>
                <CellGroup>
                    <Cell title=tr(|t| t.home_attendance) href="/attendance"/>
                </CellGroup>
            }
        })
    }
}

#[component]
fn NextThemeDay(officer: bool) -> impl IntoView {
    let days = LocalResource::new(api::my_theme_days);
    move || {
        days.with(|state| {
            if let Some(view) = status_view(state) {
                return view;
            }
            let next = state
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|days| {
                    days.iter()
                        .find(|d| d.status != ThemeDayStatus::Closed)
                        .cloned()
                });
            match next {
                None => view! {
                    <Empty title=tr(|t| t.home_empty_title) description=tr(|t| t.home_empty_desc)/>
                }
                .into_any(),
                Some(day) => {
                    let live = officer.then(|| {
                        let href = format!("/theme-days/{}/live", day.id);
                        view! {
                            <a class="btn btn-primary btn-block" href=href>{tr(|t| t.live_open)}</a>
                        }
                    });
                    view! { <ThemeDayCard day=day/>{live} }.into_any()
                }
            }
        })
    }
}
