//! 审计记录 for admins: every approval, role change, activation, import and
//! status change, newest first, who did it and when.

use leptos::prelude::*;
use zhibu_shared::audit::{AuditEntry, action_zh};

use crate::api;
use crate::components::{Button, Item, List};
use crate::i18n::{tr, use_i18n};
use crate::layout::set_page_title;
use crate::util;

const PAGE_SIZE: u32 = 50;

#[component]
pub fn AuditPage() -> impl IntoView {
    set_page_title(|t| t.title_audit);
    let i18n = use_i18n();
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let cursor = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let more = move || {
        busy.set(true);
        let after = cursor.get_untracked();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::audit_log(PAGE_SIZE, after.as_deref()).await;
            busy.set(false);
            match answer {
                Ok(page) => {
                    entries.update(|e| e.extend(page.items));
                    cursor.set(page.next_cursor);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message(i18n.t_untracked()))),
            }
        });
    };
    more();
    let items = move || {
        let t = i18n.t();
        entries.with(|entries| {
            entries
                .iter()
                .map(|e| Item {
                    key: e.id.to_string(),
                    title: action_zh(&e.action)
                        .map(str::to_owned)
                        .unwrap_or_else(|| e.action.clone()),
                    sub: format!(
                        "{} · {} · {} {}",
                        util::ymd_hhmm(&e.at),
                        e.actor
                            .as_ref()
                            .map(|a| a.name.clone())
                            .unwrap_or_else(|| t.audit_system.to_owned()),
                        e.object_type,
                        e.object_id
                    ),
                    ..Item::default()
                })
                .collect()
        })
    };
    view! {
        <List items=items empty=|t| t.audit_empty/>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {move || cursor.with(Option::is_some).then(|| view! {
            <div class="actions">
                <Button block=true loading=busy on_click=move |_| more()>{tr(|t| t.load_more)}</Button>
            </div>
        })}
    }
}
