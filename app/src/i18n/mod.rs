//! Typed string catalogues: Simplified Chinese first, English second.
//!
//! Every locale is a `Strings` value, so a string missing from one catalogue
//! is a compile error rather than a blank label on a member's phone.

// The English catalogue is compiled natively (tests) and reaches browsers
// as `public/i18n/en.txt`, which a test keeps equal to it.
#[cfg(not(target_arch = "wasm32"))]
mod en;
#[cfg(test)]
mod tests;
mod zh;

use std::sync::OnceLock;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[cfg(not(target_arch = "wasm32"))]
pub use en::EN;
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

/// Declares the catalogue struct and its line form: every string in field
/// order, one a line. English travels that way as a file fetched when it is
/// chosen, so a Chinese member's first load does not carry it.
macro_rules! catalogue {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$doc:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$doc])* pub $field: $ty,)*
        }

        impl $name {
            /// Every string, in field order.
            pub fn lines(&self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $(Entry::put(&self.$field, &mut out);)*
                out
            }

            /// The catalogue read back from `lines`; None unless they fit exactly.
            pub fn from_lines(lines: &mut dyn Iterator<Item = &'static str>) -> Option<$name> {
                let strings = $name {
                    $($field: Entry::take(lines)?,)*
                };
                lines.next().is_none().then_some(strings)
            }
        }
    };
}

