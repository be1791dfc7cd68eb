//! Job conditions as upstream writes them: `{type, status, lastProbeTime,
//! lastTransitionTime, reason, message}`, one per type.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

pub const COMPLETE: &str = "Complete";
pub const FAILED: &str = "Failed";
pub const SUCCESS_CRITERIA_MET: &str = "SuccessCriteriaMet";
pub const FAILURE_TARGET: &str = "FailureTarget";
pub const SUSPENDED: &str = "Suspended";

pub const COMPLETIONS_REACHED: (&str, &str) = ("CompletionsReached", "Reached expected number of succeeded pods");
pub const BACKOFF_LIMIT_EXCEEDED: (&str, &str) =
    ("BackoffLimitExceeded", "Job has reached the specified backoff limit");
pub const DEADLINE_EXCEEDED: (&str, &str) = ("DeadlineExceeded", "Job was active longer than specified deadline");

pub fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn condition(type_: &str, status: bool, (reason, message): (&str, &str), now: DateTime<Utc>) -> Value {
    json!({
        "type": type_,
        "status": if status { "True" } else { "False" },
        "lastProbeTime": timestamp(now),
        "lastTransitionTime": timestamp(now),
        "reason": reason,
        "message": message,
    })
}

pub fn find<'a>(conditions: &'a [Value], type_: &str) -> Option<&'a Value> {
    conditions.iter().find(|c| c["type"] == type_)
}

/// Whether a condition of this type is True.
pub fn is_true(conditions: &[Value], type_: &str) -> bool {
    find(conditions, type_).is_some_and(|c| c["status"] == "True")
}

/// Adds the condition, or replaces the one of its type when its status changes.
pub fn set(conditions: &mut Vec<Value>, new: Value) {
    match conditions.iter_mut().find(|c| c["type"] == new["type"]) {
        Some(existing) if existing["status"] == new["status"] => {}
        Some(existing) => *existing = new,
        None => conditions.push(new),
    }
}

/// `(reason, message)` of a condition, as owned strings.
pub fn reason_of(condition: &Value) -> (String, String) {
    let text = |field: &str| condition[field].as_str().unwrap_or_default().to_string();
    (text("reason"), text("message"))
}

/// When the job finished (its Complete or Failed condition turned True), if it has.
pub fn finished_at(conditions: &[Value]) -> Option<Option<DateTime<Utc>>> {
    let done = conditions.iter().find(|c| (c["type"] == COMPLETE || c["type"] == FAILED) && c["status"] == "True")?;
    Some(
        done["lastTransitionTime"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_only_on_status_change() {
        let now = Utc::now();
        let mut conditions = vec![condition(SUSPENDED, true, ("JobSuspended", "Job suspended"), now)];
        set(&mut conditions, condition(SUSPENDED, true, ("Other", "x"), now));
        assert_eq!(conditions[0]["reason"], "JobSuspended");
        set(&mut conditions, condition(SUSPENDED, false, ("JobResumed", "Job resumed"), now));
        assert_eq!((conditions.len(), conditions[0]["reason"].as_str()), (1, Some("JobResumed")));
        assert!(finished_at(&conditions).is_none());
        set(&mut conditions, condition(COMPLETE, true, COMPLETIONS_REACHED, now));
        assert!(finished_at(&conditions).is_some());
    }
}
