//! Loading data for a page: a signal filled by one call of the API module,
//! and the loading and error states every page shows the same way.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::use_i18n;

/// Nothing yet, or the answer of the last call.
pub type Loaded<T> = RwSignal<Option<Result<T, ApiError>>>;

/// A signal that `call` fills: `load(api::org(id))`.
pub fn load<T: Send + Sync + 'static>(
    call: impl Future<Output = Result<T, ApiError>> + 'static,
) -> Loaded<T> {
    let state = RwSignal::new(None);
    reload(state, call);
    state
}

/// Fills `state` again with the answer of `call`, keeping what it shows
/// meanwhile: `reload(state, api::org(id))`.
pub fn reload<T: Send + Sync + 'static>(
    state: Loaded<T>,
    call: impl Future<Output = Result<T, ApiError>> + 'static,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let answer = call.await;
        // The page may have gone while the network was slow.
        if !state.is_disposed() {
            state.set(Some(answer));
        }
    });
}

/// Renders a view compiled into a lazily loaded chunk (a `#[lazy]` function)
/// once the chunk has arrived; nothing until then.
pub fn later(view: impl Future<Output = AnyView> + 'static) -> impl IntoView {
    Suspend::new(send_wrapper::SendWrapper::new(view))
}

/// The loading or error line for a state that has no data to show.
pub fn status_view<T>(state: &Option<Result<T, ApiError>>) -> Option<AnyView> {
    match state {
        None => Some(waiting(None)),
        Some(Err(error)) => Some(waiting(Some(error.clone()))),
        Some(Ok(_)) => None,
    }
}

fn waiting(error: Option<ApiError>) -> AnyView {
    let t = use_i18n().t_untracked();
    match error {
        None => view! { <p class="muted list-empty" aria-busy="true">{t.loading}</p> }.into_any(),
        Some(error) => {
            view! { <p class="form-error" role="alert">{error.message(t)}</p> }.into_any()
        }
    }
}
