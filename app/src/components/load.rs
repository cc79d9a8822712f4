//! Loading data for a page: a Leptos `LocalResource` over one call of the
//! API module, and the loading and error states every page shows the same
//! way.
//!
//! `LocalResource::new(move || api::org(id))` loads once and again whenever
//! a signal read in the closure changes; `.refetch()` asks again after a
//! change. Until the first answer it reads `None`; afterwards a refetch keeps
//! showing the last answer until the new one arrives, so lists do not flash.
//!
//! `kept(api::my_attendance(..))` does the same for the member's own data
//! whose last answer the phone keeps (`api::Kept`): a repeat visit shows
//! that at once, and also while offline, until the server answers.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::use_i18n;

/// A page's data: nothing yet, or the answer of the last call.
pub type Loaded<T> = LocalResource<Result<T, ApiError>>;

/// A page's data that the phone keeps between visits (see `kept`).
pub struct KeptData<T: 'static> {
    resource: Loaded<T>,
    last: StoredValue<Option<Result<T, ApiError>>, LocalStorage>,
}

impl<T: 'static> Clone for KeptData<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for KeptData<T> {}

impl<T: 'static> KeptData<T> {
    /// The server's answer once it has come; before that, or when the call
    /// failed, the kept one; `None` when there is neither.
    pub fn with<R>(&self, f: impl FnOnce(&Option<Result<T, ApiError>>) -> R) -> R {
        let last = self.last;
        self.resource
            .with(move |state| prefer_fresh(state, last, f))
    }

    pub fn with_untracked<R>(&self, f: impl FnOnce(&Option<Result<T, ApiError>>) -> R) -> R {
        let last = self.last;
        self.resource
            .with_untracked(move |state| prefer_fresh(state, last, f))
    }

    pub fn refetch(&self) {
        self.resource.refetch();
    }
}

/// The server's answer if it has come, else the kept one if there is one.
fn prefer_fresh<T: 'static, R>(
    state: &Option<Result<T, ApiError>>,
    last: StoredValue<Option<Result<T, ApiError>>, LocalStorage>,
    f: impl FnOnce(&Option<Result<T, ApiError>>) -> R,
) -> R {
    match state {
        Some(Ok(_)) => f(state),
        _ if last.with_value(Option::is_some) => last.with_value(|last| f(last)),
        _ => f(state),
    }
}

/// Loads data the phone keeps: `make` names the call (again whenever a
/// signal it reads changes); its kept answer shows until the server's.
pub fn kept<T>(make: impl Fn() -> crate::api::Kept<T> + 'static) -> KeptData<T>
where
    T: serde::de::DeserializeOwned + 'static,
{
    let last = StoredValue::new_local(make().last().map(Ok));
    let resource = LocalResource::new(move || make().fetch());
    KeptData { resource, last }
}

/// Renders a view compiled into a lazily loaded chunk (a `#[lazy]` function)
/// once the chunk has arrived; nothing until then.
pub fn later(view: impl Future<Output = AnyView> + 'static) -> impl IntoView {
    Suspend::new(send_wrapper::SendWrapper::new(view))
}

/// Draws `view` in the task after this one: the lower part of a page that
/// draws much at once, so its first render blocks a tap for less time in
/// one go (V8 compiles each wasm function on its first call, on the main
/// thread). For a part that appears below what is already shown, so
/// nothing moves.
pub fn next_task<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> impl IntoView {
    let ready = RwSignal::new(false);
    set_timeout(
        move || {
            ready.try_set(true);
        },
        std::time::Duration::ZERO,
    );
    let view = StoredValue::new_local(Some(view));
    move || {
        ready.get().then(|| {
            view.try_update_value(Option::take)
                .flatten()
                .map(|view| view())
        })
    }
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
