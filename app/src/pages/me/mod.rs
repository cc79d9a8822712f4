//! 我的: the member's profile, the ways to 报到, 加入行业党委, 服务证明 and,
//! for role holders, the org browser and the review inbox (with how many
//! requests wait); the language switch and signing out.

pub mod certificate;
pub mod community;
pub mod password;
pub mod sectors;

use leptos::prelude::*;
use zhibu_shared::auth::Me;
use zhibu_shared::org::{MemberCategory, Role};
use zhibu_shared::volunteer::PendingInbox;

use crate::api;
use crate::components::{
    Badge, BadgeTone, Button, ButtonVariant, Card, Cell, CellGroup, use_toast,
};
use crate::i18n::{Locale, category_name, role_name, tr, use_i18n};
use crate::layout::set_page_title;
use crate::session::use_session;

#[component]
pub fn MePage() -> impl IntoView {
    set_page_title(|t| t.title_me);
    let session = use_session();
    session.reload();
    view! {
        {move || match session.member() {
            Some(member) => view! { <Profile member=member/> }.into_any(),
            None => view! { <Guest/> }.into_any(),
        }}
        <CellGroup title=tr(|t| t.me_settings)>
            {move || session.is_signed_in().then(|| view! {
                <Cell title=tr(|t| t.title_notification_settings) href="/me/notifications"/>
            })}
            <Cell title=tr(|t| t.me_language)>
                <LanguageSwitch/>
            </Cell>
            <Cell title=tr(|t| t.me_version) value=env!("CARGO_PKG_VERSION")/>
        </CellGroup>
    }
}

#[component]
fn Guest() -> impl IntoView {
    view! {
        <Card>
            <div class="profile">
                <div class="avatar avatar-guest" aria-hidden="true"></div>
                <div>
                    <p class="profile-name">{tr(|t| t.me_guest_title)}</p>
                    <p class="muted">{tr(|t| t.me_guest_desc)}</p>
                </div>
            </div>
            <a href="/login" class="btn btn-primary btn-block">{tr(|t| t.me_login)}</a>
        </Card>
    }
}

#[component]
fn Profile(member: Me) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let signing_out = RwSignal::new(false);
    let initial = member
        .name
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default();
    let Me {
        name,
        phone_masked,
        categories,
        branch,
        community,
        sectors,
        roles,
        ..
    } = member;
    let branch_heading = branch.name.clone();
    let community = community.map(|c| c.name);
    let sectors = sectors
        .into_iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join("、");
    // Members without jobs hold posts; floating members keep their whereabouts.
    let classed = categories.iter().any(|c| {
        matches!(
            c,
            MemberCategory::JoblessWithPost | MemberCategory::Floating
        )
    });
    let categories = move || {
        let t = i18n.t();
        categories
            .iter()
            .map(|c| category_name(t, *c))
            .collect::<Vec<_>>()
            .join("、")
    };
    // Units a role lets me browse, once each.
    let mut units: Vec<(i64, String)> = Vec::new();
    for grant in roles.iter().filter(|r| r.role != Role::CommunityAdmin) {
        if !units.iter().any(|(id, _)| *id == grant.org_id) {
            units.push((grant.org_id, grant.org_name.clone()));
        }
    }
    let has_roles = !roles.is_empty();
    let is_admin = roles.iter().any(|r| r.role == Role::Admin);
    let role_cells = roles
        .into_iter()
        .map(|grant| {
            view! {
                <Cell title=move || role_name(i18n.t(), grant.role) value=grant.org_name.clone()/>
            }
        })
        .collect_view();
    let org_cells = units
        .into_iter()
        .map(|(id, name)| {
            view! { <Cell title=tr(|t| t.me_orgs) value=name href=format!("/orgs/{id}")/> }
        })
        .collect_view();
    let sign_out = move |_| {
        signing_out.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            api::logout().await;
            signing_out.set(false);
            toaster.show(i18n.t_untracked().me_signed_out);
        });
    };
    let none = move || i18n.t().me_none.to_owned();
    view! {
        <Card>
            <div class="profile">
                <div class="avatar" aria-hidden="true">{initial}</div>
                <div>
                    <p class="profile-name">{name}</p>
                    <p class="muted">{branch_heading}</p>
                </div>
            </div>
        </Card>
        <CellGroup>
            <Cell title=tr(|t| t.me_phone) value=phone_masked/>
            <Cell title=tr(|t| t.me_categories) value=categories/>
            <Cell title=tr(|t| t.me_branch) value=branch.name/>
            <Cell title=tr(|t| t.me_community) value=move || community.clone().unwrap_or_else(none)/>
            <Cell
                title=tr(|t| t.me_sectors)
                value=move || if sectors.is_empty() { none() } else { sectors.clone() }
            />
            {role_cells}
        </CellGroup>
        <CellGroup>
            <Cell title=tr(|t| t.home_attendance) href="/attendance"/>
            {classed.then(|| view! { <Cell title=tr(|t| t.title_my_classes) href="/me/classes"/> })}
            <Cell title=tr(|t| t.title_report) href="/me/community"/>
            <Cell title=tr(|t| t.title_sectors) href="/me/sectors"/>
            <Cell title=tr(|t| t.title_certificate) href="/me/certificate"/>
            <Cell title=tr(|t| t.title_password) href="/me/password"/>
        </CellGroup>
        {has_roles.then(|| view! {
            <CellGroup title=tr(|t| t.me_work)>
                {org_cells}
                <ReviewCell/>
                <Cell title=tr(|t| t.me_inspections) href="/inspections"/>
                {is_admin.then(|| view! {
                    <Cell title=tr(|t| t.me_roster) href="/admin/roster"/>
                    <Cell title=tr(|t| t.title_audit) href="/admin/audit"/>
                })}
            </CellGroup>
        })}
        <div class="actions">
            <Button variant=ButtonVariant::Danger block=true loading=signing_out on_click=sign_out>
                {tr(|t| t.me_logout)}
            </Button>
        </div>
    }
}

