//! The catalogues index by the shared enums' order; these tests catch a
//! catalogue that drifts from the vocabulary the server speaks.

use std::collections::HashSet;

use zhibu_shared::checkin::{ReviewStatus, ThemeDayStatus};
use zhibu_shared::org::{MemberCategory, MemberStatus, OrgKind, Role};
use zhibu_shared::volunteer::{LogStatus, ServiceKind};

use super::*;
use crate::components::BadgeTone;

/// Asserts the names are all filled in and tell the values apart.
fn distinct(names: &[&str]) {
    assert!(names.iter().all(|n| !n.trim().is_empty()), "{names:?}");
    let unique: HashSet<_> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
}

#[test]
fn chinese_names_are_the_shared_vocabularys_own() {
    for kind in OrgKind::ALL {
        assert_eq!(org_kind_name(&ZH, *kind), kind.zh());
    }
    for category in MemberCategory::ALL {
        assert_eq!(category_name(&ZH, *category), category.zh());
    }
    for role in Role::ALL {
        assert_eq!(role_name(&ZH, *role), role.zh());
    }
    for status in MemberStatus::ALL {
        assert_eq!(member_status_name(&ZH, *status), status.zh());
    }
    for kind in ServiceKind::ALL {
        assert_eq!(kind_name(&ZH, *kind), kind.zh());
    }
    for status in LogStatus::ALL {
        assert_eq!(log_status(&ZH, *status).0, status.zh());
    }
}

#[test]
fn every_locale_names_each_value_differently() {
    for locale in Locale::ALL {
        let t = locale.strings();
        let names = |n: Vec<&'static str>| distinct(&n);
        names(OrgKind::ALL.iter().map(|k| org_kind_name(t, *k)).collect());
        names(
            MemberCategory::ALL
                .iter()
                .map(|c| category_name(t, *c))
                .collect(),
        );
        names(Role::ALL.iter().map(|r| role_name(t, *r)).collect());
        names(
            MemberStatus::ALL
                .iter()
                .map(|s| member_status_name(t, *s))
                .collect(),
        );
        names(ServiceKind::ALL.iter().map(|k| kind_name(t, *k)).collect());
        names(LogStatus::ALL.iter().map(|s| log_status(t, *s).0).collect());
    }
}

#[test]
fn english_names_follow_the_vocabulary_order() {
    assert_eq!(org_kind_name(&EN, OrgKind::Branch), "Branch");
    assert_eq!(
        org_kind_name(&EN, OrgKind::SectorCommittee),
        "Sector committee"
    );
    assert_eq!(category_name(&EN, MemberCategory::Retired), "Retired");
    assert_eq!(role_name(&EN, Role::CommunityAdmin), "Community secretary");
    assert_eq!(member_status_name(&EN, MemberStatus::Deceased), "Deceased");
    assert_eq!(kind_name(&EN, ServiceKind::Volunteer), "Volunteering");
}

#[test]
fn review_statuses_read_like_log_statuses_and_share_their_tones() {
    let pairs = [
        (
            ReviewStatus::Pending,
            LogStatus::Pending,
            BadgeTone::Warning,
        ),
        (
            ReviewStatus::Approved,
            LogStatus::Approved,
            BadgeTone::Success,
        ),
        (
            ReviewStatus::Rejected,
            LogStatus::Rejected,
            BadgeTone::Primary,
        ),
    ];
    for locale in Locale::ALL {
        let t = locale.strings();
        for (review, log, tone) in pairs {
            assert_eq!(review_status(t, review), log_status(t, log));
            assert_eq!(review_status(t, review).1, tone);
        }
    }
}

#[test]
fn a_superseded_log_is_shown_as_corrected_and_muted() {
    assert_eq!(
        log_status(&ZH, LogStatus::Superseded),
        ("已更正", BadgeTone::Muted)
    );
    assert_eq!(
        log_status(&EN, LogStatus::Superseded),
        ("Corrected", BadgeTone::Muted)
    );
}

#[test]
fn an_open_theme_day_is_the_one_badge_in_green() {
    assert_eq!(
        theme_status(&ZH, ThemeDayStatus::Open),
        ("签到中", BadgeTone::Success)
    );
    assert_eq!(
        theme_status(&ZH, ThemeDayStatus::Upcoming),
        ("未开始", BadgeTone::Primary)
    );
    assert_eq!(
        theme_status(&EN, ThemeDayStatus::Closed),
        ("Closed", BadgeTone::Muted)
    );
}

#[test]
fn locales_are_found_by_their_own_tags_only() {
    for locale in Locale::ALL {
        assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
    }
    assert_eq!(Locale::from_tag("zh-CN"), Some(Locale::Zh));
    assert_eq!(Locale::from_tag("zh"), None);
    assert_eq!(Locale::from_tag("fr"), None);
    assert_eq!(Locale::default(), Locale::Zh);
}

#[test]
fn every_locale_names_each_kind_of_reminder() {
    assert_eq!(
        ZH.notify_kinds.len(),
        zhibu_shared::notify::NotificationKind::ALL.len()
    );
    for locale in Locale::ALL {
        let t = locale.strings();
        distinct(&t.notify_kinds);
        distinct(&t.notify_kind_hints);
    }
}

/// The file browsers fetch for English: `public/i18n/en.txt`.
fn english_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/i18n/en.txt")
}

#[test]
fn the_english_file_browsers_fetch_is_the_english_catalogue() {
    let lines = EN.lines();
    for line in &lines {
        assert!(
            !line.contains(['\n', '\r']),
            "a catalogue string is one line: {line:?}"
        );
    }
    assert!(!lines.last().is_some_and(|l| l.is_empty()));
    let expected = lines.join("\n") + "\n";
    if std::env::var_os("ZHIBU_WRITE_CATALOGUE").is_some() {
        std::fs::create_dir_all(english_file().parent().unwrap()).unwrap();
        std::fs::write(english_file(), &expected).unwrap();
    }
    let served = std::fs::read_to_string(english_file()).unwrap_or_default();
    assert!(
        served == expected,
        "public/i18n/en.txt differs from en.rs: run `ZHIBU_WRITE_CATALOGUE=1 cargo test -p zhibu-app --lib i18n`"
    );
    let read_back = parse_catalogue(served).expect("the file reads back");
    assert_eq!(read_back.lines(), lines);
    assert_eq!(read_back.nav_home, "Home");
    assert_eq!(read_back.org_kinds, EN.org_kinds);
}

#[test]
fn a_catalogue_file_of_the_wrong_length_is_refused() {
    let lines = EN.lines();
    let short = lines[..lines.len() - 1].join("\n");
    assert!(parse_catalogue(short).is_none());
    let long = lines.join("\n") + "\none more\n";
    assert!(parse_catalogue(long).is_none());
}
