//! The strategies of Deployments, ReplicaSets, ReplicationControllers, StatefulSets, DaemonSets
//! and ControllerRevisions, and their rules: apps/v1 and core/v1 defaulters, `ValidateXSpec`
//! (selector vs template labels, replicas, strategies, restartPolicy Always) and the update
//! rules (immutable selectors, StatefulSet's frozen spec).

use serde_json::{json, Map, Value};

use super::field::{child, ensure_obj, go_string_map, obj_mut, quote, s, set_default, set_default_str, Errs};
use super::pod::{default_pod_template, validate_pod_template};
use super::selector::{go_label_selector, is_empty_selector, validate_label_selector};
use super::Strategy;
use crate::machinery::labels::Selector;
use crate::registry::tables;

/// Upstream's `rcStrategy`.
pub(crate) static REPLICATION_CONTROLLER: Strategy = Strategy {
    defaulter: default_replication_controller,
    tracks_generation: true,
    validator: validate_replication_controller,
    fields: &["status.replicas"],
    printer: &tables::workloads::REPLICATION_CONTROLLER,
    ..Strategy::DEFAULT
};

/// Upstream's `deploymentStrategy`.
pub(crate) static DEPLOYMENT: Strategy = Strategy {
    defaulter: default_deployment,
    tracks_generation: true,
    validator: validate_deployment,
    update_validator: Some(|e, new, old| {
        validate_deployment(e, new);
        validate_selector_immutable(e, new, old);
    }),
    printer: &tables::workloads::DEPLOYMENT,
    ..Strategy::DEFAULT
};

/// Upstream's `rsStrategy`.
pub(crate) static REPLICA_SET: Strategy = Strategy {
    defaulter: default_replica_set,
    tracks_generation: true,
    validator: validate_replica_set,
    update_validator: Some(|e, new, old| {
        validate_replica_set(e, new);
        validate_selector_immutable(e, new, old);
    }),
    fields: &["status.replicas"],
    printer: &tables::workloads::REPLICA_SET,
    ..Strategy::DEFAULT
};

/// Upstream's `statefulSetStrategy`.
pub(crate) static STATEFUL_SET: Strategy = Strategy {
    defaulter: default_stateful_set,
    tracks_generation: true,
    validator: validate_stateful_set,
    update_validator: Some(|e, new, old| {
        validate_stateful_set(e, new);
        validate_stateful_set_update(e, new, old);
    }),
    printer: &tables::workloads::STATEFUL_SET,
    ..Strategy::DEFAULT
};

/// Upstream's `daemonSetStrategy`.
pub(crate) static DAEMON_SET: Strategy = Strategy {
    defaulter: default_daemon_set,
    tracks_generation: true,
    validator: validate_daemon_set,
    update_validator: Some(|e, new, old| {
        validate_daemon_set(e, new);
        validate_selector_immutable(e, new, old);
    }),
    printer: &tables::workloads::DAEMON_SET,
    ..Strategy::DEFAULT
};

/// ControllerRevisions: no rules beyond ObjectMeta's.
pub(crate) static CONTROLLER_REVISION: Strategy =
    Strategy { printer: &tables::workloads::CONTROLLER_REVISION, ..Strategy::DEFAULT };

/// PodTemplates.
pub(crate) static POD_TEMPLATE: Strategy =
    Strategy { printer: &tables::more_kinds::POD_TEMPLATE, ..Strategy::DEFAULT };

// ---------------------------------------------------------------------------------------------
// Defaults

fn spec_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    ensure_obj(obj.as_object_mut()?, "spec")
}

fn default_template(obj: &mut Value) {
    if let Some(template) = spec_mut(obj).and_then(|spec| ensure_obj(spec, "template")) {
        default_pod_template(template);
    }
}

pub(crate) fn default_deployment(obj: &mut Value) {
    default_template(obj);
    let Some(spec) = spec_mut(obj) else { return };
    set_default(spec, "replicas", json!(1));
    if let Some(strategy) = ensure_obj(spec, "strategy") {
        set_default_str(strategy, "type", "RollingUpdate");
        if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
            if let Some(ru) = ensure_obj(strategy, "rollingUpdate") {
                set_default(ru, "maxUnavailable", json!("25%"));
                set_default(ru, "maxSurge", json!("25%"));
            }
        }
    }
    set_default(spec, "revisionHistoryLimit", json!(10));
    set_default(spec, "progressDeadlineSeconds", json!(600));
}

