//! 审核: everything the caller may decide, in four sections (check-ins,
//! service logs, community reports, sector joins), each with select-all,
//! 通过 and 驳回 (with a reason). The live screen decides a theme day's
//! make-ups with the same `Section`.

use leptos::prelude::*;
use zhibu_shared::checkin::{Decision, ReviewRequest, ReviewResult};
use zhibu_shared::volunteer::{PendingInbox, hours};

use crate::api::{self, ApiError};
use crate::components::{
    Button, ButtonVariant, Card, Empty, Field, Item, List, status_view, use_toast,
};
use crate::i18n::{kind_name, tr, use_i18n};
use crate::layout::{TitleFn, set_page_title};
use crate::util;

/// The kinds of rows a section decides on: the inbox's four, and the
/// make-ups of a theme day (on its live screen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Checkins,
    ServiceLogs,
    CommunityReports,
    SectorJoins,
    Makeups,
}

impl Queue {
    /// Sends one decision on the selected rows and answers how many were
    /// updated and how many skipped. Check-ins and logs have UUID keys;
    /// reports and joins integer ids.
    async fn decide(
        self,
        keys: Vec<String>,
        decision: Decision,
        reason: Option<String>,
    ) -> Result<(u64, usize), ApiError> {
        let numbers = || keys.iter().filter_map(|k| k.parse().ok()).collect();
        match self {
            Queue::CommunityReports => {
                let request = ReviewRequest {
                    ids: numbers(),
                    decision,
                    reason,
                };
                api::review_community_reports(&request).await.map(counts)
            }
            Queue::SectorJoins => {
                let request = ReviewRequest {
                    ids: numbers(),
                    decision,
                    reason,
                };
                api::review_sector_memberships(&request).await.map(counts)
            }
            Queue::Makeups => {
                let request = ReviewRequest {
                    ids: numbers(),
                    decision,
                    reason,
                };
                api::review_makeups(&request).await.map(counts)
            }
            Queue::Checkins => {
                let request = ReviewRequest {
                    ids: keys,
                    decision,
                    reason,
                };
                api::review_checkins(&request).await.map(counts)
            }
            Queue::ServiceLogs => {
                let request = ReviewRequest {
                    ids: keys,
                    decision,
                    reason,
                };
                api::review_service_logs(&request).await.map(counts)
            }
        }
    }
}

/// What a decision came to: rows updated, rows skipped.
fn counts<Id>(result: ReviewResult<Id>) -> (u64, usize) {
    (result.updated, result.skipped.len())
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    set_page_title(|t| t.title_review);
    let i18n = use_i18n();
    let inbox = LocalResource::new(api::pending_reviews);
    let done = Callback::new(move |()| inbox.refetch());
    let section = move |pick: fn(&crate::i18n::Strings, &PendingInbox) -> Vec<Item>| {
        move || {
            let t = i18n.t();
            inbox.with(|i| match i {
                Some(Ok(inbox)) => pick(t, inbox),
                _ => Vec::new(),
            })
        }
    };
    let nothing = move || {
        inbox.with(|i| match i {
            Some(Ok(i)) => {
                i.checkins.is_empty()
                    && i.service_logs.is_empty()
                    && i.community_reports.is_empty()
                    && i.sector_memberships.is_empty()
            }
            _ => false,
        })
    };
    view! {
        {move || inbox.with(status_view)}
        {move || nothing().then(|| view! {
            <Empty title=tr(|t| t.review_empty_title) description=tr(|t| t.review_empty_desc)/>
        })}
        // A page of each kind is shown; deciding it brings the next.
        {move || inbox.with(|i| matches!(i, Some(Ok(i)) if i.has_more())).then(|| view! {
            <p class="muted page-hint">{tr(|t| t.review_more)}</p>
        })}
        <Section
            title=|t| t.review_checkins
            queue=Queue::Checkins
            items=Signal::derive(section(|t, i| i.checkins.iter().map(|c| Item {
                key: c.id.clone(),
                title: c.member.name.clone(),
                // Which theme day, then for a late or offline check-in when
                // the phone says it scanned beside when it arrived.
                sub: {
                    let day = c.theme_day.as_ref().map(|d| format!("{} {} · {} · ", d.date, d.title, d.org.name)).unwrap_or_default();
                    let when = match &c.claimed_at {
                        Some(claimed) => format!(
                            "{} {} → {} {}",
                            t.review_claimed,
                            util::ymd_hhmm(claimed),
                            t.review_arrived,
                            util::ymd_hhmm(&c.at),
                        ),
                        None => util::ymd_hhmm(&c.at),
                    };
                    let reason = c.reason.as_ref().map(|r| format!(" · {r}")).unwrap_or_default();
                    format!("{day}{when}{reason}")
                },
                ..Item::default()
            }).collect::<Vec<_>>()))
            done=done
        />
        <Section
            title=|t| t.review_logs
            queue=Queue::ServiceLogs
            items=Signal::derive(section(|t, i| i.service_logs.iter().map(|l| Item {
                key: l.id.clone(),
                title: format!("{} · {} {}", l.member.name, hours(i64::from(l.minutes)), t.hours_unit),
                sub: format!(
                    "{} · {}{}{}",
                    l.date,
                    kind_name(t, l.kind),
                    l.community.as_ref().or(l.org.as_ref()).map(|p| format!(" · {}", p.name)).unwrap_or_default(),
                    if l.corrects_id.is_some() { format!(" · {}", t.correction) } else { String::new() },
                ) + &l.note.as_ref().map(|n| format!(" · {n}")).unwrap_or_default(),
                ..Item::default()
            }).collect::<Vec<_>>()))
            done=done
        />
        <Section
            title=|t| t.review_reports
            queue=Queue::CommunityReports
            items=Signal::derive(section(|_, i| i.community_reports.iter().map(|r| Item {
                key: r.id.to_string(),
                title: r.member.name.clone(),
                sub: r.community.name.clone(),
                ..Item::default()
            }).collect::<Vec<_>>()))
            done=done
        />
        <Section
            title=|t| t.review_joins
            queue=Queue::SectorJoins
            items=Signal::derive(section(|_, i| i.sector_memberships.iter().map(|m| Item {
                key: m.id.to_string(),
                title: m.member.name.clone(),
                sub: format!("{} · {}{}", m.committee.name, m.platform, m.note.as_ref().map(|n| format!(" · {n}")).unwrap_or_default()),
                ..Item::default()
            }).collect::<Vec<_>>()))
            done=done
        />
    }
}

