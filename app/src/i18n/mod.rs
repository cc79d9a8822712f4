//! Typed string catalogues: Simplified Chinese first, English second.
//!
//! Every locale is a `Strings` value, so a string missing from one catalogue
//! is a compile error rather than a blank label on a member's phone.

// The English catalogue is compiled natively (tests) and reaches browsers
// as `public/i18n/en.txt`, which a test keeps equal to it.
#[cfg(not(target_arch = "wasm32"))]
mod en;
mod strings;
#[cfg(test)]
mod tests;
mod zh;

use std::sync::OnceLock;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[cfg(not(target_arch = "wasm32"))]
pub use en::EN;
pub use strings::Strings;
pub use zh::ZH;

/// Where the English catalogue is served, one string a line.
const ENGLISH_URL: &str = "/i18n/en.txt";

/// The English catalogue once fetched.
static ENGLISH: OnceLock<&'static Strings> = OnceLock::new();

fn english() -> Option<&'static Strings> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        Some(&EN)
    }
    #[cfg(target_arch = "wasm32")]
    {
        ENGLISH.get().copied()
    }
}

/// Reads a catalogue in its line form; it lives as long as the page.
pub fn parse_catalogue(text: String) -> Option<&'static Strings> {
    let text: &'static str = Box::leak(text.into_boxed_str());
    Strings::from_lines(&mut text.lines()).map(|strings| &*Box::leak(Box::new(strings)))
}

/// Fetches the English catalogue (the service worker keeps a copy).
async fn load_english() -> Option<&'static Strings> {
    if let Some(strings) = english() {
        return Some(strings);
    }
    let window = web_sys::window()?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(ENGLISH_URL))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !response.ok() {
        return None;
    }
    let text = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    let strings = parse_english(text).await?;
    Some(*ENGLISH.get_or_init(|| strings))
}

/// The parser's code is one line a field: it travels in its own chunk,
/// fetched with the English catalogue, not in the first load.
#[leptos::lazy]
fn parse_english(text: String) -> Option<&'static Strings> {
    parse_catalogue(text)
}

use crate::storage;

/// Where the chosen locale survives reloads.
const LOCALE_KEY: &str = "zhibu.locale";

/// The languages the app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Zh,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Zh, Locale::En];

    /// The BCP 47 tag used for `<html lang>` and storage.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    /// The language's own name, so anyone can find their language.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Zh => "中文",
            Locale::En => "English",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|locale| locale.tag() == tag)
    }

    /// The catalogue; Chinese until a fetched one has arrived.
    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::Zh => &ZH,
            Locale::En => english().unwrap_or(&ZH),
        }
    }
}

/// The locale context, provided once at the app root.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// The current catalogue; reading it inside a view makes the view follow
    /// locale changes.
    pub fn t(&self) -> &'static Strings {
        self.locale.get().strings()
    }

    /// The current catalogue without subscribing (for event handlers).
    pub fn t_untracked(&self) -> &'static Strings {
        self.locale.get_untracked().strings()
    }

    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// Switches the language, `<html lang>` and the stored choice together.
    pub fn set_locale(&self, locale: Locale) {
        storage::set(LOCALE_KEY, locale.tag());
        self.show(locale);
    }

    /// Shows `locale` once its catalogue is at hand.
    fn show(self, locale: Locale) {
        if locale == Locale::Zh || english().is_some() {
            set_document_lang(locale);
            self.locale.set(locale);
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            let still_wanted = || storage::get(LOCALE_KEY).as_deref() == Some(locale.tag());
            if load_english().await.is_some() && still_wanted() {
                set_document_lang(locale);
                self.locale.set(locale);
            }
        });
    }
}

/// Provides the context and shows the stored locale (Chinese meanwhile).
pub fn provide_i18n() -> I18n {
    let stored = storage::get(LOCALE_KEY)
        .and_then(|tag| Locale::from_tag(&tag))
        .unwrap_or_default();
    set_document_lang(Locale::Zh);
    let i18n = I18n {
        locale: RwSignal::new(Locale::Zh),
    };
    provide_context(i18n);
    i18n.show(stored);
    i18n
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A label that follows the locale: `tr(|t| t.nav_home)`.
///
/// Every call returns the same closure type, so all the app's labels share
/// one compiled renderer instead of one each (a large share of the wasm).
pub fn tr(
    pick: fn(&Strings) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || pick(i18n.t())
}

fn set_document_lang(locale: Locale) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", locale.tag());
    }
}