/// Two toggle buttons, each labelled in its own language.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="segmented" role="group" aria-label=tr(|t| t.me_language)>
            {Locale::ALL
                .into_iter()
                .map(|locale| {
                    view! {
                        <button
                            type="button"
                            class="segmented-option"
                            lang=locale.tag()
                            aria-pressed=move || if i18n.locale() == locale { "true" } else { "false" }
                            on:click=move |_| i18n.set_locale(locale)
                        >
                            {locale.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </span>
    }
}

/// The count 审核 shows: the requests of the first page of each kind, with
/// `+` when more wait beyond it; nothing when none wait.
pub fn pending_badge(inbox: &PendingInbox) -> Option<String> {
    let waiting = inbox.checkins.len()
        + inbox.service_logs.len()
        + inbox.community_reports.len()
        + inbox.sector_memberships.len();
    match waiting {
        0 => None,
        n if inbox.has_more() => Some(format!("{n}+")),
        n => Some(n.to_string()),
    }
}

/// 审核, with how many requests wait for the caller.
#[component]
fn ReviewCell() -> impl IntoView {
    let inbox = LocalResource::new(api::pending_reviews);
    let badge = move || {
        inbox.with(|i| match i {
            Some(Ok(inbox)) => pending_badge(inbox),
            _ => None,
        })
    };
    view! {
        <Cell title=tr(|t| t.title_review) href="/review">
            {move || badge().map(|n| view! { <Badge tone=BadgeTone::Warning>{n}</Badge> })}
        </Cell>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_badge_counts_what_waits_and_says_when_more_do() {
        let mut inbox = PendingInbox::default();
        assert_eq!(pending_badge(&inbox), None);
        inbox.service_logs = serde_json::from_value(serde_json::json!([{
            "id": "a", "member": {"id": 1, "name": "李强"}, "kind": "volunteer",
            "date": "2026-12-01", "minutes": 60, "status": "pending",
            "created_at": "2026-12-01T09:00:00+08:00"
        }]))
        .unwrap();
        assert_eq!(pending_badge(&inbox).as_deref(), Some("1"));
        inbox.next_cursor.service_logs = Some("a".to_owned());
        assert_eq!(pending_badge(&inbox).as_deref(), Some("1+"));
    }
}
