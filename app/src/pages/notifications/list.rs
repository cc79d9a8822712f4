//! 通知: newest first, a page at a time. The unread ones shown are marked
//! read as soon as they are on the screen, and keep their 未读 mark for this
//! visit so the member sees what is new; tapping one opens its page.

use leptos::prelude::*;
use zhibu_shared::notify::Notification;

use super::use_bell;
use crate::api;
use crate::components::{BadgeTone, Button, Cell, CellGroup, Item, List};
use crate::i18n::{tr, use_i18n};
use crate::layout::set_page_title;
use crate::util;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    set_page_title(|t| t.title_notifications);
    let i18n = use_i18n();
    let bell = use_bell();
    let entries = RwSignal::new(Vec::<Notification>::new());
    let cursor = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let more = move || {
        busy.set(true);
        let after = cursor.get_untracked();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = api::notifications(after).await;
            busy.set(false);
            match answer {
                Ok(page) => {
                    let unread = unread_ids(&page.items);
                    entries.update(|e| e.extend(page.items));
                    cursor.set(page.next_cursor);
                    loaded.set(true);
                    error.set(None);
                    if !unread.is_empty() {
                        let count = unread.len() as u64;
                        if api::mark_read(unread).await.is_ok() {
                            bell.read(count);
                        }
                    }
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
                .map(|n| Item {
                    key: n.id.to_string(),
                    title: n.title.clone(),
                    sub: format!("{} · {}", n.body, util::ymd_hhmm(&n.at)),
                    badge: (!n.read)
                        .then(|| (t.notification_unread.to_owned(), BadgeTone::Primary)),
                    href: Some(n.url.clone()),
                    action: false,
                })
                .collect()
        })
    };
    view! {
        {move || loaded.get().then(|| view! { <List items=items empty=|t| t.notifications_empty/> })}
        {move || (!loaded.get() && error.with(Option::is_none)).then(|| view! {
            <p class="muted list-empty" aria-busy="true">{tr(|t| t.loading)}</p>
        })}
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {move || cursor.with(Option::is_some).then(|| view! {
            <div class="actions">
                <Button block=true loading=busy on_click=move |_| more()>{tr(|t| t.load_more)}</Button>
            </div>
        })}
        <CellGroup>
            <Cell title=tr(|t| t.title_notification_settings) href="/me/notifications"/>
        </CellGroup>
    }
}

/// The notifications of a page still unread: what opening it marks read.
pub fn unread_ids(items: &[Notification]) -> Vec<i64> {
    items.iter().filter(|n| !n.read).map(|n| n.id).collect()
}

#[cfg(test)]
mod tests {
    use zhibu_shared::notify::NotificationKind;

    use super::*;

    fn note(id: i64, read: bool) -> Notification {
        Notification {
            id,
            kind: NotificationKind::ThemeDay,
            title: "明天是主题党日".into(),
            body: String::new(),
            url: "/checkin".into(),
            at: chrono::DateTime::parse_from_rfc3339("2026-12-02T18:00:00+08:00").unwrap(),
            read,
        }
    }

    #[test]
    fn opening_the_page_marks_only_the_unread_ones_shown() {
        let page = [note(3, false), note(2, true), note(1, false)];
        assert_eq!(unread_ids(&page), vec![3, 1]);
        assert!(unread_ids(&[note(1, true)]).is_empty());
    }
}
