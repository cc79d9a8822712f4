//! Any path the router does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::Empty;
use crate::i18n::tr;
use crate::layout::set_page_title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_page_title(|t| t.title_not_found);
    view! {
        <Empty
            title=tr(|t| t.not_found_title)
            description=tr(|t| t.not_found_desc)
        >
            <A href="/" attr:class="btn btn-primary">{tr(|t| t.back_home)}</A>
        </Empty>
    }
}
