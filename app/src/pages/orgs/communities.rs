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
    let list = LocalResource::new(move || {
        // A community created on this page asks again.
        changed.track();
        api::street_communities(street_id)
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
    // The linked organisation's members, asked again only when another
    // organisation is linked (saving the same one keeps the list).
    let members = LocalResource::new(move || {
        let unit = linked.get();
        async move {
            match unit {
                Some(unit) => Ok(api::org_members(unit, ORG_MEMBERS, None).await?.items),
                None => Ok(Vec::new()),
            }
        }
    });
    // The admin's pick in the list; `admin_choice` keeps it while it is
    // among the members, so a reload of the list never resets it.
    let picked = RwSignal::new(String::new());
    let admin = move || members.with(|m| admin_choice(m, &picked.get()));
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
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
        let (Some(org_id), Ok(member_id)) = (linked.get_untracked(), untrack(admin).parse()) else {
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
        members.with(|m| match m {
            Some(Ok(m)) => m
                .iter()
                .map(|m| {
                    view! { <option value=m.id.to_string()>{format!("{} · {}", m.name, m.branch.name)}</option> }
                })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
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
                        <select class="field-input" name="community-admin" prop:value=admin
                            on:change=move |ev| picked.set(event_target_value(&ev))>
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

/// The community admin to assign: the member picked, while they are among
/// the organisation's members, or else the first of them.
fn admin_choice(
    members: &Option<Result<Vec<MemberSummary>, api::ApiError>>,
    picked: &str,
) -> String {
    let Some(Ok(members)) = members else {
        return String::new();
    };
    members
        .iter()
        .find(|m| m.id.to_string() == picked)
        .or(members.first())
        .map(|m| m.id.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use zhibu_shared::auth::IdName;
    use zhibu_shared::org::MemberStatus;

    use super::*;

    fn members(ids: &[i64]) -> Option<Result<Vec<MemberSummary>, api::ApiError>> {
        let summary = |id: i64| MemberSummary {
            id,
            name: format!("党员{id}"),
            phone: String::new(),
            categories: Vec::new(),
            branch: IdName {
                id: 1,
                name: "社区党支部".into(),
            },
            status: MemberStatus::Active,
            probationary: false,
            disabled: false,
        };
        Some(Ok(ids.iter().copied().map(summary).collect()))
    }

    #[test]
    fn a_pick_among_the_members_stands() {
        assert_eq!(admin_choice(&members(&[4, 7]), "7"), "7");
    }

    #[test]
    fn without_a_pick_among_them_the_first_member_is_chosen() {
        assert_eq!(admin_choice(&members(&[4, 7]), ""), "4");
        assert_eq!(admin_choice(&members(&[4, 7]), "9"), "4");
    }

    #[test]
    fn nobody_is_chosen_before_the_members_arrive_or_when_there_are_none() {
        assert_eq!(admin_choice(&None, "7"), "");
        assert_eq!(admin_choice(&members(&[]), "7"), "");
    }
}
