//! The communities of a township or street, for its admins: name, address,
//! the community's own Party organisation (one of the street's units), and
//! its community admin (社区书记) picked among that organisation's members.

use leptos::prelude::*;
use zhibu_shared::member::GrantRole;
use zhibu_shared::org::{Community, CommunityPatch, MemberSummary, Org, Role};

use crate::api;
use crate::components::{Button, Card, Field, Loaded, use_toast};
use crate::i18n::{tr, use_i18n};

/// The community admin is picked among this many of the organisation's
/// members: a community's own organisation is small.
const ORG_MEMBERS: u32 = 200;

#[component]
pub fn StreetCommunities(
    street_id: i64,
    /// The street's units: a community's organisation is one of them.
    children: Loaded<Vec<Org>>,
    /// Bumped when a community was created.
    changed: RwSignal<u32>,
) -> impl IntoView {
    let list = RwSignal::new(None::<Result<Vec<Community>, api::ApiError>>);
    Effect::new(move |_| {
        changed.track();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::street_communities(street_id).await;
            if !list.is_disposed() {
                list.set(Some(answer));
            }
        });
    });
    move || {
        let communities = list.get()?.ok()?;
        (!communities.is_empty()).then(|| {
            let rows = communities
                .into_iter()
                .map(|c| view! { <CommunityRow community=c children=children/> })
                .collect_view();
            view! { <Card title=tr(|t| t.community_list)>{rows}</Card> }
        })
    }
}

#[component]
fn CommunityRow(community: Community, children: Loaded<Vec<Org>>) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let id = community.id;
    let name = RwSignal::new(community.name.clone());
    let address = RwSignal::new(community.address.clone().unwrap_or_default());
    let org = RwSignal::new(
        community
            .org
            .as_ref()
            .map(|o| o.id.to_string())
            .unwrap_or_default(),
    );
    let linked = RwSignal::new(community.org.as_ref().map(|o| o.id));
    let members = RwSignal::new(Vec::<MemberSummary>::new());
    let admin = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(unit) = linked.get() else { return };
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(page) = api::org_members(unit, ORG_MEMBERS, None).await
                && !members.is_disposed()
            {
                // Keep a choice already made among these members.
                let first = page.items.first().map(|m| m.id.to_string());
                admin.update(|chosen| {
                    if !page.items.iter().any(|m| m.id.to_string() == *chosen) {
                        *chosen = first.unwrap_or_default();
                    }
                });
                members.set(page.items);
            }
        });
    });
    let save = move |_| {
        let t = i18n.t_untracked();
        let request = CommunityPatch {
            name: Some(name.get_untracked().trim().to_owned()),
            address: Some(address.get_untracked().trim().to_owned()),
            org_id: org.get_untracked().parse().ok(),
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::update_community(id, &request).await;
            busy.set(false);
            match answer {
                Ok(saved) => {
                    error.set(None);
                    // Only a new organisation reloads its members.
                    let org = saved.org.map(|o| o.id);
                    if linked.get_untracked() != org {
                        linked.set(org);
                    }
                    toaster.show(t.community_saved);
                }
                Err(e) => error.set(Some(e.message(t))),
            }
        });
    };
    let assign = move |_| {
        let t = i18n.t_untracked();
        let (Some(org_id), Ok(member_id)) = (linked.get_untracked(), admin.get_untracked().parse())
        else {
            return;
        };
        let request = GrantRole {
            member_id,
            role: Role::CommunityAdmin,
            org_id,
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::grant_role(&request).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    error.set(None);
                    toaster.show(t.community_admin_assigned);
                }
                Err(e) => error.set(Some(e.message(t))),
            }
        });
    };
    let org_options = move || {
        children.with(|c| match c {
            Some(Ok(units)) => units
                .iter()
                .map(|u| view! { <option value=u.id.to_string()>{u.name.clone()}</option> })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        })
    };
    let member_options = move || {
        members.with(|m| {
            m.iter()
                .map(|m| {
                    view! { <option value=m.id.to_string()>{format!("{} · {}", m.name, m.branch.name)}</option> }
                })
                .collect_view()
        })
    };
    view! {
        <section class="community-row" data-community=id.to_string()>
            <h3 class="card-subtitle">{community.name.clone()}</h3>
            <Field label=|t| t.community_name name="community-rename" value=name/>
            <Field label=|t| t.community_address name="community-address-edit" value=address/>
            <label class="field">
                <span class="field-label">{tr(|t| t.community_org)}</span>
                <select class="field-input" name="community-org" prop:value=move || org.get()
                    on:change=move |ev| org.set(event_target_value(&ev))>
                    <option value="">{tr(|t| t.community_org_none)}</option>
                    {org_options}
                </select>
            </label>
            <div class="actions">
                <Button loading=busy on_click=save>{tr(|t| t.community_save)}</Button>
            </div>
            {move || match linked.get() {
                None => view! { <p class="muted">{tr(|t| t.community_admin_needs_org)}</p> }.into_any(),
                Some(_) => view! {
                    <label class="field">
                        <span class="field-label">{tr(|t| t.community_admin)}</span>
                        <select class="field-input" name="community-admin" prop:value=move || admin.get()
                            on:change=move |ev| admin.set(event_target_value(&ev))>
                            {member_options}
                        </select>
                    </label>
                    <div class="actions">
                        <Button loading=busy on_click=assign>{tr(|t| t.community_admin_assign)}</Button>
                    </div>
                }.into_any(),
            }}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </section>
    }
}