pub(crate) fn default_replica_set(obj: &mut Value) {
    default_template(obj);
    if let Some(spec) = spec_mut(obj) {
        set_default(spec, "replicas", json!(1));
    }
}

/// core/v1 `SetDefaults_ReplicationController`: selector and labels from the template's labels.
pub(crate) fn default_replication_controller(obj: &mut Value) {
    default_template(obj);
    let labels = obj.pointer("/spec/template/metadata/labels").filter(|l| l.is_object()).cloned();
    if let Some(labels) = labels {
        if let Some(spec) = spec_mut(obj) {
            if spec.get("selector").and_then(Value::as_object).is_none_or(Map::is_empty)
                && spec.get("selector").is_none_or(|s| s.is_null() || s.is_object())
            {
                spec.insert("selector".into(), labels.clone());
            }
        }
        if let Some(meta) = obj.as_object_mut().and_then(|o| ensure_obj(o, "metadata")) {
            if meta.get("labels").and_then(Value::as_object).is_none_or(Map::is_empty)
                && meta.get("labels").is_none_or(|l| l.is_null() || l.is_object())
            {
                meta.insert("labels".into(), labels);
            }
        }
    }
    if let Some(spec) = spec_mut(obj) {
        set_default(spec, "replicas", json!(1));
    }
}

pub(crate) fn default_stateful_set(obj: &mut Value) {
    default_template(obj);
    let Some(spec) = spec_mut(obj) else { return };
    set_default_str(spec, "podManagementPolicy", "OrderedReady");
    if let Some(strategy) = ensure_obj(spec, "updateStrategy") {
        if s(&Value::Object(strategy.clone()), "type").is_empty() {
            strategy.insert("type".into(), json!("RollingUpdate"));
            set_default(strategy, "rollingUpdate", json!({}));
        }
        if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
            if let Some(ru) = obj_mut(strategy, "rollingUpdate") {
                set_default(ru, "partition", json!(0));
            }
        }
    }
    if let Some(policy) = ensure_obj(spec, "persistentVolumeClaimRetentionPolicy") {
        set_default_str(policy, "whenDeleted", "Retain");
        set_default_str(policy, "whenScaled", "Retain");
    }
    set_default(spec, "replicas", json!(1));
    set_default(spec, "revisionHistoryLimit", json!(10));
    if let Some(Value::Array(claims)) = spec.get_mut("volumeClaimTemplates") {
        for claim in claims.iter_mut().filter_map(Value::as_object_mut) {
            set_default_str(claim, "apiVersion", "v1");
            set_default_str(claim, "kind", "PersistentVolumeClaim");
            if let Some(meta) = ensure_obj(claim, "metadata") {
                meta.entry("creationTimestamp").or_insert(Value::Null);
            }
            if let Some(cs) = ensure_obj(claim, "spec") {
                set_default_str(cs, "volumeMode", "Filesystem");
            }
            if let Some(status) = ensure_obj(claim, "status") {
                set_default_str(status, "phase", "Pending");
            }
        }
    }
}

pub(crate) fn default_daemon_set(obj: &mut Value) {
    default_template(obj);
    let Some(spec) = spec_mut(obj) else { return };
    if let Some(strategy) = ensure_obj(spec, "updateStrategy") {
        set_default_str(strategy, "type", "RollingUpdate");
        if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
            if let Some(ru) = ensure_obj(strategy, "rollingUpdate") {
                set_default(ru, "maxUnavailable", json!(1));
                set_default(ru, "maxSurge", json!(0));
            }
        }
    }
    set_default(spec, "revisionHistoryLimit", json!(10));
}

// ---------------------------------------------------------------------------------------------
// Validation

/// `ValidateNonnegativeField` for an optional integer field of `parent`.
pub(crate) fn nonnegative(e: &mut Errs, parent: &Value, key: &str, path: &str) {
    let p = child(path, key);
    if let Some(v) = e.int(parent, key, &p) {
        if v < 0 {
            e.invalid(&p, &v.to_string(), "must be greater than or equal to 0");
        }
    }
}

