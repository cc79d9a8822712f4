//! 整改清单: a unit's problems with their deadlines (overdue ones marked),
//! the unit's rectification, and for the raiser the ones waiting to be
//! accepted or reopened.

use leptos::prelude::*;
use zhibu_shared::governance::{
    Problem, ProblemDecision, ProblemReviewRequest, ProblemStatus, RectificationRequest,
};

use crate::api;
use crate::components::{
    Badge, BadgeTone, Button, ButtonVariant, Card, Field, Loaded, act, error_line, status_view,
};
use crate::i18n::{problem_source_name, problem_status, tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;

#[component]
pub fn ProblemsPage() -> impl IntoView {
    set_page_title(|t| t.title_problems);
    let id = id_param("id");
    move || {
        let id = id.get();
        view! { <Problems org_id=id/> }
    }
}

#[component]
fn Problems(org_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let to_review = RwSignal::new(false);
    let problems = LocalResource::new(move || api::problems(org_id, to_review.get()));
    let tab = move |review: bool, label: fn(&crate::i18n::Strings) -> &'static str| {
        view! {
            <button
                type="button"
                class="segmented-option"
                aria-pressed=move || if to_review.get() == review { "true" } else { "false" }
                on:click=move |_| to_review.set(review)
            >
                {move || label(i18n.t())}
            </button>
        }
    };
    let cards = move || {
        problems.with(|p| match p {
            Some(Ok(page)) if page.items.is_empty() => {
                view! { <p class="muted list-empty">{tr(|t| t.gov_no_problems)}</p> }.into_any()
            }
            Some(Ok(page)) => page
                .items
                .iter()
                .cloned()
                .map(|problem| view! { <ProblemCard problem=problem problems=problems/> })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        })
    };
    view! {
        <div class="segmented segmented-wide">
            {tab(false, |t| t.gov_problems_of_unit)}
            {tab(true, |t| t.gov_problems_to_review)}
        </div>
        {move || problems.with(status_view)}
        {cards}
    }
}

#[component]
fn ProblemCard(
    problem: Problem,
    problems: Loaded<zhibu_shared::api::Page<Problem>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let note = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let id = problem.id;
    let status = problem.status;
    let open = matches!(status, ProblemStatus::Open | ProblemStatus::Reopened);
    let rectify = move |_| {
        let text = note.get_untracked().trim().to_owned();
        if text.is_empty() {
            error.set(Some(i18n.t_untracked().gov_note_missing.to_owned()));
            return;
        }
        let request = RectificationRequest {
            note: text,
            attachment_ids: Vec::new(),
        };
        act(
            busy,
            error,
            |t| t.gov_rectified,
            async move { api::rectify(id, &request).await },
            move |_| problems.refetch(),
        );
    };
    let review = move |decision: ProblemDecision| {
        let text = reason.get_untracked().trim().to_owned();
        if decision == ProblemDecision::Reopen && text.is_empty() {
            error.set(Some(i18n.t_untracked().gov_reason_missing.to_owned()));
            return;
        }
        let request = ProblemReviewRequest {
            decision,
            reason: (!text.is_empty()).then_some(text),
        };
        act(
            busy,
            error,
            |t| t.gov_reviewed,
            async move { api::review_problem(id, &request).await },
            move |_| problems.refetch(),
        );
    };
    let badge = move || {
        let (text, tone) = problem_status(i18n.t(), status);
        view! { <Badge tone=tone>{text}</Badge> }
    };
    let overdue = problem.overdue;
    let source = problem.source;
    let deadline = problem.deadline;
    let line = move || {
        let t = i18n.t();
        format!(
            "{} · {} · {}{deadline}",
            problem.org.name,
            problem_source_name(t, source),
            t.gov_deadline_is
        )
    };
    let rectification = problem.rectification.clone().map(|r| {
        view! { <p>{tr(|t| t.gov_rectification_is)}{r.note}" — "{r.by.name}</p> }
    });
    let reopened = problem
        .reopen_reason
        .clone()
        .map(|r| view! { <p class="form-error">{tr(|t| t.gov_reopened_because)}{r}</p> });
    view! {
        <Card title=problem.description.clone()>
            <p class="muted">{line}</p>
            <p>
                {badge}
                {overdue.then(|| view! { " "<Badge tone=BadgeTone::Warning>{tr(|t| t.gov_overdue)}</Badge> })}
            </p>
            {rectification}
            {reopened}
            {(problem.may_rectify && open).then(|| view! {
                <Field label=|t| t.gov_rectify_note name="rectify-note" value=note maxlength="1000"/>
                <div class="actions">
                    <Button variant=ButtonVariant::Primary loading=busy on_click=rectify>{tr(|t| t.gov_submit_rectification)}</Button>
                </div>
            })}
            {(problem.may_review && status == ProblemStatus::Submitted).then(|| view! {
                <Field label=|t| t.gov_reopen_reason name="reopen-reason" value=reason maxlength="500"/>
                <div class="actions">
                    <Button variant=ButtonVariant::Primary loading=busy on_click=move |_| review(ProblemDecision::Accept)>{tr(|t| t.gov_accept)}</Button>
                    <Button loading=busy on_click=move |_| review(ProblemDecision::Reopen)>{tr(|t| t.gov_reopen)}</Button>
                </div>
            })}
            {error_line(error)}
        </Card>
    }
}
