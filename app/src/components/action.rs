//! Running a change from a form: busy while it runs, the server's message
//! under the form on failure, a toast on success.

use leptos::prelude::*;

use super::use_toast;
use crate::api::ApiError;
use crate::i18n::{Strings, use_i18n};

/// Runs a change: busy while it runs, the server's message on failure, a
/// toast and `then` on success.
pub fn act<T: 'static>(
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    done: fn(&Strings) -> &'static str,
    work: impl Future<Output = Result<T, ApiError>> + 'static,
    then: impl FnOnce(T) + 'static,
) {
    let toaster = use_toast();
    let t = use_i18n().t_untracked();
    busy.set(true);
    wasm_bindgen_futures::spawn_local(async move {
        let answer = work.await;
        busy.set(false);
        match answer {
            Ok(value) => {
                error.set(None);
                toaster.show(done(t));
                then(value);
            }
            Err(e) => error.set(Some(e.message(t))),
        }
    });
}

/// The error line under a form.
pub fn error_line(error: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="form-error" role="alert">{e}</p> })
    }
}
