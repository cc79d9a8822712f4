//! Short messages that dismiss themselves: `use_toast().show("已保存")`.

use std::time::Duration;

use leptos::prelude::*;

/// How long a toast stays; long enough to read two lines of Chinese.
const SHOW_FOR: Duration = Duration::from_millis(2600);

/// Older toasts give way so the stack never covers the page.
const MAX_VISIBLE: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    id: u64,
    message: String,
}

/// The toaster context.
#[derive(Debug, Clone, Copy)]
pub struct Toaster {
    toasts: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Toaster {
    pub fn show(&self, message: impl Into<String>) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let toasts = self.toasts;
        toasts.update(|list| {
            list.push(Toast {
                id,
                message: message.into(),
            });
            let overflow = list.len().saturating_sub(MAX_VISIBLE);
            list.drain(..overflow);
        });
        set_timeout(
            move || toasts.update(|list| list.retain(|toast| toast.id != id)),
            SHOW_FOR,
        );
    }
}

pub fn provide_toaster() -> Toaster {
    let toaster = Toaster {
        toasts: RwSignal::new(Vec::new()),
        next_id: StoredValue::new(0),
    };
    provide_context(toaster);
    toaster
}

pub fn use_toast() -> Toaster {
    expect_context::<Toaster>()
}

/// Where toasts appear; a polite live region so screen readers announce them.
#[component]
pub fn ToastHost() -> impl IntoView {
    let toaster = use_toast();
    view! {
        <div class="toast-host" role="status" aria-live="polite">
            // At most three short-lived rows: re-rendering them is cheaper in
            // code size than keyed diffing.
            {move || {
                toaster
                    .toasts
                    .get()
                    .into_iter()
                    .map(|toast| view! { <div class="toast">{toast.message}</div> })
                    .collect_view()
            }}
        </div>
    }
}
