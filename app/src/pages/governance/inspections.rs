//! The inspection workbench (抽查调阅): draw a reproducible sample of a
//! scope's records for a month, then open each record drawn, grade it and
//! raise problems with deadlines.

use leptos::prelude::*;
use zhibu_shared::governance::{
    FindingRequest, Grade, InspectionItem, InspectionRequest, NewProblem, RecordKind,
};
use zhibu_shared::org::Role;
use zhibu_shared::theme_day::Month;

use crate::api;
use crate::components::{
    Badge, BadgeTone, Button, ButtonVariant, Card, Chips, Field, Item, List, Loaded, Select, act,
    error_line, status_view,
};
use crate::i18n::{grade_name, meeting_kind_name, record_kind_name, tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;
use crate::session::use_session;
use crate::util;

#[component]
pub fn InspectionsPage() -> impl IntoView {
    set_page_title(|t| t.title_inspections);
    let i18n = use_i18n();
    let session = use_session();
    let navigate = leptos_router::hooks::use_navigate();
    let list = LocalResource::new(api::inspections);
    let scope = RwSignal::new(String::new());
    let month = RwSignal::new(util::current_month().previous().to_string());
    let size = RwSignal::new("5".to_owned());
    let kind = RwSignal::new(RecordKind::Meetings.code().to_owned());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let scopes = Signal::derive(move || {
        let mut units: Vec<(String, String)> = Vec::new();
        for grant in session.member().map(|m| m.roles).unwrap_or_default() {
            if matches!(grant.role, Role::Admin | Role::Secretary)
                && !units.iter().any(|(id, _)| *id == grant.org_id.to_string())
            {
                units.push((grant.org_id.to_string(), grant.org_name));
            }
        }
        units
    });
    let kinds = Signal::derive(move || {
        let t = i18n.t();
        RecordKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), record_kind_name(t, *k).to_owned()))
            .collect::<Vec<_>>()
    });
    let items = move || {
        let t = i18n.t();
        list.with(|l| match l {
            Some(Ok(l)) => l
                .iter()
                .map(|i| Item {
                    key: i.id.to_string(),
                    title: format!("{} {}", i.month, i.scope.name),
                    sub: format!(
                        "{} · {} {}/{} · {}{}",
                        i.inspector.name, t.gov_graded, i.graded, i.items, t.gov_seed_is, i.seed
                    ),
                    href: Some(format!("/inspections/{}", i.id)),
                    ..Item::default()
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    let draw = move |_| {
        let t = i18n.t_untracked();
        let Ok(scope_org_id) = scope.get_untracked().parse::<i64>() else {
            error.set(Some(t.gov_scope_missing.to_owned()));
            return;
        };
        let Some(month_value) = Month::parse(&month.get_untracked()) else {
            error.set(Some(t.gov_month_missing.to_owned()));
            return;
        };
        let Ok(sample_size) = size.get_untracked().trim().parse::<u32>() else {
            error.set(Some(t.gov_size_missing.to_owned()));
            return;
        };
        let request = InspectionRequest {
            scope_org_id,
            month: month_value,
            sample_size,
            record_kinds: RecordKind::from_code(&kind.get_untracked())
                .into_iter()
                .collect(),
            seed: None,
        };
        let navigate = navigate.clone();
        act(
            busy,
            error,
            |t| t.gov_drawn,
            async move { api::draw_inspection(&request).await },
            move |inspection| {
                navigate(
                    &format!("/inspections/{}", inspection.id),
                    Default::default(),
                )
            },
        );
    };
    view! {
        <Card title=tr(|t| t.gov_draw_title)>
            <p class="muted form-hint">{tr(|t| t.gov_draw_desc)}</p>
            <Select label=|t| t.gov_scope name="scope" options=scopes value=scope/>
            <Field label=|t| t.month name="inspect-month" kind="month" value=month/>
            <Field label=|t| t.gov_sample_size name="sample-size" inputmode="numeric" value=size/>
            <Chips label=|t| t.gov_record_kind options=kinds selected=kind/>
            {error_line(error)}
            <div class="actions">
                <Button variant=ButtonVariant::Primary loading=busy on_click=draw>{tr(|t| t.gov_draw)}</Button>
            </div>
        </Card>
        <h2 class="section-title">{tr(|t| t.gov_inspections)}</h2>
        {move || list.with(status_view)}
        <List items=items empty=|t| t.gov_no_inspections/>
    }
}

#[component]
pub fn InspectionPage() -> impl IntoView {
    set_page_title(|t| t.title_inspection);
    let id = id_param("id");
    move || {
        let id = id.get();
        view! { <InspectionView id=id/> }
    }
}

#[component]
fn InspectionView(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let inspection = LocalResource::new(move || api::inspection(id));
    let open = RwSignal::new(None::<i64>);
    let head = move || {
        let i = inspection.get()?.ok()?;
        let t = i18n.t();
        Some(view! {
            <Card title=format!("{} {}", i.month, i.scope.name)>
                <p class="muted">{format!("{}{} · {}{}", t.gov_inspector_is, i.inspector.name, t.gov_seed_is, i.seed)}</p>
                <p class="muted form-hint">{t.gov_seed_desc}</p>
            </Card>
        })
    };
    let items = move || {
        let t = i18n.t();
        inspection.with(|i| match i {
            Some(Ok(i)) => i
                .items
                .iter()
                .map(|item| Item {
                    key: item.id.to_string(),
                    title: format!(
                        "{} · {}",
                        item.org.name,
                        record_kind_name(t, item.record_kind)
                    ),
                    sub: item
                        .record_title
                        .clone()
                        .unwrap_or_else(|| t.gov_no_record.to_owned()),
                    badge: Some(match item.grade {
                        Some(g) => (grade_name(t, g).to_owned(), BadgeTone::Success),
                        None => (t.gov_ungraded.to_owned(), BadgeTone::Warning),
                    }),
                    action: item.grade.is_none(),
                    ..Item::default()
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    let pick = Callback::new(move |key: String| open.set(key.parse().ok()));
    let panel = move || {
        let item_id = open.get()?;
        let item = inspection.with(|i| {
            i.as_ref()
                .and_then(|i| i.as_ref().ok())
                .and_then(|i| i.items.iter().find(|x| x.id == item_id).cloned())
        })?;
        Some(view! { <Grading inspection_id=id item=item inspection=inspection open=open/> })
    };
    view! {
        {move || inspection.with(status_view)}
        {head}
        <List items=items action=(|t| t.gov_grade, pick) empty=|t| t.gov_empty_sample/>
        {panel}
    }
}

#[component]
fn Grading(
    inspection_id: i64,
    item: InspectionItem,
    inspection: Loaded<zhibu_shared::governance::Inspection>,
    open: RwSignal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let item_id = item.id;
    let detail = LocalResource::new(move || api::inspection_item(inspection_id, item_id));
    let grade = RwSignal::new(Grade::Good.code().to_owned());
    let note = RwSignal::new(String::new());
    let problem = RwSignal::new(String::new());
    let deadline =
        RwSignal::new((util::now().date_naive() + chrono::Duration::days(30)).to_string());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let grades = Signal::derive(move || {
        let t = i18n.t();
        Grade::ALL
            .iter()
            .map(|g| (g.code().to_owned(), grade_name(t, *g).to_owned()))
            .collect::<Vec<_>>()
    });
    let record = move || {
        let d = detail.get()?.ok()?;
        let t = i18n.t();
        let meeting = d.meeting.map(|m| {
            view! {
                <p>{format!("{} {} · {}", m.held_on, meeting_kind_name(t, m.kind), m.topic)}</p>
                <p class="muted">{format!("{} {} · {}", m.attendees.len(), t.people, m.minutes.unwrap_or_default())}</p>
            }
        });
        let decision = d.decision.map(|v| view! { <p>{v.subject}</p> });
        let dues = d.dues.map(
            |p| view! { <p class="muted">{format!("{} {}", p.len(), t.gov_dues_records)}</p> },
        );
        Some(view! { {meeting}{decision}{dues} })
    };
    let submit = move |_| {
        let t = i18n.t_untracked();
        let Some(grade_value) = Grade::from_code(&grade.get_untracked()) else {
            error.set(Some(t.gov_grade_missing.to_owned()));
            return;
        };
        let description = problem.get_untracked().trim().to_owned();
        let mut problems = Vec::new();
        if !description.is_empty() {
            let Ok(day) = deadline.get_untracked().parse() else {
                error.set(Some(t.cls_date_missing.to_owned()));
                return;
            };
            problems.push(NewProblem {
                description,
                deadline: day,
            });
        }
        let text = note.get_untracked().trim().to_owned();
        let request = FindingRequest {
            grade: grade_value,
            note: (!text.is_empty()).then_some(text),
            problems,
        };
        act(
            busy,
            error,
            |t| t.gov_graded_saved,
            async move { api::record_finding(inspection_id, item_id, &request).await },
            move |_| {
                open.set(None);
                inspection.refetch();
            },
        );
    };
    view! {
        <Card title=item.org.name.clone()>
            {move || detail.with(status_view)}
            {record}
            <Chips label=|t| t.gov_grade options=grades selected=grade/>
            <Field label=|t| t.gov_finding_note name="finding-note" value=note maxlength="500"/>
            <Field label=|t| t.gov_problem name="problem" value=problem maxlength="500"/>
            <Field label=|t| t.gov_deadline name="problem-deadline" kind="date" value=deadline/>
            {error_line(error)}
            <div class="actions">
                <Button variant=ButtonVariant::Primary loading=busy on_click=submit>{tr(|t| t.gov_save_finding)}</Button>
            </div>
            <Badge tone=BadgeTone::Muted>{tr(|t| t.gov_finding_once)}</Badge>
        </Card>
    }
}