/// The template's labels, as upstream's `%#v` renders them and as a map for matching.
fn template_labels(spec: &Value) -> Option<&Map<String, Value>> {
    spec.pointer("/template/metadata/labels").and_then(Value::as_object)
}

/// `selector` required (optional for DaemonSets upstream), non-empty, valid, and matching the
/// template's labels; `kind` names the workload in "empty selector is invalid for <kind>".
fn validate_selector_and_template(e: &mut Errs, spec: &Value, kind: &str, require: bool) {
    let sel = spec.get("selector").filter(|s| !s.is_null());
    match sel {
        None if require => e.required("spec.selector", ""),
        None => {}
        Some(sel) => {
            validate_label_selector(e, spec, "selector", "spec.selector");
            if sel.is_object() && is_empty_selector(sel) {
                e.invalid("spec.selector", &go_label_selector(sel), &format!("empty selector is invalid for {kind}"));
            }
        }
    }
    match Selector::from_value(sel) {
        Err(_) => {
            if kind != "daemonset" {
                let detail = if kind == "statefulset" { "" } else { "invalid label selector" };
                e.invalid("spec.selector", &sel.map(go_label_selector).unwrap_or_default(), detail);
            }
        }
        Ok(selector) => {
            let labels = template_labels(spec);
            if !selector.is_empty() && !selector.matches(&labels) {
                e.invalid(
                    "spec.template.metadata.labels",
                    &go_string_map(labels),
                    "`selector` does not match template `labels`",
                );
            }
        }
    }
}

/// Template checks shared by the replicated workloads: the pod template, restartPolicy Always,
/// no activeDeadlineSeconds.
fn validate_workload_template(e: &mut Errs, spec: &Value, kind_title: &str, forbid_deadline: bool) {
    validate_pod_template(e, spec, "template", "spec.template");
    let policy = spec.pointer("/template/spec/restartPolicy").and_then(Value::as_str).unwrap_or("");
    if policy != "Always" {
        e.not_supported("spec.template.spec.restartPolicy", &quote(policy), &["Always"]);
    }
    if let Some(ads) = spec.pointer("/template/spec/activeDeadlineSeconds").filter(|v| !v.is_null()) {
        let msg = format!("activeDeadlineSeconds in {kind_title} is not Supported");
        if forbid_deadline {
            e.forbidden("spec.template.spec.activeDeadlineSeconds", &msg);
        } else {
            e.invalid("spec.template.spec.activeDeadlineSeconds", &ads.to_string(), &msg);
        }
    }
}

fn spec_of<'a>(e: &mut Errs, obj: &'a Value) -> Option<&'a Value> {
    match obj.get("spec") {
        Some(spec @ Value::Object(_)) => Some(spec),
        None | Some(Value::Null) => {
            e.required("spec", "");
            None
        }
        Some(other) => {
            e.wrong_type("spec", other, "object");
            None
        }
    }
}

/// Go's `%#v` of an `intstr.IntOrString` (no Stringer on the value, so the raw struct).
fn go_int_or_string(v: &Value) -> String {
    match v {
        Value::String(s) => format!("intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}", quote(s)),
        other => format!("intstr.IntOrString{{Type:0, IntVal:{}, StrVal:\"\"}}", other.as_i64().unwrap_or(0)),
    }
}

/// `ValidatePositiveIntOrPercent`; returns the value (percent or int) when valid.
fn int_or_percent(e: &mut Errs, parent: &Value, key: &str, path: &str) -> Option<i64> {
    let p = child(path, key);
    match parent.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(st)) => {
            let msgs = crate::machinery::validation::is_valid_percent(st);
            let bad = !msgs.is_empty();
            for msg in msgs {
                e.invalid(&p, &go_int_or_string(&json!(st)), &msg);
            }
            if bad {
                None
            } else {
                st.trim_end_matches('%').parse::<i64>().ok()
            }
        }
        Some(Value::Number(n)) if n.as_i64().is_some() => {
            let n = n.as_i64().unwrap_or(0);
            if n < 0 {
                e.invalid(&p, &n.to_string(), "must be greater than or equal to 0");
            }
            Some(n)
        }
        Some(other) => {
            e.wrong_type(&p, other, "integer or percent string");
            None
        }
    }
}

