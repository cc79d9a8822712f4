//! 社区报到与服务: a unit's in-office members, where each reports
//! (报到社区) and the community service approved for them, so an employer
//! unit sees its members' community service. By name, never ranked.

use leptos::prelude::*;
use zhibu_shared::volunteer::{CommunityServiceRow, LogStatus, hours};

use crate::api;
use crate::components::{BadgeTone, Item, List, status_view};
use crate::i18n::{Strings, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;

#[component]
pub fn CommunityServicePage() -> impl IntoView {
    set_page_title(|t| t.title_community_service);
    let id = id_param("id");
    move || {
        let id = id.get();
        view! { <CommunityService id=id/> }
    }
}

/// A member's row: their community (or that they have not reported), and
/// the hours served there.
pub fn service_item(t: &Strings, row: &CommunityServiceRow) -> Item {
    let (place, badge) = match (&row.community, row.report_status) {
        (Some(c), Some(LogStatus::Pending)) => (
            c.name.clone(),
            Some((t.status_pending.to_owned(), BadgeTone::Warning)),
        ),
        (Some(c), _) => (c.name.clone(), None),
        (None, _) => (
            t.cs_not_reported.to_owned(),
            Some((t.cs_not_reported.to_owned(), BadgeTone::Muted)),
        ),
    };
    Item {
        key: row.member.id.to_string(),
        title: row.member.name.clone(),
        sub: format!(
            "{place} · {} {}",
            hours(row.community_minutes),
            t.hours_unit
        ),
        badge,
        ..Item::default()
    }
}

#[component]
fn CommunityService(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let rows = LocalResource::new(move || api::org_community_service(id));
    let items = move || {
        let t = i18n.t();
        rows.with(|r| match r {
            Some(Ok(r)) => {
                let mut r: Vec<&CommunityServiceRow> = r.iter().collect();
                r.sort_by(|a, b| a.member.name.cmp(&b.member.name));
                r.into_iter().map(|row| service_item(t, row)).collect()
            }
            _ => Vec::new(),
        })
    };
    view! {
        {move || rows.with(status_view)}
        <List items=items empty=|t| t.cs_empty/>
    }
}

#[cfg(test)]
mod tests {
    use zhibu_shared::auth::IdName;

    use super::*;
    use crate::i18n::ZH;

    #[test]
    fn a_member_row_names_the_community_and_the_hours_served_there() {
        let row = CommunityServiceRow {
            member: IdName {
                id: 1,
                name: "李强".to_owned(),
            },
            community: Some(IdName {
                id: 2,
                name: "东关社区".to_owned(),
            }),
            report_status: Some(LogStatus::Approved),
            community_minutes: 90,
        };
        let item = service_item(&ZH, &row);
        assert_eq!(item.sub, format!("东关社区 · 1.5 {}", ZH.hours_unit));
        assert!(item.badge.is_none());
        let none = CommunityServiceRow {
            community: None,
            report_status: None,
            ..row
        };
        assert!(service_item(&ZH, &none).sub.starts_with(ZH.cs_not_reported));
    }
}
