//! The roles a member holds, revoked and granted by admins over the unit:
//! a secretary, an organisation officer, an admin or a community admin
//! (社区书记, held on the community's own Party organisation).

use leptos::prelude::*;
use zhibu_shared::member::{GrantRole, MemberDetail};
use zhibu_shared::org::Role;

use super::change;
use crate::api;
use crate::components::{Button, Card, Item, List, Loaded};
use crate::i18n::{role_name, tr, use_i18n};

#[component]
pub fn Roles(member: MemberDetail, this: Loaded<MemberDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let id = member.id;
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let role = RwSignal::new(Role::Secretary.code().to_owned());
    let unit = RwSignal::new(
        member
            .grant_units
            .last()
            .map(|u| u.id.to_string())
            .unwrap_or_default(),
    );
    let may_grant = member.may_change && !member.grant_units.is_empty();
    let held = member.roles.clone();
    let items = move || {
        let t = i18n.t();
        held.iter()
            .map(|r| Item {
                key: r.id.to_string(),
                title: role_name(t, r.role).to_owned(),
                sub: r.org.name.clone(),
                action: may_grant,
                ..Item::default()
            })
            .collect::<Vec<_>>()
    };
    let revoke = Callback::new(move |key: String| {
        let Ok(grant) = key.parse::<i64>() else {
            return;
        };
        change(
            this,
            busy,
            error,
            i18n.t_untracked().role_revoked,
            async move { api::revoke_role(grant).await },
        );
    });
    let grant = move |_| {
        let (Some(role), Ok(org_id)) = (
            Role::from_code(&role.get_untracked()),
            unit.get_untracked().parse::<i64>(),
        ) else {
            return;
        };
        let request = GrantRole {
            member_id: id,
            role,
            org_id,
        };
        change(
            this,
            busy,
            error,
            i18n.t_untracked().role_granted,
            async move { api::grant_role(&request).await.map(|_| ()) },
        );
    };
    let role_options = Role::ALL
        .iter()
        .map(|r| view! { <option value=r.code()>{move || role_name(i18n.t(), *r)}</option> })
        .collect_view();
    let unit_options = member
        .grant_units
        .iter()
        .map(|u| view! { <option value=u.id.to_string()>{u.name.clone()}</option> })
        .collect_view();
    view! {
        <Card title=tr(|t| t.member_roles)>
            <List items=items action=(|t| t.role_revoke, revoke) empty=|t| t.member_no_roles/>
            {may_grant.then(|| view! {
                <h3 class="card-subtitle">{tr(|t| t.role_grant)}</h3>
                <label class="field">
                    <span class="field-label">{tr(|t| t.role_role)}</span>
                    <select class="field-input" name="grant-role" prop:value=move || role.get()
                        on:change=move |ev| role.set(event_target_value(&ev))>
                        {role_options}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">{tr(|t| t.role_unit)}</span>
                    <select class="field-input" name="grant-unit" prop:value=move || unit.get()
                        on:change=move |ev| unit.set(event_target_value(&ev))>
                        {unit_options}
                    </select>
                </label>
                <div class="actions">
                    <Button loading=busy on_click=grant>{tr(|t| t.role_grant)}</Button>
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </Card>
    }
}