/// `IsNotMoreThan100Percent`: only percent strings are bounded.
fn not_more_than_100_percent(e: &mut Errs, parent: &Value, key: &str, path: &str) {
    if let Some(st) = parent.get(key).and_then(Value::as_str) {
        let n = st.strip_suffix('%').and_then(|d| d.parse::<i64>().ok());
        if n.is_some_and(|n| n > 100) {
            e.invalid(&child(path, key), &go_int_or_string(&json!(st)), "must not be greater than 100%");
        }
    }
}

pub(crate) fn validate_deployment(e: &mut Errs, obj: &Value) {
    let Some(spec) = spec_of(e, obj) else { return };
    nonnegative(e, spec, "replicas", "spec");
    validate_selector_and_template(e, spec, "deployment", true);
    validate_workload_template(e, spec, "ReplicaSet", false);
    let strategy_path = "spec.strategy";
    if let Some(strategy) = e.obj(spec, "strategy", strategy_path) {
        let strategy = Value::Object(strategy.clone());
        let ty = e.str(&strategy, "type", "spec.strategy.type").unwrap_or("");
        let ru = strategy.get("rollingUpdate").filter(|v| !v.is_null());
        match ty {
            "Recreate" => {
                if ru.is_some() {
                    e.forbidden(
                        "spec.strategy.rollingUpdate",
                        "may not be specified when strategy `type` is 'Recreate'",
                    );
                }
            }
            "RollingUpdate" => match ru {
                None => e.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"),
                Some(ru) => {
                    let p = "spec.strategy.rollingUpdate";
                    let unavailable = int_or_percent(e, ru, "maxUnavailable", p);
                    let surge = int_or_percent(e, ru, "maxSurge", p);
                    if unavailable == Some(0) && surge == Some(0) {
                        let shown = go_int_or_string(ru.get("maxUnavailable").unwrap_or(&json!(0)));
                        e.invalid(
                            "spec.strategy.rollingUpdate.maxUnavailable",
                            &shown,
                            "may not be 0 when `maxSurge` is 0",
                        );
                    }
                    not_more_than_100_percent(e, ru, "maxUnavailable", p);
                }
            },
            other => {
                let shown = format!(
                    "apps.DeploymentStrategy{{Type:{}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}}",
                    quote(other)
                );
                e.not_supported(strategy_path, &shown, &["Recreate", "RollingUpdate"]);
            }
        }
    }
    nonnegative(e, spec, "minReadySeconds", "spec");
    nonnegative(e, spec, "revisionHistoryLimit", "spec");
    if let Some(deadline) = e.int(spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds") {
        if deadline < 0 {
            e.invalid("spec.progressDeadlineSeconds", &deadline.to_string(), "must be greater than or equal to 0");
        }
        let min_ready = spec.get("minReadySeconds").and_then(Value::as_i64).unwrap_or(0);
        if deadline <= min_ready {
            e.invalid("spec.progressDeadlineSeconds", &deadline.to_string(), "must be greater than minReadySeconds");
        }
    }
}

pub(crate) fn validate_replica_set(e: &mut Errs, obj: &Value) {
    let Some(spec) = spec_of(e, obj) else { return };
    nonnegative(e, spec, "replicas", "spec");
    nonnegative(e, spec, "minReadySeconds", "spec");
    // Upstream's ReplicaSet validation reuses the deployment wording.
    validate_selector_and_template(e, spec, "deployment", true);
    validate_workload_template(e, spec, "ReplicaSet", false);
}

