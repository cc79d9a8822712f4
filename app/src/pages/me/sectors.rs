//! 我的 → 加入行业党委: gig workers (riders, drivers) join the sector
//! committee of their trade; its secretary confirms.

use leptos::prelude::*;
use zhibu_shared::volunteer::SectorJoinRequest;

use crate::api;
use crate::components::{
    Button, ButtonVariant, Card, Chips, Field, Item, List, status_view, use_toast,
};
use crate::i18n::{log_status, tr, use_i18n};
use crate::layout::set_page_title;

const OTHER: &str = "other";

#[component]
pub fn SectorsPage() -> impl IntoView {
    set_page_title(|t| t.title_sectors);
    let i18n = use_i18n();
    let toaster = use_toast();
    let sectors = LocalResource::new(api::sectors);
    let mine = LocalResource::new(api::my_sector_memberships);
    let committee = RwSignal::new(String::new());
    let platform = RwSignal::new(String::new());
    let other = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let committees = Signal::derive(move || {
        sectors.with(|s| match s {
            Some(Ok(s)) => s
                .iter()
                .map(|o| (o.id.to_string(), o.name.clone()))
                .collect(),
            _ => Vec::new(),
        })
    });
    let platforms = Signal::derive(move || {
        let t = i18n.t();
        t.platforms
            .iter()
            .map(|p| (p.to_string(), p.to_string()))
            .chain([(OTHER.to_owned(), t.platform_other.to_owned())])
            .collect()
    });
    let submit = move |_| {
        let t = i18n.t_untracked();
        let mut chosen = platform.get_untracked();
        if chosen == OTHER {
            chosen = other.get_untracked().trim().to_owned();
        }
        let Ok(committee_id) = committee.get_untracked().parse::<i64>() else {
            error.set(Some(t.sector_choose.to_owned()));
            return;
        };
        if chosen.is_empty() {
            error.set(Some(t.platform_choose.to_owned()));
            return;
        }
        let note = note.get_untracked().trim().to_owned();
        let request = SectorJoinRequest {
            committee_id,
            platform: chosen,
            note: (!note.is_empty()).then_some(note),
        };
        error.set(None);
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::join_sector(&request).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    toaster.show(t.join_sent);
                    mine.refetch();
                }
                Err(e) => error.set(Some(e.message(t))),
            }
        });
    };
    let items = move || {
        let t = i18n.t();
        mine.with(|m| match m {
            Some(Ok(m)) => m
                .iter()
                .map(|m| {
                    let (text, tone) = log_status(t, m.status);
                    Item {
                        key: m.id.to_string(),
                        title: m.committee.name.clone(),
                        sub: m.reason.clone().unwrap_or_else(|| m.platform.clone()),
                        badge: Some((text.to_owned(), tone)),
                        ..Item::default()
                    }
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    view! {
        <Card title=tr(|t| t.join_title)>
            {move || sectors.with(status_view)}
            <Chips label=|t| t.join_committee options=committees selected=committee/>
            <Chips label=|t| t.join_platform options=platforms selected=platform/>
            {move || (platform.get() == OTHER).then(|| view! {
                <Field label=|t| t.platform_other name="platform" value=other/>
            })}
            <Field label=|t| t.note name="note" value=note/>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Button variant=ButtonVariant::Primary block=true loading=busy on_click=submit>
                {tr(|t| t.join_submit)}
            </Button>
        </Card>
        <h2 class="section-title">{tr(|t| t.join_mine)}</h2>
        {move || mine.with(status_view)}
        <List items=items empty=|t| t.join_none/>
    }
}
