//! The strategies of Jobs and CronJobs, and their rules: batch/v1 defaulters, the Job
//! strategy's generated selector and labels, `ValidateJob`/`ValidateCronJob` (restartPolicy
//! OnFailure|Never, counts ≥ 0, cron schedule) and the update rules (selector, template,
//! completions and completionMode immutable).

use serde_json::{json, Map, Value};

use super::field::{ensure_obj, go_json, go_string_map, quote, s, set_default, set_default_str, Errs};
use super::pod::{default_pod_template, validate_pod_template};
use super::selectable::count;
use super::selector::{go_label_selector, validate_label_selector};
use super::workloads::nonnegative;
use super::{FieldSet, Strategy};
use crate::machinery::labels::Selector;
use crate::registry::tables;

/// Upstream's `jobStrategy`.
pub(crate) static JOB: Strategy = Strategy {
    defaulter: default_job,
    tracks_generation: true,
    validator: validate_job,
    update_validator: Some(validate_job_update),
    fields: FieldSet::of(&[count("status.successful", "status.succeeded")]).refused_for("Job"),
    printer: &tables::workloads::JOB,
    ..Strategy::DEFAULT
};

/// Upstream's `cronJobStrategy`.
pub(crate) static CRON_JOB: Strategy = Strategy {
    defaulter: default_cron_job,
    tracks_generation: true,
    validator: validate_cron_job,
    printer: &tables::workloads::CRON_JOB,
    ..Strategy::DEFAULT
};

const CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
const LEGACY_CONTROLLER_UID: &str = "controller-uid";
const JOB_NAME: &str = "batch.kubernetes.io/job-name";
const LEGACY_JOB_NAME: &str = "job-name";

// ---------------------------------------------------------------------------------------------
// Defaults

/// `SetDefaults_Job` plus the strategy's `generateSelector` (needs `metadata.uid`).
pub(crate) fn default_job(obj: &mut Value) {
    let Some(root) = obj.as_object_mut() else { return };
    let name = root.get("metadata").map(|m| s(m, "name").to_string()).unwrap_or_default();
    let uid = root.get("metadata").map(|m| s(m, "uid").to_string()).unwrap_or_default();
    let Some(spec) = ensure_obj(root, "spec") else { return };
    if let Some(template) = ensure_obj(spec, "template") {
        default_pod_template(template);
    }
    if spec.get("completions").is_none_or(Value::is_null) && spec.get("parallelism").is_none_or(Value::is_null) {
        spec.insert("completions".into(), json!(1));
        spec.insert("parallelism".into(), json!(1));
    }
    set_default(spec, "parallelism", json!(1));
    let per_index = spec.get("backoffLimitPerIndex").is_some_and(|v| !v.is_null());
    set_default(spec, "backoffLimit", json!(if per_index { i64::from(i32::MAX) } else { 6 }));
    set_default_str(spec, "completionMode", "NonIndexed");
    set_default(spec, "suspend", json!(false));
    let has_failure_policy = spec.get("podFailurePolicy").is_some_and(|v| !v.is_null());
    set_default_str(spec, "podReplacementPolicy", if has_failure_policy { "Failed" } else { "TerminatingOrFailed" });
    let manual = spec.get("manualSelector").and_then(Value::as_bool) == Some(true);
    if !manual && !uid.is_empty() {
        generate_selector(spec, &name, &uid);
    }
    // `metadata.labels` default to the template's labels; upstream applies this again when the
    // stored object is read back, so users see the generated labels there too.
    let template_labels = spec.get("template").and_then(|t| t.get("metadata")).and_then(|m| m.get("labels")).cloned();
    if let Some(labels) = template_labels.filter(|l| l.as_object().is_some_and(|m| !m.is_empty())) {
        if let Some(meta) = ensure_obj(root, "metadata") {
            let empty = meta.get("labels").is_none_or(|l| l.is_null() || l.as_object().is_some_and(Map::is_empty));
            if empty {
                meta.insert("labels".into(), labels);
            }
        }
    }
}