/// core/v1 ReplicationController: the selector is a plain map, defaulted from the template.
pub(crate) fn validate_replication_controller(e: &mut Errs, obj: &Value) {
    let Some(spec) = spec_of(e, obj) else { return };
    nonnegative(e, spec, "minReadySeconds", "spec");
    let selector = e.string_map(spec, "selector", "spec.selector").unwrap_or_default();
    super::meta::validate_labels(e, spec, "selector", "spec.selector");
    if selector.is_empty() {
        e.required("spec.selector", "");
    }
    nonnegative(e, spec, "replicas", "spec");
    match spec.get("template").filter(|t| !t.is_null()) {
        None => e.required("spec.template", ""),
        Some(_) => {
            let labels = template_labels(spec);
            let matches =
                selector.iter().all(|(k, v)| labels.and_then(|l| l.get(*k)).and_then(Value::as_str) == Some(*v));
            if !selector.is_empty() && !matches {
                e.invalid(
                    "spec.template.metadata.labels",
                    &go_string_map(labels),
                    "`selector` does not match template `labels`",
                );
            }
            validate_workload_template(e, spec, "ReplicationController", true);
        }
    }
}

pub(crate) fn validate_stateful_set(e: &mut Errs, obj: &Value) {
    let Some(spec) = spec_of(e, obj) else { return };
    match spec.get("podManagementPolicy").and_then(Value::as_str).unwrap_or("") {
        "" => e.required("spec.podManagementPolicy", ""),
        "OrderedReady" | "Parallel" => {}
        other => e.invalid("spec.podManagementPolicy", &quote(other), "must be 'OrderedReady' or 'Parallel'"),
    }
    let strategy = spec.get("updateStrategy").cloned().unwrap_or(Value::Null);
    let ru = strategy.get("rollingUpdate").filter(|v| !v.is_null());
    match strategy.get("type").and_then(Value::as_str).unwrap_or("") {
        "" => e.required("spec.updateStrategy", ""),
        "OnDelete" => {
            if ru.is_some() {
                e.invalid(
                    "spec.updateStrategy.rollingUpdate",
                    &ru.map(super::field::go_json).unwrap_or_default(),
                    "only allowed for updateStrategy 'RollingUpdate'",
                );
            }
        }
        "RollingUpdate" => {
            if let Some(ru) = ru {
                nonnegative(e, ru, "partition", "spec.updateStrategy.rollingUpdate");
            }
        }
        other => e.invalid(
            "spec.updateStrategy",
            &format!("apps.StatefulSetUpdateStrategy{{Type:{}}}", quote(other)),
            "must be 'RollingUpdate' or 'OnDelete'",
        ),
    }
    if let Some(policy) = spec.get("persistentVolumeClaimRetentionPolicy").filter(|v| v.is_object()) {
        for key in ["whenDeleted", "whenScaled"] {
            let v = s(policy, key);
            if v != "Retain" && v != "Delete" {
                e.not_supported(
                    &format!("spec.persistentVolumeClaimRetentionPolicy.{key}"),
                    &quote(v),
                    &["Retain", "Delete"],
                );
            }
        }
    }
    nonnegative(e, spec, "replicas", "spec");
    nonnegative(e, spec, "minReadySeconds", "spec");
    nonnegative(e, spec, "revisionHistoryLimit", "spec");
    validate_selector_and_template(e, spec, "statefulset", true);
    validate_pod_template(e, spec, "template", "spec.template");
    let policy = spec.pointer("/template/spec/restartPolicy").and_then(Value::as_str).unwrap_or("");
    if policy != "Always" {
        e.not_supported("spec.template.spec.restartPolicy", &quote(policy), &["Always"]);
    }
    if spec.pointer("/template/spec/activeDeadlineSeconds").is_some_and(|v| !v.is_null()) {
        e.forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            "activeDeadlineSeconds in StatefulSet is not Supported",
        );
    }
}

