//! 组织生活统计: a unit's children this quarter — meetings done, due and
//! overdue, problems found, rectified and open, venues — in the tree's own
//! order, never ranked; units whose problems repeat are marked for a 约谈.

use leptos::prelude::*;
use zhibu_shared::governance::{GovernanceCounts, Quarter};

use crate::api;
use crate::components::{Badge, BadgeTone, Card, Field, status_view};
use crate::i18n::{Strings, tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;
use crate::util;

fn counts_line(t: &Strings, c: &GovernanceCounts) -> String {
    format!(
        "{} {}/{} · {} {} · {} {}/{} · {} {}/{}",
        t.gov_meetings_done,
        c.meetings_done,
        c.meetings_due + c.meetings_done + c.meetings_overdue,
        t.gov_overdue,
        c.meetings_overdue,
        t.gov_problems_rectified,
        c.problems_rectified,
        c.problems_found,
        t.gov_venues_complete,
        c.venues_complete,
        c.venues
    )
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    set_page_title(|t| t.title_governance);
    let id = id_param("id");
    let i18n = use_i18n();
    let quarter = RwSignal::new(Quarter::of_month(util::current_month()).to_string());
    let overview = LocalResource::new(move || {
        let id = id.get();
        let quarter = quarter.get();
        async move { api::governance_overview(id, &quarter).await }
    });
    let body = move || {
        let o = overview.get()?.ok()?;
        let t = i18n.t();
        let rows = o
            .children
            .iter()
            .map(|row| {
                view! {
                    <li class="row">
                        <a class="row-main row-link" href=format!("/orgs/{}", row.org.id)>
                            <span class="row-text">
                                <span class="row-title">{row.org.name.clone()}</span>
                                <span class="row-sub">{counts_line(t, &row.counts)}</span>
                            </span>
                            {row.talk_suggested.then(|| view! { <Badge tone=BadgeTone::Warning>{t.gov_talk_suggested}</Badge> })}
                        </a>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <Card title=o.org.name.clone()>
                <p>{counts_line(t, &o.total)}</p>
            </Card>
            <ul class="list">{rows}</ul>
        })
    };
    view! {
        <Field label=|t| t.gov_quarter name="quarter" value=quarter placeholder=|t| t.gov_quarter_hint/>
        {move || overview.with(status_view)}
        {body}
        <p class="muted form-hint">{tr(|t| t.gov_order_note)}</p>
    }
}
