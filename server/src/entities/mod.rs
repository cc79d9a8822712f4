//! sea-orm entities, mirroring `zhibu-migrations`: one per table the app
//! reads or writes through sea-orm. The read models kept by raw SQL and
//! triggers (`hours_month`, `hours_member`, `hours_member_range`,
//! `org_member_count`) have none. Boilerplate only: behaviour lives in the
//! capability modules; stored vocabularies are the shared enums.

pub mod activation_code;
pub mod app_meta;
pub mod attachment;
pub mod audit_log;
pub mod auth_session;
pub mod center_household;
pub mod certificate;
pub mod checkin;
pub mod checkin_failure;
pub mod community;
pub mod community_report;
pub mod decision_step;
pub mod difficulty_file;
pub mod dues_payment;
pub mod floating_contact;
pub mod floating_profile;
pub mod governance_tally;
pub mod hours_participation;
pub mod hours_rollup;
pub mod inspection;
pub mod inspection_item;
pub mod job;
pub mod login_failure;
pub mod makeup;
pub mod meeting;
pub mod meeting_attendee;
pub mod member;
pub mod member_branch_history;
pub mod member_category;
pub mod notification;
pub mod notification_setting;
pub mod obligation;
pub mod org_closure;
pub mod org_unit;
pub mod post;
pub mod post_holder;
pub mod problem;
pub mod push_subscription;
pub mod remote_study;
pub mod role_grant;
pub mod sector_membership;
pub mod seed_step;
pub mod service_credit;
pub mod service_log;
pub mod study_record;
pub mod talk;
pub mod theme_day;
pub mod venue;
pub mod venue_item;
pub mod village_decision;
pub mod wechat_account;
pub mod wechat_consent;
