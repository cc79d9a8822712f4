//! The parts of the API module that do not touch the browser: reading
//! answers and errors, and what the offline queue stores.

use zhibu_shared::checkin::{AlreadyCheckedIn, Checkin, CheckinRequest, ReviewStatus};
use zhibu_shared::volunteer::{ServiceKind, ServiceLogRequest};

use super::*;
use crate::i18n::{EN, ZH};

fn answer(status: u16, text: &str) -> Answer {
    Answer {
        status,
        text: text.to_owned(),
        blob: None,
    }
}

fn refused(status: u16, text: &str) -> ApiError {
    match success(answer(status, text)) {
        Err(error) => error,
        Ok(_) => panic!("{status} was taken for a success"),
    }
}

#[test]
fn an_empty_body_decodes_as_nothing() {
    assert_eq!(decode::<()>(""), Ok(()));
    assert_eq!(decode::<()>(" \n"), Ok(()));
    assert!(decode::<i64>("").is_err());
}

#[test]
fn a_body_of_another_shape_is_a_decode_error() {
    assert!(matches!(
        decode::<Vec<i64>>(r#"{"items": []}"#),
        Err(ApiError::Decode(_))
    ));
}

#[test]
fn every_2xx_is_a_success() {
    assert!(success(answer(200, "{}")).is_ok());
    assert!(success(answer(204, "")).is_ok());
    assert!(success(answer(301, "")).is_err());
}

#[test]
fn the_servers_own_message_is_what_the_member_reads() {
    let error = refused(
        422,
        r#"{"code":"validation_failed","message":"手机号须为11位","fields":{"phone":"11位"}}"#,
    );
    assert_eq!(error.status(), Some(422));
    assert_eq!(error.code(), Some("validation_failed"));
    assert_eq!(error.message(&EN), "手机号须为11位");
}

#[test]
fn a_gateways_html_page_keeps_only_its_status() {
    let error = refused(502, "<html><body>Bad Gateway</body></html>");
    assert_eq!(error.code(), Some("http_502"));
    assert_eq!(error.message(&ZH), ZH.error_server);
    let error = refused(404, "<html></html>");
    assert_eq!(error.message(&ZH), ZH.error_unexpected);
}

#[test]
fn a_network_failure_is_not_blamed_on_the_server() {
    let error = ApiError::Network("timed out".into());
    assert_eq!(error.status(), None);
    assert_eq!(error.code(), None);
    assert_eq!(error.message(&ZH), ZH.error_network);
}

#[test]
fn a_refused_second_checkin_carries_the_first_one() {
    let first = r#"{"id":"a","theme_day_id":7,"member":{"id":3,"name":"张三"},
        "method":"code","status":"approved","at":"2026-12-03T09:01:00+08:00"}"#;
    let body = format!(r#"{{"code":"already_checked_in","message":"已签到","checkin":{first}}}"#);
    let error = refused(409, &body);
    let detail = error.detail::<AlreadyCheckedIn>().expect("the 409 body");
    let checkin = detail.checkin.expect("the first check-in");
    assert_eq!(checkin.theme_day_id, 7);
    assert_eq!(checkin.status, ReviewStatus::Approved);
    // An id reused for another check-in answers without one.
    let conflict = refused(
        409,
        r#"{"code":"idempotency_conflict","message":"该编号已用于另一次签到"}"#,
    );
    let detail = conflict.detail::<AlreadyCheckedIn>().expect("the 409 body");
    assert_eq!(detail.checkin, None);
}

#[test]
fn a_checkin_is_queued_under_its_own_id_with_its_body_as_sent() {
    let request = CheckinRequest {
        id: "4b0c5b7e-1f0e-4f8a-9a57-3c1f2f0b8d11".into(),
        token: None,
        short_code: Some("123456".into()),
        client_time: None,
        lat: None,
        lng: None,
    };
    let replay = check_in(7, &request).unwrap();
    assert_eq!(replay.id, request.id);
    assert_eq!(replay.path, "/theme-days/7/checkins");
    let sent: CheckinRequest = serde_json::from_str(&replay.body).unwrap();
    assert_eq!(sent, request);
}

#[test]
fn a_replay_reads_the_answer_as_its_own_type() {
    let replay = check_in(7, &checkin_request()).unwrap();
    let text = r#"{"id":"a","theme_day_id":7,"member":{"id":3,"name":"张三"},
        "method":"offline","status":"pending","at":"2026-12-03T09:01:00+08:00",
        "reason":"离线签到"}"#;
    let checkin: Checkin = replay.answer(text).unwrap();
    assert_eq!(checkin.reason.as_deref(), Some("离线签到"));
    assert!(replay.answer("[]").is_err());
}

#[test]
fn a_service_log_is_queued_under_its_own_id() {
    let request = ServiceLogRequest {
        id: "0d7c2b8e-5a7f-4c55-b3c4-6f1e2a9d0b44".into(),
        kind: ServiceKind::Grid,
        date: chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
        minutes: 90,
        community_id: Some(5),
        org_id: None,
        start_time: None,
        note: None,
        post_id: None,
        helped_member_id: None,
    };
    let replay = log_service(&request).unwrap();
    assert_eq!(replay.id, request.id);
    assert_eq!(replay.path, "/service-logs");
    let sent: ServiceLogRequest = serde_json::from_str(&replay.body).unwrap();
    assert_eq!(sent, request);
}

fn checkin_request() -> CheckinRequest {
    CheckinRequest {
        id: "x".into(),
        token: Some("t".into()),
        short_code: None,
        client_time: None,
        lat: None,
        lng: None,
    }
}