/// One kind of request to decide: select-all, 通过 and 驳回 with a reason.
#[component]
pub fn Section(
    title: TitleFn,
    queue: Queue,
    items: Signal<Vec<Item>>,
    done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let selected = RwSignal::new(Vec::<String>::new());
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let all = move || {
        let keys = items.with(|i| i.iter().map(|i| i.key.clone()).collect::<Vec<_>>());
        !keys.is_empty() && selected.with(|s| keys.iter().all(|k| s.contains(k)))
    };
    let decide = move |decision: Decision| {
        let t = i18n.t_untracked();
        let ids = selected.get_untracked();
        if ids.is_empty() {
            error.set(Some(t.select_some.to_owned()));
            return;
        }
        let reason = reason.get_untracked().trim().to_owned();
        if decision == Decision::Reject && reason.is_empty() {
            error.set(Some(t.reject_reason_missing.to_owned()));
            return;
        }
        let reason = (!reason.is_empty()).then_some(reason);
        error.set(None);
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = queue.decide(ids, decision, reason).await;
            busy.set(false);
            match answer {
                Ok((updated, 0)) => {
                    toaster.show(format!("{} {updated}", t.review_done));
                    selected.set(Vec::new());
                    done.run(());
                }
                Ok((updated, skipped)) => {
                    toaster.show(format!(
                        "{} {updated} · {} {skipped}",
                        t.review_done, t.review_skipped
                    ));
                    selected.set(Vec::new());
                    done.run(());
                }
                Err(e) => error.set(Some(e.message(t))),
            }
        });
    };
    move || {
        (!items.with(Vec::is_empty)).then(|| {
            view! {
                <Card title=move || title(i18n.t())>
                    <label class="select-all">
                        <input
                            type="checkbox"
                            prop:checked=all
                            on:change=move |event| {
                                let on = event_target_checked(&event);
                                selected.set(if on {
                                    items.with(|i| i.iter().map(|i| i.key.clone()).collect())
                                } else {
                                    Vec::new()
                                });
                            }
                        />
                        <span>{tr(|t| t.select_all)}</span>
                    </label>
                    <List items=items selected=selected/>
                    <Field label=|t| t.reject_reason name="reason" value=reason/>
                    {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    <div class="button-row">
                        <Button variant=ButtonVariant::Primary loading=busy on_click=move |_| decide(Decision::Approve)>
                            {tr(|t| t.approve)}
                        </Button>
                        <Button variant=ButtonVariant::Danger loading=busy on_click=move |_| decide(Decision::Reject)>
                            {tr(|t| t.reject)}
                        </Button>
                    </div>
                </Card>
            }
        })
    }
}
