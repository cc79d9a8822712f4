//! 困难党员建档立册: each file's difficulty, needs and the help logged this
//! quarter. Sensitive personal information: the server shows it only to
//! the branch secretary and those above, and so does this page.

use chrono::NaiveDate;
use leptos::prelude::*;
use zhibu_shared::api::Page;
use zhibu_shared::classes::{DifficultyKind, DifficultyRequest};
use zhibu_shared::org::MemberSummary;

use super::{act, error_line, member_options};
use crate::api;
use crate::components::{
    Button, ButtonVariant, Card, Chips, Field, Item, List, Loaded, Select, status_view,
};
use crate::i18n::{difficulty_kind_name, tr, use_i18n};

#[component]
pub fn Difficulty(org_id: i64, members: Loaded<Page<MemberSummary>>) -> impl IntoView {
    let i18n = use_i18n();
    let files = LocalResource::new(move || api::org_difficulty(org_id));
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let member = RwSignal::new(String::new());
    let kind = RwSignal::new(DifficultyKind::Illness.code().to_owned());
    let needs = RwSignal::new(String::new());
    let since = RwSignal::new(String::new());
    let items = move || {
        let t = i18n.t();
        files.with(|f| match f {
            Some(Ok(f)) => f
                .iter()
                .map(|file| {
                    let last = file
                        .last_visit
                        .map(|d| format!(" · {}{d}", t.cls_last_visit_is))
                        .unwrap_or_default();
                    Item {
                        key: file.member.id.to_string(),
                        title: file.member.name.clone(),
                        sub: format!(
                            "{} · {} · {}{} · {} {} {}{last}",
                            difficulty_kind_name(t, file.kind),
                            file.needs,
                            t.cls_since_is,
                            file.since,
                            t.cls_helped_this_quarter,
                            file.visits_this_quarter,
                            t.cls_times,
                        ),
                        action: true,
                        ..Item::default()
                    }
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    // Editing a file fills the form with it.
    let edit = Callback::new(move |key: String| {
        let file = files.with_untracked(|f| {
            f.as_ref()
                .and_then(|f| f.as_ref().ok())
                .and_then(|f| f.iter().find(|x| x.member.id.to_string() == key).cloned())
        });
        if let Some(file) = file {
            member.set(file.member.id.to_string());
            kind.set(file.kind.code().to_owned());
            needs.set(file.needs);
            since.set(file.since.to_string());
        }
    });
    let kinds = Signal::derive(move || {
        let t = i18n.t();
        DifficultyKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), difficulty_kind_name(t, *k).to_owned()))
            .collect::<Vec<_>>()
    });
    let people = Signal::derive(move || member_options(members, |_| true));
    let save = move |_| {
        let t = i18n.t_untracked();
        let Ok(member_id) = member.get_untracked().parse::<i64>() else {
            error.set(Some(t.cls_pick_member.to_owned()));
            return;
        };
        let Ok(since_day) = since.get_untracked().parse::<NaiveDate>() else {
            error.set(Some(t.cls_date_missing.to_owned()));
            return;
        };
        let Some(kind_value) = DifficultyKind::from_code(&kind.get_untracked()) else {
            error.set(Some(t.cls_kind_missing.to_owned()));
            return;
        };
        let request = DifficultyRequest {
            kind: kind_value,
            needs: needs.get_untracked().trim().to_owned(),
            since: since_day,
        };
        act(
            busy,
            error,
            |t| t.cls_file_saved,
            async move { api::put_difficulty(member_id, &request).await },
            move |_| {
                member.set(String::new());
                needs.set(String::new());
                files.refetch();
            },
        );
    };
    let close = move |_| {
        let Ok(member_id) = member.get_untracked().parse::<i64>() else {
            error.set(Some(i18n.t_untracked().cls_pick_member.to_owned()));
            return;
        };
        act(
            busy,
            error,
            |t| t.cls_file_closed,
            api::close_difficulty(member_id),
            move |_| {
                member.set(String::new());
                files.refetch();
            },
        );
    };
    view! {
        <p class="muted form-hint">{tr(|t| t.cls_difficulty_desc)}</p>
        {move || files.with(status_view)}
        <List items=items action=(|t| t.cls_edit, edit) empty=|t| t.cls_difficulty_none/>
        <Card title=tr(|t| t.cls_file_form)>
            <Select label=|t| t.cls_member name="difficulty-member" options=people value=member/>
            <Chips label=|t| t.cls_difficulty_kind options=kinds selected=kind/>
            <Field label=|t| t.cls_needs name="difficulty-needs" value=needs maxlength="500"/>
            <Field label=|t| t.cls_since name="difficulty-since" kind="date" value=since/>
            {error_line(error)}
            <div class="actions">
                <Button loading=busy on_click=save>{tr(|t| t.cls_save_file)}</Button>
                <Button variant=ButtonVariant::Danger loading=busy on_click=close>{tr(|t| t.cls_close_file)}</Button>
            </div>
        </Card>
    }
}
