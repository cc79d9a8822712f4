//! 主题党日出勤: a unit's theme-day attendance in a month, for the unit and
//! each child unit by name, beside the hours dashboard. Counts only, never
//! a ranking.

use leptos::prelude::*;
use zhibu_shared::checkin::AttendanceRow;

use crate::api;
use crate::components::{Card, Field, Item, List, status_view};
use crate::i18n::{Strings, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;
use crate::util;

#[component]
pub fn OrgAttendancePage() -> impl IntoView {
    set_page_title(|t| t.title_org_attendance);
    let id = id_param("id");
    move || {
        let id = id.get();
        view! { <OrgAttendance id=id/> }
    }
}

/// One unit's line: present of expected, and those waiting for review.
pub fn attendance_line(t: &Strings, row: &AttendanceRow) -> String {
    format!(
        "{} {} / {} · {} {} · {} {}",
        t.live_present,
        row.present,
        row.expected,
        t.status_pending,
        row.pending,
        t.att_theme_days,
        row.theme_days
    )
}

#[component]
fn OrgAttendance(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let month = RwSignal::new(util::this_month());
    let report = LocalResource::new(move || api::org_attendance(id, &month.get()));
    let total = move || {
        report.with(|r| match r {
            Some(Ok(r)) => Some(attendance_line(i18n.t(), &r.total)),
            _ => None,
        })
    };
    let items = move || {
        let t = i18n.t();
        report.with(|r| match r {
            Some(Ok(r)) => {
                let mut rows: Vec<&AttendanceRow> = r.rows.iter().collect();
                rows.sort_by(|a, b| a.org.name.cmp(&b.org.name));
                rows.into_iter()
                    .map(|row| Item {
                        key: row.org.id.to_string(),
                        title: row.org.name.clone(),
                        sub: attendance_line(t, row),
                        href: Some(format!("/orgs/{}/attendance", row.org.id)),
                        ..Item::default()
                    })
                    .collect()
            }
            _ => Vec::new(),
        })
    };
    view! {
        <Card>
            <Field label=|t| t.month name="month" kind="month" value=month/>
            {move || report.with(status_view)}
            {move || total().map(|line| view! { <p class="att-total">{line}</p> })}
        </Card>
        <List items=items empty=|t| t.org_no_children/>
    }
}

#[cfg(test)]
mod tests {
    use zhibu_shared::auth::IdName;

    use super::*;
    use crate::i18n::ZH;

    #[test]
    fn a_unit_line_says_present_of_expected_and_pending() {
        let row = AttendanceRow {
            org: IdName {
                id: 1,
                name: "东关社区党支部".to_owned(),
            },
            theme_days: 1,
            expected: 30,
            present: 24,
            pending: 2,
        };
        let line = attendance_line(&ZH, &row);
        assert!(line.contains("24 / 30"), "{line}");
        assert!(line.contains(&format!("{} 2", ZH.status_pending)), "{line}");
    }
}
