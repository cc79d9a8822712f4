//! The service-hours dashboard of a unit: totals, participation, a bar
//! chart per child unit by name (never sorted by value: no rankings), per
//! month or per kind, and CSV/XLSX exports.

use leptos::prelude::*;
use zhibu_shared::volunteer::{ServiceKind, hours};

use crate::api::{self, HoursQuery};
use crate::components::{Button, Card, Chips, Field, status_view, use_toast};
use crate::i18n::{kind_name, tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;
use crate::util;

/// The chart's drawing width; it scales to the screen.
const WIDTH: f64 = 336.0;
const ROW: f64 = 44.0;

#[component]
pub fn HoursPage() -> impl IntoView {
    set_page_title(|t| t.title_hours);
    let id = id_param("id");
    move || {
        let id = id.get();
        view! { <Hours id=id/> }
    }
}

#[component]
fn Hours(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let from = RwSignal::new(util::january());
    let to = RwSignal::new(util::this_month());
    let by = RwSignal::new("child".to_owned());
    let query = move || HoursQuery {
        from: from.get(),
        to: to.get(),
        by: by.get(),
    };
    // Asks again whenever the range or the grouping changes.
    let report = LocalResource::new(move || api::org_hours(id, &query()));
    let groupings = Signal::derive(move || {
        let t = i18n.t();
        ["child", "month", "kind"]
            .into_iter()
            .zip(t.hours_by)
            .map(|(code, label)| (code.to_owned(), label.to_owned()))
            .collect()
    });
    let export = move |format: &'static str| {
        let t = i18n.t_untracked();
        let query = query();
        let name = format!(
            "hours-{id}-{}-{}.{format}",
            from.get_untracked(),
            to.get_untracked()
        );
        wasm_bindgen_futures::spawn_local(async move {
            match api::export_org_hours(id, &query, format).await {
                Ok(blob) => util::save_blob(&blob, &name),
                Err(e) => toaster.show(e.message(t)),
            }
        });
    };
    let body = move || {
        report.with(status_view).or_else(|| {
            let r = report.get()?.ok()?;
            let t = i18n.t();
            let max = r.rows.iter().map(|row| row.minutes).max().unwrap_or(0).max(1) as f64;
            let height = ROW * r.rows.len() as f64;
            let label = |key: &str, name: String| match ServiceKind::from_code(key) {
                Some(kind) if r.by == "kind" => kind_name(t, kind).to_owned(),
                _ => name,
            };
            // Rows come in the server's order: tree order for units,
            // calendar order for months.
            let bars = r
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let y = ROW * i as f64;
                    let width = (WIDTH - 64.0) * row.minutes as f64 / max;
                    let name = label(&row.key, row.name.clone());
                    view! {
                        <g class="bar">
                            <text x="0" y=y + 14.0 class="bar-name">{name}</text>
                            <rect x="0" y=y + 20.0 width=width.max(1.0) height="14" rx="2"></rect>
                            <text x=width + 6.0 y=y + 32.0 class="bar-value">{hours(row.minutes)}</text>
                        </g>
                    }
                })
                .collect_view();
            let participation = format!("{:.0}%", r.participation * 100.0);
            Some(
                view! {
                    <Card>
                        <dl class="stats">
                            <div><dt>{t.hours_total}</dt><dd>{hours(r.total_minutes)}</dd></div>
                            <div><dt>{t.hours_entries}</dt><dd>{r.total_entries}</dd></div>
                            <div><dt>{t.hours_members}</dt><dd>{r.members}</dd></div>
                            <div><dt>{t.hours_participation}</dt><dd>{participation}</dd></div>
                        </dl>
                    </Card>
                    <Card title=tr(|t| t.hours_chart)>
                        {if r.rows.is_empty() {
                            view! { <p class="muted list-empty">{t.hours_none}</p> }.into_any()
                        } else {
                            view! {
                                <svg class="chart" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=t.hours_chart>
                                    {bars}
                                </svg>
                            }.into_any()
                        }}
                    </Card>
                }
                .into_any(),
            )
        })
    };
    view! {
        <Card>
            <div class="month-range">
                <Field label=|t| t.month_from name="from" kind="month" value=from/>
                <Field label=|t| t.month_to name="to" kind="month" value=to/>
            </div>
            <Chips label=|t| t.hours_group options=groupings selected=by/>
            <div class="button-row">
                <Button on_click=move |_| export("csv")>{tr(|t| t.export_csv)}</Button>
                <Button on_click=move |_| export("xlsx")>{tr(|t| t.export_xlsx)}</Button>
            </div>
        </Card>
        {body}
    }
}
