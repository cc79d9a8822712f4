//! 四议两公开: village decisions and the order of their six steps.

use super::*;

vocabulary! {
    /// The six steps of 四议两公开, in order.
    DecisionStep {
        Proposal = "proposal", "党支部提议";
        Deliberation = "deliberation", "两委会商议";
        Review = "review", "党员大会审议";
        Resolution = "resolution", "村民代表会议决议";
        ResolutionPublic = "resolution_public", "决议公开";
        ResultPublic = "result_public", "实施结果公开";
    }
}

/// One step of a decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRecord {
    pub step: DecisionStep,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub done_on: NaiveDate,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

/// `POST /orgs/{id}/decisions`: a village decision and the steps taken so
/// far; later steps are added with `PUT /decisions/{id}/steps/{step}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageDecisionRequest {
    /// Made by the phone; the idempotency key.
    pub id: String,
    pub subject: String,
    #[serde(default)]
    pub steps: Vec<StepRecord>,
}

/// `PUT /decisions/{id}/steps/{step}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub done_on: NaiveDate,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepView {
    pub step: DecisionStep,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub done_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageDecision {
    pub id: String,
    pub org: IdName,
    pub subject: String,
    pub steps: Vec<StepView>,
    /// All six steps are done.
    pub complete: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<FixedOffset>,
}

/// Checks that steps come in the order of 四议两公开, once each, on dates
/// that never go back and are not in the future. `before` is the last step
/// already recorded (its step and date).
pub fn steps_problem(
    before: Option<(DecisionStep, NaiveDate)>,
    steps: &[(DecisionStep, NaiveDate)],
    today: NaiveDate,
) -> Option<String> {
    let mut last = before;
    for (step, date) in steps {
        let expected = match last {
            None => 0,
            Some((s, _)) => DecisionStep::ALL.iter().position(|x| *x == s).unwrap_or(0) + 1,
        };
        if DecisionStep::ALL.get(expected) != Some(step) {
            return Some(match DecisionStep::ALL.get(expected) {
                Some(next) => format!("下一步应为「{}」", next.zh()),
                None => "六个步骤均已完成".to_owned(),
            });
        }
        if *date > today {
            return Some("日期不能晚于今天".to_owned());
        }
        if let Some((_, previous)) = last
            && *date < previous
        {
            return Some(format!("「{}」的日期不能早于上一步", step.zh()));
        }
        last = Some((*step, *date));
    }
    None
}
