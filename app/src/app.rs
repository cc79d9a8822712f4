//! The root component: contexts, the frame and the routes.

use leptos::lazy;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::{Lazy, LazyRoute, path};

use crate::components::{ToastHost, later, provide_toaster};
use crate::first_modules::first_module;
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
                    // Every other page, routed inside its group's chunk.
                    <Route path=path!("/*rest") view=MorePages/>
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

/// The pages most members seldom open, in groups of pages used together.
/// Each group is a chunk fetched the first time one of its pages is opened
/// (the service worker precaches every chunk for offline use) and routes
/// its own paths; one route here picks the group by the path, so the first
/// load carries only that choice. A chunk per page would scatter the code
/// pages share over hundreds of tiny chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// A check-in link, my attendance and the secretary's live screen.
    ThemeDays,
    /// Under 我的: reporting, joining, certificates, password, my classes
    /// and notifications.
    Mine,
    /// The org browser: units, members and classes.
    Orgs,
    /// What the county reads beside each other: a unit's hours, attendance
    /// and community service.
    Reports,
    /// 组织生活, inspections, rectification and the overview.
    Governance,
    Review,
    /// The roster and the audit trail.
    Admin,
}

impl Group {
    const ALL: [Group; 7] = [
        Group::ThemeDays,
        Group::Mine,
        Group::Orgs,
        Group::Reports,
        Group::Governance,
        Group::Review,
        Group::Admin,
    ];

    /// The name of its `#[lazy]` function, as [`FIRST_MODULES`] has it.
    ///
    /// [`FIRST_MODULES`]: crate::first_modules::FIRST_MODULES
    fn module(self) -> &'static str {
        match self {
            Group::ThemeDays => "theme_day_pages",
            Group::Mine => "my_pages",
            Group::Orgs => "org_pages",
            Group::Reports => "report_pages",
            Group::Governance => "governance_pages",
            Group::Review => "review_pages",
            Group::Admin => "admin_pages",
        }
    }
}

/// The group whose chunk routes `path`; none for a path no group has.
fn group_of(path: &str) -> Option<Group> {
    let module = first_module(path)?;
    Group::ALL
        .into_iter()
        .find(|group| group.module() == module)
}

/// Every page outside the first load: the group's chunk, fetched once and
/// kept while the path stays in the group (its own routes follow the path).
#[component]
fn MorePages() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let group = Memo::new(move |_| group_of(&location.pathname.get()));
    move || match group.get() {
        Some(Group::ThemeDays) => later(theme_day_pages()).into_any(),
        Some(Group::Mine) => later(my_pages()).into_any(),
        Some(Group::Orgs) => later(org_pages()).into_any(),
        Some(Group::Reports) => later(report_pages()).into_any(),
        Some(Group::Governance) => later(governance_pages()).into_any(),
        Some(Group::Review) => later(review_pages()).into_any(),
        Some(Group::Admin) => later(admin_pages()).into_any(),
        None => view! { <NotFoundPage/> }.into_any(),
    }
}

#[lazy]
fn theme_day_pages() -> AnyView {
    use crate::pages::checkins::{CheckinLinkPage, attendance::AttendancePage, live::LivePage};
    view! {
        <FlatRoutes fallback=NotFoundPage>
            <Route path=path!("/checkin/:id") view=CheckinLinkPage/>
            <Route path=path!("/attendance") view=AttendancePage/>
            <Route path=path!("/theme-days/:id/live") view=LivePage/>
        </FlatRoutes>
    }
    .into_any()
}

#[lazy]
fn my_pages() -> AnyView {
    use crate::pages::classes::mine::MyClassesPage;
    use crate::pages::me::certificate::{CertificatePage, CertificateRequestPage};
    use crate::pages::me::{
        community::CommunityReportPage, password::PasswordPage, sectors::SectorsPage,
    };
    use crate::pages::notifications::{
        list::NotificationsPage, settings::NotificationSettingsPage,
    };
    view! {
        <FlatRoutes fallback=NotFoundPage>
            <Route path=path!("/me/community") view=CommunityReportPage/>
            <Route path=path!("/me/sectors") view=SectorsPage/>
            <Route path=path!("/me/certificate") view=CertificateRequestPage/>
            <Route path=path!("/me/password") view=PasswordPage/>
            <Route path=path!("/me/classes") view=MyClassesPage/>
            <Route path=path!("/me/notifications") view=NotificationSettingsPage/>
            <Route path=path!("/notifications") view=NotificationsPage/>
            <Route path=path!("/certificates/:number") view=|| view! { <CertificatePage verify=false/> }/>
            <Route path=path!("/verify/:number") view=|| view! { <CertificatePage verify=true/> }/>
        </FlatRoutes>
    }
    .into_any()
}

