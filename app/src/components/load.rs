//! Loading data for a page: a Leptos `LocalResource` over one call of the
//! API module, and the loading and error states every page shows the same
//! way.
//!
//! `LocalResource::new(move || api::org(id))` loads once and again whenever
//! a signal read in the closure changes; `.refetch()` asks again after a
//! change. Until the first answer it reads `None`; afterwards a refetch keeps
//! showing the last answer until the new one arrives, so lists do not flash.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::use_i18n;

/// A page's data: nothing yet, or the answer of the last call.
pub type Loaded<T> = LocalResource<Result<T, ApiError>>;

/// Renders a view compiled into a lazily loaded chunk (a `#[lazy]` function)
/// once the chunk has arrived; nothing until then.
pub fn later(view: impl Future<Output = AnyView> + 'static) -> impl IntoView {
    Suspend::new(send_wrapper::SendWrapper::new(view))
}

/// The loading or error line for data that is not there to show:
/// `move || org.with(status_view)`.
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
