//! 党员分类管理: a branch's members by class — posts for members without
//! jobs, floating members and their contacts, files of members in
//! difficulty (only the secretary and those above see them) and 党员中心户
//! — and `mine`, what a member's own classes mean for them.

mod difficulty;
mod floating;
mod households;
pub mod mine;
mod posts;

use leptos::prelude::*;
use zhibu_shared::api::Page;
use zhibu_shared::org::{MemberCategory, MemberSummary};

use crate::api;
use crate::components::Loaded;
pub(crate) use crate::components::{act, error_line};
use crate::i18n::{Strings, tr, use_i18n};
use crate::layout::set_page_title;
use crate::pages::id_param;

/// The members a branch's pickers offer (a branch is far smaller).
const PICKER_SIZE: u32 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Posts,
    Floating,
    Difficulty,
    Households,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::Posts, Tab::Floating, Tab::Difficulty, Tab::Households];

    fn label(self, t: &Strings) -> &'static str {
        match self {
            Tab::Posts => t.cls_tab_posts,
            Tab::Floating => t.cls_tab_floating,
            Tab::Difficulty => t.cls_tab_difficulty,
            Tab::Households => t.cls_tab_households,
        }
    }
}

#[component]
pub fn ClassesPage() -> impl IntoView {
    set_page_title(|t| t.title_classes);
    let id = id_param("id");
    move || {
        let id = id.get();
        view! { <ClassesView id=id/> }
    }
}

#[component]
fn ClassesView(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let tab = RwSignal::new(Tab::Posts);
    let members: Loaded<Page<MemberSummary>> =
        LocalResource::new(move || api::org_members(id, PICKER_SIZE, None));
    let tabs = Tab::ALL
        .into_iter()
        .map(|option| {
            view! {
                <button
                    type="button"
                    role="tab"
                    class="segmented-option"
                    aria-selected=move || if tab.get() == option { "true" } else { "false" }
                    aria-pressed=move || if tab.get() == option { "true" } else { "false" }
                    on:click=move |_| tab.set(option)
                >
                    {move || option.label(i18n.t())}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="segmented segmented-wide" role="tablist" aria-label=tr(|t| t.title_classes)>{tabs}</div>
        {move || match tab.get() {
            Tab::Posts => view! { <posts::Posts org_id=id members=members/> }.into_any(),
            Tab::Floating => view! { <floating::Floating org_id=id members=members/> }.into_any(),
            Tab::Difficulty => view! { <difficulty::Difficulty org_id=id members=members/> }.into_any(),
            Tab::Households => view! { <households::Households org_id=id members=members/> }.into_any(),
        }}
    }
}

/// The branch's members as picker options, those `wanted` only.
fn member_options(
    members: Loaded<Page<MemberSummary>>,
    wanted: impl Fn(&MemberSummary) -> bool,
) -> Vec<(String, String)> {
    members.with(|m| match m {
        Some(Ok(page)) => page
            .items
            .iter()
            .filter(|m| wanted(m))
            .map(|m| (m.id.to_string(), m.name.clone()))
            .collect(),
        _ => Vec::new(),
    })
}

fn has(member: &MemberSummary, category: MemberCategory) -> bool {
    member.categories.contains(&category)
}