#[lazy]
fn org_pages() -> AnyView {
    use crate::pages::classes::ClassesPage;
    use crate::pages::members::MemberPage;
    use crate::pages::orgs::OrgPage;
    view! {
        <FlatRoutes fallback=NotFoundPage>
            <Route path=path!("/members/:id") view=MemberPage/>
            <Route path=path!("/orgs/:id") view=OrgPage/>
            <Route path=path!("/orgs/:id/classes") view=ClassesPage/>
        </FlatRoutes>
    }
    .into_any()
}

#[lazy]
fn report_pages() -> AnyView {
    use crate::pages::orgs::{
        attendance::OrgAttendancePage, community_service::CommunityServicePage, hours::HoursPage,
    };
    view! {
        <FlatRoutes fallback=NotFoundPage>
            <Route path=path!("/orgs/:id/hours") view=HoursPage/>
            <Route path=path!("/orgs/:id/attendance") view=OrgAttendancePage/>
            <Route path=path!("/orgs/:id/community-service") view=CommunityServicePage/>
        </FlatRoutes>
    }
    .into_any()
}

#[lazy]
fn governance_pages() -> AnyView {
    use crate::pages::governance::inspections::{InspectionPage, InspectionsPage};
    use crate::pages::governance::{
        meetings::MeetingsPage, overview::OverviewPage, problems::ProblemsPage,
    };
    view! {
        <FlatRoutes fallback=NotFoundPage>
            <Route path=path!("/orgs/:id/meetings") view=MeetingsPage/>
            <Route path=path!("/orgs/:id/problems") view=ProblemsPage/>
            <Route path=path!("/orgs/:id/governance") view=OverviewPage/>
            <Route path=path!("/inspections") view=InspectionsPage/>
            <Route path=path!("/inspections/:id") view=InspectionPage/>
        </FlatRoutes>
    }
    .into_any()
}

#[lazy]
fn review_pages() -> AnyView {
    use crate::pages::review::ReviewPage;
    view! {
        <FlatRoutes fallback=NotFoundPage>
            <Route path=path!("/review") view=ReviewPage/>
        </FlatRoutes>
    }
    .into_any()
}

#[lazy]
fn admin_pages() -> AnyView {
    use crate::pages::admin::{RosterPage, audit::AuditPage};
    view! {
        <FlatRoutes fallback=NotFoundPage>
            <Route path=path!("/admin/roster") view=RosterPage/>
            <Route path=path!("/admin/audit") view=AuditPage/>
        </FlatRoutes>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::{Group, group_of, wx_code};

    #[test]
    fn every_page_outside_the_first_load_is_routed_by_its_group() {
        let cases = [
            ("/checkin/7", Group::ThemeDays),
            ("/attendance", Group::ThemeDays),
            ("/theme-days/3/live", Group::ThemeDays),
            ("/me/community", Group::Mine),
            ("/notifications", Group::Mine),
            ("/verify/ZB-1", Group::Mine),
            ("/members/9", Group::Orgs),
            ("/orgs/2", Group::Orgs),
            ("/orgs/2/hours", Group::Reports),
            ("/orgs/2/community-service", Group::Reports),
            ("/orgs/2/classes", Group::Orgs),
            ("/orgs/2/meetings", Group::Governance),
            ("/orgs/2/governance", Group::Governance),
            ("/inspections/4", Group::Governance),
            ("/review", Group::Review),
            ("/admin/audit", Group::Admin),
        ];
        for (path, group) in cases {
            assert_eq!(group_of(path), Some(group), "{path}");
        }
        assert_eq!(group_of("/no-such-page"), None);
    }

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