use zhibu_shared::checkin::{ReviewStatus, ThemeDayStatus};
use zhibu_shared::org::{MemberCategory, MemberStatus, OrgKind, Role};
use zhibu_shared::volunteer::{LogStatus, ServiceKind};

use crate::components::BadgeTone;

/// A review status and the badge tone it shows with.
pub fn review_status(t: &Strings, status: ReviewStatus) -> (&'static str, BadgeTone) {
    match status {
        ReviewStatus::Pending => (t.statuses[0], BadgeTone::Warning),
        ReviewStatus::Approved => (t.statuses[1], BadgeTone::Success),
        ReviewStatus::Rejected => (t.statuses[2], BadgeTone::Primary),
    }
}

/// A log, report or join status and its badge tone.
pub fn log_status(t: &Strings, status: LogStatus) -> (&'static str, BadgeTone) {
    let tone = match status {
        LogStatus::Pending => BadgeTone::Warning,
        LogStatus::Approved => BadgeTone::Success,
        LogStatus::Rejected => BadgeTone::Primary,
        LogStatus::Superseded => BadgeTone::Muted,
    };
    (t.statuses[status as usize], tone)
}

pub fn theme_status(t: &Strings, status: ThemeDayStatus) -> (&'static str, BadgeTone) {
    let tone = match status {
        ThemeDayStatus::Upcoming => BadgeTone::Primary,
        ThemeDayStatus::Open => BadgeTone::Success,
        ThemeDayStatus::Closed => BadgeTone::Muted,
    };
    (t.theme_statuses[status as usize], tone)
}

pub fn kind_name(t: &Strings, kind: ServiceKind) -> &'static str {
    t.service_kinds[kind as usize]
}

pub fn category_name(t: &Strings, category: MemberCategory) -> &'static str {
    t.categories[category as usize]
}

pub fn role_name(t: &Strings, role: Role) -> &'static str {
    t.roles[role as usize]
}

pub fn org_kind_name(t: &Strings, kind: OrgKind) -> &'static str {
    t.org_kinds[kind as usize]
}

pub fn member_status_name(t: &Strings, status: MemberStatus) -> &'static str {
    t.member_statuses[status as usize]
}

pub fn difficulty_kind_name(
    t: &Strings,
    kind: zhibu_shared::classes::DifficultyKind,
) -> &'static str {
    t.difficulty_kinds[kind as usize]
}

pub fn contact_way_name(t: &Strings, way: zhibu_shared::classes::ContactWay) -> &'static str {
    t.contact_ways[way as usize]
}

pub fn meeting_kind_name(t: &Strings, kind: zhibu_shared::governance::MeetingKind) -> &'static str {
    t.meeting_kinds[kind as usize]
}

pub fn period_status(
    t: &Strings,
    status: zhibu_shared::governance::PeriodStatus,
) -> (&'static str, BadgeTone) {
    use zhibu_shared::governance::PeriodStatus;
    let tone = match status {
        PeriodStatus::Done => BadgeTone::Success,
        PeriodStatus::Due => BadgeTone::Primary,
        PeriodStatus::Overdue => BadgeTone::Warning,
    };
    (t.period_statuses[status as usize], tone)
}

pub fn record_kind_name(t: &Strings, kind: zhibu_shared::governance::RecordKind) -> &'static str {
    t.record_kinds[kind as usize]
}

pub fn grade_name(t: &Strings, grade: zhibu_shared::governance::Grade) -> &'static str {
    t.grades[grade as usize]
}

pub fn problem_source_name(
    t: &Strings,
    source: zhibu_shared::governance::ProblemSource,
) -> &'static str {
    t.problem_sources[source as usize]
}

pub fn problem_status(
    t: &Strings,
    status: zhibu_shared::governance::ProblemStatus,
) -> (&'static str, BadgeTone) {
    use zhibu_shared::governance::ProblemStatus;
    let tone = match status {
        ProblemStatus::Open | ProblemStatus::Reopened => BadgeTone::Warning,
        ProblemStatus::Submitted => BadgeTone::Primary,
        ProblemStatus::Accepted => BadgeTone::Success,
    };
    (t.problem_statuses[status as usize], tone)
}