pub(crate) fn validate_daemon_set(e: &mut Errs, obj: &Value) {
    let Some(spec) = spec_of(e, obj) else { return };
    validate_selector_and_template(e, spec, "daemonset", false);
    validate_workload_template(e, spec, "DaemonSet", false);
    nonnegative(e, spec, "minReadySeconds", "spec");
    nonnegative(e, spec, "templateGeneration", "spec");
    if let Some(strategy) = e.obj(spec, "updateStrategy", "spec.updateStrategy") {
        let strategy = Value::Object(strategy.clone());
        match s(&strategy, "type") {
            "OnDelete" => {}
            "RollingUpdate" => match strategy.get("rollingUpdate").filter(|v| !v.is_null()) {
                None => e.required("spec.updateStrategy.rollingUpdate", ""),
                Some(ru) => {
                    let p = "spec.updateStrategy.rollingUpdate";
                    let unavailable = int_or_percent(e, ru, "maxUnavailable", p);
                    let surge = int_or_percent(e, ru, "maxSurge", p);
                    not_more_than_100_percent(e, ru, "maxUnavailable", p);
                    not_more_than_100_percent(e, ru, "maxSurge", p);
                    // Exactly one of maxSurge and maxUnavailable must be non-zero.
                    let (has_unavailable, has_surge) = (unavailable.unwrap_or(0) != 0, surge.unwrap_or(0) != 0);
                    if has_unavailable && has_surge {
                        let shown = go_int_or_string(ru.get("maxSurge").unwrap_or(&json!(0)));
                        e.invalid(
                            "spec.updateStrategy.rollingUpdate.maxSurge",
                            &shown,
                            "may not be set when maxUnavailable is non-zero",
                        );
                    } else if !has_unavailable && !has_surge {
                        e.required(
                            "spec.updateStrategy.rollingUpdate.maxUnavailable",
                            "cannot be 0 when maxSurge is 0",
                        );
                    }
                }
            },
            other => {
                let shown = format!(
                    "apps.DaemonSetUpdateStrategy{{Type:{}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}}",
                    quote(other)
                );
                e.not_supported("spec.updateStrategy", &shown, &["RollingUpdate", "OnDelete"]);
            }
        }
    }
    nonnegative(e, spec, "revisionHistoryLimit", "spec");
}

/// apps/v1 selectors are immutable (Deployment, ReplicaSet, DaemonSet).
pub(crate) fn validate_selector_immutable(e: &mut Errs, new: &Value, old: &Value) {
    let (n, o) = (new.pointer("/spec/selector"), old.pointer("/spec/selector"));
    if n != o {
        let shown = match n {
            Some(sel) if sel.is_object() => go_label_selector(sel),
            _ => "null".to_string(),
        };
        e.invalid("spec.selector", &shown, "field is immutable");
    }
}

