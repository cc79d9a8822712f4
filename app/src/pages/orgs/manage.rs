//! Managing the tree from a unit's page (admins and secretaries): a new
//! unit under it, with the kinds that fit and the size rules shown; a new
//! name; a move under another parent; dissolving it once empty; a new
//! community under a township or street.

use leptos::prelude::*;
use zhibu_shared::org::{NewCommunity, NewOrg, Org, OrgKind, Rename, Sector};

use crate::api;
use crate::components::{Button, ButtonVariant, Card, Field, Item, List, Loaded, use_toast};
use crate::i18n::{org_kind_name, tr, use_i18n};

#[component]
pub fn Manage(
    org: Org,
    this: Loaded<Org>,
    children: Loaded<Vec<Org>>,
    /// Bumped when a community was created, so the list reloads.
    communities_changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let toaster = use_toast();
    let id = org.id;
    let parent_id = org.parent_id;
    let kinds = org.kind.child_kinds();
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(
        kinds
            .first()
            .map(|k| k.code().to_owned())
            .unwrap_or_default(),
    );
    let sector = RwSignal::new(String::new());
    let new_name = RwSignal::new(org.name.clone());
    let community = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let parent_query = RwSignal::new(String::new());
    let parents = RwSignal::new(Vec::<Org>::new());
    let confirming = RwSignal::new(false);
    let navigate = leptos_router::hooks::use_navigate();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = move |message: &'static str| {
        busy.set(false);
        error.set(None);
        toaster.show(message);
    };
    let failed = move |e: api::ApiError| {
        busy.set(false);
        error.set(Some(e.message(i18n.t_untracked())));
    };
    let create = move |_| {
        let t = i18n.t_untracked();
        let Some(kind) = OrgKind::from_code(&kind.get_untracked()) else {
            return;
        };
        let request = NewOrg {
            name: name.get_untracked().trim().to_owned(),
            kind,
            sector: Sector::from_code(&sector.get_untracked()),
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            match api::create_child_org(id, &request).await {
                Ok(_) => {
                    name.set(String::new());
                    children.refetch();
                    done(t.org_created);
                }
                Err(e) => failed(e),
            }
        });
    };
    let rename = move |_| {
        let t = i18n.t_untracked();
        let request = Rename {
            name: new_name.get_untracked().trim().to_owned(),
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            match api::rename_org(id, &request).await {
                Ok(_) => {
                    this.refetch();
                    done(t.org_renamed);
                }
                Err(e) => failed(e),
            }
        });
    };
    let add_community = move |_| {
        let t = i18n.t_untracked();
        let typed = address.get_untracked().trim().to_owned();
        let request = NewCommunity {
            name: community.get_untracked().trim().to_owned(),
            street_org_id: id,
            address: (!typed.is_empty()).then_some(typed),
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            match api::create_community(&request).await {
                Ok(_) => {
                    community.set(String::new());
                    address.set(String::new());
                    communities_changed.update(|n| *n += 1);
                    done(t.community_created);
                }
                Err(e) => failed(e),
            }
        });
    };
    let search = move |_| {
        let q = parent_query.get_untracked().trim().to_owned();
        if q.is_empty() {
            return;
        }
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            match api::search_orgs(&q).await {
                Ok(found) => {
                    busy.set(false);
                    error.set(None);
                    parents.set(found.into_iter().filter(|o| o.id != id).collect());
                }
                Err(e) => failed(e),
            }
        });
    };
    let move_here = Callback::new(move |key: String| {
        let t = i18n.t_untracked();
        let Ok(parent) = key.parse::<i64>() else {
            return;
        };
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            match api::move_org(id, parent).await {
                Ok(_) => {
                    parents.set(Vec::new());
                    parent_query.set(String::new());
                    this.refetch();
                    done(t.org_moved);
                }
                Err(e) => failed(e),
            }
        });
    });
    let parent_items = move || {
        let t = i18n.t();
        parents.with(|found| {
            found
                .iter()
                .map(|o| Item {
                    key: o.id.to_string(),
                    title: o.name.clone(),
                    sub: org_kind_name(t, o.kind).to_owned(),
                    action: true,
                    ..Item::default()
                })
                .collect::<Vec<_>>()
        })
    };
    let dissolve = move |_| {
        let t = i18n.t_untracked();
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        let parent = parent_id;
        wasm_bindgen_futures::spawn_local(async move {
            match api::dissolve_org(id).await {
                Ok(_) => {
                    done(t.org_dissolved);
                    if let Some(parent) = parent {
                        navigate(&format!("/orgs/{parent}"), Default::default());
                    }
                }
                Err(e) => {
                    confirming.set(false);
                    failed(e)
                }
            }
        });
    };
    let holds_communities = matches!(
        org.kind,
        OrgKind::WorkingCommittee | OrgKind::PartyCommittee
    );
    let options = kinds
        .iter()
        .map(|k| view! { <option value=k.code()>{move || org_kind_name(i18n.t(), *k)}</option> })
        .collect_view();
    let sectors = Sector::ALL
        .iter()
        .map(|s| view! { <option value=s.code()>{s.zh()}</option> })
        .collect_view();
    view! {
        <Card title=tr(|t| t.org_manage)>
            {(!kinds.is_empty()).then(|| view! {
                <h3 class="card-subtitle">{tr(|t| t.org_new_child)}</h3>
                <Field label=|t| t.org_name name="child-name" value=name/>
                <label class="field">
                    <span class="field-label">{tr(|t| t.org_kind)}</span>
                    <select class="field-input" name="child-kind" prop:value=move || kind.get()
                        on:change=move |ev| kind.set(event_target_value(&ev))>
                        {options}
                    </select>
                </label>
                {move || (kind.get() == OrgKind::SectorCommittee.code()).then(|| view! {
                    <label class="field">
                        <span class="field-label">{tr(|t| t.org_sector)}</span>
                        <select class="field-input" name="child-sector" on:change=move |ev| sector.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {sectors.clone()}
                        </select>
                    </label>
                })}
                <p class="muted">{tr(|t| t.org_size_rules)}</p>
                <div class="actions">
                    <Button variant=ButtonVariant::Primary loading=busy on_click=create>{tr(|t| t.org_create)}</Button>
                </div>
            })}
            <h3 class="card-subtitle">{tr(|t| t.org_rename)}</h3>
            <Field label=|t| t.org_name name="org-name" value=new_name/>
            <div class="actions">
                <Button loading=busy on_click=rename>{tr(|t| t.org_rename)}</Button>
            </div>
            {parent_id.is_some().then(|| view! {
                <h3 class="card-subtitle">{tr(|t| t.org_move)}</h3>
                <Field label=|t| t.org_move_search name="parent-search" value=parent_query/>
                <div class="actions">
                    <Button loading=busy on_click=search>{tr(|t| t.search)}</Button>
                </div>
                <List items=parent_items action=(|t| t.org_move_to, move_here)/>
                <h3 class="card-subtitle">{tr(|t| t.org_dissolve)}</h3>
                <p class="muted">{tr(|t| t.org_dissolve_hint)}</p>
                <div class="actions">
                    <Button variant=ButtonVariant::Danger loading=busy on_click=dissolve>
                        {move || if confirming.get() { i18n.t().org_dissolve_confirm } else { i18n.t().org_dissolve }}
                    </Button>
                </div>
            })}
            {holds_communities.then(|| view! {
                <h3 class="card-subtitle">{tr(|t| t.community_new)}</h3>
                <Field label=|t| t.community_name name="community-name" value=community/>
                <Field label=|t| t.community_address name="community-address" value=address/>
                <div class="actions">
                    <Button loading=busy on_click=add_community>{tr(|t| t.community_create)}</Button>
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </Card>
    }
}