/// A catalogue field: one string, or a fixed list of them.
trait Entry: Sized {
    fn put(&self, out: &mut Vec<&'static str>);
    fn take(lines: &mut dyn Iterator<Item = &'static str>) -> Option<Self>;
}

impl Entry for &'static str {
    fn put(&self, out: &mut Vec<&'static str>) {
        out.push(self);
    }

    fn take(lines: &mut dyn Iterator<Item = &'static str>) -> Option<Self> {
        lines.next()
    }
}

impl<const N: usize> Entry for [&'static str; N] {
    fn put(&self, out: &mut Vec<&'static str>) {
        out.extend_from_slice(self);
    }

    fn take(lines: &mut dyn Iterator<Item = &'static str>) -> Option<Self> {
        let mut list = [""; N];
        for slot in &mut list {
            *slot = lines.next()?;
        }
        Some(list)
    }
}

catalogue! {
    /// Every user-visible string of the app.
    #[derive(Debug)]
    pub struct Strings {
        pub app_name: &'static str,
        pub loading: &'static str,

        // The bottom tab bar.
        pub nav_label: &'static str,
        pub nav_home: &'static str,
        pub nav_checkin: &'static str,
        pub nav_service: &'static str,
        pub nav_me: &'static str,

        // Page titles shown in the top bar and the document title.
        pub title_home: &'static str,
        pub title_checkin: &'static str,
        pub title_service: &'static str,
        pub title_me: &'static str,
        pub title_login: &'static str,
        pub title_not_found: &'static str,

        pub home_greeting: &'static str,
        pub home_hours_year: &'static str,
        pub home_checked_in: &'static str,
        pub home_checkin_pending: &'static str,
        pub home_checkin_rejected: &'static str,
        pub home_not_checked_in: &'static str,
        pub home_go_checkin: &'static str,
        pub home_empty_title: &'static str,
        pub home_empty_desc: &'static str,
        pub home_welcome_title: &'static str,
        pub home_welcome_desc: &'static str,
        pub home_welcome_activate: &'static str,

        pub checkin_empty_title: &'static str,
        pub checkin_empty_desc: &'static str,

        pub service_empty_title: &'static str,
        pub service_empty_desc: &'static str,

        pub me_guest_title: &'static str,
        pub me_guest_desc: &'static str,
        pub me_login: &'static str,
        pub me_logout: &'static str,
        pub me_signed_out: &'static str,
        pub me_phone: &'static str,
        pub me_branch: &'static str,
        pub me_community: &'static str,
        pub me_none: &'static str,
        pub me_settings: &'static str,
        pub me_language: &'static str,
        pub me_version: &'static str,

        pub login_phone: &'static str,
        pub login_phone_placeholder: &'static str,
        pub login_password: &'static str,
        pub login_password_placeholder: &'static str,
        pub login_submit: &'static str,
        pub login_missing_fields: &'static str,
        pub login_success: &'static str,
        pub login_hint: &'static str,
        pub org_manage: &'static str,
        pub org_new_child: &'static str,
        pub org_name: &'static str,
        pub org_kind: &'static str,
        pub org_sector: &'static str,
        pub org_size_rules: &'static str,
        pub org_create: &'static str,
        pub org_created: &'static str,
        pub org_rename: &'static str,
        pub org_renamed: &'static str,
        pub community_new: &'static str,
        pub community_name: &'static str,
        pub community_create: &'static str,
        pub community_created: &'static str,
        pub title_password: &'static str,
        pub title_audit: &'static str,
        pub audit_system: &'static str,
        pub audit_empty: &'static str,
        pub password_old: &'static str,
        pub password_new: &'static str,
        pub password_again: &'static str,
        pub password_missing: &'static str,
        pub password_mismatch: &'static str,
        pub password_submit: &'static str,
        pub password_changed: &'static str,
        pub title_roster: &'static str,
        pub roster_upload: &'static str,
        pub roster_columns: &'static str,
        pub roster_file: &'static str,
        pub roster_pick: &'static str,
        pub roster_check: &'static str,
        pub roster_import: &'static str,
        pub roster_export: &'static str,
        pub roster_download: &'static str,
        pub roster_bad_rows: &'static str,
        pub roster_would: &'static str,
        pub roster_new_communities: &'static str,
        pub roster_done: &'static str,
        pub roster_created: &'static str,
        pub roster_updated: &'static str,
        pub roster_unchanged: &'static str,
        pub roster_row: &'static str,
        pub me_roster: &'static str,
        pub live_wrong_codes: &'static str,
        pub times: &'static str,
        pub close: &'static str,
        pub activation_issue: &'static str,
        pub activation_title: &'static str,
        pub activation_until: &'static str,
        pub activation_how: &'static str,
        pub activation_sheet: &'static str,
        pub activation_sheet_title: &'static str,
        pub activation_sheet_empty: &'static str,
        pub activate_toggle: &'static str,
        pub login_toggle: &'static str,
        pub activate_title: &'static str,
        pub activate_code: &'static str,
        pub activate_code_placeholder: &'static str,
        pub activate_password: &'static str,
        pub activate_password_placeholder: &'static str,
        pub activate_missing_fields: &'static str,
        pub activate_submit: &'static str,
        pub activate_hint: &'static str,

        pub not_found_title: &'static str,
        pub not_found_desc: &'static str,
        pub back_home: &'static str,

        pub error_network: &'static str,
        pub error_unexpected: &'static str,
        pub error_server: &'static str,
        pub session_expired: &'static str,

        pub title_attendance: &'static str,
        pub title_live: &'static str,
        pub title_org: &'static str,
        pub title_hours: &'static str,
        pub title_org_attendance: &'static str,
        pub title_community_service: &'static str,
        pub att_theme_days: &'static str,
        pub cs_not_reported: &'static str,
        pub cs_empty: &'static str,
        pub title_review: &'static str,
        pub title_report: &'static str,
        pub title_sectors: &'static str,
        pub title_certificate: &'static str,
        pub title_verify: &'static str,
        pub home_attendance: &'static str,
        pub live_open: &'static str,
        pub td_when: &'static str,
        pub td_location: &'static str,
        pub td_study: &'static str,
        pub td_activities: &'static str,
        pub theme_statuses: [&'static str; 3],
        pub statuses: [&'static str; 4],
        pub status_pending: &'static str,
        pub status_waiting: &'static str,
        pub waiting_title: &'static str,
        pub waiting_hint: &'static str,
        pub synced: &'static str,
        pub synced_ok: &'static str,
        pub fate_refused: &'static str,
        pub fate_checkin_todo: &'static str,
        pub fate_log_todo: &'static str,
        pub fate_dismiss: &'static str,
        pub fates_title: &'static str,
        pub checkin_ok: &'static str,
        pub checkin_failed: &'static str,
        pub checkin_queued: &'static str,
        pub checkin_code_title: &'static str,
        pub checkin_day: &'static str,
        pub checkin_code: &'static str,
        pub checkin_submit: &'static str,
        pub checkin_scan_hint: &'static str,
        pub checkin_choose_day: &'static str,
        pub checkin_code_invalid: &'static str,
        pub checkin_one_tap: &'static str,
        pub checkin_back: &'static str,
        pub absent: &'static str,
        pub study_done: &'static str,
        pub dues_paid: &'static str,
        pub makeup_word: &'static str,
        pub makeup_action: &'static str,
        pub makeup_title: &'static str,
        pub makeup_studied: &'static str,
        pub makeup_studied_on: &'static str,
        pub makeup_missing: &'static str,
        pub makeup_date_invalid: &'static str,
        pub makeup_sent: &'static str,
        pub attendance_empty: &'static str,
        pub submit: &'static str,
        pub save: &'static str,
        pub saved: &'static str,
        pub cancel: &'static str,
        pub search: &'static str,
        pub choose: &'static str,
        pub note: &'static str,
        pub approve: &'static str,
        pub reject: &'static str,
        pub approved_toast: &'static str,
        pub select_all: &'static str,
        pub select_some: &'static str,
        pub load_more: &'static str,
        pub people: &'static str,
        pub live_short_code: &'static str,
        pub live_fullscreen: &'static str,
        pub live_not_open_yet: &'static str,
        pub live_closed: &'static str,
        pub live_present: &'static str,
        pub live_expected: &'static str,
        pub roll_call_title: &'static str,
        pub roll_call_empty: &'static str,
        pub roll_call_submit: &'static str,
        pub roll_call_done: &'static str,
        pub edit_title: &'static str,
        pub edit_name: &'static str,
        pub edit_starts: &'static str,
        pub edit_ends: &'static str,
        pub edit_activities: &'static str,
        pub study_title: &'static str,
        pub study_empty: &'static str,
        pub study_submit: &'static str,
        pub study_done_toast: &'static str,
        pub geofence_hint: &'static str,
        pub geofence_lat: &'static str,
        pub geofence_lng: &'static str,
        pub geofence_radius: &'static str,
        pub geofence_here: &'static str,
        pub geofence_no_position: &'static str,
        pub geofence_invalid: &'static str,
        pub edit_time_invalid: &'static str,
        pub dues_title: &'static str,
        pub dues_member: &'static str,
        pub dues_choose: &'static str,
        pub dues_basis: &'static str,
        pub dues_bases: [&'static str; 5],
        pub dues_income: &'static str,
        pub dues_standard: &'static str,
        pub dues_amount: &'static str,
        pub dues_method: &'static str,
        pub dues_cash: &'static str,
        pub dues_transfer: &'static str,
        pub dues_submit: &'static str,
        pub dues_missing: &'static str,
        pub dues_recorded: &'static str,
        pub dues_below: &'static str,
        pub dues_submit_anyway: &'static str,
        pub dues_list_title: &'static str,
        pub dues_paid_short: &'static str,
        pub dues_unpaid: &'static str,
        pub dues_csv_header: &'static str,
        pub makeups_title: &'static str,
        pub makeups_empty: &'static str,
        pub makeups_decided: &'static str,
        pub wechat_login: &'static str,
        pub wechat_outside: &'static str,
        pub wechat_unbound: &'static str,
        pub wechat_bind_title: &'static str,
        pub wechat_bind_submit: &'static str,
        pub login_or: &'static str,
        pub me_categories: &'static str,
        pub me_sectors: &'static str,
        pub me_work: &'static str,
        pub me_orgs: &'static str,
        pub categories: [&'static str; 5],
        pub roles: [&'static str; 4],
        pub org_kinds: [&'static str; 9],
        pub service_kinds: [&'static str; 7],
        pub community_search: &'static str,
        pub community_none: &'static str,
        pub report_title: &'static str,
        pub report_desc: &'static str,
        pub report_current: &'static str,
        pub report_action: &'static str,
        pub report_sent: &'static str,
        pub report_mine: &'static str,
        pub report_none: &'static str,
        pub join_title: &'static str,
        pub join_committee: &'static str,
        pub join_platform: &'static str,
        pub platforms: [&'static str; 4],
        pub platform_other: &'static str,
        pub sector_choose: &'static str,
        pub platform_choose: &'static str,
        pub join_submit: &'static str,
        pub join_sent: &'static str,
        pub join_mine: &'static str,
        pub join_none: &'static str,
        pub service_log_title: &'static str,
        pub service_correct_title: &'static str,
        pub service_kind: &'static str,
        pub service_duration: &'static str,
        pub durations: [&'static str; 5],
        pub service_minutes: &'static str,
        pub service_date: &'static str,
        pub service_place: &'static str,
        pub place_none: &'static str,
        pub place_search: &'static str,
        pub service_minutes_invalid: &'static str,
        pub service_date_invalid: &'static str,
        pub service_sent: &'static str,
        pub service_queued: &'static str,
        pub service_mine: &'static str,
        pub service_correct: &'static str,
        pub hours_unit: &'static str,
        pub correction: &'static str,
        pub review_checkins: &'static str,
        pub review_logs: &'static str,
        pub review_reports: &'static str,
        pub review_joins: &'static str,
        pub reject_reason: &'static str,
        pub reject_reason_missing: &'static str,
        pub review_done: &'static str,
        pub review_skipped: &'static str,
        pub review_empty_title: &'static str,
        pub review_empty_desc: &'static str,
        pub review_more: &'static str,
        pub review_claimed: &'static str,
        pub review_arrived: &'static str,
        pub compliance_issue: &'static str,
        pub org_children: &'static str,
        pub org_no_children: &'static str,
        pub org_theme_days: &'static str,
        pub org_no_theme_days: &'static str,
        pub org_members: &'static str,
        pub probationary: &'static str,
        pub title_member: &'static str,
        pub member_branch: &'static str,
        pub member_community: &'static str,
        pub member_joined: &'static str,
        pub member_formal_on: &'static str,
        pub member_record_formal: &'static str,
        pub member_formal_hint: &'static str,
        pub member_categories: &'static str,
        pub member_save_categories: &'static str,
        pub member_saved: &'static str,
        pub member_status: &'static str,
        pub member_status_save: &'static str,
        pub member_account: &'static str,
        pub member_activated: &'static str,
        pub member_not_activated: &'static str,
        pub member_disabled: &'static str,
        pub member_readonly: &'static str,
        pub member_roles: &'static str,
        pub member_no_roles: &'static str,
        pub role_revoke: &'static str,
        pub role_revoked: &'static str,
        pub role_grant: &'static str,
        pub role_role: &'static str,
        pub role_unit: &'static str,
        pub role_granted: &'static str,
        pub org_move: &'static str,
        pub org_move_search: &'static str,
        pub org_move_to: &'static str,
        pub org_moved: &'static str,
        pub org_dissolve: &'static str,
        pub org_dissolve_hint: &'static str,
        pub org_dissolve_confirm: &'static str,
        pub org_dissolved: &'static str,
        pub community_list: &'static str,
        pub community_address: &'static str,
        pub community_org: &'static str,
        pub community_org_none: &'static str,
        pub community_save: &'static str,
        pub community_saved: &'static str,
        pub community_admin: &'static str,
        pub community_admin_assign: &'static str,
        pub community_admin_assigned: &'static str,
        pub community_admin_needs_org: &'static str,
        pub member_statuses: [&'static str; 3],
        pub month: &'static str,
        pub month_from: &'static str,
        pub month_to: &'static str,
        pub month_invalid: &'static str,
        pub hours_group: &'static str,
        pub hours_by: [&'static str; 3],
        pub hours_total: &'static str,
        pub hours_entries: &'static str,
        pub hours_members: &'static str,
        pub hours_participation: &'static str,
        pub hours_chart: &'static str,
        pub hours_none: &'static str,
        pub export_csv: &'static str,
        pub export_xlsx: &'static str,
        pub certificate_choose: &'static str,
        pub certificate_issue: &'static str,
        pub certificate_heading: &'static str,
        pub certificate_period: &'static str,
        pub certificate_total: &'static str,
        pub certificate_issuer: &'static str,
        pub certificate_issued: &'static str,
        pub certificate_number: &'static str,
        pub certificate_verify: &'static str,
        pub verify_ok: &'static str,
        pub print: &'static str,

        // Member classes (党员分类管理).
        pub pick_one: &'static str,
        pub title_classes: &'static str,
        pub title_my_classes: &'static str,
        pub cls_tab_posts: &'static str,
        pub cls_tab_floating: &'static str,
        pub cls_tab_difficulty: &'static str,
        pub cls_tab_households: &'static str,
        pub cls_posts_desc: &'static str,
        pub cls_posts_none: &'static str,
        pub cls_post_new: &'static str,
        pub cls_post_name: &'static str,
        pub cls_post_duties: &'static str,
        pub cls_post_create: &'static str,
        pub cls_post_created: &'static str,
        pub cls_post_missing: &'static str,
        pub cls_holders_none: &'static str,
        pub cls_holder_pick: &'static str,
        pub cls_assign: &'static str,
        pub cls_holder_added: &'static str,
        pub cls_holder_removed: &'static str,
        pub cls_remove: &'static str,
        pub cls_this_quarter: &'static str,
        pub cls_times: &'static str,
        pub cls_pick_member: &'static str,
        pub cls_floating_desc: &'static str,
        pub cls_floating_none: &'static str,
        pub cls_handle: &'static str,
        pub cls_overdue: &'static str,
        pub cls_returned: &'static str,
        pub cls_whereabouts_unknown: &'static str,
        pub cls_contact_person_is: &'static str,
        pub cls_contact_person_none: &'static str,
        pub cls_last_contact_is: &'static str,
        pub cls_never_contacted: &'static str,
        pub cls_record_contact: &'static str,
        pub cls_contacted_on: &'static str,
        pub cls_contact_way: &'static str,
        pub cls_contact_note: &'static str,
        pub cls_save_contact: &'static str,
        pub cls_contact_recorded: &'static str,
        pub cls_contact_person: &'static str,
        pub cls_set_contact_person: &'static str,
        pub cls_contact_person_set: &'static str,
        pub cls_return_home: &'static str,
        pub cls_returned_on: &'static str,
        pub cls_mark_returned: &'static str,
        pub cls_marked_returned: &'static str,
        pub cls_date_missing: &'static str,
        pub cls_way_missing: &'static str,
        pub cls_kind_missing: &'static str,
        pub cls_difficulty_desc: &'static str,
        pub cls_difficulty_none: &'static str,
        pub cls_difficulty_kind: &'static str,
        pub cls_needs: &'static str,
        pub cls_since: &'static str,
        pub cls_since_is: &'static str,
        pub cls_helped_this_quarter: &'static str,
        pub cls_last_visit_is: &'static str,
        pub cls_file_form: &'static str,
        pub cls_member: &'static str,
        pub cls_save_file: &'static str,
        pub cls_close_file: &'static str,
        pub cls_file_saved: &'static str,
        pub cls_file_closed: &'static str,
        pub cls_edit: &'static str,
        pub cls_households_desc: &'static str,
        pub cls_households_none: &'static str,
        pub cls_households_form: &'static str,
        pub cls_households: &'static str,
        pub cls_households_hint: &'static str,
        pub cls_households_missing: &'static str,
        pub cls_save_households: &'static str,
        pub cls_households_saved: &'static str,
        pub cls_mine_none: &'static str,
        pub cls_my_households: &'static str,
        pub cls_my_floating: &'static str,
        pub cls_last_contact: &'static str,
        pub cls_update_whereabouts: &'static str,
        pub cls_city: &'static str,
        pub cls_employer: &'static str,
        pub cls_away_since: &'static str,
        pub cls_save_whereabouts: &'static str,
        pub cls_whereabouts_saved: &'static str,
        pub org_classes: &'static str,
        pub difficulty_kinds: [&'static str; 6],
        pub contact_ways: [&'static str; 4],

        // Governance records (组织生活, 抽查, 整改).
        pub title_meetings: &'static str,
        pub title_problems: &'static str,
        pub title_inspections: &'static str,
        pub title_inspection: &'static str,
        pub title_governance: &'static str,
        pub gov_due: &'static str,
        pub gov_nothing_due: &'static str,
        pub gov_record_meeting: &'static str,
        pub gov_meeting_kind: &'static str,
        pub gov_held_on: &'static str,
        pub gov_topic: &'static str,
        pub gov_host: &'static str,
        pub gov_attendees: &'static str,
        pub gov_minutes: &'static str,
        pub gov_photo: &'static str,
        pub gov_save_meeting: &'static str,
        pub gov_meeting_saved: &'static str,
        pub gov_kind_missing: &'static str,
        pub gov_held_meetings: &'static str,
        pub gov_no_meetings: &'static str,
        pub gov_held: &'static str,
        pub gov_photos: &'static str,
        pub gov_problems_of_unit: &'static str,
        pub gov_problems_to_review: &'static str,
        pub gov_no_problems: &'static str,
        pub gov_deadline_is: &'static str,
        pub gov_overdue: &'static str,
        pub gov_rectification_is: &'static str,
        pub gov_reopened_because: &'static str,
        pub gov_rectify_note: &'static str,
        pub gov_submit_rectification: &'static str,
        pub gov_rectified: &'static str,
        pub gov_note_missing: &'static str,
        pub gov_reopen_reason: &'static str,
        pub gov_accept: &'static str,
        pub gov_reopen: &'static str,
        pub gov_reviewed: &'static str,
        pub gov_reason_missing: &'static str,
        pub gov_draw_title: &'static str,
        pub gov_draw_desc: &'static str,
        pub gov_scope: &'static str,
        pub gov_sample_size: &'static str,
        pub gov_record_kind: &'static str,
        pub gov_draw: &'static str,
        pub gov_drawn: &'static str,
        pub gov_scope_missing: &'static str,
        pub gov_month_missing: &'static str,
        pub gov_size_missing: &'static str,
        pub gov_inspections: &'static str,
        pub gov_no_inspections: &'static str,
        pub gov_graded: &'static str,
        pub gov_seed_is: &'static str,
        pub gov_inspector_is: &'static str,
        pub gov_seed_desc: &'static str,
        pub gov_no_record: &'static str,
        pub gov_ungraded: &'static str,
        pub gov_empty_sample: &'static str,
        pub gov_grade: &'static str,
        pub gov_grade_missing: &'static str,
        pub gov_finding_note: &'static str,
        pub gov_problem: &'static str,
        pub gov_deadline: &'static str,
        pub gov_save_finding: &'static str,
        pub gov_graded_saved: &'static str,
        pub gov_finding_once: &'static str,
        pub gov_dues_records: &'static str,
        pub gov_quarter: &'static str,
        pub gov_quarter_hint: &'static str,
        pub gov_meetings_done: &'static str,
        pub gov_problems_rectified: &'static str,
        pub gov_venues_complete: &'static str,
        pub gov_talk_suggested: &'static str,
        pub gov_order_note: &'static str,
        pub org_meetings: &'static str,
        pub org_problems: &'static str,
        pub org_governance: &'static str,
        pub me_inspections: &'static str,
        pub meeting_kinds: [&'static str; 4],
        pub period_statuses: [&'static str; 3],
        pub record_kinds: [&'static str; 3],
        pub grades: [&'static str; 3],
        pub problem_sources: [&'static str; 2],
        pub problem_statuses: [&'static str; 4],
        // Notifications: the bell, the list and the settings.
        pub bell: &'static str,
        pub bell_unread: &'static str,
        pub title_notifications: &'static str,
        pub title_notification_settings: &'static str,
        pub notification_unread: &'static str,
        pub notifications_empty: &'static str,
        pub notify_intro: &'static str,
        pub notify_kinds_title: &'static str,
        /// In the order of `NotificationKind::ALL`.
        pub notify_kinds: [&'static str; 4],
        pub notify_kind_hints: [&'static str; 4],
        pub notify_quiet: &'static str,
        pub notify_quiet_from: &'static str,
        pub notify_quiet_to: &'static str,
        pub notify_quiet_hint: &'static str,
        pub notify_saved: &'static str,
        pub notify_push_on: &'static str,
        pub notify_push_refused: &'static str,
        pub notify_push_unavailable: &'static str,
    }
}

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
