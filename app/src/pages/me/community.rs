//! 我的 → 社区报到: in-office members report to the community where they
//! live; the community's secretary confirms.

use leptos::prelude::*;
use zhibu_shared::org::Community;
use zhibu_shared::volunteer::CommunityReportRequest;

use crate::api;
use crate::components::{Button, Card, Field, Item, List, status_view, use_toast};
use crate::i18n::{log_status, tr, use_i18n};
use crate::layout::set_page_title;

/// A community search box and its results as list rows; shared with the
/// 志愿 form's place picker.
#[component]
pub fn CommunitySearch(
    /// Called with the chosen community.
    pick: Callback<(i64, String)>,
    /// The action label on each result.
    action: crate::layout::TitleFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let q = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Result<Vec<Community>, api::ApiError>>);
    let busy = RwSignal::new(false);
    let search = move |_| {
        // An empty search lists the communities by name.
        let text = q.get_untracked();
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::search_communities(text.trim()).await;
            busy.set(false);
            found.set(Some(answer));
        });
    };
    let items = move || match found.get() {
        Some(Ok(list)) => list
            .into_iter()
            .map(|c| Item {
                key: format!("{}|{}", c.id, c.name),
                title: c.name,
                sub: c.parent.name,
                action: true,
                ..Item::default()
            })
            .collect(),
        _ => Vec::new(),
    };
    let chosen = Callback::new(move |key: String| {
        if let Some((id, name)) = key.split_once('|')
            && let Ok(id) = id.parse()
        {
            pick.run((id, name.to_owned()));
        }
    });
    view! {
        <div class="search">
            <Field label=|t| t.community_search name="community_q" kind="search" value=q/>
            <Button loading=busy on_click=search>{tr(|t| t.search)}</Button>
        </div>
        {move || found.with(|f| match f {
            Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.message(i18n.t())}</p> }),
            _ => None,
        })}
        {move || found.with(Option::is_some).then(|| view! {
            <List items=items action=(action, chosen) empty=|t| t.community_none/>
        })}
    }
}

#[component]
pub fn CommunityReportPage() -> impl IntoView {
    set_page_title(|t| t.title_report);
    let i18n = use_i18n();
    let toaster = use_toast();
    let mine = LocalResource::new(api::my_community_reports);
    // Where I report now, as the roster or an approved report has it.
    let session = crate::session::use_session();
    let current = move || {
        session.member().and_then(|m| m.community).map(|c| {
            view! {
                <p class="current-community">{tr(|t| t.report_current)}{c.name}</p>
            }
        })
    };
    let error = RwSignal::new(None::<String>);
    let report = Callback::new(move |(community_id, _name): (i64, String)| {
        let t = i18n.t_untracked();
        error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::report_to_community(&CommunityReportRequest { community_id }).await;
            match answer {
                Ok(_) => {
                    toaster.show(t.report_sent);
                    mine.refetch();
                }
                Err(e) => error.set(Some(e.message(t))),
            }
        });
    });
    let items = move || {
        let t = i18n.t();
        mine.with(|m| match m {
            Some(Ok(m)) => m
                .iter()
                .map(|r| {
                    let (text, tone) = log_status(t, r.status);
                    Item {
                        key: r.id.to_string(),
                        title: r.community.name.clone(),
                        sub: r
                            .reason
                            .clone()
                            .unwrap_or_else(|| crate::util::ymd_hhmm(&r.created_at)),
                        badge: Some((text.to_owned(), tone)),
                        ..Item::default()
                    }
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    view! {
        <Card title=tr(|t| t.report_title)>
            {current}
            <p class="muted form-hint">{tr(|t| t.report_desc)}</p>
            <CommunitySearch pick=report action=|t| t.report_action/>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </Card>
        <h2 class="section-title">{tr(|t| t.report_mine)}</h2>
        {move || mine.with(status_view)}
        <List items=items empty=|t| t.report_none/>
    }
}
