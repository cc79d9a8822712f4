//! The root component: contexts, the frame and the routes.

use leptos::lazy;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::{Lazy, LazyRoute, path};

use crate::components::{ToastHost, provide_toaster};
use crate::i18n::provide_i18n;
use crate::layout::{TabBar, TopBar, provide_page_title};
use crate::outbox::provide_outbox;
use crate::pages::checkins::CheckinsPage;
use crate::pages::home::HomePage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::notifications::provide_bell;
use crate::pages::volunteer::VolunteerPage;
use crate::session::{SignInAgain, provide_session};

#[component]
pub fn App() -> impl IntoView {
    // Order matters: the session context reports through the toaster in the
    // current locale.
    provide_i18n();
    provide_toaster();
    provide_session();
    provide_page_title();
    provide_outbox();
    provide_bell();
    wechat_entry();

    view! {
        <Router>
            <TopBar/>
            <SignInAgain/>
            <main class="page">
                <FlatRoutes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/checkin") view=CheckinsPage/>
                    <Route path=path!("/service") view=VolunteerPage/>
                    <Route path=path!("/me") view={Lazy::<Me>::new()}/>
                    <Route path=path!("/login") view={Lazy::<Login>::new()}/>
                    // Every other page, routed inside its own chunk.
                    <Route path=path!("/*rest") view={Lazy::<More>::new()}/>
                </FlatRoutes>
            </main>
            <TabBar/>
            <ToastHost/>
        </Router>
    }
}

/// The mini-program shell opens the app with `?wx_code=CODE` on any path:
/// the login page spends the code and then returns to that path.
fn wechat_entry() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else {
        return;
    };
    if path == "/login" {
        return;
    }
    let Some(code) = wx_code(&search) else {
        return;
    };
    let target = format!("/login?wx_code={code}&next={}", crate::api::enc(&path));
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target));
    }
}

/// The `wx_code` parameter of a query string such as `?a=1&wx_code=C`.
fn wx_code(search: &str) -> Option<&str> {
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("wx_code="))
}

/// A route whose page is compiled into its own chunk.
macro_rules! lazy_route {
    ($route:ident, $split:ident, $page:path) => {
        struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                $split().await
            }
        }

        #[lazy]
        fn $split() -> AnyView {
            view! { <$page/> }.into_any()
        }
    };
}

// 我的 and 登录 are one tap away from the first screen, not on it.
lazy_route!(Me, me_page, crate::pages::me::MePage);
lazy_route!(Login, login_page, crate::pages::login::LoginPage);

/// The pages most members seldom open (notifications, my attendance, the secretary's live
/// screen, reporting, joining, certificates, the org browser, the hours
/// dashboard, review) live in one chunk fetched the first time one of them
/// is opened; the service worker precaches it for offline use. They are
/// routed inside the chunk, so the first load carries none of their code.
struct More;

impl LazyRoute for More {
    fn data() -> Self {
        More
    }

    async fn view(_: Self) -> AnyView {
        more_pages().await
    }
}

#[lazy]
fn more_pages() -> AnyView {
    use crate::pages::admin::RosterPage;
    use crate::pages::admin::audit::AuditPage;
    use crate::pages::checkins::CheckinLinkPage;
    use crate::pages::checkins::attendance::AttendancePage;
    use crate::pages::checkins::live::LivePage;
    use crate::pages::classes::ClassesPage;
    use crate::pages::classes::mine::MyClassesPage;
    use crate::pages::governance::inspections::{InspectionPage, InspectionsPage};
    use crate::pages::governance::meetings::MeetingsPage;
    use crate::pages::governance::overview::OverviewPage;
    use crate::pages::governance::problems::ProblemsPage;
    use crate::pages::me::certificate::{CertificatePage, CertificateRequestPage};
    use crate::pages::me::community::CommunityReportPage;
    use crate::pages::me::password::PasswordPage;
    use crate::pages::me::sectors::SectorsPage;
    use crate::pages::members::MemberPage;
    use crate::pages::notifications::list::NotificationsPage;
    use crate::pages::notifications::settings::NotificationSettingsPage;
    use crate::pages::orgs::OrgPage;
    use crate::pages::orgs::attendance::OrgAttendancePage;
    use crate::pages::orgs::community_service::CommunityServicePage;
    use crate::pages::orgs::hours::HoursPage;
    use crate::pages::review::ReviewPage;
    view! {
        <FlatRoutes fallback=NotFoundPage>
            <Route path=path!("/checkin/:id") view=CheckinLinkPage/>
            <Route path=path!("/attendance") view=AttendancePage/>
            <Route path=path!("/theme-days/:id/live") view=LivePage/>
            <Route path=path!("/me/community") view=CommunityReportPage/>
            <Route path=path!("/me/sectors") view=SectorsPage/>
            <Route path=path!("/me/certificate") view=CertificateRequestPage/>
            <Route path=path!("/me/password") view=PasswordPage/>
            <Route path=path!("/me/classes") view=MyClassesPage/>
            <Route path=path!("/me/notifications") view=NotificationSettingsPage/>
            <Route path=path!("/notifications") view=NotificationsPage/>
            <Route path=path!("/certificates/:number") view=|| view! { <CertificatePage verify=false/> }/>
            <Route path=path!("/verify/:number") view=|| view! { <CertificatePage verify=true/> }/>
            <Route path=path!("/members/:id") view=MemberPage/>
            <Route path=path!("/orgs/:id") view=OrgPage/>
            <Route path=path!("/orgs/:id/hours") view=HoursPage/>
            <Route path=path!("/orgs/:id/attendance") view=OrgAttendancePage/>
            <Route path=path!("/orgs/:id/community-service") view=CommunityServicePage/>
            <Route path=path!("/orgs/:id/classes") view=ClassesPage/>
            <Route path=path!("/orgs/:id/meetings") view=MeetingsPage/>
            <Route path=path!("/orgs/:id/problems") view=ProblemsPage/>
            <Route path=path!("/orgs/:id/governance") view=OverviewPage/>
            <Route path=path!("/inspections") view=InspectionsPage/>
            <Route path=path!("/inspections/:id") view=InspectionPage/>
            <Route path=path!("/review") view=ReviewPage/>
            <Route path=path!("/admin/roster") view=RosterPage/>
            <Route path=path!("/admin/audit") view=AuditPage/>
        </FlatRoutes>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::wx_code;

    #[test]
    fn the_wechat_code_is_read_from_anywhere_in_the_query() {
        assert_eq!(wx_code("?wx_code=0a1B"), Some("0a1B"));
        assert_eq!(wx_code("?from=share&wx_code=0a1B&x=1"), Some("0a1B"));
    }

    #[test]
    fn a_query_without_a_wechat_code_has_none() {
        assert_eq!(wx_code(""), None);
        assert_eq!(wx_code("?next=/me"), None);
        assert_eq!(wx_code("?old_wx_code=1"), None);
    }
}
