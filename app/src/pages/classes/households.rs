//! 党员中心户: members who each serve a list of households in the branch
//! or one of its grids.

use leptos::prelude::*;
use zhibu_shared::api::Page;
use zhibu_shared::classes::{CenterHouseholdRequest, MAX_HOUSEHOLDS};
use zhibu_shared::org::MemberSummary;

use super::{act, error_line, member_options};
use crate::api;
use crate::components::{Button, Card, Field, Item, List, Loaded, Select, status_view};
use crate::i18n::{tr, use_i18n};

/// Households typed in one line, split at any of the usual separators.
fn households(text: &str) -> Vec<String> {
    text.split(['、', '，', ',', ';', '；', '\n'])
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

#[component]
pub fn Households(org_id: i64, members: Loaded<Page<MemberSummary>>) -> impl IntoView {
    let i18n = use_i18n();
    let list = LocalResource::new(move || api::org_center_households(org_id));
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let member = RwSignal::new(String::new());
    let served = RwSignal::new(String::new());
    let items = move || {
        list.with(|l| match l {
            Some(Ok(l)) => l
                .iter()
                .map(|h| Item {
                    key: h.member.id.to_string(),
                    title: h.member.name.clone(),
                    sub: format!("{} · {}", h.org.name, h.households.join("、")),
                    action: true,
                    ..Item::default()
                })
                .collect(),
            _ => Vec::new(),
        })
    };
    let edit = Callback::new(move |key: String| {
        let found = list.with_untracked(|l| {
            l.as_ref()
                .and_then(|l| l.as_ref().ok())
                .and_then(|l| l.iter().find(|h| h.member.id.to_string() == key).cloned())
        });
        if let Some(h) = found {
            member.set(h.member.id.to_string());
            served.set(h.households.join("、"));
        }
    });
    let people = Signal::derive(move || member_options(members, |_| true));
    let save = move |_| {
        let t = i18n.t_untracked();
        let Ok(member_id) = member.get_untracked().parse::<i64>() else {
            error.set(Some(t.cls_pick_member.to_owned()));
            return;
        };
        let households = households(&served.get_untracked());
        if households.is_empty() || households.len() > MAX_HOUSEHOLDS {
            error.set(Some(t.cls_households_missing.to_owned()));
            return;
        }
        let request = CenterHouseholdRequest { org_id, households };
        act(
            busy,
            error,
            |t| t.cls_households_saved,
            async move { api::put_center_household(member_id, &request).await },
            move |_| {
                member.set(String::new());
                served.set(String::new());
                list.refetch();
            },
        );
    };
    view! {
        <p class="muted form-hint">{tr(|t| t.cls_households_desc)}</p>
        {move || list.with(status_view)}
        <List items=items action=(|t| t.cls_edit, edit) empty=|t| t.cls_households_none/>
        <Card title=tr(|t| t.cls_households_form)>
            <Select label=|t| t.cls_member name="household-member" options=people value=member/>
            <Field label=|t| t.cls_households name="households" value=served placeholder=|t| t.cls_households_hint/>
            {error_line(error)}
            <div class="actions">
                <Button loading=busy on_click=save>{tr(|t| t.cls_save_households)}</Button>
            </div>
        </Card>
    }
}

#[cfg(test)]
mod tests {
    use super::households;

    #[test]
    fn households_are_split_at_any_usual_separator() {
        assert_eq!(
            households("张大爷家、李奶奶家， 王家,\n赵家；"),
            vec!["张大爷家", "李奶奶家", "王家", "赵家"]
        );
        assert!(households(" 、 ").is_empty());
    }
}
