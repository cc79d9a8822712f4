//! 我的出勤: one row per theme day of mine; on a closed day I missed, a
//! make-up (补学) request.

use chrono::NaiveDate;
use leptos::prelude::*;
use zhibu_shared::checkin::{MakeupRequest, MyAttendance, ReviewStatus, ThemeDayStatus};

use crate::api;
use crate::components::{
    BadgeTone, Button, ButtonVariant, Card, Field, Item, List, status_view, use_toast,
};
use crate::i18n::{review_status, theme_status, tr, use_i18n};
use crate::layout::set_page_title;
use crate::util;

/// My attendance from this month a year ago to this month.
async fn my_year() -> Result<Vec<MyAttendance>, api::ApiError> {
    let (from, to) = util::year_to(util::current_month());
    api::my_attendance(from, to).fetch().await
}

/// Whether a make-up can be asked for: the day is over, I was not there (or
/// my check-in was turned down) and I have not asked yet.
fn may_make_up(row: &MyAttendance) -> bool {
    row.theme_day.status == ThemeDayStatus::Closed
        && row
            .checkin
            .as_ref()
            .is_none_or(|c| c.status == ReviewStatus::Rejected)
        && row.makeup.is_none()
}

#[component]
pub fn AttendancePage() -> impl IntoView {
    set_page_title(|t| t.title_attendance);
    let i18n = use_i18n();
    let toaster = use_toast();
    let rows = LocalResource::new(my_year);
    let making_up = RwSignal::new(None::<i64>);
    let studied = RwSignal::new(String::new());
    let studied_on = RwSignal::new(util::today());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let items = move || {
        let t = i18n.t();
        rows.with(|state| match state {
            Some(Ok(rows)) => rows
                .iter()
                .rev()
                .map(|row| {
                    let day = &row.theme_day;
                    let badge = match (&row.checkin, &row.makeup) {
                        (_, Some(makeup)) => {
                            let (text, tone) = review_status(t, makeup.status);
                            (format!("{} {text}", t.makeup_word), tone)
                        }
                        (Some(checkin), None) => {
                            let (text, tone) = review_status(t, checkin.status);
                            (text.to_owned(), tone)
                        }
                        (None, None) if day.status == ThemeDayStatus::Closed => {
                            (t.absent.to_owned(), BadgeTone::Muted)
                        }
                        (None, None) => {
                            let (text, tone) = theme_status(t, day.status);
                            (text.to_owned(), tone)
                        }
                    };
                    let mut sub = day.org.name.clone();
                    if row.study_done {
                        sub = format!("{sub} · {}", t.study_done);
                    }
                    if let Some(dues) = &row.dues {
                        sub = format!(
                            "{sub} · {} ¥{}",
                            t.dues_paid,
                            zhibu_shared::theme_day::yuan(dues.amount_fen)
                        );
                    }
                    Item {
                        key: day.id.to_string(),
                        title: format!("{} {}", day.date, day.title),
                        sub,
                        badge: Some(badge),
                        action: may_make_up(row),
                        ..Item::default()
                    }
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    let start = Callback::new(move |key: String| {
        making_up.set(key.parse().ok());
        error.set(None);
    });
    let submit = move |_| {
        let t = i18n.t_untracked();
        let Some(day) = making_up.get_untracked() else {
            return;
        };
        let Ok(date) = studied_on.get_untracked().parse::<NaiveDate>() else {
            error.set(Some(t.makeup_date_invalid.to_owned()));
            return;
        };
        let request = MakeupRequest {
            studied: studied.get_untracked().trim().to_owned(),
            studied_on: date,
        };
        if request.studied.is_empty() {
            error.set(Some(t.makeup_missing.to_owned()));
            return;
        }
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::request_makeup(day, &request).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    toaster.show(t.makeup_sent);
                    making_up.set(None);
                    studied.set(String::new());
                    rows.refetch();
                }
                Err(e) => error.set(Some(e.message(t))),
            }
        });
    };
    // The form opens above the list: bring it into view, named for its day.
    let form = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if making_up.get().is_some() {
            request_animation_frame(move || {
                if let Some(form) = form.get_untracked() {
                    form.scroll_into_view();
                }
            });
        }
    });
    let form_title = move || {
        let t = i18n.t();
        let id = making_up.get();
        let day = rows.with(|state| {
            state
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|rows| rows.iter().find(|r| Some(r.theme_day.id) == id))
                .map(|r| super::day_label(&r.theme_day))
        });
        match day {
            Some(day) => format!("{} · {day}", t.makeup_title),
            None => t.makeup_title.to_owned(),
        }
    };
    view! {
        {move || making_up.get().map(|_| view! {
            <div node_ref=form>
            <Card title=form_title>
                <Field label=|t| t.makeup_studied name="studied" value=studied/>
                <Field label=|t| t.makeup_studied_on name="studied_on" kind="date" value=studied_on/>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <Button variant=ButtonVariant::Primary block=true loading=busy on_click=submit>
                    {tr(|t| t.submit)}
                </Button>
            </Card>
            </div>
        })}
        {move || rows.with(status_view)}
        <List items=items action=(|t| t.makeup_action, start) empty=|t| t.attendance_empty/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of my attendance on a day with this status, with my check-in
    /// and make-up when their statuses are given.
    fn row(day: &str, checkin: Option<&str>, makeup: Option<&str>) -> MyAttendance {
        let mut json = serde_json::json!({
            "theme_day": {
                "id": 7, "org": {"id": 2, "name": "第一支部"}, "date": "2026-12-03",
                "starts_at": "2026-12-03T09:00:00+08:00", "ends_at": "2026-12-03T11:00:00+08:00",
                "title": "主题党日", "study_item": "党章", "location": "活动室",
                "activities": [], "status": day,
            },
            "study_done": false,
        });
        if let Some(status) = checkin {
            json["checkin"] = serde_json::json!({
                "id": "a", "theme_day_id": 7, "member": {"id": 3, "name": "张三"},
                "method": "code", "status": status, "at": "2026-12-03T09:01:00+08:00",
            });
        }
        if let Some(status) = makeup {
            json["makeup"] = serde_json::json!({
                "id": 1, "theme_day_id": 7, "member": {"id": 3, "name": "张三"},
                "studied": "党章", "studied_on": "2026-12-05", "status": status,
            });
        }
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_make_up_is_offered_for_a_closed_day_i_missed() {
        assert!(may_make_up(&row("closed", None, None)));
    }

    #[test]
    fn a_turned_down_checkin_can_be_made_up() {
        assert!(may_make_up(&row("closed", Some("rejected"), None)));
    }

    #[test]
    fn no_make_up_while_the_day_is_not_over() {
        assert!(!may_make_up(&row("open", None, None)));
        assert!(!may_make_up(&row("upcoming", None, None)));
    }

    #[test]
    fn no_make_up_when_i_was_there_or_already_asked() {
        assert!(!may_make_up(&row("closed", Some("approved"), None)));
        assert!(!may_make_up(&row("closed", Some("pending"), None)));
        assert!(!may_make_up(&row("closed", None, Some("pending"))));
    }
}