/// StatefulSet updates may change only replicas, ordinals, template, updateStrategy,
/// revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds.
pub(crate) fn validate_stateful_set_update(e: &mut Errs, new: &Value, old: &Value) {
    let strip = |v: &Value| {
        let mut spec = v.get("spec").cloned().unwrap_or(Value::Null);
        if let Some(m) = spec.as_object_mut() {
            for key in [
                "replicas",
                "ordinals",
                "template",
                "updateStrategy",
                "revisionHistoryLimit",
                "persistentVolumeClaimRetentionPolicy",
                "minReadySeconds",
            ] {
                m.remove(key);
            }
        }
        spec
    };
    if strip(new) != strip(old) {
        e.forbidden(
            "spec",
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::registry::strategy::field::errs;

    fn template(labels: Value) -> Value {
        let mut t = json!({"spec": {"containers": [{"name": "c", "image": "nginx"}]}});
        if !labels.is_null() {
            t["metadata"] = json!({"labels": labels});
        }
        t
    }

    #[test]
    fn deployment_defaults() {
        let mut d = json!({"metadata": {"name": "nginx-deployment"}, "spec": {"selector": {"matchLabels": {"app": "nginx"}},
            "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:latest"}]}}}});
        default_deployment(&mut d);
        let spec = &d["spec"];
        assert_eq!(spec["replicas"], 1);
        assert_eq!(
            spec["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        );
        assert_eq!(spec["revisionHistoryLimit"], 10);
        assert_eq!(spec["progressDeadlineSeconds"], 600);
        let c = &spec["template"]["spec"]["containers"][0];
        assert_eq!(c["imagePullPolicy"], "Always");
        assert_eq!(spec["template"]["spec"]["restartPolicy"], "Always");
        // Admission defaults belong to Pods only.
        assert!(spec["template"]["spec"].get("serviceAccountName").is_none());
        assert!(spec["template"]["spec"].get("tolerations").is_none());
        assert!(spec["template"]["spec"].get("enableServiceLinks").is_none());
        let again = {
            let mut x = d.clone();
            default_deployment(&mut x);
            x
        };
        assert_eq!(again, d);
        assert!(errs(|e| validate_deployment(e, &d)).is_empty());
    }

    #[test]
    fn recreate_strategy_gets_no_rolling_update() {
        let mut d = json!({"spec": {"strategy": {"type": "Recreate"}}});
        default_deployment(&mut d);
        assert_eq!(d["spec"]["strategy"], json!({"type": "Recreate"}));
    }

    #[test]
    fn replica_set_template_without_labels_does_not_match_selector() {
        let mut rs = json!({"metadata": {"name": "myapp-rs"}, "spec": {"selector": {"matchLabels": {"name": "mypod"}}, "template": template(Value::Null)}});
        default_replica_set(&mut rs);
        assert_eq!(rs["spec"]["replicas"], 1);
        assert_eq!(
            errs(|e| validate_replica_set(e, &rs)),
            vec![(
                "spec.template.metadata.labels".into(),
                "Invalid value: map[string]string(nil): `selector` does not match template `labels`".into()
            )]
        );
    }

    #[test]
    fn mismatched_labels_are_printed_like_go() {
        let mut d =
            json!({"spec": {"selector": {"matchLabels": {"app": "y"}}, "template": template(json!({"app": "x"}))}});
        default_deployment(&mut d);
        assert_eq!(
            errs(|e| validate_deployment(e, &d)),
            vec![(
                "spec.template.metadata.labels".into(),
                "Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`".into()
            )]
        );
    }

    #[test]
    fn selector_is_required_and_non_empty() {
        let mut d = json!({"spec": {"template": template(json!({"app": "x"}))}});
        default_deployment(&mut d);
        let c = errs(|e| validate_deployment(e, &d));
        assert_eq!(c[0], ("spec.selector".into(), "Required value".into()));
        assert_eq!(c[1].0, "spec.template.metadata.labels");
        d["spec"]["selector"] = json!({});
        assert_eq!(
            errs(|e| validate_deployment(e, &d)),
            vec![("spec.selector".into(), "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment".into())]
        );
    }

    #[test]
    fn replicas_must_be_nonnegative_and_restart_policy_always() {
        let mut rs = json!({"spec": {"replicas": -1, "selector": {"matchLabels": {"a": "b"}}, "template": template(json!({"a": "b"}))}});
        rs["spec"]["template"]["spec"]["restartPolicy"] = json!("OnFailure");
        default_replica_set(&mut rs);
        let c = errs(|e| validate_replica_set(e, &rs));
        assert_eq!(c[0], ("spec.replicas".into(), "Invalid value: -1: must be greater than or equal to 0".into()));
        assert_eq!(
            c[1],
            (
                "spec.template.spec.restartPolicy".into(),
                "Unsupported value: \"OnFailure\": supported values: \"Always\"".into()
            )
        );
    }

    #[test]
    fn deployment_strategy_values() {
        let mut d = json!({"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": template(json!({"a": "b"})), "strategy": {"type": "Blue"}}});
        default_deployment(&mut d);
        let c = errs(|e| validate_deployment(e, &d));
        assert_eq!(c, vec![("spec.strategy".into(), "Unsupported value: apps.DeploymentStrategy{Type:\"Blue\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", \"RollingUpdate\"".into())]);
        d["spec"]["strategy"] =
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}});
        let c = errs(|e| validate_deployment(e, &d));
        assert_eq!(
            c,
            vec![(
                "spec.strategy.rollingUpdate.maxUnavailable".into(),
                "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}: may not be 0 when `maxSurge` is 0"
                    .into()
            )]
        );
        d["spec"]["strategy"] =
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "x", "maxUnavailable": "150%"}});
        let c = errs(|e| validate_deployment(e, &d));
        // Upstream order: both int-or-percent checks, then the 100% bound.
        assert!(c[0].1.contains("a valid percent string must be a numeric string followed by an ending '%'"));
        assert_eq!(
            c[1].1,
            "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%"
        );
    }

    #[test]
    fn replication_controller_defaults_selector_and_labels_from_template() {
        let mut rc = json!({"metadata": {"name": "rc"}, "spec": {"template": template(json!({"app": "x"}))}});
        default_replication_controller(&mut rc);
        assert_eq!(rc["spec"]["selector"], json!({"app": "x"}));
        assert_eq!(rc["metadata"]["labels"], json!({"app": "x"}));
        assert_eq!(rc["spec"]["replicas"], 1);
        assert!(errs(|e| validate_replication_controller(e, &rc)).is_empty());
    }

    #[test]
    fn stateful_set_defaults() {
        let mut sts = json!({"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": template(json!({"a": "b"})),
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]}});
        default_stateful_set(&mut sts);
        let spec = &sts["spec"];
        assert_eq!(spec["replicas"], 1);
        assert_eq!(spec["podManagementPolicy"], "OrderedReady");
        assert_eq!(spec["updateStrategy"], json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}));
        assert_eq!(spec["revisionHistoryLimit"], 10);
        assert_eq!(
            spec["persistentVolumeClaimRetentionPolicy"],
            json!({"whenDeleted": "Retain", "whenScaled": "Retain"})
        );
        assert_eq!(spec["volumeClaimTemplates"][0]["spec"]["volumeMode"], "Filesystem");
        assert!(errs(|e| validate_stateful_set(e, &sts)).is_empty());
    }

    #[test]
    fn daemon_set_defaults() {
        let mut ds =
            json!({"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": template(json!({"a": "b"}))}});
        default_daemon_set(&mut ds);
        assert_eq!(
            ds["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        );
        assert_eq!(ds["spec"]["revisionHistoryLimit"], 10);
        assert!(errs(|e| validate_daemon_set(e, &ds)).is_empty());
    }

    #[test]
    fn daemon_set_rolling_update_needs_exactly_one_non_zero() {
        let mut ds = json!({"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": template(json!({"a": "b"})),
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}}}});
        default_daemon_set(&mut ds);
        assert_eq!(
            errs(|e| validate_daemon_set(e, &ds)),
            vec![(
                "spec.updateStrategy.rollingUpdate.maxUnavailable".into(),
                "Required value: cannot be 0 when maxSurge is 0".into()
            )]
        );
        ds["spec"]["updateStrategy"] = json!({"type": "Blue"});
        assert_eq!(
            errs(|e| validate_daemon_set(e, &ds)),
            vec![("spec.updateStrategy".into(), "Unsupported value: apps.DaemonSetUpdateStrategy{Type:\"Blue\", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: \"RollingUpdate\", \"OnDelete\"".into())]
        );
    }

    #[test]
    fn selectors_are_immutable() {
        let old = json!({"spec": {"selector": {"matchLabels": {"app": "a"}}}});
        let new = json!({"spec": {"selector": {"matchLabels": {"app": "b"}}}});
        assert_eq!(
            errs(|e| validate_selector_immutable(e, &new, &old)),
            vec![("spec.selector".into(), "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"b\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable".into())]
        );
    }

    #[test]
    fn stateful_set_spec_is_mostly_frozen() {
        let old = json!({"spec": {"serviceName": "a", "replicas": 1}});
        assert!(errs(|e| validate_stateful_set_update(e, &json!({"spec": {"serviceName": "a", "replicas": 3}}), &old))
            .is_empty());
        let c = errs(|e| validate_stateful_set_update(e, &json!({"spec": {"serviceName": "b", "replicas": 1}}), &old));
        assert_eq!(c[0].0, "spec");
        assert!(c[0].1.starts_with("Forbidden: updates to statefulset spec for fields other than 'replicas'"));
    }

    #[test]
    fn wrong_types_do_not_panic() {
        for bad in [
            json!({"spec": 1}),
            json!({"spec": {"selector": "x", "template": []}}),
            json!([]),
            json!({"spec": {"strategy": 5, "template": {"spec": "x"}}}),
        ] {
            for f in [
                default_deployment,
                default_replica_set,
                default_replication_controller,
                default_stateful_set,
                default_daemon_set,
            ] {
                let mut v = bad.clone();
                f(&mut v);
            }
            errs(|e| validate_deployment(e, &bad));
            errs(|e| validate_replica_set(e, &bad));
            errs(|e| validate_replication_controller(e, &bad));
            errs(|e| validate_stateful_set(e, &bad));
            errs(|e| validate_daemon_set(e, &bad));
        }
    }
}
