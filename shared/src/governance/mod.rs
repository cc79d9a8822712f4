//! Governance records on the wire (docs/api.md, "Governance records"):
//! 三会一课 meetings and the obligations they meet, attachments, the monthly
//! random inspection (抽查调阅) and cross-inspection, problems and their
//! rectification, 约谈, 四议两公开 decisions, the 十有 venue checklist and
//! the overview. The rules both sides need (periods, the draw, the rotation,
//! the problem lifecycle, the order of decision steps) are pure functions.

mod attachments;
mod decisions;
mod inspections;
mod meetings;
mod overview;
mod problems;
mod venues;

pub use attachments::*;
pub use decisions::*;
pub use inspections::*;
pub use meetings::*;
pub use overview::*;
pub use problems::*;
pub use venues::*;

use std::collections::HashSet;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::auth::IdName;
use crate::theme_day::{MAX_YEAR, MIN_YEAR, Month};
use crate::vocabulary::vocabulary;

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn quarters_parse_and_print() {
        let q = Quarter::parse("2026-Q4").unwrap();
        assert_eq!(q.first_day(), date(2026, 10, 1));
        assert_eq!(q.last_day(), date(2026, 12, 31));
        assert_eq!(q.to_string(), "2026-Q4");
        for bad in [
            "2026-Q5", "2026-Q0", "26-Q1", "2026Q1", "3000-Q1", "2026-Q12",
        ] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
        assert_eq!(Quarter::of(date(2026, 3, 31)).quarter, 1);
        assert_eq!(Quarter::of(date(2026, 4, 1)).quarter, 2);
    }

    #[test]
    fn periods_follow_the_kind_of_meeting() {
        let from = Month::parse("2026-02").unwrap();
        let to = Month::parse("2026-04").unwrap();
        let q: Vec<String> = periods(MeetingKind::Lecture, from, to)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(q, ["2026-Q1", "2026-Q2"]);
        let m: Vec<String> = periods(MeetingKind::Committee, from, to)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(m, ["2026-02", "2026-03", "2026-04"]);
    }

    #[test]
    fn an_obligation_is_overdue_only_after_its_period() {
        let q1 = Period::Quarter(Quarter::parse("2026-Q1").unwrap());
        assert_eq!(q1.status(false, date(2026, 3, 31)), PeriodStatus::Due);
        assert_eq!(q1.status(false, date(2026, 4, 1)), PeriodStatus::Overdue);
        assert_eq!(q1.status(true, date(2026, 4, 1)), PeriodStatus::Done);
    }

    #[test]
    fn small_branches_owe_no_committee_meeting() {
        assert_eq!(
            obligations(6, false),
            [MeetingKind::BranchAssembly, MeetingKind::Lecture]
        );
        assert_eq!(obligations(7, true).len(), 4);
    }

    #[test]
    fn the_same_seed_draws_the_same_units_and_fresh_units_come_first() {
        let units: Vec<i64> = (1..=20).collect();
        let drawn: HashSet<i64> = (1..=15).collect();
        let a = draw_units(&mut Draw::new(7), &units, &drawn, 5);
        let b = draw_units(&mut Draw::new(7), &units, &drawn, 5);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [16, 17, 18, 19, 20]);
        let more = draw_units(&mut Draw::new(7), &units, &drawn, 8);
        assert_eq!(more.len(), 8);
        assert!(more[..5].iter().all(|u| *u > 15));
        assert_ne!(
            draw_units(&mut Draw::new(1), &units, &HashSet::new(), 10),
            draw_units(&mut Draw::new(2), &units, &HashSet::new(), 10)
        );
    }

    #[test]
    fn nobody_inspects_itself_and_the_pairs_move_each_month() {
        let month = Month::parse("2026-11").unwrap();
        let pairs = rotation(28, month);
        assert_eq!(pairs.len(), 28);
        assert!(pairs.iter().all(|(a, b)| a != b));
        let mut targets: Vec<usize> = pairs.iter().map(|p| p.1).collect();
        targets.sort_unstable();
        assert_eq!(targets, (0..28).collect::<Vec<_>>());
        assert_ne!(pairs, rotation(28, month.next()));
        assert!(rotation(1, month).is_empty());
    }

    #[test]
    fn the_problem_lifecycle_allows_only_its_steps() {
        use ProblemAction::*;
        use ProblemStatus::*;
        assert_eq!(problem_transition(Open, Submit), Some(Submitted));
        assert_eq!(
            problem_transition(Submitted, Decide(ProblemDecision::Reopen)),
            Some(Reopened)
        );
        assert_eq!(problem_transition(Reopened, Submit), Some(Submitted));
        assert_eq!(
            problem_transition(Submitted, Decide(ProblemDecision::Accept)),
            Some(Accepted)
        );
        assert_eq!(problem_transition(Accepted, Submit), None);
        assert_eq!(
            problem_transition(Open, Decide(ProblemDecision::Accept)),
            None
        );
    }

    #[test]
    fn decision_steps_come_in_order_on_dates_that_do_not_go_back() {
        use DecisionStep::*;
        let today = date(2026, 11, 30);
        assert_eq!(
            steps_problem(
                None,
                &[
                    (Proposal, date(2026, 10, 1)),
                    (Deliberation, date(2026, 10, 3))
                ],
                today
            ),
            None
        );
        assert!(steps_problem(None, &[(Deliberation, date(2026, 10, 1))], today).is_some());
        assert!(
            steps_problem(
                Some((Proposal, date(2026, 10, 5))),
                &[(Deliberation, date(2026, 10, 3))],
                today
            )
            .is_some()
        );
        assert!(steps_problem(None, &[(Proposal, date(2026, 12, 1))], today).is_some());
        assert!(
            steps_problem(
                Some((ResultPublic, date(2026, 10, 5))),
                &[(Proposal, date(2026, 10, 6))],
                today
            )
            .is_some()
        );
    }

    #[test]
    fn attachments_are_told_by_their_first_bytes() {
        assert_eq!(
            sniff_content_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff_content_type(b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert_eq!(sniff_content_type(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff_content_type(b"<html>"), None);
        assert_eq!(sniff_content_type(b"GIF89a"), None);
    }
}