/// The Job strategy's `generateSelector`: label the template with the job's name and uid and
/// select on `batch.kubernetes.io/controller-uid`.
fn generate_selector(spec: &mut Map<String, Value>, name: &str, uid: &str) {
    if let Some(labels) =
        ensure_obj(spec, "template").and_then(|t| ensure_obj(t, "metadata")).and_then(|m| ensure_obj(m, "labels"))
    {
        for key in [LEGACY_JOB_NAME, JOB_NAME] {
            labels.entry(key).or_insert_with(|| json!(name));
        }
        for key in [LEGACY_CONTROLLER_UID, CONTROLLER_UID] {
            labels.entry(key).or_insert_with(|| json!(uid));
        }
    }
    if let Some(match_labels) = ensure_obj(spec, "selector").and_then(|sel| ensure_obj(sel, "matchLabels")) {
        match_labels.entry(CONTROLLER_UID).or_insert_with(|| json!(uid));
    }
}

/// `SetDefaults_CronJob`, plus pod-template defaults inside the job template.
pub(crate) fn default_cron_job(obj: &mut Value) {
    let Some(spec) = obj.as_object_mut().and_then(|o| ensure_obj(o, "spec")) else { return };
    set_default_str(spec, "concurrencyPolicy", "Allow");
    set_default(spec, "suspend", json!(false));
    set_default(spec, "successfulJobsHistoryLimit", json!(3));
    set_default(spec, "failedJobsHistoryLimit", json!(1));
    let Some(job_template) = ensure_obj(spec, "jobTemplate") else { return };
    if let Some(meta) = ensure_obj(job_template, "metadata") {
        meta.entry("creationTimestamp").or_insert(Value::Null);
    }
    if let Some(template) = ensure_obj(job_template, "spec").and_then(|js| ensure_obj(js, "template")) {
        default_pod_template(template);
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// `validateJobSpec` at `path` (`spec` for Jobs, `spec.jobTemplate.spec` for CronJobs).
fn validate_job_spec(e: &mut Errs, spec: &Value, path: &str) {
    for key in ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"] {
        nonnegative(e, spec, key, path);
    }
    let p = |k: &str| format!("{path}.{k}");
    if let Some(mode) = e.str(spec, "completionMode", &p("completionMode")) {
        if mode != "NonIndexed" && mode != "Indexed" {
            e.not_supported(&p("completionMode"), &quote(mode), &["NonIndexed", "Indexed"]);
        }
        if mode == "Indexed" && spec.get("completions").is_none_or(Value::is_null) {
            e.required(&p("completions"), "when completion mode is Indexed");
        }
    }
    if let Some(policy) = e.str(spec, "podReplacementPolicy", &p("podReplacementPolicy")) {
        let has_failure_policy = spec.get("podFailurePolicy").is_some_and(|v| !v.is_null());
        if has_failure_policy && policy != "Failed" {
            e.not_supported(&p("podReplacementPolicy"), &quote(policy), &["Failed"]);
        } else if policy != "Failed" && policy != "TerminatingOrFailed" {
            e.not_supported(&p("podReplacementPolicy"), &quote(policy), &["Failed", "TerminatingOrFailed"]);
        }
    }
    validate_pod_template(e, spec, "template", &p("template"));
    let restart = spec.pointer("/template/spec/restartPolicy").and_then(Value::as_str).unwrap_or("");
    let restart_path = p("template.spec.restartPolicy");
    match restart {
        "Always" | "" => e.required(&restart_path, "valid values: \"OnFailure\", \"Never\""),
        "OnFailure" | "Never" => {
            if spec.get("podFailurePolicy").is_some_and(|v| !v.is_null()) && restart != "Never" {
                e.invalid(
                    &restart_path,
                    &quote(restart),
                    "only \"Never\" is supported when podFailurePolicy is specified",
                );
            }
        }
        other => e.not_supported(&restart_path, &quote(other), &["OnFailure", "Never"]),
    }
}

pub(crate) fn validate_job(e: &mut Errs, obj: &Value) {
    let spec = match obj.get("spec") {
        Some(spec @ Value::Object(_)) => spec,
        Some(other) if !other.is_null() => return e.wrong_type("spec", other, "object"),
        _ => return e.required("spec", ""),
    };
    validate_generated_selector(e, obj, spec);
    validate_job_spec(e, spec, "spec");
    let sel = spec.get("selector").filter(|v| !v.is_null());
    match sel {
        None => e.required("spec.selector", ""),
        Some(_) => validate_label_selector(e, spec, "selector", "spec.selector"),
    }
    if let Ok(selector) = Selector::from_value(sel) {
        let labels = spec.pointer("/template/metadata/labels").and_then(Value::as_object);
        if !selector.matches(&labels) {
            e.invalid(
                "spec.template.metadata.labels",
                &go_string_map(labels),
                "`selector` does not match template `labels`",
            );
        }
    }
}

/// `validateGeneratedSelector`: without manualSelector the generated labels must be intact.
fn validate_generated_selector(e: &mut Errs, obj: &Value, spec: &Value) {
    if spec.get("manualSelector").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let Some(sel) = spec.get("selector").filter(|v| v.is_object()) else { return };
    let meta = obj.get("metadata").cloned().unwrap_or(Value::Null);
    let (name, uid) = (s(&meta, "name"), s(&meta, "uid"));
    if uid.is_empty() {
        e.required("metadata.uid", "");
    }
    let labels = spec.pointer("/template/metadata/labels").and_then(Value::as_object);
    for (key, want) in [(LEGACY_CONTROLLER_UID, uid), (LEGACY_JOB_NAME, name), (CONTROLLER_UID, uid), (JOB_NAME, name)]
    {
        match labels.and_then(|l| l.get(key)).and_then(Value::as_str) {
            None => e.required(&format!("spec.template.metadata.labels[{key}]"), &format!("must be '{want}'")),
            Some(v) if v != want => {
                // Upstream shows the whole label map as the bad value.
                e.invalid(
                    &format!("spec.template.metadata.labels[{key}]"),
                    &go_string_map(labels),
                    &format!("must be '{want}'"),
                )
            }
            _ => {}
        }
    }
    let expected: Map<String, Value> =
        [(CONTROLLER_UID, uid), (JOB_NAME, name), (LEGACY_CONTROLLER_UID, uid), (LEGACY_JOB_NAME, name)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
    if let Ok(selector) = Selector::from_value(Some(sel)) {
        if !selector.matches(&expected) {
            e.invalid("spec.selector", &go_label_selector(sel), "`selector` not auto-generated");
        }
    }
}

/// `ValidateJobUpdate`: selector, template, completionMode and (non-indexed) completions are immutable.
pub(crate) fn validate_job_update(e: &mut Errs, new: &Value, old: &Value) {
    let (n, o) = (new.get("spec").cloned().unwrap_or(Value::Null), old.get("spec").cloned().unwrap_or(Value::Null));
    if n.get("completions") != o.get("completions") && s(&n, "completionMode") != "Indexed" {
        e.invalid(
            "spec.completions",
            &n.get("completions").map(go_json).unwrap_or("null".into()),
            "field is immutable",
        );
    }
    if n.get("selector") != o.get("selector") {
        let shown = n.get("selector").filter(|v| v.is_object()).map(go_label_selector).unwrap_or("null".into());
        e.invalid("spec.selector", &shown, "field is immutable");
    }
    // A suspended job that never started may change its scheduling directives.
    let mut old_template = o.get("template").cloned().unwrap_or(Value::Null);
    let new_template = n.get("template").cloned().unwrap_or(Value::Null);
    let never_started = old.pointer("/status/startTime").is_none_or(Value::is_null);
    if o.get("suspend").and_then(Value::as_bool) == Some(true) && never_started {
        for (section, key) in [
            ("metadata", "labels"),
            ("metadata", "annotations"),
            ("spec", "nodeSelector"),
            ("spec", "affinity"),
            ("spec", "tolerations"),
            ("spec", "schedulingGates"),
        ] {
            if let Some(dst) = old_template.get_mut(section).and_then(Value::as_object_mut) {
                match new_template.get(section).and_then(|x| x.get(key)) {
                    Some(v) => dst.insert(key.into(), v.clone()),
                    None => dst.remove(key),
                };
            }
        }
    }
    if new_template != old_template {
        e.invalid("spec.template", "core.PodTemplateSpec{...}", "field is immutable");
    }
    if n.get("completionMode") != o.get("completionMode") {
        e.invalid(
            "spec.completionMode",
            &n.get("completionMode").map(go_json).unwrap_or("null".into()),
            "field is immutable",
        );
    }
    validate_job(e, new);
}

pub(crate) fn validate_cron_job(e: &mut Errs, obj: &Value) {
    let name = obj.get("metadata").map(|m| s(m, "name")).unwrap_or("");
    if name.len() > 52 {
        e.invalid("metadata.name", &quote(name), "must be no more than 52 characters");
    }
    let spec = match obj.get("spec") {
        Some(spec @ Value::Object(_)) => spec,
        Some(other) if !other.is_null() => return e.wrong_type("spec", other, "object"),
        _ => return e.required("spec", ""),
    };
    match e.str(spec, "schedule", "spec.schedule").unwrap_or("") {
        "" => e.required("spec.schedule", ""),
        schedule => {
            if schedule.contains("TZ") {
                e.invalid(
                    "spec.schedule",
                    &quote(schedule),
                    "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                );
            } else if let Err(msg) = parse_schedule(schedule) {
                e.invalid("spec.schedule", &quote(schedule), &msg);
            }
        }
    }
    match e.str(spec, "concurrencyPolicy", "spec.concurrencyPolicy").unwrap_or("") {
        "Allow" | "Forbid" | "Replace" => {}
        "" => e.required("spec.concurrencyPolicy", ""),
        other => e.not_supported("spec.concurrencyPolicy", &quote(other), &["Allow", "Forbid", "Replace"]),
    }
    for key in ["startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
        nonnegative(e, spec, key, "spec");
    }
    let Some(job_spec) = spec.pointer("/jobTemplate/spec").filter(|v| v.is_object()) else {
        return e.required("spec.jobTemplate.spec", "");
    };
    let manual = job_spec.get("manualSelector").and_then(Value::as_bool) == Some(true);
    if let Some(sel) = job_spec.get("selector").filter(|v| !v.is_null()) {
        if !manual {
            let shown = if sel.is_object() { go_label_selector(sel) } else { go_json(sel) };
            e.invalid("spec.jobTemplate.spec.selector", &shown, "`selector` will be auto-generated");
        }
    }
    validate_job_spec(e, job_spec, "spec.jobTemplate.spec");
}

/// Minimal robfig/cron (standard parser) check: 5 fields or a descriptor, values in range.
fn parse_schedule(schedule: &str) -> Result<(), String> {
    let trimmed = schedule.trim();
    if trimmed.starts_with('@') {
        return match trimmed {
            "@yearly" | "@annually" | "@monthly" | "@weekly" | "@daily" | "@midnight" | "@hourly" => Ok(()),
            d if d.starts_with("@every ") => Ok(()),
            d => Err(format!("unrecognized descriptor: {d}")),
        };
    }
    let fields: Vec<&str> = trimmed.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("expected exactly 5 fields, found {}: {schedule}", fields.len()));
    }
    const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    let bounds: [(i64, i64, &[&str], i64); 5] =
        [(0, 59, &[], 0), (0, 23, &[], 0), (1, 31, &[], 0), (1, 12, MONTHS, 1), (0, 6, DAYS, 0)];
    for (field, (min, max, names, offset)) in fields.iter().zip(bounds) {
        for part in field.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((r, st)) => (r, Some(st)),
                None => (part, None),
            };
            if let Some(st) = step {
                st.parse::<u32>().map_err(|_| {
                    format!("failed to parse int from {st}: strconv.Atoi: parsing {}: invalid syntax", quote(st))
                })?;
            }
            if range == "*" || range == "?" {
                continue;
            }
            let parse = |v: &str| -> Result<i64, String> {
                if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
                    return Ok(i as i64 + offset);
                }
                v.parse::<i64>().map_err(|_| {
                    format!("failed to parse int from {v}: strconv.Atoi: parsing {}: invalid syntax", quote(v))
                })
            };
            let (lo, hi) = match range.split_once('-') {
                Some((a, b)) => (parse(a)?, parse(b)?),
                None => {
                    let v = parse(range)?;
                    (v, v)
                }
            };
            if lo < min {
                return Err(format!("beginning of range ({lo}) below minimum ({min}): {part}"));
            }
            if hi > max {
                return Err(format!("end of range ({hi}) above maximum ({max}): {part}"));
            }
            if lo > hi {
                return Err(format!("beginning of range ({lo}) beyond end of range ({hi}): {part}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::registry::strategy::field::errs;

    fn job(restart: &str) -> Value {
        json!({"metadata": {"name": "pi", "uid": "u-1"}, "spec": {"template": {"spec": {"restartPolicy": restart,
            "containers": [{"name": "pi", "image": "perl"}]}}}})
    }

    #[test]
    fn job_defaults_and_generated_selector() {
        let mut j = job("Never");
        default_job(&mut j);
        let spec = &j["spec"];
        assert_eq!(spec["backoffLimit"], 6);
        assert_eq!(spec["completions"], 1);
        assert_eq!(spec["parallelism"], 1);
        assert_eq!(spec["completionMode"], "NonIndexed");
        assert_eq!(spec["suspend"], false);
        assert_eq!(spec["podReplacementPolicy"], "TerminatingOrFailed");
        assert!(spec.get("manualSelector").is_none());
        assert_eq!(spec["selector"], json!({"matchLabels": {"batch.kubernetes.io/controller-uid": "u-1"}}));
        assert_eq!(
            spec["template"]["metadata"]["labels"],
            json!({"batch.kubernetes.io/controller-uid": "u-1", "controller-uid": "u-1", "batch.kubernetes.io/job-name": "pi", "job-name": "pi"})
        );
        assert_eq!(spec["template"]["spec"]["dnsPolicy"], "ClusterFirst");
        assert_eq!(j["metadata"]["labels"], spec["template"]["metadata"]["labels"]);
        let mut again = j.clone();
        default_job(&mut again);
        assert_eq!(again, j);
        assert_eq!(errs(|e| validate_job(e, &j)), vec![]);
    }

    #[test]
    fn tampered_generated_labels_are_reported() {
        let mut j = job("Never");
        default_job(&mut j);
        j["spec"]["template"]["metadata"]["labels"]["job-name"] = json!("other");
        let c = errs(|e| validate_job(e, &j));
        assert_eq!(c[0].0, "spec.template.metadata.labels[job-name]");
        assert!(c[0].1.starts_with("Invalid value: map[string]string{\"batch.kubernetes.io/controller-uid\":\"u-1\""));
        assert!(c[0].1.ends_with(": must be 'pi'"));
    }

    #[test]
    fn parallelism_alone_leaves_completions_unset() {
        let mut j = job("Never");
        j["spec"]["parallelism"] = json!(3);
        default_job(&mut j);
        assert!(j["spec"].get("completions").is_none());
    }

    #[test]
    fn job_restart_policy_must_be_on_failure_or_never() {
        let mut j = job("Always");
        default_job(&mut j);
        assert_eq!(
            errs(|e| validate_job(e, &j)),
            vec![(
                "spec.template.spec.restartPolicy".into(),
                "Required value: valid values: \"OnFailure\", \"Never\"".into()
            )]
        );
        let mut j = job("Sometimes");
        default_job(&mut j);
        // The pod-level enum check and the Job's own both apply, as upstream.
        let c = errs(|e| validate_job(e, &j));
        assert_eq!(c[0].1, "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"");
        assert_eq!(
            c[1],
            (
                "spec.template.spec.restartPolicy".into(),
                "Unsupported value: \"Sometimes\": supported values: \"OnFailure\", \"Never\"".into()
            )
        );
    }

    #[test]
    fn backoff_limit_must_be_nonnegative() {
        let mut j = job("Never");
        j["spec"]["backoffLimit"] = json!(-1);
        default_job(&mut j);
        assert_eq!(
            errs(|e| validate_job(e, &j)),
            vec![("spec.backoffLimit".into(), "Invalid value: -1: must be greater than or equal to 0".into())]
        );
    }

    #[test]
    fn job_selector_and_template_are_immutable() {
        let mut old = job("Never");
        default_job(&mut old);
        let mut new = old.clone();
        new["spec"]["template"]["spec"]["containers"][0]["image"] = json!("perl:2");
        assert_eq!(
            errs(|e| validate_job_update(e, &new, &old)),
            vec![("spec.template".into(), "Invalid value: core.PodTemplateSpec{...}: field is immutable".into())]
        );
        let mut new = old.clone();
        new["spec"]["selector"]["matchLabels"]["x"] = json!("y");
        let c = errs(|e| validate_job_update(e, &new, &old));
        assert_eq!(c[0].0, "spec.selector");
        assert!(c[0].1.ends_with("field is immutable"));
    }

    #[test]
    fn cron_job_defaults() {
        let mut cj = json!({"metadata": {"name": "c"}, "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}}}}});
        default_cron_job(&mut cj);
        assert_eq!(cj["spec"]["concurrencyPolicy"], "Allow");
        assert_eq!(cj["spec"]["suspend"], false);
        assert_eq!(cj["spec"]["successfulJobsHistoryLimit"], 3);
        assert_eq!(cj["spec"]["failedJobsHistoryLimit"], 1);
        assert_eq!(cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["schedulerName"], "default-scheduler");
        assert!(cj["spec"]["jobTemplate"]["spec"].get("backoffLimit").is_none());
        assert_eq!(errs(|e| validate_cron_job(e, &cj)), vec![]);
        cj["spec"]["schedule"] = json!("61 * * * *");
        assert_eq!(
            errs(|e| validate_cron_job(e, &cj)),
            vec![(
                "spec.schedule".into(),
                "Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61".into()
            )]
        );
        cj["spec"]["concurrencyPolicy"] = json!("Sometimes");
        cj["spec"]["schedule"] = json!("@daily");
        assert_eq!(
            errs(|e| validate_cron_job(e, &cj))[0].1,
            "Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""
        );
    }

    #[test]
    fn wrong_types_do_not_panic() {
        for bad in [
            json!({"spec": 1}),
            json!({"metadata": 3, "spec": {"template": 1, "selector": 2}}),
            json!(null),
            json!({"spec": {"jobTemplate": "x"}}),
        ] {
            let mut v = bad.clone();
            default_job(&mut v);
            let mut v = bad.clone();
            default_cron_job(&mut v);
            errs(|e| validate_job(e, &bad));
            errs(|e| validate_cron_job(e, &bad));
            errs(|e| validate_job_update(e, &bad, &bad));
        }
    }
}
