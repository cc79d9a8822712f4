//! The lazily loaded module each page shows first. The app routes its page
//! groups by this table, and the build writes it into the boot script so a
//! first visit fetches that module beside the main one instead of after it.
//! Plain data and `std` only: xtask includes this file as it is.

/// Paths by segment, first match wins: `:` is any one segment, and a last
/// `*` is any rest, nothing included. Each module is a `#[lazy]` function's
/// name; the build fails for a name that has no module.
pub const FIRST_MODULES: &[(&str, &str)] = &[
    ("/", "signed_in_home"),
    ("/checkin", "code_checkin"),
    ("/service", "volunteer_logs"),
    ("/me", "me_page"),
    ("/login", "login_page"),
    ("/checkin/*", "theme_day_pages"),
    ("/attendance/*", "theme_day_pages"),
    ("/theme-days/*", "theme_day_pages"),
    ("/me/*", "my_pages"),
    ("/notifications/*", "my_pages"),
    ("/certificates/*", "my_pages"),
    ("/verify/*", "my_pages"),
    ("/members/*", "org_pages"),
    ("/orgs/:/meetings/*", "governance_pages"),
    ("/orgs/:/problems/*", "governance_pages"),
    ("/orgs/:/governance/*", "governance_pages"),
    ("/orgs/:/hours/*", "report_pages"),
    ("/orgs/:/attendance/*", "report_pages"),
    ("/orgs/:/community-service/*", "report_pages"),
    ("/orgs/*", "org_pages"),
    ("/inspections/*", "governance_pages"),
    ("/review/*", "review_pages"),
    ("/admin/*", "admin_pages"),
];

/// The modules of what a signed-in member sees on a tab: signed out, the
/// tab shows a way to sign in from the main module instead.
pub const SIGNED_IN_MODULES: &[&str] = &["signed_in_home", "code_checkin", "volunteer_logs"];

/// The `GET`s a signed-in page makes first, by path pattern as above (first
/// match wins). The boot script starts them at once, beside the downloads,
/// and the app takes their answers instead of asking again
/// (`early_response` in `api`), so on a slow network the data does not wait for
/// the wasm. In a request, `{2}` is the page path's second segment, and
/// `{month}`, `{month+2}`, `{january}` and `{today}` are the phone's dates as
/// the app writes them (`2026-12`, `2027-02`, `2026-01`, `2026-12-03`). A
/// request the app builds differently is only asked twice; a browser test
/// checks each is asked once.
pub const FIRST_REQUESTS: &[(&str, &[&str])] = &[
    (
        "/",
        &[
            "/me/service-logs?from={january}-01&to={today}",
            "/me/attendance?from={month}&to={month+2}",
        ],
    ),
    ("/checkin", &["/me/theme-days"]),
    ("/service", &["/me/service-logs"]),
    ("/me", &["/me", "/review/pending"]),
    (
        "/theme-days/:/live",
        &[
            "/theme-days/{2}",
            "/theme-days/{2}/attendance",
            "/theme-days/{2}/checkins",
            "/theme-days/{2}/dues",
            "/theme-days/{2}/makeups",
        ],
    ),
    ("/review", &["/review/pending"]),
    (
        "/orgs/:/hours",
        &["/orgs/{2}/hours?from={january}&to={month}&by=child"],
    ),
];

/// The module `path` shows first, if any.
pub fn first_module(path: &str) -> Option<&'static str> {
    FIRST_MODULES
        .iter()
        .find(|(pattern, _)| matches(pattern, path))
        .map(|(_, module)| *module)
}

fn matches(pattern: &str, path: &str) -> bool {
    let mut wanted = segments(pattern);
    let mut given = segments(path);
    loop {
        match (wanted.next(), given.next()) {
            (Some("*"), _) => return wanted.next().is_none(),
            (Some(":"), Some(_)) => {}
            (Some(w), Some(g)) if w == g => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

#[cfg(test)]
mod tests {
    use super::first_module;

    #[test]
    fn each_page_names_the_module_it_shows_first() {
        let cases = [
            ("/", Some("signed_in_home")),
            ("/checkin", Some("code_checkin")),
            ("/checkin/7", Some("theme_day_pages")),
            ("/theme-days/3/live", Some("theme_day_pages")),
            ("/me", Some("me_page")),
            ("/me/community", Some("my_pages")),
            ("/orgs/2", Some("org_pages")),
            ("/orgs/2/hours", Some("report_pages")),
            ("/orgs/2/attendance", Some("report_pages")),
            ("/orgs/2/classes", Some("org_pages")),
            ("/orgs/2/meetings", Some("governance_pages")),
            ("/orgs/2/meetings/5", Some("governance_pages")),
            ("/inspections", Some("governance_pages")),
            ("/review", Some("review_pages")),
            ("/admin/roster", Some("admin_pages")),
            ("/no-such-page", None),
            ("/checking", None),
        ];
        for (path, module) in cases {
            assert_eq!(first_module(path), module, "{path}");
        }
    }
}
